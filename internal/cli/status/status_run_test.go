package status

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

func statusFixture(t *testing.T) (*kcfake.Keycloak, *kcfake.Harness) {
	t.Helper()
	kc := kcfake.NewKeycloak()
	t.Cleanup(kc.Close)
	h := kcfake.NewHarness(t)
	h.LoggedIn(t, kc, "default", kcfake.Profile(kc, token.GrantPassword))
	return kc, h
}

func rows(t *testing.T, h *kcfake.Harness) map[string]Row {
	t.Helper()
	var rs []Row
	if err := json.Unmarshal(h.Out.Bytes(), &rs); err != nil {
		t.Fatalf("%v: %s", err, h.Out)
	}
	out := map[string]Row{}
	for _, r := range rs {
		out[r.Profile] = r
	}
	return out
}

func TestStatusRunLoggedIn(t *testing.T) {
	_, h := statusFixture(t)
	if err := statusRun(NewOptions(h.F)); err != nil {
		t.Fatal(err)
	}
	out := h.Out.String()
	if !strings.Contains(out, "* default") || !strings.Contains(out, "valid") || !strings.Contains(out, "file") || !strings.Contains(out, "…(") {
		t.Errorf("table:\n%s", out)
	}
	if b := h.Stored(t, "default"); strings.Contains(out, b.AccessToken) {
		t.Error("status printed the token unmasked")
	}
}

// Access token expired but the refresh token is still good: usable; past the refresh token too: exit 4.
func TestStatusRunExpiry(t *testing.T) {
	_, h := statusFixture(t)
	h.Later(10 * time.Minute)
	if err := statusRun(jsonOpts(h.F)); err != nil {
		t.Fatal(err)
	}
	if r := rows(t, h)["default"]; r.State != "refreshable" || !r.Usable {
		t.Errorf("row: %+v", r)
	}
	h.Out.Reset()
	h.Later(31 * time.Minute)
	err := statusRun(jsonOpts(h.F))
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "profile default is not usable (expired)") {
		t.Errorf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

// A token issued for another identity than the profile now names is never "valid".
func TestStatusRunTokenOfAnotherIdentity(t *testing.T) {
	kc, h := statusFixture(t)
	cfg, _ := h.Fresh(t).F.Config()
	cfg.Profiles["default"].ClientID = "another-client"
	if err := cfg.Save(); err != nil {
		t.Fatal(err)
	}
	err := statusRun(jsonOpts(h.F))
	r := rows(t, h)["default"]
	if r.State != "other-identity" || r.Usable || !strings.Contains(r.Detail, `issued for client id "`+kc.ClientID+`", the profile now says "another-client"`) {
		t.Errorf("row: %+v", r)
	}
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "other-identity") {
		t.Errorf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

func TestStatusRunDamagedTokenFile(t *testing.T) {
	_, h := statusFixture(t)
	path := h.Damage(t, "default", "\x00\x01 not json")
	err := statusRun(jsonOpts(h.F))
	r := rows(t, h)["default"]
	if r.State != "error" || !strings.Contains(r.Detail, path) {
		t.Errorf("row: %+v, want the file named", r)
	}
	if cmdutil.ExitCode(err) != exitcode.Auth {
		t.Errorf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

func TestStatusRunEnvTokenAndNotLoggedIn(t *testing.T) {
	kc, h := statusFixture(t)
	h.Env["IGCTL_TOKEN"] = kc.AccessToken(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })
	cfg, _ := h.Fresh(t).F.Config()
	*cfg.Ensure("ci") = kcfake.Profile(kc, token.GrantClientCredentials)
	cfg.Save()
	err := statusRun(jsonOpts(h.F))
	rs := rows(t, h)
	if r := rs["(IGCTL_TOKEN)"]; r.State != "expired" || r.Issuer != kc.Issuer || r.Source != "env" {
		t.Errorf("env row: %+v", r)
	}
	if r := rs["ci"]; r.State != "not-logged-in" || r.Source != "none" {
		t.Errorf("ci row: %+v", r)
	}
	if cmdutil.ExitCode(err) != exitcode.Auth {
		t.Errorf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

func TestStatusRunNoProfiles(t *testing.T) {
	h := kcfake.NewHarness(t)
	if err := statusRun(NewOptions(h.F)); err != nil || !strings.Contains(h.ErrOut.String(), "no profiles") {
		t.Errorf("%v %q", err, h.ErrOut)
	}
	if err := statusRun(jsonOpts(h.F)); err != nil || strings.TrimSpace(h.Out.String()) != "[]" {
		t.Errorf("%v %q", err, h.Out)
	}
}

// On a terminal with colour the table is bordered; with --no-color (or
// NO_COLOR) it is the plain columns a pipe gets, byte for byte.
func TestStatusRunTableOnTerminal(t *testing.T) {
	_, h := statusFixture(t)
	if err := statusRun(NewOptions(h.F)); err != nil {
		t.Fatal(err)
	}
	piped := h.Out.String()
	if !strings.HasPrefix(piped, "  PROFILE  ") || strings.ContainsAny(piped, "╭│\x1b") {
		t.Fatalf("piped:\n%s", piped)
	}

	h.Out.Reset()
	h.F.IO.SetTTY(false, true, false)
	if err := statusRun(NewOptions(h.F)); err != nil {
		t.Fatal(err)
	}
	styled := h.Out.String()
	for _, want := range []string{"╭", "╰", " * default ", "PROFILE", "valid"} {
		if !strings.Contains(styled, want) {
			t.Errorf("no %q in\n%s", want, styled)
		}
	}

	h.Out.Reset()
	h.F.IO.SetNoColor(true)
	if err := statusRun(NewOptions(h.F)); err != nil {
		t.Fatal(err)
	}
	// the expiry column counts down: compare all but it
	if got := h.Out.String(); stripExpiry(got) != stripExpiry(piped) {
		t.Errorf("--no-color on a terminal:\n%s\nwant the piped table:\n%s", got, piped)
	}
}

func stripExpiry(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "in "); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// --profile naming no profile is exit 3, as for token and logout, not a table.
func TestStatusRunUnknownExplicitProfile(t *testing.T) {
	_, h := statusFixture(t)
	h.F.Globals.Profile = "nope"
	err := statusRun(NewOptions(h.F))
	if code := cmdutil.ExitCode(err); code != exitcode.Config || !strings.Contains(err.Error(), `unknown profile "nope"`) {
		t.Fatalf("exit %d: %v", code, err)
	}
	if h.Out.Len() != 0 {
		t.Errorf("printed a table for an unknown profile:\n%s", h.Out)
	}
}

func jsonOpts(f *cmdutil.Factory) *Options {
	o := NewOptions(f)
	o.JSON = true
	return o
}

// A token store that cannot be opened at all is the command's failure (exit
// 7), with no half-printed list, and is only ever asked for through the getter.
func TestStatusRunWithAFailingStore(t *testing.T) {
	_, h := statusFixture(t)
	o := jsonOpts(h.F)
	asked := 0
	o.TokenStore = func() (token.Store, error) { asked++; return nil, cmdutil.Failf(cmdutil.NoStorage, "keyring gone") }
	if err := statusRun(o); cmdutil.ExitCode(err) != exitcode.Storage || asked != 1 {
		t.Fatalf("exit %d (store asked %d times): %v", cmdutil.ExitCode(err), asked, err)
	}
	if h.Out.Len() != 0 {
		t.Errorf("printed with no store:\n%s", h.Out)
	}
}
