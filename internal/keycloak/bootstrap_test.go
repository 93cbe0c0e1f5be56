package keycloak

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/testenv"
	"github.com/inference-gateway/igctl/internal/token"
)

func admin(t *testing.T) (*Admin, testenv.KC) {
	kc := testenv.Keycloak(t)
	return NewAdmin(kc.URL, nil, Credentials{Username: kc.AdminUser, Password: kc.AdminPassword}), kc
}

func actions(res *Result) map[string]string {
	m := map[string]string{}
	for _, c := range res.Objects {
		m[c.Kind+":"+c.Name] = c.Action
	}
	return m
}

func TestBootstrapFreshThenIdempotentThenDrift(t *testing.T) {
	a, kc := admin(t)
	ctx := context.Background()
	realm := testenv.UniqueName("bootstrap")
	t.Cleanup(func() { kc.AdminE(http.MethodDelete, "/"+realm, nil, nil) })
	spec := DefaultSpec(realm, DefaultClientID, DefaultUsername)
	password := testenv.Secret()
	pw := func(_, _ string, needed bool) (string, error) { return password, nil }

	// Dry run on nothing: everything would be created, nothing is written, exit-8 material.
	res, err := Bootstrap(ctx, a, spec, Options{DryRun: true, UserPassword: pw})
	if err != nil {
		t.Fatal(err)
	}
	if res.Writes != 0 || !res.Changed() || actions(res)["realm:"+realm] != Created {
		t.Fatalf("dry run: writes=%d changed=%v %v", res.Writes, res.Changed(), actions(res))
	}
	if code, _ := kc.AdminE(http.MethodGet, "/"+realm, nil, nil); code != 404 {
		t.Fatalf("dry run created the realm (HTTP %d)", code)
	}

	// Fresh bootstrap.
	res, err = Bootstrap(ctx, a, spec, Options{UserPassword: pw})
	if err != nil {
		t.Fatal(err)
	}
	acts := actions(res)
	for _, k := range []string{"realm:" + realm, "client:" + DefaultClientID, "secret:" + DefaultClientID, "mapper:audience " + DefaultClientID, "user:user"} {
		if acts[k] != Created {
			t.Errorf("%s: %q, want created", k, acts[k])
		}
	}
	cr := res.Clients[0]
	if cr.Secret == "" || cr.Issuer != kc.URL+"/realms/"+realm {
		t.Fatalf("client result: issuer %q secret set %v", cr.Issuer, cr.Secret != "")
	}

	// Both grants work and aud contains the client id.
	for _, grant := range []string{token.GrantPassword, token.GrantClientCredentials} {
		b, err := token.Login(ctx, http.DefaultClient, token.LoginRequest{Issuer: cr.Issuer, ClientID: cr.ClientID, ClientSecret: cr.Secret,
			Grant: grant, Username: DefaultUsername, Password: password})
		if err != nil {
			t.Fatalf("%s grant after bootstrap: %v", grant, err)
		}
		c, _ := token.Decode(b.AccessToken)
		if !c.Audience.Contains(DefaultClientID) || c.Issuer != cr.Issuer {
			t.Fatalf("%s token: aud %v iss %s", grant, c.Audience, c.Issuer)
		}
	}

	// Second run: everything unchanged, no write request, same secret.
	res2, err := Bootstrap(ctx, a, spec, Options{UserPassword: pw})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Changed() || res2.Writes != 0 {
		t.Fatalf("re-run changed things: writes=%d %v", res2.Writes, actions(res2))
	}
	if res2.Clients[0].Secret != cr.Secret {
		t.Fatal("re-run rotated the secret")
	}

	// Drift made directly in Keycloak: a client setting and the user's email.
	var clients []map[string]any
	kc.Admin(t, http.MethodGet, "/"+realm+"/clients?clientId="+DefaultClientID, nil, &clients)
	uuid := clients[0]["id"].(string)
	kc.Admin(t, http.MethodPut, "/"+realm+"/clients/"+uuid, map[string]any{"clientId": DefaultClientID, "directAccessGrantsEnabled": false}, nil)
	var users []map[string]any
	kc.Admin(t, http.MethodGet, "/"+realm+"/users?exact=true&username=user", nil, &users)
	kc.Admin(t, http.MethodPut, "/"+realm+"/users/"+users[0]["id"].(string), map[string]any{"email": "someone@else.test"}, nil)

	plan, err := Bootstrap(ctx, a, spec, Options{DryRun: true, UserPassword: pw})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Writes != 0 || !plan.Changed() {
		t.Fatalf("drift plan: writes=%d changed=%v", plan.Writes, plan.Changed())
	}
	var sawClient, sawEmail bool
	for _, c := range plan.Objects {
		for _, d := range c.Diffs {
			if c.Kind == "client" && d.Field == "directAccessGrantsEnabled" && d.From == "false" && d.To == "true" {
				sawClient = true
			}
			if c.Kind == "user" && d.Field == "email" && d.From == "someone@else.test" && d.To == "user@example.com" {
				sawEmail = true
			}
		}
	}
	if !sawClient || !sawEmail {
		t.Fatalf("plan should name both drifts: %+v", plan.Objects)
	}
	fixed, err := Bootstrap(ctx, a, spec, Options{UserPassword: pw})
	if err != nil || actions(fixed)["client:"+DefaultClientID] != Updated || actions(fixed)["user:user"] != Updated {
		t.Fatalf("fix run: %v %v", err, actions(fixed))
	}
	again, _ := Bootstrap(ctx, a, spec, Options{UserPassword: pw})
	if again.Changed() {
		t.Fatalf("after the fix, still changes: %v", actions(again))
	}

	// A changed password is detected by one grant and reset.
	password = testenv.Secret()
	res3, err := Bootstrap(ctx, a, spec, Options{UserPassword: pw})
	if err != nil || actions(res3)["password:user"] != Updated {
		t.Fatalf("password change: %v %v", err, actions(res3))
	}
	if _, err := token.Login(ctx, http.DefaultClient, token.LoginRequest{Issuer: cr.Issuer, ClientID: cr.ClientID, ClientSecret: cr.Secret,
		Grant: token.GrantPassword, Username: DefaultUsername, Password: password}); err != nil {
		t.Fatalf("new password does not work: %v", err)
	}
	// --rotate-secret gives a new secret.
	rot, err := Bootstrap(ctx, a, spec, Options{RotateSecret: true, UserPassword: pw})
	if err != nil || rot.Clients[0].Secret == cr.Secret || actions(rot)["secret:"+DefaultClientID] != Updated {
		t.Fatalf("rotate: %v", err)
	}
}

func TestSpecTwoClientsRolesAndUndefinedVariable(t *testing.T) {
	dir := t.TempDir()
	specPath := filepath.Join(dir, "spec.yaml")
	os.WriteFile(specPath, []byte(`realms:
  - name: ${REALM}
    clients:
      - clientId: gateway
        roles: [reader, writer]
        serviceAccountRoles:
          gateway: [reader]
          realm-management: [view-users]
      - clientId: agent
        directAccessGrants: false
        serviceAccountRoles:
          gateway: [writer]
    users:
      - username: alice
        email: alice@example.test
        firstName: Alice
        lastName: Test
        password: ${ALICE_PASSWORD}
        clientRoles:
          gateway: [reader]
`), 0o600)

	// An undefined variable fails before any request (no server needed).
	_, err := LoadSpec(specPath, func(k string) (string, bool) { return map[string]string{"REALM": "x"}[k], k == "REALM" })
	if fault.KindOf(err) != SpecUndefinedVars || !strings.Contains(err.Error(), "ALICE_PASSWORD") {
		t.Fatalf("undefined variable: %v", err)
	}

	a, kc := admin(t)
	realm := testenv.UniqueName("spec")
	t.Cleanup(func() { kc.AdminE(http.MethodDelete, "/"+realm, nil, nil) })
	alicePW := "p: w#d'\"" // YAML-hostile on purpose
	env := map[string]string{"REALM": realm, "ALICE_PASSWORD": alicePW}
	spec, err := LoadSpec(specPath, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := Bootstrap(ctx, a, spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	acts := actions(res)
	for _, k := range []string{"client:gateway", "client:agent", "role:gateway/reader", "role:gateway/writer",
		"role-mapping:service-account-gateway → gateway:reader", "role-mapping:service-account-gateway → realm-management:view-users",
		"role-mapping:service-account-agent → gateway:writer", "role-mapping:alice → gateway:reader"} {
		if acts[k] != Created {
			t.Errorf("%s = %q, want created (all: %v)", k, acts[k], acts)
		}
	}
	// The agent's service-account token carries the writer role on gateway,
	// and alice logs in with the substituted password.
	var agent ClientResult
	var gw ClientResult
	for _, c := range res.Clients {
		if c.ClientID == "agent" {
			agent = c
		} else {
			gw = c
		}
	}
	b, err := token.Login(ctx, http.DefaultClient, token.LoginRequest{Issuer: agent.Issuer, ClientID: "agent", ClientSecret: agent.Secret, Grant: token.GrantClientCredentials})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := token.Decode(b.AccessToken); !c.Audience.Contains("gateway") {
		t.Fatalf("agent token should reach the gateway client via its role: aud %v", c.Audience)
	}
	if _, err := token.Login(ctx, http.DefaultClient, token.LoginRequest{Issuer: gw.Issuer, ClientID: "gateway", ClientSecret: gw.Secret,
		Grant: token.GrantPassword, Username: "alice", Password: alicePW}); err != nil {
		t.Fatalf("alice: %v", err)
	}
	again, err := Bootstrap(ctx, a, spec, Options{})
	if err != nil || again.Changed() || again.Writes != 0 {
		t.Fatalf("re-run of the spec: err=%v writes=%d %v", err, again.Writes, actions(again))
	}
}

// A server that goes away mid-run: the error says Keycloak is unreachable,
// and a re-run against the live server converges.
func TestStoppedServerThenRerunConverges(t *testing.T) {
	a, kc := admin(t)
	realm := testenv.UniqueName("halfway")
	t.Cleanup(func() { kc.AdminE(http.MethodDelete, "/"+realm, nil, nil) })
	spec := DefaultSpec(realm, DefaultClientID, DefaultUsername)
	pw := func(_, _ string, _ bool) (string, error) { return "pw-" + realm, nil }

	// Let the realm and the client be created, then "kill" the server: every
	// request after the second admin write fails as a refused connection would.
	flaky := &http.Client{Transport: &dieAfter{writes: 2}}
	dead := NewAdmin(kc.URL, flaky, a.Creds)
	_, err := Bootstrap(context.Background(), dead, spec, Options{UserPassword: pw})
	// (the Unreachable row of exits.go says a re-run converges)
	if fault.KindOf(err) != Unreachable {
		t.Fatalf("half-way failure: %v (kind %q), want %q", err, fault.KindOf(err), Unreachable)
	}
	res, err := Bootstrap(context.Background(), a, spec, Options{UserPassword: pw})
	if err != nil {
		t.Fatal(err)
	}
	acts := actions(res)
	if acts["realm:"+realm] != Unchanged || acts["user:user"] != Created {
		t.Fatalf("re-run should keep what exists and add the rest: %v", acts)
	}
	if again, _ := Bootstrap(context.Background(), a, spec, Options{UserPassword: pw}); again.Changed() {
		t.Fatalf("not converged: %v", actions(again))
	}
}

// dieAfter passes requests to Keycloak until it has let `writes` non-GET
// admin requests through, then fails every request like a stopped server.
type dieAfter struct{ writes int }

func (d *dieAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	if d.writes < 0 {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	}
	if r.Method != http.MethodGet && strings.Contains(r.URL.Path, "/admin/") {
		d.writes--
	}
	return http.DefaultTransport.RoundTrip(r)
}
