package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
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
	// PublicClient adds the public client people log in with, as `keycloak
	// bootstrap --public-client` creates it: PKCE S256 required, standard
	// flow and device grant on, loopback redirect URIs, direct grants off,
	// and an audience mapper putting the first client's id in aud.
	PublicClient bool
	// OTPUser adds a second user, "otto", with a password and a TOTP
	// credential (RFC 6238, SHA-1, 6 digits, 30 s) whose secret the test knows.
	OTPUser bool
}

// Realm is what tests get back: everything needed to log in.
type Realm struct {
	Name, Issuer, ClientID, ClientSecret, Username, Password string
	SecondClientID, SecondClientSecret                       string
	PublicClientID                                           string
	// OTPUsername and OTPPassword log in user "otto"; OTPSecret is the raw
	// TOTP key (its bytes are the HMAC key; base32 of it is what an
	// authenticator app would be given).
	OTPUsername, OTPPassword, OTPSecret string
}

// PublicClientID is the id of the public client RealmSpec.PublicClient adds.
const PublicClientID = "igctl-cli"

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
	if spec.PublicClient {
		r.PublicClientID = PublicClientID
		clients = append(clients, map[string]any{
			"clientId": r.PublicClientID, "enabled": true, "publicClient": true,
			"standardFlowEnabled": true, "directAccessGrantsEnabled": false, "serviceAccountsEnabled": false,
			"implicitFlowEnabled": false,
			"redirectUris":        []string{"http://127.0.0.1/*"},
			"attributes": map[string]string{
				"pkce.code.challenge.method":                "S256",
				"oauth2.device.authorization.grant.enabled": "true",
			},
			"protocolMappers": []map[string]any{{
				"name": "aud-" + r.ClientID, "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper",
				"config": map[string]string{"included.client.audience": r.ClientID, "access.token.claim": "true", "id.token.claim": "false"},
			}},
		})
	}
	user := map[string]any{
		"username": r.Username, "enabled": true,
		"credentials": []map[string]any{{"type": "password", "value": r.Password, "temporary": false}},
	}
	if !spec.UserWithoutProfile {
		user["email"], user["firstName"], user["lastName"], user["emailVerified"] = "alice@example.test", "Alice", "Test", true
	}
	users := []any{user}
	if spec.OTPUser {
		r.OTPUsername, r.OTPPassword, r.OTPSecret = "otto", Secret(), Secret()
		secretData, _ := json.Marshal(map[string]string{"value": r.OTPSecret})
		credentialData, _ := json.Marshal(map[string]any{"subType": "totp", "digits": 6, "counter": 0, "period": 30, "algorithm": "HmacSHA1"})
		users = append(users, map[string]any{
			"username": r.OTPUsername, "enabled": true, "email": "otto@example.test", "firstName": "Otto", "lastName": "Test", "emailVerified": true,
			"credentials": []map[string]any{
				{"type": "password", "value": r.OTPPassword, "temporary": false},
				{"type": "otp", "userLabel": "test authenticator", "secretData": string(secretData), "credentialData": string(credentialData)},
			},
		})
	}
	realm := map[string]any{
		"realm": r.Name, "enabled": true,
		// One hash iteration: test passwords need no protection and Argon2 is slow on 2 cores.
		"passwordPolicy": "hashAlgorithm(pbkdf2-sha256) and hashIterations(1)",
		"clients":        clients,
		"users":          users,
	}
	if spec.AccessTokenLifespan > 0 {
		realm["accessTokenLifespan"] = spec.AccessTokenLifespan
	}
	if code, err := kc.AdminE(http.MethodPost, "", realm, nil); err != nil || code != http.StatusCreated {
		return r, nil, fmt.Errorf("creating realm %s: HTTP %d %v", r.Name, code, err)
	}
	return r, func() { kc.AdminE(http.MethodDelete, "/"+r.Name, nil, nil) }, nil
}
