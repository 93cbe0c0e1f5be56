package keycloak

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/testenv"
)

// Against the real Keycloak: discovery of the master realm, then an admin
// token used for an admin API read.
func TestRealKeycloakDiscoveryAndAdminToken(t *testing.T) {
	kc := testenv.Keycloak(t)
	resp, err := http.Get(kc.URL + "/realms/master/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var disc struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	json.NewDecoder(resp.Body).Decode(&disc)
	if disc.Issuer != kc.URL+"/realms/master" || !strings.HasSuffix(disc.TokenEndpoint, "/protocol/openid-connect/token") {
		t.Fatalf("discovery: %+v", disc)
	}

	a := NewAdmin(kc.URL, nil, Credentials{Username: kc.AdminUser, Password: kc.AdminPassword})
	var realm struct {
		Realm   string `json:"realm"`
		Enabled bool   `json:"enabled"`
	}
	if _, err := a.Do(context.Background(), "GET", "/master", nil, &realm); err != nil {
		t.Fatal(err)
	}
	if realm.Realm != "master" || !realm.Enabled {
		t.Fatalf("master realm: %+v", realm)
	}
	if a.Writes != 0 {
		t.Fatalf("a GET counted as a write")
	}
}

func TestRealKeycloakWrongAdminPassword(t *testing.T) {
	kc := testenv.Keycloak(t)
	a := NewAdmin(kc.URL, nil, Credentials{Username: kc.AdminUser, Password: "not-the-password"})
	err := a.Login(context.Background())
	if fault.KindOf(err) != LoginRefused {
		t.Fatalf("wrong admin password: %v (kind %q), want %q", err, fault.KindOf(err), LoginRefused)
	}
	if !strings.Contains(err.Error(), "Invalid user credentials") {
		t.Fatalf("Keycloak's own message should reach the user: %v", err)
	}
	if strings.Contains(err.Error(), "not-the-password") {
		t.Fatal("password leaked into the error")
	}
}
