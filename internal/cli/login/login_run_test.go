package login

import (
	"context"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

// loginFixture is a fake Keycloak realm (replaying Keycloak 26.7's recorded
// answers) and a Factory whose secrets come from the environment.
func loginFixture(t *testing.T) (*kcfake.Keycloak, *kcfake.Harness) {
	t.Helper()
	kc := kcfake.NewKeycloak()
	t.Cleanup(kc.Close)
	h := kcfake.NewHarness(t)
	h.Env["IGCTL_CLIENT_SECRET"] = kc.ClientSecret
	h.Env["IGCTL_PASSWORD"] = kc.Password
	return kc, h
}

func passwordOpts(h *kcfake.Harness, kc *kcfake.Keycloak) *Options {
	opts := NewOptions(h.F)
	opts.Issuer, opts.ClientID, opts.Username = kc.Issuer, kc.ClientID, kc.Username
	return opts
}

func TestLoginRunPasswordGrant(t *testing.T) {
	kc, h := loginFixture(t)
	if err := loginRun(context.Background(), passwordOpts(h, kc)); err != nil {
		t.Fatalf("loginRun: %v\n%s", err, h.ErrOut)
	}
	if !strings.Contains(h.ErrOut.String(), "Logged in to "+kc.Issuer+" as alice (profile default, token in file store") {
		t.Errorf("stderr: %s", h.ErrOut)
	}
	b := h.Stored(t, "default")
	if b == nil || b.RefreshToken == "" || b.TokenEndpoint != kc.Issuer+"/protocol/openid-connect/token" || b.RevocationEndpoint == "" {
		t.Fatalf("stored bundle: %+v", b)
	}
	if _, ok := kc.Verify(b.AccessToken); !ok {
		t.Error("the stored access token is not the one the fake issued")
	}
	cfg, err := h.Fresh(t).F.Config()
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.Profiles["default"]; p == nil || p.Issuer != kc.Issuer || p.Grant != token.GrantPassword || p.Username != "alice" || cfg.CurrentProfile != "default" {
		t.Errorf("profile not saved: %+v current %q", p, cfg.CurrentProfile)
	}
}

func TestLoginRunClientCredentials(t *testing.T) {
	kc, h := loginFixture(t)
	opts := NewOptions(h.F)
	opts.Issuer, opts.ClientID, opts.Grant, opts.GatewayURL = kc.Issuer, kc.ClientID, token.GrantClientCredentials, "http://gw.example"
	if err := loginRun(context.Background(), opts); err != nil {
		t.Fatalf("loginRun: %v", err)
	}
	if !strings.Contains(h.ErrOut.String(), "as service account of igctl-api") {
		t.Errorf("stderr: %s", h.ErrOut)
	}
	b := h.Stored(t, "default")
	// Keycloak's client-credentials answer has no refresh token: the secret is kept to get the next one.
	if b == nil || b.RefreshToken != "" || b.ClientSecret != kc.ClientSecret {
		t.Fatalf("stored bundle: %+v", b)
	}
}

// The gateway's client id is not in aud: login warns before the first 401.
func TestLoginRunWarnsWhenTheGatewayWillRefuse(t *testing.T) {
	kc, h := loginFixture(t)
	opts := passwordOpts(h, kc)
	opts.GatewayClientID = "inference-gateway-client"
	if err := loginRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.ErrOut.String(), "the gateway will answer 401") || !strings.Contains(h.ErrOut.String(), `"inference-gateway-client"`) {
		t.Errorf("stderr: %s", h.ErrOut)
	}
}

// The identity provider's refusals, as Keycloak 26.7 words them: exit 5 and the hint for each.
func TestLoginRunRefusals(t *testing.T) {
	for _, tc := range []struct {
		name     string
		setup    func(kc *kcfake.Keycloak, h *kcfake.Harness, o *Options)
		msg      string
		hint     string
		grantCCs bool
	}{
		{"wrong client secret (password grant)", func(kc *kcfake.Keycloak, h *kcfake.Harness, o *Options) { h.Env["IGCTL_CLIENT_SECRET"] = "wrong" },
			"unauthorized_client: Invalid client or Invalid client credentials", "wrong client secret or client id", false},
		{"wrong client secret (client credentials)", func(kc *kcfake.Keycloak, h *kcfake.Harness, o *Options) {
			h.Env["IGCTL_CLIENT_SECRET"] = "wrong"
			o.Username, o.Grant = "", token.GrantClientCredentials
		}, "refused the client-credentials grant: unauthorized_client: Invalid client or Invalid client credentials", "wrong client secret or client id", true},
		{"wrong password", func(kc *kcfake.Keycloak, h *kcfake.Harness, o *Options) { h.Env["IGCTL_PASSWORD"] = "wrong" },
			"invalid_grant: Invalid user credentials", "wrong username or password", false},
		{"account not fully set up", func(kc *kcfake.Keycloak, h *kcfake.Harness, o *Options) { kc.UserNotSetUp = true },
			"invalid_grant: Account is not fully set up", "must have email, first and last name", false},
		{"direct access grants off", func(kc *kcfake.Keycloak, h *kcfake.Harness, o *Options) { kc.DirectGrantsOff = true },
			"unauthorized_client: Client not allowed for direct access grants", "turn on \"Direct access grants\"", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kc, h := loginFixture(t)
			opts := passwordOpts(h, kc)
			tc.setup(kc, h, opts)
			err := loginRun(context.Background(), opts)
			if cmdutil.ExitCode(err) != exitcode.IdPRefused || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(cmdutil.HintOf(err), tc.hint) {
				t.Fatalf("err = %v (exit %d, hint %q), want exit 5 with %q and hint %q", err, cmdutil.ExitCode(err), cmdutil.HintOf(err), tc.msg, tc.hint)
			}
			if strings.Contains(err.Error(), "wrong") && strings.Contains(err.Error(), h.Env["IGCTL_CLIENT_SECRET"]+" ") {
				t.Errorf("the error echoes a secret: %v", err)
			}
			assertNothingSaved(t, h)
		})
	}
}

// A failing token endpoint is the network's or the IdP's fault: exit 6,
// saying what the server sent, never the credentials.
func TestLoginRunTokenEndpointFaults(t *testing.T) {
	for _, tc := range []struct {
		fault kcfake.Fault
		msg   string
	}{
		{kcfake.Fault5xx, "the token endpoint answered HTTP 503 (text/html): <html>"},
		{kcfake.FaultHTML, "token request failed"},
		{kcfake.FaultBadJSON, "token request failed"},
		{kcfake.FaultDrop, "token request failed"},
	} {
		t.Run(string(tc.fault), func(t *testing.T) {
			kc, h := loginFixture(t)
			kc.Fail(kcfake.Token, tc.fault)
			err := loginRun(context.Background(), passwordOpts(h, kc))
			if cmdutil.ExitCode(err) != exitcode.Network || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v (exit %d), want exit 6 with %q", err, cmdutil.ExitCode(err), tc.msg)
			}
			if strings.Contains(err.Error(), kc.Password) || strings.Contains(err.Error(), kc.ClientSecret) {
				t.Errorf("the error shows a secret: %v", err)
			}
			if kc.Calls(kcfake.Token) != 1 {
				t.Errorf("token endpoint asked %d times, want once", kc.Calls(kcfake.Token))
			}
			assertNothingSaved(t, h)
		})
	}
}

func TestLoginRunDiscoveryFaults(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(kc *kcfake.Keycloak, o *Options)
		code  exitcode.Code
		msg   string
	}{
		{"5xx", func(kc *kcfake.Keycloak, o *Options) { kc.Fail(kcfake.Discovery, kcfake.Fault5xx) }, exitcode.Network, "OIDC discovery at"},
		{"html", func(kc *kcfake.Keycloak, o *Options) { kc.Fail(kcfake.Discovery, kcfake.FaultHTML) }, exitcode.Network, "OIDC discovery at"},
		{"dropped", func(kc *kcfake.Keycloak, o *Options) { kc.Fail(kcfake.Discovery, kcfake.FaultDrop) }, exitcode.Network, "OIDC discovery at"},
		{"server down", func(kc *kcfake.Keycloak, o *Options) { o.Issuer = kcfake.ClosedURL() + "/realms/r" }, exitcode.Network, "connection refused"},
		// Keycloak's recorded 404 {"error":"Realm does not exist"}
		{"unknown realm", func(kc *kcfake.Keycloak, o *Options) { o.Issuer = kc.URL + "/realms/no-such-realm" }, exitcode.Config, "404"},
		{"trailing slash", func(kc *kcfake.Keycloak, o *Options) { o.Issuer = kc.Issuer + "/" }, exitcode.Config, "issuer mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kc, h := loginFixture(t)
			opts := passwordOpts(h, kc)
			tc.setup(kc, opts)
			err := loginRun(context.Background(), opts)
			if cmdutil.ExitCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v (exit %d), want exit %d with %q", err, cmdutil.ExitCode(err), tc.code, tc.msg)
			}
			if kc.Calls(kcfake.Token) != 0 {
				t.Error("a token was requested after discovery failed")
			}
		})
	}
}

func TestLoginRunUsageErrors(t *testing.T) {
	kc, h := loginFixture(t)
	opts := NewOptions(h.F)
	opts.Username = "alice"
	err := loginRun(context.Background(), opts)
	if cmdutil.ExitCode(err) != exitcode.Usage || !strings.Contains(err.Error(), `profile "default" needs --issuer, --client-id`) {
		t.Errorf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	delete(h.Env, "IGCTL_PASSWORD")
	err = loginRun(context.Background(), passwordOpts(h, kc))
	if cmdutil.ExitCode(err) != exitcode.Usage || !strings.Contains(err.Error(), "the password is needed") {
		t.Errorf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if kc.Calls(kcfake.Token) != 0 {
		t.Error("a token was requested without a password")
	}
}

func assertNothingSaved(t *testing.T, h *kcfake.Harness) {
	t.Helper()
	if b := h.Stored(t, "default"); b != nil {
		t.Errorf("a token was stored after a failed login")
	}
	cfg, err := h.Fresh(t).F.Config()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Profiles) != 0 {
		t.Errorf("a profile was saved after a failed login: %v", cfg.Names())
	}
}
