package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"testing"
)

// RealmSpec describes a throw-away test realm, imported in one admin call.
type RealmSpec struct {
	AccessTokenLifespan int  // seconds; 0 = Keycloak's default (300)
	NoAudienceMapper    bool // leave aud without the client id
	NoDirectGrants      bool // client refuses the password grant
	UserWithoutProfile  bool // user lacks email/first/last name
	// SecondClient adds a second confidential client, "agent-client", as
	// an agent of the gateway's would have: "bare" (no audience mapper) or
	// "own" (a mapper that adds only its own id to aud).
	SecondClient string
}

// Realm is what tests get back: everything needed to log in.
type Realm struct {
	Name, Issuer, ClientID, ClientSecret, Username, Password string
	SecondClientID, SecondClientSecret                       string
}

// Secret returns a random string for test secrets and passwords.
func Secret() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateRealm imports a realm with a confidential client (service account
// on) and a user, per spec, and deletes it when the test ends.
func (kc KC) CreateRealm(t testing.TB, spec RealmSpec) Realm {
	t.Helper()
	r, cleanup, err := kc.CreateRealmE(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cleanup)
	return r
}

// CreateRealmE is CreateRealm returning the clean-up instead of registering it.
func (kc KC) CreateRealmE(spec RealmSpec) (Realm, func(), error) {
	r := Realm{Name: UniqueName("igctl-test"), ClientID: "igctl-api", ClientSecret: Secret(), Username: "alice", Password: Secret()}
	r.Issuer = kc.URL + "/realms/" + r.Name
	client := map[string]any{
		"clientId": r.ClientID, "enabled": true, "publicClient": false, "secret": r.ClientSecret,
		"standardFlowEnabled": false, "directAccessGrantsEnabled": !spec.NoDirectGrants, "serviceAccountsEnabled": true,
	}
	if !spec.NoAudienceMapper {
		client["protocolMappers"] = []map[string]any{{
			"name": "aud-" + r.ClientID, "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper",
			"config": map[string]string{"included.client.audience": r.ClientID, "access.token.claim": "true", "id.token.claim": "false"},
		}}
	}
	clients := []any{client}
	switch spec.SecondClient {
	case "":
	case "bare", "own":
		r.SecondClientID, r.SecondClientSecret = "agent-client", Secret()
		second := map[string]any{
			"clientId": r.SecondClientID, "enabled": true, "publicClient": false, "secret": r.SecondClientSecret,
			"standardFlowEnabled": false, "directAccessGrantsEnabled": true, "serviceAccountsEnabled": true,
		}
		if spec.SecondClient == "own" {
			second["protocolMappers"] = []map[string]any{{
				"name": "aud-" + r.SecondClientID, "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper",
				"config": map[string]string{"included.client.audience": r.SecondClientID, "access.token.claim": "true", "id.token.claim": "false"},
			}}
		}
		clients = append(clients, second)
	default:
		return r, nil, fmt.Errorf("SecondClient %q: want bare or own", spec.SecondClient)
	}
	user := map[string]any{
		"username": r.Username, "enabled": true,
		"credentials": []map[string]any{{"type": "password", "value": r.Password, "temporary": false}},
	}
	if !spec.UserWithoutProfile {
		user["email"], user["firstName"], user["lastName"], user["emailVerified"] = "alice@example.test", "Alice", "Test", true
	}
	realm := map[string]any{
		"realm": r.Name, "enabled": true,
		// One hash iteration: test passwords need no protection and Argon2 is slow on 2 cores.
		"passwordPolicy": "hashAlgorithm(pbkdf2-sha256) and hashIterations(1)",
		"clients":        clients,
		"users":          []any{user},
	}
	if spec.AccessTokenLifespan > 0 {
		realm["accessTokenLifespan"] = spec.AccessTokenLifespan
	}
	if code, err := kc.AdminE(http.MethodPost, "", realm, nil); err != nil || code != http.StatusCreated {
		return r, nil, fmt.Errorf("creating realm %s: HTTP %d %v", r.Name, code, err)
	}
	return r, func() { kc.AdminE(http.MethodDelete, "/"+r.Name, nil, nil) }, nil
}
