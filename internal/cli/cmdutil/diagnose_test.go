package cmdutil

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/token"
)

// jwt builds an unsigned token with the given claims (the signature check
// is a function of the test's own).
func jwt(t *testing.T, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc(b) + ".c2ln"
}

// Every cause the gateway's verifier can log, with the fix igctl gives:
// the first finding in the verifier's order wins.
func TestDiagnoseAndExplain(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	const iss = "http://127.0.0.1:8080/realms/r"
	known := &config.Profile{Issuer: iss, ClientID: "gw", GatewayIssuer: iss, GatewayClientID: "gw"}
	unknown := &config.Profile{Issuer: iss, ClientID: "agent"}
	good := map[string]any{"iss": iss, "aud": []string{"gw", "account"}, "azp": "gw", "exp": now.Add(time.Minute).Unix()}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range good {
			m[a] = b
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	keysetErr := errors.New("oidc: failed to verify signature: crypto/rsa: verification error")
	netErr := errors.New(`OIDC discovery at http://127.0.0.1:1/realms/r failed: dial tcp: connection refused`)
	cases := []struct {
		name      string
		raw       string
		prof      *config.Profile
		fromEnv   bool
		verify    error
		cause     token.Cause
		wantCause string
		wantFix   string
	}{
		{"malformed", "not.a-jwt", known, false, nil, token.CauseMalformed, "not a JWT", "only JWT access tokens"},
		{"trailing slash", jwt(t, with("iss", iss+"/")), known, false, nil, token.CauseIssuer, `iss "` + iss + `/"`, "only a trailing slash differs"},
		{"loopback alias", jwt(t, with("iss", "http://localhost:8080/realms/r")), known, false, nil, token.CauseIssuer, "the gateway's AUTH_OIDC_ISSUER", "the localhost vs 127.0.0.1 trap"},
		{"container host", jwt(t, with("iss", "http://keycloak:8080/realms/r")), known, false, nil, token.CauseIssuer, "differs", "KC_HOSTNAME"},
		{"port", jwt(t, with("iss", "http://127.0.0.1:9090/realms/r")), known, false, nil, token.CauseIssuer, "differs", "only the port differs"},
		{"scheme", jwt(t, with("iss", "https://127.0.0.1:8080/realms/r")), known, false, nil, token.CauseIssuer, "differs", "http and https differ"},
		{"other realm", jwt(t, with("iss", "http://127.0.0.1:8080/realms/other")), known, false, nil, token.CauseIssuer, "differs", "another issuer or realm"},
		{"audience, own client without mapper", jwt(t, with("aud", "account")), known, false, nil, token.CauseAudience, `aud [account] lacks "gw", the gateway's AUTH_OIDC_CLIENT_ID`, "client gw issues tokens without its own id in aud"},
		{"audience, second client", jwt(t, map[string]any{"iss": iss, "aud": "account", "azp": "agent", "exp": now.Add(time.Minute).Unix()}), known, false, nil, token.CauseAudience, `lacks "gw"`, "the token was issued to client agent: give client agent an audience mapper"},
		{"audience, azp other", jwt(t, with("azp", "agent")), known, false, nil, "", "", ""},
		{"audience, assumed", jwt(t, with("azp", "agent")), unknown, false, nil, token.CauseAudience, "the profile's client id (igctl assumes", "igctl doctor --gateway-env FILE"},
		{"iss before aud", jwt(t, with("iss", "http://localhost:8080/realms/r")), known, false, nil, token.CauseIssuer, "iss", ""},
		{"expired", jwt(t, with("exp", now.Add(-time.Minute).Unix())), known, false, nil, token.CauseExpired, "expired 1m0s ago", "igctl token --force-refresh"},
		{"expired env", jwt(t, with("exp", now.Add(-time.Minute).Unix())), known, true, nil, token.CauseExpired, "IGCTL_TOKEN, which igctl cannot refresh", "put a fresh token in IGCTL_TOKEN"},
		{"no exp", jwt(t, with("exp", nil)), known, false, nil, token.CauseExpired, "no exp claim", ""},
		{"exp now is valid", jwt(t, with("exp", now.Unix())), known, false, nil, "", "", ""},
		{"nbf future", jwt(t, with("nbf", now.Add(time.Hour).Unix())), known, false, nil, token.CauseNotYetValid, "not valid before", "sync the clocks"},
		{"signature", jwt(t, good), known, false, keysetErr, token.CauseSignature, "does not verify against the current keys", "re-created"},
		// go-oidc checks the signature before any claim: a token from another
		// realm fails there (the gateway logs "failed to verify signature"),
		// and the cause and fix name its issuer too
		{"other realm, signature checked", jwt(t, with("iss", "http://127.0.0.1:8080/realms/other")), known, false, keysetErr, token.CauseSignature, `another issuer, "http://127.0.0.1:8080/realms/other"`, "whose keys the gateway does not trust: log in through the gateway's issuer: `igctl config set issuer " + iss},
		{"signature before aud and exp", jwt(t, with("aud", "account")), known, false, keysetErr, token.CauseSignature, "does not verify", "re-created"},
		{"loopback alias, signature verifies", jwt(t, with("iss", "http://localhost:8080/realms/r")), known, false, nil, token.CauseIssuer, "differs", "the localhost vs 127.0.0.1 trap"},
		{"keys unreachable", jwt(t, good), known, false, netErr, "", "could not check signature: the keys of", ""},
		{"clean, gateway known", jwt(t, good), known, false, nil, "", "passes every check igctl makes", "runs with other settings"},
		{"clean, gateway unknown", jwt(t, with("aud", "agent")), unknown, false, nil, "", "could not check whether iss and aud match", "igctl doctor --gateway-env FILE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			verify := func(string, string) error { return c.verify }
			d := token.Diagnose(c.raw, GatewayExpect(c.prof), now, verify)
			var got token.Cause
			if f := d.First(); f != nil {
				got = f.Cause
			}
			if got != c.cause {
				t.Fatalf("cause %q, want %q (%+v)", got, c.cause, d)
			}
			e := Explain(d, c.fromEnv, c.prof, true)
			if !strings.Contains(e.Cause, c.wantCause) {
				t.Errorf("cause text %q lacks %q", e.Cause, c.wantCause)
			}
			if !strings.Contains(e.Fix, c.wantFix) {
				t.Errorf("fix %q lacks %q", e.Fix, c.wantFix)
			}
			if c.wantFix != "" && strings.Contains(e.Fix, "AUTH_OIDC_CLIENT_ID=") {
				t.Errorf("fix advises changing the gateway's client id: %q", e.Fix)
			}
		})
	}
}

// Without a terminal, login cannot prompt for the client secret, and the
// secret kept with the token is never sent to another issuer: the printed
// login line must say where the secret comes from, or it fails as printed.
func TestIssuerFixWithoutTerminal(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	const iss = "http://127.0.0.1:8080/realms/r"
	raw := jwt(t, map[string]any{"iss": "http://localhost:8080/realms/r", "aud": "gw", "exp": now.Add(time.Minute).Unix()})
	prof := func(grant, fromEnv string) *config.Profile {
		return &config.Profile{Issuer: "http://localhost:8080/realms/r", ClientID: "gw", Grant: grant, GatewayIssuer: iss, GatewayClientID: "gw", FromEnv: fromEnv}
	}
	cases := []struct {
		name      string
		prof      *config.Profile
		canPrompt bool
		want      string
	}{
		{"terminal", prof(token.GrantClientCredentials, ""), true, "`igctl config set issuer " + iss + "` then `igctl login`"},
		{"client credentials", prof(token.GrantClientCredentials, ""), false, "`igctl config set issuer " + iss + "` then `igctl login --client-secret-stdin` with the client secret on stdin"},
		{"from a .env", prof(token.GrantClientCredentials, "/srv/my gw/.env"), false, "`igctl login --from-env '/srv/my gw/.env' --issuer " + iss + "`"},
		{"password from a .env", prof(token.GrantPassword, "/srv/gw.env"), false, "`igctl login --from-env /srv/gw.env --issuer " + iss + " --password-stdin`"},
		{"password", prof(token.GrantPassword, ""), false, "`igctl login --password-stdin` with the password on stdin"},
		{"device", prof(token.GrantDevice, ""), false, "then `igctl login`"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := token.Diagnose(raw, GatewayExpect(c.prof), now, nil)
			e := Explain(d, false, c.prof, c.canPrompt)
			if !strings.Contains(e.Fix, c.want) {
				t.Errorf("fix %q lacks %q", e.Fix, c.want)
			}
		})
	}
}
