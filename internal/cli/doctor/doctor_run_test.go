package doctor

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

func doctorFixture(t *testing.T) (*kcfake.Keycloak, *kcfake.Gateway, *kcfake.Harness) {
	t.Helper()
	kc := kcfake.NewKeycloak()
	t.Cleanup(kc.Close)
	gw := kcfake.NewGateway(kc)
	t.Cleanup(gw.Close)
	h := kcfake.NewHarness(t)
	prof := kcfake.Profile(kc, token.GrantPassword)
	prof.GatewayIssuer, prof.GatewayClientID, prof.GatewayURL = kc.Issuer, kc.ClientID, gw.URL
	h.LoggedIn(t, kc, "default", prof)
	return kc, gw, h
}

type result struct {
	OK     bool    `json:"ok"`
	Checks []Check `json:"checks"`
}

// doctor runs doctorRun with JSON output on the Options NewCmdDoctor wires,
// set changes before it runs; it returns the checks by name.
func doctor(t *testing.T, h *kcfake.Harness, set func(*Options)) (map[string]Check, error) {
	t.Helper()
	o := NewOptions(h.F)
	o.JSON = true
	if set != nil {
		set(o)
	}
	h.Out.Reset()
	err := doctorRun(context.Background(), o)
	var r result
	if jerr := json.Unmarshal(h.Out.Bytes(), &r); jerr != nil {
		if err != nil {
			return nil, err
		}
		t.Fatalf("%v: %s", jerr, h.Out)
	}
	m := map[string]Check{}
	for _, c := range r.Checks {
		m[c.Name] = c
	}
	return m, err
}

func TestDoctorRunAllGood(t *testing.T) {
	_, _, h := doctorFixture(t)
	checks, err := doctor(t, h, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, h.Out)
	}
	for name, want := range map[string]string{"discovery": OK, "issuer": OK, "gateway expects": OK, "token": OK, "gateway health": OK, "gateway auth": OK,
		"token store": Warn /* the 0600 file store */, "clock": OK /* the gateway's Date header; Keycloak sends none */} {
		if checks[name].Status != want {
			t.Errorf("%s: %+v, want %s", name, checks[name], want)
		}
	}
	if !strings.Contains(checks["token"].Detail, "signature verified") || !strings.Contains(checks["gateway auth"].Detail, "(2 models)") {
		t.Errorf("token %q, gateway auth %q", checks["token"].Detail, checks["gateway auth"].Detail)
	}
	// the human form: the report is doctor's output, on stdout; stderr
	// keeps only warnings and errors, and here there are none
	h.Out.Reset()
	h.ErrOut.Reset()
	if err := doctorRun(context.Background(), NewOptions(h.F)); err != nil || !strings.Contains(h.Out.String(), "OK    gateway auth") ||
		!strings.Contains(h.Out.String(), "WARN  token store") || !strings.Contains(h.Out.String(), "fix: run in a desktop session") {
		t.Errorf("%v\nstdout:\n%s", err, h.Out)
	}
	if h.ErrOut.Len() != 0 {
		t.Errorf("stderr holds report lines:\n%s", h.ErrOut)
	}
}

// The gateway answers 401 to a token igctl finds fine: doctor says what it could not check (exit 4).
func TestDoctorRunGateway401(t *testing.T) {
	_, gw, h := doctorFixture(t)
	gw.ClientID = "inference-gateway-client" // the gateway runs with other settings than igctl was told
	checks, err := doctor(t, h, nil)
	c := checks["gateway auth"]
	if cmdutil.ExitCode(err) != exitcode.Auth || c.Status != Fail || !strings.Contains(c.Detail, "the gateway rejected the token (401, after one refresh and retry)") ||
		!strings.Contains(c.Detail, "passes every check igctl makes") || !strings.Contains(c.Fix, "--gateway-env") {
		t.Fatalf("err = %v (exit %d), check %+v", err, cmdutil.ExitCode(err), c)
	}
}

// What the gateway expects, learnt from its .env: the token check names the audience failure first.
func TestDoctorRunGatewayEnv(t *testing.T) {
	kc, gw, h := doctorFixture(t)
	gw.ClientID = "inference-gateway-client"
	env := filepath.Join(t.TempDir(), ".env.gateway")
	os.WriteFile(env, []byte("AUTH_ENABLED=true\nAUTH_OIDC_ISSUER="+kc.Issuer+"\nAUTH_OIDC_CLIENT_ID=inference-gateway-client\n"), 0o600)
	checks, err := doctor(t, h, func(o *Options) { o.GatewayEnv = env })
	if c := checks["token"]; cmdutil.ExitCode(err) != exitcode.Auth || c.Status != Fail || !strings.Contains(c.Detail, `lacks "inference-gateway-client"`) {
		t.Fatalf("err = %v, token check %+v", err, c)
	}
	cfg, _ := h.Fresh(t).F.Config()
	if cfg.Profiles["default"].GatewayClientID != "inference-gateway-client" {
		t.Error("the gateway's client id was not remembered in the profile")
	}
}

func TestDoctorRunGatewayDown(t *testing.T) {
	_, _, h := doctorFixture(t)
	checks, err := doctor(t, h, func(o *Options) { o.Gateway = kcfake.ClosedURL() })
	if cmdutil.ExitCode(err) != exitcode.Network || checks["gateway health"].Status != Fail || checks["gateway auth"].Status != Skip {
		t.Fatalf("err = %v (exit %d), checks %+v", err, cmdutil.ExitCode(err), checks)
	}
}

func TestDoctorRunAuthOff(t *testing.T) {
	_, gw, h := doctorFixture(t)
	gw.AuthOff = true
	env := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(env, []byte("AUTH_ENABLE=true\nAUTH_OIDC_ISSUER=x\nAUTH_OIDC_CLIENT_ID=y\n"), 0o600)
	checks, err := doctor(t, h, func(o *Options) { o.GatewayEnv = env })
	if c := checks["gateway auth"]; c.Status != Fail || !strings.Contains(c.Fix, "AUTH_ENABLE, a name the gateway ignores since v0.41.0") {
		t.Errorf("gateway auth: %+v", c)
	}
	if cmdutil.ExitCode(err) == exitcode.OK {
		t.Error("doctor passed a gateway without authentication")
	}
}

func TestDoctorRunIssuerDown(t *testing.T) {
	kc, _, h := doctorFixture(t)
	kc.Fail(kcfake.Discovery, kcfake.FaultDrop)
	checks, err := doctor(t, h, nil)
	if cmdutil.ExitCode(err) != exitcode.Network || checks["discovery"].Status != Fail || checks["issuer"].Status != Skip {
		t.Fatalf("err = %v (exit %d), discovery %+v", err, cmdutil.ExitCode(err), checks["discovery"])
	}
	if !strings.Contains(checks["token"].Detail, "not checked") {
		t.Errorf("token: %+v (the signature cannot be checked without discovery)", checks["token"])
	}
}

// A failing identity provider is exit 6 (README), also at discovery.
func TestDoctorRunDiscovery5xx(t *testing.T) {
	kc, _, h := doctorFixture(t)
	kc.Fail(kcfake.Discovery, kcfake.Fault5xx)
	checks, err := doctor(t, h, nil)
	if checks["discovery"].Status != Fail || !strings.Contains(checks["discovery"].Detail, "HTTP 503") {
		t.Fatalf("discovery: %+v", checks["discovery"])
	}
	if cmdutil.ExitCode(err) != exitcode.Network {
		t.Errorf("a 5xx at discovery is exit 6, got %d: %v", cmdutil.ExitCode(err), err)
	}
}

// The refresh needed before checking the token fails: the token check carries the IdP's failure.
func TestDoctorRunRefreshFailsAndDamagedFile(t *testing.T) {
	kc, _, h := doctorFixture(t)
	kc.ExpireRefreshTokens()
	h.Edit(t, "default", func(b *token.Bundle) {
		b.AccessToken = kc.AccessToken(func(c map[string]any) { c["exp"] = 1 })
		b.Expiry = b.ObtainedAt
	})
	checks, err := doctor(t, h, nil)
	if c := checks["token"]; cmdutil.ExitCode(err) != exitcode.Auth || c.Status != Fail || !strings.Contains(c.Detail, "Token is not active") {
		t.Errorf("expired refresh: err = %v, token %+v", err, c)
	}

	path := h.Damage(t, "default", "garbage")
	checks, err = doctor(t, h.Fresh(t), nil)
	if c := checks["token"]; cmdutil.ExitCode(err) != exitcode.Config || c.Status != Fail || !strings.Contains(c.Detail, path) || !strings.Contains(c.Fix, "igctl login") {
		t.Errorf("damaged file: %v (exit %d), token %+v", err, cmdutil.ExitCode(err), c)
	}
}

// The report goes to stdout: a bordered table when stdout is a terminal
// with colour, the plain lines scripts read otherwise (--no-color or
// NO_COLOR included); a terminal on stderr alone changes nothing, and
// stderr stays empty.
func TestDoctorRunTableOnTerminal(t *testing.T) {
	_, _, h := doctorFixture(t)
	h.F.IO.SetTTY(false, false, true)
	if err := doctorRun(context.Background(), NewOptions(h.F)); err != nil {
		t.Fatal(err)
	}
	if out := h.Out.String(); !strings.Contains(out, "WARN  token store") || strings.ContainsAny(out, "╭│\x1b") || h.ErrOut.Len() != 0 {
		t.Errorf("stderr a terminal, stdout piped: want plain lines on stdout, nothing on stderr; stdout:\n%s\nstderr:\n%s", out, h.ErrOut)
	}

	h.Out.Reset()
	h.F.IO.SetTTY(false, true, false)
	if err := doctorRun(context.Background(), NewOptions(h.F)); err != nil {
		t.Fatal(err)
	}
	styled := h.Out.String()
	for _, want := range []string{"╭", "╰", "status", "check", " gateway auth ", "fix: run in a desktop session"} {
		if !strings.Contains(styled, want) {
			t.Errorf("no %q in\n%s", want, styled)
		}
	}
	if strings.Contains(styled, "WARN  token store") || h.ErrOut.Len() != 0 {
		t.Errorf("plain lines on a terminal, or stderr written:\n%s\nstderr %q", styled, h.ErrOut)
	}

	h.Out.Reset()
	h.F.IO.SetNoColor(true)
	if err := doctorRun(context.Background(), NewOptions(h.F)); err != nil {
		t.Fatal(err)
	}
	plain := h.Out.String()
	for _, want := range []string{"OK    gateway auth    authentication on", "WARN  token store     ", "\n                      fix: run in a desktop session"} {
		if !strings.Contains(plain, want) {
			t.Errorf("--no-color: no %q in\n%s", want, plain)
		}
	}
	if strings.ContainsAny(plain, "╭│\x1b") {
		t.Errorf("--no-color drew a styled table:\n%s", plain)
	}
}

// The token store check opens the store through the TokenStore getter: one
// that fails is that check's failure, and its exit code (the token, from the
// session, is still checked).
func TestDoctorRunTokenStoreGetterFails(t *testing.T) {
	_, _, h := doctorFixture(t)
	checks, err := doctor(t, h, func(o *Options) {
		o.TokenStore = func() (token.Store, error) { return nil, cmdutil.Failf(cmdutil.NoStorage, "keyring gone") }
	})
	if c := checks["token store"]; cmdutil.ExitCode(err) != exitcode.Storage || c.Status != Fail || c.Detail != "keyring gone" {
		t.Fatalf("err = %v (exit %d), token store %+v", err, cmdutil.ExitCode(err), c)
	}
	if checks["token"].Status != OK || checks["gateway auth"].Status != OK {
		t.Errorf("token %+v, gateway auth %+v", checks["token"], checks["gateway auth"])
	}
}

// The clock and the token's expiry are read from the Now getter: an hour
// ahead, the gateway's Date header is an hour behind and the token expired.
func TestDoctorRunClockFromTheNowGetter(t *testing.T) {
	_, _, h := doctorFixture(t)
	checks, err := doctor(t, h, func(o *Options) { o.Now = func() time.Time { return time.Now().Add(time.Hour) } })
	if c := checks["clock"]; cmdutil.ExitCode(err) != exitcode.Auth || c.Status != Fail || !strings.Contains(c.Detail, "server clock -3") {
		t.Fatalf("err = %v (exit %d), clock %+v", err, cmdutil.ExitCode(err), c)
	}
	if c := checks["token"]; c.Status != Fail || !strings.Contains(c.Detail, "expired") {
		t.Errorf("token %+v", c)
	}
}

// A --gateway that is not a URL fails the gateway check with exit 2; only a
// gateway named nowhere is skipped.
func TestDoctorRunBadGatewayURL(t *testing.T) {
	_, _, h := doctorFixture(t)
	checks, err := doctor(t, h, func(o *Options) { o.Gateway = "http://[::1" })
	if cmdutil.ExitCode(err) != exitcode.Usage || checks["gateway health"].Status != Fail || !strings.Contains(checks["gateway health"].Detail, `--gateway "http://[::1"`) {
		t.Fatalf("err = %v (exit %d), checks %+v", err, cmdutil.ExitCode(err), checks)
	}
	checks, err = doctor(t, h, func(o *Options) {
		o.GatewayURL = func(string, *config.Profile) (string, error) {
			return "", cmdutil.Fail(cmdutil.Usage, cmdutil.ErrNoGatewayURL, "")
		}
	})
	if err != nil || checks["gateway health"].Status != Skip {
		t.Fatalf("no gateway named: err = %v, checks %+v", err, checks)
	}
}
