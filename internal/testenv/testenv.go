// Package testenv gives tests the real services started by scripts/test.sh:
// a Keycloak server and a Secret Service on a D-Bus session bus. A test that
// needs one skips when it is absent, unless IGCTL_TEST_REQUIRE_INTEGRATION=1
// (set by scripts/test.sh and .ci/run), where absence is a failure.
package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// Required reports whether integration dependencies must be present.
func Required() bool { return os.Getenv("IGCTL_TEST_REQUIRE_INTEGRATION") == "1" }

func missing(t testing.TB, what string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s is required (IGCTL_TEST_REQUIRE_INTEGRATION=1) but not available", what)
	}
	t.Skipf("%s not available; run the suite with `make test`", what)
}

// SecretService makes sure a D-Bus session bus (with a Secret Service on it) is there.
func SecretService(t testing.TB) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		missing(t, "a Secret Service on a D-Bus session bus")
	}
}

// KC is a running Keycloak and its bootstrap admin.
type KC struct {
	URL           string
	AdminUser     string
	AdminPassword string
}

// Keycloak returns the Keycloak started by scripts/keycloak.sh.
func Keycloak(t testing.TB) KC {
	t.Helper()
	kc := KC{URL: strings.TrimRight(os.Getenv("IGCTL_TEST_KEYCLOAK_URL"), "/"), AdminUser: os.Getenv("IGCTL_TEST_KEYCLOAK_ADMIN")}
	if kc.URL == "" {
		missing(t, "Keycloak (IGCTL_TEST_KEYCLOAK_URL)")
	}
	if kc.AdminUser == "" {
		kc.AdminUser = "admin"
	}
	if f := os.Getenv("IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("reading Keycloak admin password: %v", err)
		}
		kc.AdminPassword = strings.TrimSpace(string(b))
	}
	return kc
}

// AdminToken gets a master-realm admin token with the password grant, the
// way kcadm.sh does. Tests use it to set up and inspect Keycloak directly.
func (kc KC) AdminToken(t testing.TB) string {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "client_id": {"admin-cli"}, "username": {kc.AdminUser}, "password": {kc.AdminPassword}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", kc.URL+"/realms/master/protocol/openid-connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("admin token: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 200 || body.AccessToken == "" {
		t.Fatalf("admin token: HTTP %d %s", resp.StatusCode, body.Error)
	}
	return body.AccessToken
}

// Admin sends one admin REST request (path below /admin/realms) with a JSON
// body and decodes a JSON answer into out when out is non-nil. It returns
// the status code.
func (kc KC) Admin(t testing.TB, method, path string, body, out any) int {
	t.Helper()
	var rd *strings.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	} else {
		rd = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, kc.URL+"/admin/realms"+path, rd)
	req.Header.Set("Authorization", "Bearer "+kc.AdminToken(t))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decoding: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

// UniqueName returns a realm-safe name unique to this test run.
func UniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1_000_000_000)
}
