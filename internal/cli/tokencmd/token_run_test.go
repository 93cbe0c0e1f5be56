package tokencmd

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
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

// run is tokenRun with NewOptions on h's Factory and the flags of o.
func run(h *kcfake.Harness, o Options) error {
	return tokenRun(context.Background(), opts(h, o))
}

func opts(h *kcfake.Harness, o Options) *Options {
	w := NewOptions(h.F)
	w.Format, w.MinValid, w.ForceRefresh, w.minValidSet = o.Format, o.MinValid, o.ForceRefresh, o.minValidSet
	if w.Format == "" {
		w.Format = "raw"
	}
	return w
}

// inspectOpts is NewInspectOptions on h's Factory with the flags of o.
func inspectOpts(h *kcfake.Harness, o InspectOptions) *InspectOptions {
	w := NewInspectOptions(h.F)
	w.Arg, w.Verify, w.JSON = o.Arg, o.Verify, o.JSON
	return w
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
	if err := inspectRun(context.Background(), inspectOpts(h, InspectOptions{Verify: true})); err != nil {
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
	err := inspectRun(context.Background(), inspectOpts(h, InspectOptions{Arg: forged, Verify: true}))
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
		err := inspectRun(context.Background(), inspectOpts(h, InspectOptions{Verify: true}))
		if cmdutil.ExitCode(err) != exitcode.Network {
			t.Errorf("an unreachable JWKS is exit 6, got %d: %v; stdout %s", cmdutil.ExitCode(err), err, h.Out)
		}
	})
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// clientOf is an HTTP client whose every request gets rt's answer.
func clientOf(rt roundTripFunc) func(string) (*http.Client, error) {
	return func(string) (*http.Client, error) { return &http.Client{Transport: rt}, nil }
}

// The token manager comes from its getter: one whose refresh requests meet a
// proxy's HTML 503 is exit 6, the fake issuer is never asked, and the stored
// token stays as it was.
func TestTokenRunWithAManagerBehindAFailingProxy(t *testing.T) {
	kc, h, b := tokenFixture(t, token.GrantPassword)
	h.Edit(t, "default", func(b *token.Bundle) { b.Expiry = time.Now().Add(-time.Second) })
	calls := kc.Calls(kcfake.Token)
	o := opts(h, Options{MinValid: 30 * time.Second})
	proxied := 0
	proxy := func(r *http.Request) (*http.Response, error) {
		proxied++
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{"Content-Type": {"text/html"}},
			Body: io.NopCloser(strings.NewReader("<html><body>503 Service Unavailable</body></html>")), Request: r}, nil
	}
	o.TokenManager = func(caFile string) (*token.Manager, error) {
		m, err := h.F.TokenManager(caFile)
		if err == nil {
			m.HTTP = func() (*http.Client, error) { return clientOf(proxy)("") }
		}
		return m, err
	}
	err := tokenRun(context.Background(), o)
	if cmdutil.ExitCode(err) != exitcode.Network {
		t.Fatalf("err = %v (exit %d), want 6", err, cmdutil.ExitCode(err))
	}
	if proxied == 0 || kc.Calls(kcfake.Token) != calls {
		t.Errorf("%d requests through the test client, %d at the fake", proxied, kc.Calls(kcfake.Token)-calls)
	}
	if s := h.Stored(t, "default"); s == nil || s.RefreshToken != b.RefreshToken || h.Out.Len() != 0 {
		t.Errorf("a failed refresh changed the stored token or printed one: %q", h.Out)
	}
}

// A token manager that cannot be had (a locked keyring) is token's error as
// it stands, exit 7.
func TestTokenRunWithAFailingTokenManager(t *testing.T) {
	_, h, _ := tokenFixture(t, token.GrantPassword)
	o := opts(h, Options{})
	o.TokenManager = func(string) (*token.Manager, error) { return nil, cmdutil.Failf(cmdutil.NoStorage, "keyring locked") }
	if err := tokenRun(context.Background(), o); cmdutil.ExitCode(err) != exitcode.Storage || h.Out.Len() != 0 {
		t.Fatalf("err = %v (exit %d), stdout %q", err, cmdutil.ExitCode(err), h.Out)
	}
}

// IGCTL_TOKEN is read through Getenv and its expires_in counts from Now:
// the getters, not the Factory's fields.
func TestTokenRunReadsItsEnvironmentAndClock(t *testing.T) {
	kc, h, _ := tokenFixture(t, token.GrantPassword)
	env := kc.AccessToken(nil)
	c, err := token.Decode(env)
	if err != nil || c.Expiry == nil {
		t.Fatalf("%v %+v", err, c)
	}
	o := opts(h, Options{Format: "json"})
	o.Getenv = func(k string) string { return map[string]string{"IGCTL_TOKEN": env}[k] }
	o.Now = func() time.Time { return time.Unix(*c.Expiry, 0).Add(-42 * time.Second) }
	if err := tokenRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	var out output
	if err := json.Unmarshal(h.Out.Bytes(), &out); err != nil || out.AccessToken != env || out.ExpiresIn != 42 || out.Profile != "" {
		t.Errorf("%v: %s", err, h.Out)
	}
}

// --verify fetches the issuer's keys through HTTPClient: a client that
// cannot connect is a network failure (exit 6), never a verdict on the
// token, and the fake's JWKS is not asked.
func TestInspectRunVerifyWithAFailingHTTPClient(t *testing.T) {
	kc, h, _ := tokenFixture(t, token.GrantPassword)
	o := inspectOpts(h, InspectOptions{Verify: true})
	o.HTTPClient = clientOf(func(*http.Request) (*http.Response, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused (test transport)")}
	})
	err := inspectRun(context.Background(), o)
	if cmdutil.ExitCode(err) != exitcode.Network || !strings.Contains(err.Error(), "test transport") {
		t.Fatalf("err = %v (exit %d)\n%s", err, cmdutil.ExitCode(err), h.Out)
	}
	if kc.Calls(kcfake.JWKS) != 0 || strings.Contains(h.Out.String(), "signature") {
		t.Errorf("%d JWKS requests at the fake; stdout %s", kc.Calls(kcfake.JWKS), h.Out)
	}
}

// Without an argument inspect takes IGCTL_TOKEN from Getenv and checks exp
// against Now: past it, exit 4 naming the expiry.
func TestInspectRunReadsItsEnvironmentAndClock(t *testing.T) {
	kc, h, _ := tokenFixture(t, token.GrantPassword)
	env := kc.AccessToken(nil)
	o := inspectOpts(h, InspectOptions{JSON: true})
	o.Getenv = func(k string) string { return map[string]string{"IGCTL_TOKEN": env}[k] }
	o.Now = func() time.Time { return time.Now().Add(time.Hour) }
	err := inspectRun(context.Background(), o)
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("err = %v (exit %d)\n%s", err, cmdutil.ExitCode(err), h.Out)
	}
	if !strings.Contains(cmdutil.HintOf(err), "IGCTL_TOKEN") {
		t.Errorf("hint %q does not speak of IGCTL_TOKEN", cmdutil.HintOf(err))
	}
}
