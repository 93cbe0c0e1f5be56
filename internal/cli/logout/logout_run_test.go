package logout

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

func logoutFixture(t *testing.T, grant string) (*kcfake.Keycloak, *kcfake.Harness, *token.Bundle) {
	t.Helper()
	kc := kcfake.NewKeycloak()
	t.Cleanup(kc.Close)
	h := kcfake.NewHarness(t)
	return kc, h, h.LoggedIn(t, kc, "default", kcfake.Profile(kc, grant))
}

func gone(t *testing.T, h *kcfake.Harness) {
	t.Helper()
	if _, err := os.Stat(h.TokenFile("default")); !os.IsNotExist(err) {
		t.Errorf("the token file is still there (%v)", err)
	}
}

func TestLogoutRunRevokes(t *testing.T) {
	kc, h, b := logoutFixture(t, token.GrantPassword)
	if err := logoutRun(context.Background(), NewOptions(h.F)); err != nil {
		t.Fatal(err)
	}
	if !kc.Revoked(b.RefreshToken) {
		t.Error("the refresh token was not revoked at the issuer")
	}
	if !strings.Contains(h.ErrOut.String(), "Logged out of profile default") || strings.Contains(h.ErrOut.String(), "not revoked") {
		t.Errorf("stderr: %s", h.ErrOut)
	}
	gone(t, h)
	// the refresh token is dead at Keycloak: the recorded "Session not active"
	if err := token.Refresh(context.Background(), kc.Client(), b); cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "Session not active") {
		t.Errorf("refresh after logout: %v", err)
	}
}

// When revocation fails, the local credentials go anyway and igctl says plainly the token was not revoked.
func TestLogoutRunRevocationFails(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(kc *kcfake.Keycloak)
		why   string
	}{
		{"5xx", func(kc *kcfake.Keycloak) { kc.Fail(kcfake.Revoke, kcfake.Fault5xx) }, "revocation endpoint answered HTTP 503"},
		{"dropped", func(kc *kcfake.Keycloak) { kc.Fail(kcfake.Revoke, kcfake.FaultDrop) }, "revoking at"},
		// Keycloak's recorded 401 unauthorized_client for a secret it no longer accepts
		{"wrong client secret", func(kc *kcfake.Keycloak) { kc.ClientSecret = "rotated" }, "revocation endpoint answered HTTP 401"},
		{"issuer down", func(kc *kcfake.Keycloak) { kc.Close() }, "connection refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kc, h, b := logoutFixture(t, token.GrantPassword)
			tc.setup(kc)
			if err := logoutRun(context.Background(), NewOptions(h.F)); err != nil {
				t.Fatal(err)
			}
			stderr := h.ErrOut.String()
			if !strings.Contains(stderr, "could not revoke the refresh token") || !strings.Contains(stderr, tc.why) ||
				!strings.Contains(stderr, "it stays valid at the issuer until it expires") ||
				!strings.Contains(stderr, "Removed the local credentials of profile default (not revoked at the issuer)") {
				t.Errorf("stderr: %s", stderr)
			}
			if strings.Contains(stderr, b.RefreshToken) {
				t.Error("stderr shows the refresh token")
			}
			gone(t, h)
		})
	}
}

func TestLogoutRunDamagedTokenFile(t *testing.T) {
	kc, h, _ := logoutFixture(t, token.GrantPassword)
	path := h.Damage(t, "default", "{not json")
	if err := logoutRun(context.Background(), NewOptions(h.F)); err != nil {
		t.Fatal(err)
	}
	stderr := h.ErrOut.String()
	if !strings.Contains(stderr, "cannot be read") || !strings.Contains(stderr, path) || !strings.Contains(stderr, "nothing was revoked at the issuer") ||
		!strings.Contains(stderr, "(not revoked at the issuer)") || strings.Contains(stderr, "Logged out of") {
		t.Errorf("stderr: %s", stderr)
	}
	if kc.Calls(kcfake.Revoke) != 0 {
		t.Error("revocation was asked for without a token")
	}
	gone(t, h)
}

// A client-credentials token has no refresh token: its access token is
// revoked, and logout says exactly that and until when a gateway that
// verifies tokens offline still accepts it.
func TestLogoutRunClientCredentials(t *testing.T) {
	kc, h, b := logoutFixture(t, token.GrantClientCredentials)
	if err := logoutRun(context.Background(), NewOptions(h.F)); err != nil {
		t.Fatalf("%v: %s", err, h.ErrOut)
	}
	stderr := h.ErrOut.String()
	for _, want := range []string{
		"Logged out of profile default: revoked its access token at the issuer (a client-credentials login has no refresh token)",
		"the last access token stays valid until " + b.Expiry.Local().Format("15:04:05"),
		"at a gateway that verifies tokens offline",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
	if kc.Calls(kcfake.Revoke) != 1 || !kc.Revoked(b.AccessToken) {
		t.Errorf("%d revocation requests; access token revoked: %v", kc.Calls(kcfake.Revoke), kc.Revoked(b.AccessToken))
	}
	gone(t, h)
}

func TestLogoutRunNotLoggedInAndUnknownProfile(t *testing.T) {
	_, h, _ := logoutFixture(t, token.GrantPassword)
	if err := logoutRun(context.Background(), NewOptions(h.F)); err != nil {
		t.Fatal(err)
	}
	h.ErrOut.Reset()
	if err := logoutRun(context.Background(), NewOptions(h.Fresh(t).F)); err != nil {
		t.Fatal(err)
	}
	h2 := h.Fresh(t)
	if err := logoutRun(context.Background(), NewOptions(h2.F)); err != nil || !strings.Contains(h2.ErrOut.String(), "profile default is not logged in") {
		t.Errorf("%v: %s", err, h2.ErrOut)
	}
	h2.Env["IGCTL_PROFILE"] = "nope"
	if err := logoutRun(context.Background(), NewOptions(h.Fresh(t).F)); cmdutil.ExitCode(err) != exitcode.Config {
		t.Errorf("unknown profile: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The revocation goes through the HTTPClient getter: a client whose every
// request fails is a warning and a local logout, with no request reaching
// the issuer and the refresh token still alive there.
func TestLogoutRunWithAFailingHTTPClient(t *testing.T) {
	kc, h, b := logoutFixture(t, token.GrantPassword)
	o := NewOptions(h.F)
	var asked []string
	o.HTTPClient = func(caFile string) (*http.Client, error) {
		return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			asked = append(asked, r.URL.Path)
			return nil, errors.New("no route to the issuer (test transport)")
		})}, nil
	}
	if err := logoutRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	stderr := h.ErrOut.String()
	if !strings.Contains(stderr, "could not revoke the refresh token") || !strings.Contains(stderr, "no route to the issuer (test transport)") ||
		!strings.Contains(stderr, "Removed the local credentials of profile default (not revoked at the issuer)") {
		t.Errorf("stderr: %s", stderr)
	}
	if len(asked) == 0 || kc.Calls(kcfake.Revoke) != 0 || kc.Revoked(b.RefreshToken) {
		t.Errorf("asked %v through the test client, %d revocations at the fake", asked, kc.Calls(kcfake.Revoke))
	}
	gone(t, h)
}

// A token store that cannot be opened (a locked keyring) is logout's error
// as it stands (exit 7): nothing is revoked, nothing said to have happened.
func TestLogoutRunWithAFailingTokenStore(t *testing.T) {
	kc, h, _ := logoutFixture(t, token.GrantPassword)
	o := NewOptions(h.F)
	o.TokenStore = func() (token.Store, error) { return nil, cmdutil.Failf(cmdutil.NoStorage, "keyring locked") }
	err := logoutRun(context.Background(), o)
	if cmdutil.ExitCode(err) != exitcode.Storage || !strings.Contains(err.Error(), "keyring locked") {
		t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if kc.Calls(kcfake.Revoke) != 0 || h.ErrOut.Len() != 0 {
		t.Errorf("%d revocations; stderr: %s", kc.Calls(kcfake.Revoke), h.ErrOut)
	}
	if _, err := os.Stat(h.TokenFile("default")); err != nil {
		t.Errorf("the token file went: %v", err)
	}
}
