package token_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/testenv"
	"github.com/inference-gateway/igctl/internal/token"
)

// Keycloak's refusals reach the user with their kind, the exit code and the
// hint the table gives that kind, and never with the secret sent.
func TestKeycloakRefusalsGiveExitCodeAndHint(t *testing.T) {
	kc := testenv.Keycloak(t)
	ok := kc.CreateRealm(t, testenv.RealmSpec{})
	noDirect := kc.CreateRealm(t, testenv.RealmSpec{NoDirectGrants: true})
	noProfile := kc.CreateRealm(t, testenv.RealmSpec{UserWithoutProfile: true})
	pw := func(r testenv.Realm, secret, password string) token.LoginRequest {
		return token.LoginRequest{Issuer: r.Issuer, ClientID: r.ClientID, ClientSecret: secret, Grant: token.GrantPassword, Username: r.Username, Password: password}
	}
	cases := []struct {
		name     string
		req      token.LoginRequest
		kind     fault.Kind
		code     exitcode.Code
		msg      string
		hint     string
		noLeakOf string
	}{
		{"wrong password", pw(ok, ok.ClientSecret, "wrong-password-123"), token.BadUserCredentials, exitcode.IdPRefused, "invalid_grant: Invalid user credentials", "wrong username or password", "wrong-password-123"},
		{"wrong secret", pw(ok, "wrong-secret-456", ok.Password), token.BadClient, exitcode.IdPRefused, "Invalid client credentials", "wrong client secret", "wrong-secret-456"},
		{"no direct grants", pw(noDirect, noDirect.ClientSecret, noDirect.Password), token.GrantNotAllowed, exitcode.IdPRefused, "unauthorized_client", "Direct access grants", noDirect.Password},
		{"profile incomplete", pw(noProfile, noProfile.ClientSecret, noProfile.Password), token.AccountIncomplete, exitcode.IdPRefused, "Account is not fully set up", "email, first and last name", noProfile.Password},
		{"trailing slash issuer", token.LoginRequest{Issuer: ok.Issuer + "/", ClientID: ok.ClientID, Grant: token.GrantClientCredentials, ClientSecret: ok.ClientSecret}, token.IssuerMismatch, exitcode.Config, "issuer mismatch", "trailing slash", ok.ClientSecret},
		{"unknown realm", token.LoginRequest{Issuer: kc.URL + "/realms/no-such-realm", ClientID: "x", Grant: token.GrantClientCredentials, ClientSecret: "s"}, token.DiscoveryNotFound, exitcode.Config, "discovery", "realm name", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := token.Login(context.Background(), http.DefaultClient, c.req)
			if got := fault.KindOf(err); got != c.kind {
				t.Fatalf("kind %q, want %q: %v", got, c.kind, err)
			}
			code, hint := cmdutil.Classify(err)
			if code != c.code {
				t.Errorf("exit %d, want %d", code, c.code)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message %q lacks %q", err, c.msg)
			}
			if !strings.Contains(hint, c.hint) {
				t.Errorf("hint %q lacks %q", hint, c.hint)
			}
			if c.noLeakOf != "" && (strings.Contains(err.Error(), c.noLeakOf) || strings.Contains(hint, c.noLeakOf)) {
				t.Errorf("secret leaked into the error")
			}
		})
	}
}
