package tokencmd

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

// tokenFixture: a fake Keycloak realm (Keycloak 26.7's recorded answers) and
// a profile "default" logged in to it with grant.
func tokenFixture(t *testing.T, grant string) (*kcfake.Keycloak, *kcfake.Harness, *token.Bundle) {
	t.Helper()
	kc := kcfake.NewKeycloak()
	t.Cleanup(kc.Close)
	h := kcfake.NewHarness(t)
	b := h.LoggedIn(t, kc, "default", kcfake.Profile(kc, grant))
	return kc, h, b
}

func run(h *kcfake.Harness, o Options) error {
	o.F = h.F
	if o.Format == "" {
		o.Format = "raw"
	}
	return tokenRun(context.Background(), &o)
}

func TestTokenRunServesTheStoredToken(t *testing.T) {
	kc, h, b := tokenFixture(t, token.GrantPassword)
	calls := kc.Calls(kcfake.Token)
	if err := run(h, Options{MinValid: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if h.Out.String() != b.AccessToken+"\n" {
		t.Errorf("stdout %q, want the stored token", h.Out)
	}
	if kc.Calls(kcfake.Token) != calls {
		t.Error("a valid token was refreshed")
	}
}

func TestTokenRunFormats(t *testing.T) {
	_, h, b := tokenFixture(t, token.GrantPassword)
	if err := run(h, Options{Format: "json"}); err != nil {
		t.Fatal(err)
	}
	var o output
	if err := json.Unmarshal(h.Out.Bytes(), &o); err != nil || o.AccessToken != b.AccessToken || o.TokenType != "Bearer" || o.Profile != "default" || o.ExpiresIn <= 0 {
		t.Errorf("json: %s (%v)", h.Out, err)
	}
	h.Out.Reset()
	if err := run(h, Options{Format: "curl"}); err != nil || h.Out.String() != `header = "Authorization: Bearer `+b.AccessToken+"\"\n" {
		t.Errorf("curl: %q %v", h.Out, err)
	}
}

// The access token lived its recorded 300 s: the refresh token gets a new one.
func TestTokenRunRefreshesAnExpiredToken(t *testing.T) {
	kc, h, b := tokenFixture(t, token.GrantPassword)
	h.Edit(t, "default", func(b *token.Bundle) { b.Expiry = time.Now().Add(-time.Second) })
	if err := run(h, Options{MinValid: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	got := strings.TrimSpace(h.Out.String())
	if got == b.AccessToken {
		t.Fatal("the expired token was served")
	}
	if _, ok := kc.Verify(got); !ok {
		t.Error("the served token is not one the fake issued")
	}
	if s := h.Stored(t, "default"); s == nil || s.AccessToken != got || s.RefreshToken == b.RefreshToken {
		t.Error("the refreshed token (and Keycloak's rotated refresh token) were not stored")
	}
}

func TestTokenRunForceRefreshClientCredentials(t *testing.T) {
	kc, h, b := tokenFixture(t, token.GrantClientCredentials)
	calls := kc.Calls(kcfake.Token)
	if err := run(h, Options{ForceRefresh: true}); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(h.Out.String()) == b.AccessToken || kc.Calls(kcfake.Token) != calls+1 {
		t.Errorf("no new client-credentials grant (%d calls)", kc.Calls(kcfake.Token)-calls)
	}
}

// Keycloak's "Token is not active" (recorded with a 1 s SSO idle timeout): exit 4, log in again.
func TestTokenRunExpiredRefreshToken(t *testing.T) {
	kc, h, _ := tokenFixture(t, token.GrantPassword)
	kc.ExpireRefreshTokens()
	h.Edit(t, "default", func(b *token.Bundle) { b.Expiry = time.Now().Add(-time.Second) })
	err := run(h, Options{MinValid: 30 * time.Second})
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "invalid_grant Token is not active") || !strings.Contains(cmdutil.HintOf(err), "igctl login") {
		t.Fatalf("err = %v (exit %d, hint %q)", err, cmdutil.ExitCode(err), cmdutil.HintOf(err))
	}
	if h.Out.Len() != 0 {
		t.Errorf("stdout: %q", h.Out)
	}
}

// Keycloak's answer to a refresh token whose session was revoked ("Session not active").
func TestTokenRunRevokedRefreshToken(t *testing.T) {
	kc, h, b := tokenFixture(t, token.GrantPassword)
	if _, err := token.Revoke(context.Background(), kc.Client(), b); err != nil {
		t.Fatal(err)
	}
	err := run(h, Options{ForceRefresh: true})
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "Session not active") {
		t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

// Beyond the refresh token's recorded 1800 s nothing can renew the token.
func TestTokenRunRefreshTokenPastItsExpiry(t *testing.T) {
	kc, h, _ := tokenFixture(t, token.GrantPassword)
	calls := kc.Calls(kcfake.Token)
	h.Later(31 * time.Minute)
	err := run(h, Options{})
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "expired and cannot be refreshed") {
		t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if kc.Calls(kcfake.Token) != calls {
		t.Error("a refresh was tried with an expired refresh token")
	}
}

// The client secret changed at Keycloak: the next client-credentials grant is refused, exit 5 with the hint.
func TestTokenRunWrongClientSecret(t *testing.T) {
	kc, h, _ := tokenFixture(t, token.GrantClientCredentials)
	kc.ClientSecret = "rotated-at-keycloak"
	err := run(h, Options{ForceRefresh: true})
	if cmdutil.ExitCode(err) != exitcode.IdPRefused || !strings.Contains(err.Error(), "Invalid client or Invalid client credentials") ||
		!strings.Contains(cmdutil.HintOf(err), "wrong client secret") {
		t.Fatalf("err = %v (exit %d, hint %q)", err, cmdutil.ExitCode(err), cmdutil.HintOf(err))
	}
}

func TestTokenRunRefreshAgainstAFailingTokenEndpoint(t *testing.T) {
	for _, f := range []kcfake.Fault{kcfake.Fault5xx, kcfake.FaultHTML, kcfake.FaultBadJSON, kcfake.FaultDrop} {
		t.Run(string(f), func(t *testing.T) {
			kc, h, b := tokenFixture(t, token.GrantPassword)
			kc.Fail(kcfake.Token, f)
			h.Later(10 * time.Minute)
			err := run(h, Options{})
			if cmdutil.ExitCode(err) != exitcode.Network {
				t.Fatalf("err = %v (exit %d), want 6", err, cmdutil.ExitCode(err))
			}
			if strings.Contains(err.Error(), b.RefreshToken) || strings.Contains(err.Error(), kc.ClientSecret) {
				t.Errorf("the error shows a secret: %v", err)
			}
			if s := h.Stored(t, "default"); s == nil || s.RefreshToken != b.RefreshToken {
				t.Error("a failed refresh changed the stored token")
			}
		})
	}
}

func TestTokenRunDamagedTokenFile(t *testing.T) {
	_, h, _ := tokenFixture(t, token.GrantPassword)
	path := h.Damage(t, "default", `{"access_token": "cut off`)
	err := run(h, Options{})
	if cmdutil.ExitCode(err) != exitcode.Config || !strings.Contains(err.Error(), path) || !strings.Contains(cmdutil.HintOf(err), "igctl login") {
		t.Fatalf("err = %v (exit %d, hint %q), want exit 3 naming %s", err, cmdutil.ExitCode(err), cmdutil.HintOf(err), path)
	}
}

// After `config set issuer`, the token of the old issuer is never served.
func TestTokenRunTokenOfAnotherIdentity(t *testing.T) {
	kc, h, _ := tokenFixture(t, token.GrantPassword)
	f := h.Fresh(t).F
	cfg, _ := f.Config()
	cfg.Profiles["default"].Issuer = kc.URL + "/realms/another-realm"
	if err := cfg.Save(); err != nil {
		t.Fatal(err)
	}
	err := run(h, Options{})
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "is not logged in for this issuer") {
		t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if h.Out.Len() != 0 {
		t.Errorf("a foreign token was printed: %q", h.Out)
	}
}

func TestTokenRunNotLoggedIn(t *testing.T) {
	kc, h, _ := tokenFixture(t, token.GrantPassword)
	h.Env["IGCTL_PROFILE"] = "other"
	f := h.Fresh(t).F
	cfg, _ := f.Config()
	*cfg.Ensure("other") = kcfake.Profile(kc, token.GrantClientCredentials)
	cfg.Save()
	err := run(h, Options{})
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), `profile "other" is not logged in`) {
		t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

func TestTokenRunEnvToken(t *testing.T) {
	kc, h, _ := tokenFixture(t, token.GrantPassword)
	expired := kc.AccessToken(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() })
	h.Env["IGCTL_TOKEN"] = expired
	err := run(h, Options{})
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "IGCTL_TOKEN expired") || cmdutil.HintOf(err) == "" {
		t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if err := run(h, Options{ForceRefresh: true}); cmdutil.ExitCode(err) != exitcode.Usage {
		t.Errorf("--force-refresh with IGCTL_TOKEN: %v (exit %d), want 2", err, cmdutil.ExitCode(err))
	}
	h.Env["IGCTL_TOKEN"] = kc.AccessToken(nil)
	if err := run(h, Options{}); err != nil || strings.TrimSpace(h.Out.String()) != h.Env["IGCTL_TOKEN"] {
		t.Errorf("fresh IGCTL_TOKEN: %v %q", err, h.Out)
	}
}

// inspect --verify checks the signature against the realm's JWKS (the
// fake's own key, in the layout of Keycloak's recorded JWKS).
func TestInspectRunVerify(t *testing.T) {
	kc, h, _ := tokenFixture(t, token.GrantPassword)
	if err := inspectRun(context.Background(), &InspectOptions{F: h.F, Verify: true}); err != nil {
		t.Fatalf("inspect: %v\n%s", err, h.Out)
	}
	if !strings.Contains(h.Out.String(), "signature verified") || !strings.Contains(h.Out.String(), "verified against "+kc.Issuer+" JWKS") {
		t.Errorf("stdout: %s", h.Out)
	}

	// the realm re-created: another key signed the token
	other := kcfake.NewKeycloak()
	defer other.Close()
	forged := other.AccessToken(func(c map[string]any) { c["iss"] = kc.Issuer })
	h.Out.Reset()
	err := inspectRun(context.Background(), &InspectOptions{F: h.F, Arg: forged, Verify: true})
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(h.Out.String(), "signature  FAIL failed to verify signature") {
		t.Errorf("err = %v (exit %d)\n%s", err, cmdutil.ExitCode(err), h.Out)
	}
	t.Run("the error names the signature", func(t *testing.T) {
		if !strings.Contains(err.Error(), "signature") {
			t.Errorf("the error does not name the signature: %v", err)
		}
	})

	// JWKS unreachable: a network failure, not a verdict on the token
	t.Run("JWKS unreachable", func(t *testing.T) {
		kc.Fail(kcfake.JWKS, kcfake.FaultDrop)
		h.Out.Reset()
		err := inspectRun(context.Background(), &InspectOptions{F: h.F, Verify: true})
		if cmdutil.ExitCode(err) != exitcode.Network {
			t.Errorf("an unreachable JWKS is exit 6, got %d: %v; stdout %s", cmdutil.ExitCode(err), err, h.Out)
		}
	})
}
