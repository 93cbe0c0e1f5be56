package keycloak

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
)

// wireFake is an admin API answering from a table of canned answers
// ("METHOD path?query" -> queue), 404 for a GET it has no answer for and
// 201 for any other request, and recording every request that is not a GET
// with its body: what bootstrap sends, byte for byte.
type wireFake struct {
	*httptest.Server
	mu      sync.Mutex
	answers map[string][]wireAnswer
	sent    []string
	// refuse is the user whose password the realm's token endpoint refuses.
	refuse string
	// checkStatus, when set, is how the realm's token endpoint answers
	// every password check (a Keycloak failing on its side).
	checkStatus int
}

type wireAnswer struct {
	status   int
	body     string
	location string
}

func newWireFake(t *testing.T, answers map[string][]wireAnswer) *wireFake {
	f := &wireFake{answers: answers}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *wireFake) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/realms/master/protocol/openid-connect/token":
		io.WriteString(w, `{"access_token":"t","expires_in":60}`)
		return
	case strings.HasSuffix(r.URL.Path, "/protocol/openid-connect/token"):
		if f.checkStatus != 0 {
			w.WriteHeader(f.checkStatus)
			return
		}
		if u := r.FormValue("username"); u != "" && u == f.refuse {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_grant","error_description":"Invalid user credentials"}`)
			return
		}
		io.WriteString(w, `{"access_token":"t"}`)
		return
	}
	k := r.Method + " " + r.URL.Path
	if r.URL.RawQuery != "" {
		k += "?" + r.URL.RawQuery
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	a, ok := wireAnswer{status: http.StatusNotFound, body: `{"error":"not found"}`}, false
	if q := f.answers[k]; len(q) > 0 {
		a, ok = q[0], true
		if len(q) > 1 {
			f.answers[k] = q[1:]
		}
	}
	if r.Method != http.MethodGet {
		f.sent = append(f.sent, k+" "+string(body))
		if !ok {
			a = wireAnswer{status: http.StatusCreated}
		}
	}
	f.mu.Unlock()
	if a.location != "" {
		w.Header().Set("Location", f.URL+a.location)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func ok200(body string) []wireAnswer { return []wireAnswer{{status: 200, body: body}} }

var wireSpec = &Spec{Realms: []RealmSpec{{
	Name: "r", AccessTokenLifespan: 900,
	Clients: []ClientSpec{
		{ClientID: "gw", Roles: []string{"reader"}, ServiceAccountRoles: map[string][]string{"gw": {"reader"}}},
		PublicClientSpec("pub", "gw"),
	},
	Users: []UserSpec{
		{Username: "alice", Email: "Alice@Example.test", FirstName: "Alice", LastName: "Test", Password: "pw-a", ClientRoles: map[string][]string{"gw": {"reader"}}},
		{Username: "bob", Email: "bob@example.test", FirstName: "Bob", LastName: "Test", Password: "pw-b"},
	},
}}}

func runWire(t *testing.T, answers map[string][]wireAnswer, refuse string) (*Result, []string) {
	t.Helper()
	f := newWireFake(t, answers)
	f.refuse = refuse
	a := NewAdmin(f.URL, nil, Credentials{Username: "admin", Password: "x"})
	res, err := Bootstrap(context.Background(), a, wireSpec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res, f.sent
}

func checkSent(t *testing.T, got []string, want string) {
	t.Helper()
	if g := strings.Join(got, "\n"); g != strings.TrimSpace(want) {
		t.Errorf("requests sent:\n%s\nwant:\n%s", g, strings.TrimSpace(want))
	}
}

func planOf(res *Result) string {
	var b strings.Builder
	for _, c := range res.Objects {
		b.WriteString(c.Action + " " + c.Kind + " " + c.Name + "\n")
		for _, d := range c.Diffs {
			b.WriteString("  " + d.Field + ": " + d.From + " → " + d.To + "\n")
		}
	}
	return b.String()
}

// A realm that does not exist: every object is created with the
// representation igctl has always sent.
func TestWireCreate(t *testing.T) {
	res, sent := runWire(t, map[string][]wireAnswer{
		"GET /admin/realms/r/clients?clientId=gw":                {{status: 200, body: `[]`}, {status: 200, body: `[{"id":"u1","clientId":"gw"}]`}},
		"POST /admin/realms/r/clients":                           {{status: 201, location: "/admin/realms/r/clients/u1"}, {status: 201, location: "/admin/realms/r/clients/u2"}},
		"GET /admin/realms/r/clients?clientId=pub":               ok200(`[]`),
		"GET /admin/realms/r/clients/u1/client-secret":           ok200(`{"type":"secret","value":"s"}`),
		"GET /admin/realms/r/clients/u1/protocol-mappers/models": ok200(`[]`),
		"GET /admin/realms/r/clients/u2/protocol-mappers/models": ok200(`[]`),
		"GET /admin/realms/r/clients/u1/roles/reader":            {{status: 404}, {status: 200, body: `{"id":"role1","name":"reader"}`}},
		"GET /admin/realms/r/clients/u1/service-account-user":    ok200(`{"id":"sa1"}`),
		"GET /admin/realms/r/users/sa1/role-mappings/clients/u1": ok200(`[]`),
		"GET /admin/realms/r/users?exact=true&username=alice":    ok200(`[]`),
		"GET /admin/realms/r/users?exact=true&username=bob":      ok200(`[]`),
		"POST /admin/realms/r/users":                             {{status: 201, location: "/admin/realms/r/users/usr1"}, {status: 201, location: "/admin/realms/r/users/usr2"}},
	}, "")
	checkSent(t, sent, `
POST /admin/realms {"accessTokenLifespan":900,"enabled":true,"realm":"r"}
POST /admin/realms/r/clients {"clientAuthenticatorType":"client-secret","clientId":"gw","directAccessGrantsEnabled":true,"enabled":true,"protocol":"openid-connect","publicClient":false,"serviceAccountsEnabled":true,"standardFlowEnabled":false}
POST /admin/realms/r/clients/u1/protocol-mappers/models {"config":{"access.token.claim":"true","included.client.audience":"gw","introspection.token.claim":"true"},"name":"audience gw","protocol":"openid-connect","protocolMapper":"oidc-audience-mapper"}
POST /admin/realms/r/clients/u1/roles {"name":"reader"}
POST /admin/realms/r/users/sa1/role-mappings/clients/u1 [{"id":"role1","name":"reader"}]
POST /admin/realms/r/clients {"attributes":{"oauth2.device.authorization.grant.enabled":"true","pkce.code.challenge.method":"S256"},"clientAuthenticatorType":"client-secret","clientId":"pub","directAccessGrantsEnabled":false,"enabled":true,"implicitFlowEnabled":false,"protocol":"openid-connect","publicClient":true,"redirectUris":["http://127.0.0.1/*"],"serviceAccountsEnabled":false,"standardFlowEnabled":true}
POST /admin/realms/r/clients/u2/protocol-mappers/models {"config":{"access.token.claim":"true","included.client.audience":"gw","introspection.token.claim":"true"},"name":"audience gw","protocol":"openid-connect","protocolMapper":"oidc-audience-mapper"}
POST /admin/realms/r/users {"credentials":[{"temporary":false,"type":"password","value":"pw-a"}],"email":"alice@example.test","emailVerified":true,"enabled":true,"firstName":"Alice","lastName":"Test","requiredActions":[],"username":"alice"}
POST /admin/realms/r/users/usr1/role-mappings/clients/u1 [{"id":"role1","name":"reader"}]
POST /admin/realms/r/users {"credentials":[{"temporary":false,"type":"password","value":"pw-b"}],"email":"bob@example.test","emailVerified":true,"enabled":true,"firstName":"Bob","lastName":"Test","requiredActions":[],"username":"bob"}
`)
	if !res.Changed() {
		t.Error("nothing reported as changed")
	}
}

// Everything exists but drifted, with fields igctl does not manage: the
// updates carry only what differs (Keycloak keeps the rest), the mapper goes
// back whole, and the plan names each field.
func TestWireUpdateDrift(t *testing.T) {
	rerunAnswers := func(drifted bool) map[string][]wireAnswer {
		realm := `{"id":"rid","realm":"r","enabled":true,"accessTokenLifespan":900,"sslRequired":"external"}`
		gw := `[{"id":"u1","clientId":"gw","enabled":true,"publicClient":false,"serviceAccountsEnabled":true,"directAccessGrantsEnabled":true,"standardFlowEnabled":false,"frontchannelLogout":true,"attributes":{"post.logout.redirect.uris":"+"}}]`
		pub := `[{"id":"u2","clientId":"pub","enabled":true,"publicClient":true,"serviceAccountsEnabled":false,"directAccessGrantsEnabled":false,"standardFlowEnabled":true,"implicitFlowEnabled":false,"redirectUris":["http://127.0.0.1/*"],"attributes":{"pkce.code.challenge.method":"S256","oauth2.device.authorization.grant.enabled":"true","foo":"bar"}}]`
		mapper := `[{"id":"m1","name":"my aud","protocol":"openid-connect","protocolMapper":"oidc-audience-mapper","consentRequired":false,"config":{"included.client.audience":"gw","access.token.claim":"true","introspection.token.claim":"true","id.token.claim":"false"}}]`
		alice := `[{"id":"usr1","username":"alice","enabled":true,"emailVerified":true,"email":"alice@example.test","firstName":"Alice","lastName":"Test","requiredActions":[],"createdTimestamp":1700000000000}]`
		bob := `[{"id":"usr2","username":"bob","enabled":true,"emailVerified":true,"email":"bob@example.test","firstName":"Bob","lastName":"Test","requiredActions":[]}]`
		if drifted {
			realm = `{"id":"rid","realm":"r","enabled":false,"accessTokenLifespan":300,"sslRequired":"external"}`
			gw = `[{"id":"u1","clientId":"gw","enabled":true,"publicClient":false,"serviceAccountsEnabled":true,"directAccessGrantsEnabled":false,"frontchannelLogout":true,"attributes":{"post.logout.redirect.uris":"+"}}]`
			pub = `[{"id":"u2","clientId":"pub","enabled":true,"publicClient":true,"serviceAccountsEnabled":false,"directAccessGrantsEnabled":true,"standardFlowEnabled":true,"implicitFlowEnabled":false,"redirectUris":[],"attributes":{"pkce.code.challenge.method":"plain","foo":"bar"}}]`
			mapper = `[{"id":"m1","name":"my aud","protocol":"openid-connect","protocolMapper":"oidc-audience-mapper","consentRequired":false,"config":{"included.client.audience":"gw","access.token.claim":"false","id.token.claim":"false"}}]`
			alice = `[{"id":"usr1","username":"alice","enabled":true,"emailVerified":false,"email":"old@example.test","firstName":"Alice","lastName":"Test","requiredActions":["VERIFY_EMAIL"],"createdTimestamp":1700000000000}]`
		}
		return map[string][]wireAnswer{
			"GET /admin/realms/r":                                     ok200(realm),
			"GET /admin/realms/r/clients?clientId=gw":                 ok200(gw),
			"GET /admin/realms/r/clients?clientId=pub":                ok200(pub),
			"GET /admin/realms/r/clients/u1/client-secret":            ok200(`{"type":"secret","value":"s"}`),
			"GET /admin/realms/r/clients/u1/protocol-mappers/models":  ok200(mapper),
			"GET /admin/realms/r/clients/u2/protocol-mappers/models":  ok200(`[{"id":"m2","name":"audience gw","protocol":"openid-connect","protocolMapper":"oidc-audience-mapper","config":{"included.client.audience":"gw","access.token.claim":"true","introspection.token.claim":"true"}}]`),
			"GET /admin/realms/r/clients/u1/roles/reader":             ok200(`{"id":"role1","name":"reader"}`),
			"GET /admin/realms/r/clients/u1/service-account-user":     ok200(`{"id":"sa1"}`),
			"GET /admin/realms/r/users/sa1/role-mappings/clients/u1":  ok200(`[{"id":"role1","name":"reader"}]`),
			"GET /admin/realms/r/users/usr1/role-mappings/clients/u1": ok200(`[{"id":"role1","name":"reader"}]`),
			"GET /admin/realms/r/users?exact=true&username=alice":     ok200(alice),
			"GET /admin/realms/r/users?exact=true&username=bob":       ok200(bob),
		}
	}
	// alice's password was changed in Keycloak too
	res, sent := runWire(t, rerunAnswers(true), "alice")
	checkSent(t, sent, `
PUT /admin/realms/r {"accessTokenLifespan":900,"enabled":true}
PUT /admin/realms/r/clients/u1 {"clientId":"gw","directAccessGrantsEnabled":true,"standardFlowEnabled":false}
PUT /admin/realms/r/clients/u1/protocol-mappers/models/m1 {"config":{"access.token.claim":"true","id.token.claim":"false","included.client.audience":"gw","introspection.token.claim":"true"},"consentRequired":false,"id":"m1","name":"my aud","protocol":"openid-connect","protocolMapper":"oidc-audience-mapper"}
PUT /admin/realms/r/clients/u2 {"attributes":{"foo":"bar","oauth2.device.authorization.grant.enabled":"true","pkce.code.challenge.method":"S256"},"clientId":"pub","directAccessGrantsEnabled":false,"redirectUris":["http://127.0.0.1/*"]}
PUT /admin/realms/r/users/usr1 {"email":"alice@example.test","emailVerified":true,"requiredActions":[]}
PUT /admin/realms/r/users/usr1/reset-password {"temporary":false,"type":"password","value":"pw-a"}
`)
	wantPlan := `updated realm r
  accessTokenLifespan: 300 → 900
  enabled: false → true
updated client gw
  directAccessGrantsEnabled: false → true
  standardFlowEnabled: (unset) → false
unchanged secret gw
updated mapper my aud
  access.token.claim: false → true
  introspection.token.claim: (unset) → true
unchanged role gw/reader
unchanged role-mapping service-account-gw → gw:reader
updated client pub
  directAccessGrantsEnabled: true → false
  redirectUris: [] → [http://127.0.0.1/*]
  attributes.oauth2.device.authorization.grant.enabled: (unset) → true
  attributes.pkce.code.challenge.method: plain → S256
unchanged mapper audience gw
updated user alice
  email: old@example.test → alice@example.test
  emailVerified: false → true
  requiredActions: [VERIFY_EMAIL] → []
updated password alice
  password: (hidden) → (hidden)
unchanged role-mapping alice → gw:reader
unchanged user bob
unchanged password bob
`
	if got := planOf(res); got != wantPlan {
		t.Errorf("plan:\n%s\nwant:\n%s", got, wantPlan)
	}

	// In place: nothing sent, everything unchanged.
	res, sent = runWire(t, rerunAnswers(false), "")
	if len(sent) != 0 || res.Changed() {
		t.Errorf("a run with nothing to change sent %v\n%s", sent, planOf(res))
	}

	// Keycloak failing the password check is no verdict: not "unchanged",
	// no reset either, and the run stops as Keycloak failing (exit 6).
	f := newWireFake(t, rerunAnswers(false))
	f.checkStatus = http.StatusServiceUnavailable
	_, err := Bootstrap(context.Background(), NewAdmin(f.URL, nil, Credentials{Username: "admin", Password: "x"}), wireSpec, Options{})
	if fault.KindOf(err) != ServerFailed || len(f.sent) != 0 {
		t.Errorf("password check answered 503: %v, sent %v", err, f.sent)
	}
}
