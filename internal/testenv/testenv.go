// Package testenv gives tests the real services started by scripts/test.sh:
// a Keycloak server and a Secret Service on a D-Bus session bus. A test that
// needs one skips when it is absent, unless IGCTL_TEST_REQUIRE_INTEGRATION=1
// (set by scripts/test.sh and .ci/run), where absence is a failure.
package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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
	HTTPSURL      string // the same server over HTTPS with a throw-away CA
	CAFile        string // that CA's certificate
	AdminUser     string
	AdminPassword string
}

// Keycloak returns the Keycloak started by scripts/keycloak.sh.
func Keycloak(t testing.TB) KC {
	t.Helper()
	kc, err := FromEnv()
	if kc.URL == "" {
		missing(t, "Keycloak (IGCTL_TEST_KEYCLOAK_URL)")
	}
	if err != nil {
		t.Fatal(err)
	}
	return kc
}

// FromEnv reads the Keycloak settings; URL is "" when none is configured.
func FromEnv() (KC, error) {
	kc := KC{URL: strings.TrimRight(os.Getenv("IGCTL_TEST_KEYCLOAK_URL"), "/"), AdminUser: os.Getenv("IGCTL_TEST_KEYCLOAK_ADMIN")}
	kc.HTTPSURL = strings.TrimRight(os.Getenv("IGCTL_TEST_KEYCLOAK_HTTPS_URL"), "/")
	kc.CAFile = os.Getenv("IGCTL_TEST_KEYCLOAK_CA_FILE")
	if kc.AdminUser == "" {
		kc.AdminUser = "admin"
	}
	if f := os.Getenv("IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return kc, fmt.Errorf("reading Keycloak admin password: %w", err)
		}
		kc.AdminPassword = strings.TrimSpace(string(b))
	}
	return kc, nil
}

// AdminToken gets a master-realm admin token with the password grant, the
// way kcadm.sh does. Tests use it to set up and inspect Keycloak directly.
func (kc KC) AdminToken() (string, error) {
	form := url.Values{"grant_type": {"password"}, "client_id": {"admin-cli"}, "username": {kc.AdminUser}, "password": {kc.AdminPassword}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", kc.URL+"/realms/master/protocol/openid-connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 200 || body.AccessToken == "" {
		return "", fmt.Errorf("admin token: HTTP %d %s", resp.StatusCode, body.Error)
	}
	return body.AccessToken, nil
}

// AdminE sends one admin REST request (path below /admin/realms) with a JSON
// body and decodes a JSON answer into out when out is non-nil. It returns
// the status code.
func (kc KC) AdminE(method, path string, body, out any) (int, error) {
	tok, err := kc.AdminToken()
	if err != nil {
		return 0, err
	}
	var rd io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, kc.URL+"/admin/realms"+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decoding: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// Admin is AdminE failing the test on a transport error.
func (kc KC) Admin(t testing.TB, method, path string, body, out any) int {
	t.Helper()
	code, err := kc.AdminE(method, path, body, out)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// UniqueName returns a realm-safe name unique to this test run.
func UniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()%1_000_000_000)
}
