package keycloak

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/testenv"
	"github.com/inference-gateway/igctl/internal/token"
)

func TestNameRules(t *testing.T) {
	for _, tc := range []struct {
		kind, name string
		rule       string // "" = valid
	}{
		{"realm", "", "must not be empty"},
		{"realm", "  ", "must not be empty"},
		{"realm", ".", `"." and ".."`},
		{"realm", "..", `"." and ".."`},
		{"realm", "..x", ""},
		{"realm", "a/b", `'/'`},
		{"realm", `a\b`, `'\\'`},
		{"realm", "a+b", `'+'`},
		{"realm", "nul\x00", "control characters (found U+0000)"},
		{"realm", "del\x7f", "control characters (found U+007F)"},
		{"realm", "c1\u0085", "control characters (found U+0085)"},
		{"realm", "ls\u2028", "control characters (found U+2028)"},
		{"realm", "team é %41 o'k ~\"<>", ""},
		{"realm", strings.Repeat("r", 237), ""},
		{"realm", strings.Repeat("r", 238), "too long: 238"},
		{"realm", strings.Repeat("é", 39) + "r", ""},        // 39×6+1 = 235 escaped
		{"realm", strings.Repeat("é", 40), "too long: 240"}, // 40 characters, 240 escaped
		{"client", "https://gw.example/app", ""},
		{"client", "..", `"." and ".."`},
		{"client", strings.Repeat("c", 239), ""},
		{"client", strings.Repeat("c", 240), "limit is 239 with a service account"},
		{"user", "abc", ""},
		{"user", "jane.doe+ci@example.com", ""},
		{"user", "jürgen", ""},
		{"user", "ab", "3 to 255"},
		{"user", strings.Repeat("u", 256), "3 to 255"},
		{"user", "a b", "' '"},
		{"user", "a\u00a0b", "'\\u00a0'"},
		{"user", "a%b", "'%'"},
		{"user", "a~b", "'~'"},
		{"role", "a/b", ""},
		{"role", "..", `"." and ".."`},
		{"role", strings.Repeat("r", 256), "too long"},
	} {
		var err error
		switch tc.kind {
		case "realm":
			err = ValidateRealmName(tc.name)
		case "client":
			err = ValidateClientID(tc.name, true, true)
		case "user":
			err = ValidateUsername(tc.name)
		case "role":
			err = ValidateRoleName(tc.name)
		}
		var ne *NameError
		switch {
		case tc.rule == "" && err != nil:
			t.Errorf("%s %q: %v, want valid", tc.kind, tc.name, err)
		case tc.rule != "" && (!errors.As(err, &ne) || !strings.Contains(err.Error(), tc.rule)):
			t.Errorf("%s %q: %v, want a NameError saying %q", tc.kind, tc.name, err, tc.rule)
		}
	}
	// Without a service account the mapper's name is the limit, without both the column.
	if ValidateClientID(strings.Repeat("c", 246), false, true) != nil || ValidateClientID(strings.Repeat("c", 247), false, true) == nil ||
		ValidateClientID(strings.Repeat("c", 255), false, false) != nil || ValidateClientID(strings.Repeat("c", 256), false, false) == nil {
		t.Error("client id limits without a service account")
	}
}

// Observed on Keycloak 26.7: the issuer escapes the realm name as a path
// segment, except for '. TestIssuerIsKeycloaks checks it against the server.
func TestIssuerURL(t *testing.T) {
	for realm, want := range map[string]string{
		"inference-gateway-realm": "http://kc:8080/realms/inference-gateway-realm",
		"a b":                     "http://kc:8080/realms/a%20b",
		"é":                       "http://kc:8080/realms/%C3%A9",
		"50%":                     "http://kc:8080/realms/50%25",
		"%27":                     "http://kc:8080/realms/%2527",
		"o'k~":                    "http://kc:8080/realms/o'k~",
		`"<>^{}|` + "`":           "http://kc:8080/realms/%22%3C%3E%5E%7B%7D%7C%60",
	} {
		if got := IssuerURL("http://kc:8080/", realm); got != want {
			t.Errorf("IssuerURL(%q) = %q, want %q", realm, got, want)
		}
	}
}

// A name the validator refuses never reaches Keycloak; a spec that carries
// one fails before the first request (the admin URL is dead).
func TestBootstrapValidatesNamesBeforeAnyRequest(t *testing.T) {
	dead := NewAdmin("http://127.0.0.1:9", nil, Credentials{Username: "admin", Password: "x"})
	for _, spec := range []*Spec{
		DefaultSpec("a/b", DefaultClientID, DefaultUsername),
		DefaultSpec("..", DefaultClientID, DefaultUsername),
		DefaultSpec(strings.Repeat("r", 300), DefaultClientID, DefaultUsername),
		DefaultSpec("ok", "", DefaultUsername),
		DefaultSpec("ok", DefaultClientID, "a/b"),
		{Realms: []RealmSpec{{Name: "ok", Clients: []ClientSpec{{ClientID: "c", Roles: []string{".."}}}}}},
	} {
		_, err := Bootstrap(context.Background(), dead, spec, Options{DryRun: true})
		var ne *NameError
		if !errors.As(err, &ne) {
			t.Errorf("%+v: %v, want a NameError", spec.Realms[0], err)
		}
	}
}

// The realm-name limit is Keycloak's: the longest name igctl accepts is
// created, one more escaped character is refused by Keycloak itself.
func TestRealmNameLimitIsKeycloaks(t *testing.T) {
	kc := testenv.Keycloak(t)
	prefix := testenv.UniqueName("max") + "-"
	ok := prefix + strings.Repeat("é", (maxRealmSegment-len(prefix))/6) // é escapes to 6 characters
	ok += strings.Repeat("x", maxRealmSegment-len(realmSegment(ok)))
	if ValidateRealmName(ok) != nil || len(realmSegment(ok)) != maxRealmSegment {
		t.Fatalf("test name: %d escaped", len(realmSegment(ok)))
	}
	tooLong := ok + "x"
	t.Cleanup(func() {
		kc.AdminE(http.MethodDelete, "/"+url.PathEscape(ok), nil, nil)
		kc.AdminE(http.MethodDelete, "/"+url.PathEscape(tooLong), nil, nil)
	})
	if code := kc.Admin(t, http.MethodPost, "", map[string]any{"realm": ok, "enabled": true}, nil); code != 201 {
		t.Fatalf("Keycloak refused a realm name of %d escaped characters: HTTP %d", maxRealmSegment, code)
	}
	if ValidateRealmName(tooLong) == nil {
		t.Fatal("igctl accepts one character more than Keycloak")
	}
	if code := kc.Admin(t, http.MethodPost, "", map[string]any{"realm": tooLong, "enabled": true}, nil); code/100 == 2 {
		t.Fatalf("Keycloak accepted %d escaped characters: the limit moved (HTTP %d)", maxRealmSegment+1, code)
	}
}

// The issuer igctl writes for a realm whose name needs escaping is byte for
// byte Keycloak's: the discovery document's issuer and a token's iss.
func TestIssuerIsKeycloaks(t *testing.T) {
	a, kc := admin(t)
	realm := testenv.UniqueName("iss") + " é 50% o'k ~\"<>{}"
	t.Cleanup(func() { kc.AdminE(http.MethodDelete, "/"+url.PathEscape(realm), nil, nil) })
	res, err := Bootstrap(context.Background(), a, DefaultSpec(realm, DefaultClientID, DefaultUsername),
		Options{UserPassword: func(_, _ string, _ bool) (string, error) { return "pw-" + realm, nil }})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(kc.URL + "/realms/" + url.PathEscape(realm) + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var disc struct {
		Issuer string `json:"issuer"`
	}
	json.NewDecoder(resp.Body).Decode(&disc)
	if got := res.Clients[0].Issuer; got != disc.Issuer {
		t.Fatalf("issuer %q, Keycloak's discovery says %q", got, disc.Issuer)
	}
	c := res.Clients[0]
	tok := clientCredentialsIss(t, c)
	if tok != disc.Issuer {
		t.Fatalf("token iss %q, issuer %q", tok, disc.Issuer)
	}
}

func clientCredentialsIss(t *testing.T, c ClientResult) string {
	t.Helper()
	b, err := token.Login(context.Background(), http.DefaultClient, token.LoginRequest{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.Secret, Grant: token.GrantClientCredentials})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := token.Decode(b.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	return claims.Issuer
}

// builtinClientRoles and builtinRealmRoles are what Keycloak gives a new realm.
func TestBuiltinsMatchKeycloak(t *testing.T) {
	kc := testenv.Keycloak(t)
	realm := testenv.UniqueName("Builtins")
	t.Cleanup(func() { kc.AdminE(http.MethodDelete, "/"+realm, nil, nil) })
	kc.Admin(t, http.MethodPost, "", map[string]any{"realm": realm, "enabled": true}, nil)
	var clients []struct{ ID, ClientID string }
	kc.Admin(t, http.MethodGet, "/"+realm+"/clients", nil, &clients)
	got := map[string][]string{}
	for _, c := range clients {
		var roles []roleRep
		kc.Admin(t, http.MethodGet, "/"+realm+"/clients/"+c.ID+"/roles", nil, &roles)
		got[c.ClientID] = names(roles)
	}
	if len(got) != len(builtinClientRoles) {
		t.Errorf("clients of a new realm: %v, table has %d", got, len(builtinClientRoles))
	}
	for id, want := range builtinClientRoles {
		w := append([]string(nil), want...)
		sort.Strings(w)
		if strings.Join(got[id], ",") != strings.Join(w, ",") {
			t.Errorf("client %s: Keycloak has %v, table %v", id, got[id], w)
		}
	}
	var roles []roleRep
	kc.Admin(t, http.MethodGet, "/"+realm+"/roles", nil, &roles)
	if strings.Join(names(roles), ",") != strings.Join(builtinRealmRoles(realm), ",") {
		t.Errorf("realm roles: Keycloak has %v, table %v", names(roles), builtinRealmRoles(realm))
	}
}

func names(roles []roleRep) []string {
	var out []string
	for _, r := range roles {
		out = append(out, r.Name)
	}
	sort.Strings(out)
	return out
}

// A spec naming a client or a role that neither exists nor is created fails
// in the dry run, with no write, naming the reference; so does the real run,
// before its first write. References to what the spec creates, or to
// Keycloak's built-ins, pass even for a realm that does not exist yet.
func TestReferencesResolvedBeforeAnyWrite(t *testing.T) {
	a, kc := admin(t)
	realm := testenv.UniqueName("refs")
	t.Cleanup(func() { kc.AdminE(http.MethodDelete, "/"+realm, nil, nil) })
	user := UserSpec{Username: "alice", Email: "alice@example.test", FirstName: "A", LastName: "T"}
	spec := func(saRoles map[string][]string, userRoles map[string][]string, realmRoles []string) *Spec {
		u := user
		u.ClientRoles, u.RealmRoles = userRoles, realmRoles
		return &Spec{Realms: []RealmSpec{{Name: realm,
			Clients: []ClientSpec{{ClientID: "gateway", Roles: []string{"reader"}, ServiceAccountRoles: saRoles}},
			Users:   []UserSpec{u}}}}
	}
	pw := func(_, _ string, _ bool) (string, error) { return "pw-" + realm, nil }
	good := spec(map[string][]string{"gateway": {"reader"}, "realm-management": {"view-users"}}, map[string][]string{"gateway": {"reader"}}, []string{"offline_access"})
	bad := []struct {
		spec *Spec
		want string
	}{
		{spec(map[string][]string{"gateway": {"writer"}}, nil, nil), `service-account-gateway is given role writer of client gateway, which does not exist`},
		{spec(map[string][]string{"realm-management": {"view-everything"}}, nil, nil), "role view-everything of client realm-management, which does not exist"},
		{spec(nil, map[string][]string{"agent": {"reader"}}, nil), `user alice is given role reader of client agent, but client "agent" does not exist`},
		{spec(nil, nil, []string{"admin"}), "user alice is given realm role admin, which does not exist"},
	}
	check := func(stage string, exists bool) {
		for _, b := range bad {
			for _, dry := range []bool{true, false} {
				res, err := Bootstrap(context.Background(), a, b.spec, Options{DryRun: dry, UserPassword: pw})
				var re *RefError
				if !errors.As(err, &re) || !strings.Contains(err.Error(), b.want) || res.Writes != 0 {
					t.Errorf("%s, dry run %v: %v (writes %d), want a RefError saying %q and no write", stage, dry, err, res.Writes, b.want)
				}
			}
		}
		code, _ := kc.AdminE(http.MethodGet, "/"+realm, nil, nil)
		if (code == 200) != exists {
			t.Fatalf("%s: realm exists: HTTP %d", stage, code)
		}
	}
	check("new realm", false)
	plan, err := Bootstrap(context.Background(), a, good, Options{DryRun: true, UserPassword: pw})
	if err != nil || plan.Writes != 0 || !plan.Changed() {
		t.Fatalf("plan of a good spec on a new realm: %v", err)
	}
	if _, err := Bootstrap(context.Background(), a, good, Options{UserPassword: pw}); err != nil {
		t.Fatal(err)
	}
	check("existing realm", true)

	// A second client and its role, planned against the existing realm: the
	// plan resolves them from the spec, not from Keycloak.
	more := spec(map[string][]string{"gateway": {"reader"}}, map[string][]string{"agent": {"invoke"}}, nil)
	more.Realms[0].Clients = append(more.Realms[0].Clients, ClientSpec{ClientID: "agent", Roles: []string{"invoke"}})
	plan, err = Bootstrap(context.Background(), a, more, Options{DryRun: true, UserPassword: pw})
	if err != nil || plan.Writes != 0 || actions(plan)["role-mapping:alice → agent:invoke"] != Created {
		t.Fatalf("plan with a new client and role: %v %v", err, actions(plan))
	}
}
