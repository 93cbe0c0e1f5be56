package testenv

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// needADK skips (or, with IGCTL_TEST_REQUIRE_INTEGRATION=1, fails) when
// the real ADK agent is not installed.
func needADK(t *testing.T) {
	t.Helper()
	if _, err := ADKAgentScript(); err != nil {
		if Required() {
			t.Fatalf("the real ADK agent is required (IGCTL_TEST_REQUIRE_INTEGRATION=1) but not available: %v", err)
		}
		t.Skipf("the real ADK agent is not installed: %v", err)
	}
}

// startADK starts the real ADK agent and stops it when the test ends.
func startADK(t *testing.T, env []string) *ADKAgent {
	t.Helper()
	needADK(t)
	a, err := StartADKAgent(env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Close()
		if t.Failed() {
			t.Logf("ADK agent output:\n%s", a.Log())
		}
	})
	return a
}

type adkReply struct {
	Status int
	Header http.Header
	Body   string
	JSON   map[string]any
}

func adkDo(t *testing.T, method, u, token, body string) adkReply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := adkReply{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
	json.Unmarshal(b, &r.JSON)
	return r
}

const tasksGetUnknown = `{"jsonrpc":"2.0","id":7,"method":"tasks/get","params":{"taskId":"no-such-task"}}`

func TestADKAgentAuthOff(t *testing.T) {
	for name, env := range map[string][]string{
		"AUTH_ENABLED unset": nil,
		// The ADK reads only AUTH_ENABLED; the old name leaves auth off.
		"old name AUTH_ENABLE=true": {"AUTH_ENABLE=true", "AUTH_ISSUER_URL=http://127.0.0.1:1/realms/x", "AUTH_CLIENT_ID=c", "AUTH_CLIENT_SECRET=s"},
	} {
		t.Run(name, func(t *testing.T) {
			a := startADK(t, env)
			card := adkDo(t, "GET", a.URL+"/.well-known/agent-card.json", "", "")
			if card.Status != 200 || card.JSON["name"] == nil {
				t.Fatalf("agent card: HTTP %d %s", card.Status, card.Body)
			}
			if _, ok := card.JSON["securitySchemes"]; ok {
				t.Errorf("auth-off card has securitySchemes: %s", card.Body)
			}
			if h := adkDo(t, "GET", a.URL+"/health", "", ""); h.Status != 200 {
				t.Errorf("/health: HTTP %d %s", h.Status, h.Body)
			}
			r := adkDo(t, "POST", a.URL+"/", "", tasksGetUnknown)
			if r.Status == 401 {
				t.Fatalf("tasks/get without a token: HTTP 401 with auth off: %s", r.Body)
			}
			// The library answers an unknown task with INVALID_PARAMS, HTTP 200.
			if e, _ := r.JSON["error"].(map[string]any); r.Status != 200 || e == nil || e["code"] != float64(-32602) {
				t.Errorf("tasks/get unknown task: HTTP %d %s", r.Status, r.Body)
			}
		})
	}
}

func TestADKAgentRefusesIncompleteAuth(t *testing.T) {
	needADK(t)
	a, err := StartADKAgent([]string{"AUTH_ENABLED=true", "AUTH_ISSUER_URL=http://127.0.0.1:1/realms/x", "AUTH_CLIENT_ID=igctl-api", "AUTH_CLIENT_SECRET="})
	if err == nil {
		a.Close()
		t.Fatalf("the ADK started with AUTH_ENABLED=true and no AUTH_CLIENT_SECRET; output:\n%s", a.Log())
	}
	const want = "auth: AUTH_ENABLED=true but required fields are missing (AUTH_ISSUER_URL, AUTH_CLIENT_ID, AUTH_CLIENT_SECRET)"
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error does not carry the library's message %q:\n%v", want, err)
	}
}

func TestADKAgentRefusesUnreachableIssuer(t *testing.T) {
	needADK(t)
	a, err := StartADKAgent([]string{"AUTH_ENABLED=true", "AUTH_ISSUER_URL=http://127.0.0.1:1/realms/x", "AUTH_CLIENT_ID=igctl-api", "AUTH_CLIENT_SECRET=s"})
	if err == nil {
		a.Close()
		t.Fatalf("the ADK started although OIDC discovery cannot succeed; output:\n%s", a.Log())
	}
	if !strings.Contains(err.Error(), "OIDCDiscoveryError: failed to fetch OIDC discovery document at http://127.0.0.1:1/realms/x/.well-known/openid-configuration") {
		t.Fatalf("unexpected start-up error:\n%v", err)
	}
}

// clientToken gets an access token with the client-credentials grant from tokenURL.
func clientToken(t *testing.T, tokenURL string, r Realm) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {r.ClientID}, "client_secret": {r.ClientSecret}}
	resp, err := http.PostForm(tokenURL, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 200 || body.AccessToken == "" {
		t.Fatalf("token from %s: HTTP %d", tokenURL, resp.StatusCode)
	}
	return body.AccessToken
}

// TestADKAgentAuthOnKeycloak pins what the real ADK answers with auth on
// against a real Keycloak; agent.mjs's header comment describes the same.
func TestADKAgentAuthOnKeycloak(t *testing.T) {
	kc := Keycloak(t)
	r := kc.CreateRealm(t, RealmSpec{AccessTokenLifespan: 60})
	short := kc.CreateRealm(t, RealmSpec{AccessTokenLifespan: 1})
	noAud := kc.CreateRealm(t, RealmSpec{NoAudienceMapper: true})
	authEnv := func(rr Realm, extra ...string) []string {
		return append([]string{"AUTH_ENABLED=true", "AUTH_ISSUER_URL=" + rr.Issuer, "AUTH_CLIENT_ID=" + rr.ClientID, "AUTH_CLIENT_SECRET=" + rr.ClientSecret}, extra...)
	}
	tokenPath := "/protocol/openid-connect/token"

	a := startADK(t, authEnv(r))
	expiredAgent := startADK(t, authEnv(short))
	noAudAgent := startADK(t, authEnv(noAud))
	expired := clientToken(t, short.Issuer+tokenPath, short)
	valid := clientToken(t, r.Issuer+tokenPath, r)
	wrongAud := clientToken(t, noAud.Issuer+tokenPath, noAud)
	// Keycloak names the issuer after the host it was asked on.
	localhostIss := clientToken(t, strings.Replace(r.Issuer, "127.0.0.1", "localhost", 1)+tokenPath, r)

	card := adkDo(t, "GET", a.URL+"/.well-known/agent-card.json", "", "")
	if card.Status != 200 || card.JSON["supportsExtendedAgentCard"] != true || card.JSON["securitySchemes"] != nil {
		t.Errorf("public card with auth on: HTTP %d %s", card.Status, card.Body)
	}
	if h := adkDo(t, "GET", a.URL+"/health", "", ""); h.Status != 200 {
		t.Errorf("/health with auth on: HTTP %d %s", h.Status, h.Body)
	}
	t.Logf("public card: %s", card.Body)

	time.Sleep(2500 * time.Millisecond) // let the 1 s token expire
	for _, c := range []struct {
		name, url, token, reason, message string
	}{
		{"no token", a.URL, "", "missing", "missing authorization header"},
		{"wrong audience", noAudAgent.URL, wrongAud, "invalid_audience", "token audience does not match configured AUTH_CLIENT_ID"},
		{"expired", expiredAgent.URL, expired, "expired", "token expired"},
		{"issuer localhost vs 127.0.0.1", a.URL, localhostIss, "invalid_issuer", "token issuer does not match configured AUTH_ISSUER_URL"},
	} {
		got := adkDo(t, "POST", c.url+"/", c.token, tasksGetUnknown)
		t.Logf("%s: HTTP %d WWW-Authenticate=%q Content-Type=%q %s", c.name, got.Status, got.Header.Get("WWW-Authenticate"), got.Header.Get("Content-Type"), got.Body)
		want := `{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"` + c.message + `","data":{"reason":"` + c.reason + `"}}}`
		if got.Status != 401 || got.Header.Get("WWW-Authenticate") != "Bearer" || got.Body != want {
			t.Errorf("%s: HTTP %d WWW-Authenticate=%q %s\nwant HTTP 401 WWW-Authenticate=\"Bearer\" %s", c.name, got.Status, got.Header.Get("WWW-Authenticate"), got.Body, want)
		}
	}

	got := adkDo(t, "POST", a.URL+"/", valid, tasksGetUnknown)
	t.Logf("valid token, unknown task: HTTP %d %s", got.Status, got.Body)
	if want := `{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"task not found"}}`; got.Status != 200 || got.Body != want {
		t.Errorf("valid token, unknown task: HTTP %d %s, want 200 %s", got.Status, got.Body, want)
	}

	ext := adkDo(t, "POST", a.URL+"/", valid, `{"jsonrpc":"2.0","id":8,"method":"agent/getAuthenticatedExtendedCard"}`)
	t.Logf("extended card: HTTP %d %s", ext.Status, ext.Body)
	res, _ := ext.JSON["result"].(map[string]any)
	schemes, _ := res["securitySchemes"].(map[string]any)
	oidc, _ := schemes["oidc"].(map[string]any)
	inner, _ := oidc["openIdConnectSecurityScheme"].(map[string]any)
	if ext.Status != 200 || inner["openIdConnectUrl"] != r.Issuer+"/.well-known/openid-configuration" {
		t.Errorf("extended card: HTTP %d %s", ext.Status, ext.Body)
	}
	if noTok := adkDo(t, "POST", a.URL+"/", "", `{"jsonrpc":"2.0","id":8,"method":"agent/getAuthenticatedExtendedCard"}`); noTok.Status != 401 {
		t.Errorf("extended card without a token: HTTP %d %s", noTok.Status, noTok.Body)
	}
	if g := adkDo(t, "GET", a.URL+"/extendedAgentCard", valid, ""); g.Status != 404 {
		t.Errorf("GET /extendedAgentCard: HTTP %d %s", g.Status, g.Body)
	}

	// ADK_DECORATE_CARD=1: the public card carries the nested OIDC scheme.
	d := startADK(t, authEnv(r, "ADK_DECORATE_CARD=1"))
	dc := adkDo(t, "GET", d.URL+"/.well-known/agent-card.json", "", "")
	t.Logf("decorated public card: %s", dc.Body)
	if !strings.Contains(dc.Body, `"securitySchemes":{"oidc":{"openIdConnectSecurityScheme":{"openIdConnectUrl":"`+r.Issuer+`/.well-known/openid-configuration"`) {
		t.Errorf("decorated card: %s", dc.Body)
	}
	if os.Getenv("IGCTL_TEST_ADK_VERBOSE") == "1" {
		t.Logf("agent log:\n%s", a.Log())
	}
}
