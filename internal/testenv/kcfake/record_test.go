//go:build record

package kcfake

// The recorder, built only with the "record" tag (so `go test ./...` only
// replays and reports no skipped tests): with the real servers of
// `make test` (scripts/keycloak.sh env, scripts/peers.sh env) it asks a
// real Keycloak and the real gateway every question the fakes answer and
// writes the answers to testdata/.
//
//	eval "$(scripts/keycloak.sh env)"; eval "$(scripts/peers.sh env)"
//	IGCTL_KCFAKE_RECORD=1 go test -tags record ./internal/testenv/kcfake -run TestRecord -v

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/keycloak"
	"github.com/inference-gateway/igctl/internal/testenv"
)

func recording(t *testing.T) {
	if os.Getenv("IGCTL_KCFAKE_RECORD") != "1" {
		t.Skip("set IGCTL_KCFAKE_RECORD=1 (with a real Keycloak and gateway) to re-record testdata/")
	}
}

// capture turns a real answer into an Exchange: JWTs out of the body,
// Date and Content-Length out of the headers.
func capture(method, path string, resp *http.Response, body []byte) Exchange {
	x := Exchange{Method: method, Path: path, Status: resp.StatusCode, Header: map[string][]string{}, Body: string(body)}
	for k, v := range resp.Header {
		switch k {
		case "Date":
			x.HadDate = true
		case "Content-Length":
		default:
			x.Header[k] = v
		}
	}
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s, ok := obj[k].(string)
			if !ok {
				continue
			}
			if l, ok := decodeLayout(s); ok {
				if x.JWTs == nil {
					x.JWTs = map[string]JWTLayout{}
				}
				x.JWTs[k] = l
				x.Body = strings.Replace(x.Body, s, "{{"+k+"}}", 1)
			}
		}
	}
	return x
}

func decodeLayout(s string) (JWTLayout, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return JWTLayout{}, false
	}
	var l JWTLayout
	for i, dst := range []*map[string]any{&l.Header, &l.Claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(b, dst) != nil {
			return JWTLayout{}, false
		}
	}
	return l, true
}

type recorder struct {
	t   *testing.T
	rec *Recording
}

func (r *recorder) do(name, method, base, path string, form url.Values, basic [2]string, header map[string]string) Exchange {
	r.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		r.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if basic[0] != "" {
		req.SetBasicAuth(url.QueryEscape(basic[0]), url.QueryEscape(basic[1]))
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatalf("%s: %v", name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	x := capture(method, path, resp, b)
	r.rec.Exchanges[name] = x
	r.t.Logf("%s: %s %s -> %d %s", name, method, path, resp.StatusCode, truncate(x.Body))
	return x
}

func truncate(s string) string {
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}

func (r *recorder) save(file string) {
	r.t.Helper()
	r.rec.Recorded = time.Now().UTC().Format(time.DateOnly)
	data, err := json.MarshalIndent(r.rec, "", "  ")
	if err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", file+".json"), append(data, '\n'), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func serverVersion(t *testing.T, kc testenv.KC) string {
	var info struct {
		SystemInfo struct {
			Version string `json:"version"`
		} `json:"systemInfo"`
	}
	tok, err := kc.AdminToken()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", kc.URL+"/admin/serverinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(&info)
	return info.SystemInfo.Version
}

// TestRecordKeycloak records the OIDC answers: discovery, JWKS, each grant
// and its refusals, refresh and revocation.
func TestRecordKeycloak(t *testing.T) {
	recording(t)
	kc := testenv.Keycloak(t)
	realm := kc.CreateRealm(t, testenv.RealmSpec{})
	bare := kc.CreateRealm(t, testenv.RealmSpec{UserWithoutProfile: true})
	noDirect := kc.CreateRealm(t, testenv.RealmSpec{NoDirectGrants: true})
	r := &recorder{t: t, rec: &Recording{Source: "Keycloak " + serverVersion(t, kc), Base: kc.URL, Realm: realm.Name, Exchanges: map[string]Exchange{}}}
	p := "/realms/" + realm.Name
	tokenPath := p + "/protocol/openid-connect/token"
	cred := [2]string{realm.ClientID, realm.ClientSecret}
	wrong := [2]string{realm.ClientID, "wrong-" + realm.ClientSecret}

	r.do("discovery", "GET", kc.URL, p+"/.well-known/openid-configuration", nil, [2]string{}, nil)
	r.do("discovery-unknown-realm", "GET", kc.URL, "/realms/no-such-realm/.well-known/openid-configuration", nil, [2]string{}, nil)
	var doc struct {
		JWKS string `json:"jwks_uri"`
	}
	json.Unmarshal([]byte(r.rec.Exchanges["discovery"].Body), &doc)
	r.do("jwks", "GET", kc.URL, strings.TrimPrefix(doc.JWKS, kc.URL), nil, [2]string{}, nil)

	pw := url.Values{"grant_type": {"password"}, "username": {realm.Username}, "password": {realm.Password}}
	r.do("token-password", "POST", kc.URL, tokenPath, pw, cred, nil)
	r.do("token-client-credentials", "POST", kc.URL, tokenPath, url.Values{"grant_type": {"client_credentials"}}, cred, nil)
	r.do("token-password-wrong-secret", "POST", kc.URL, tokenPath, pw, wrong, nil)
	r.do("token-client-credentials-wrong-secret", "POST", kc.URL, tokenPath, url.Values{"grant_type": {"client_credentials"}}, wrong, nil)
	r.do("token-password-wrong-password", "POST", kc.URL, tokenPath,
		url.Values{"grant_type": {"password"}, "username": {realm.Username}, "password": {"wrong-" + realm.Password}}, cred, nil)
	r.do("token-password-not-fully-set-up", "POST", kc.URL, "/realms/"+bare.Name+"/protocol/openid-connect/token",
		url.Values{"grant_type": {"password"}, "username": {bare.Username}, "password": {bare.Password}}, [2]string{bare.ClientID, bare.ClientSecret}, nil)
	r.do("token-password-no-direct-grants", "POST", kc.URL, "/realms/"+noDirect.Name+"/protocol/openid-connect/token",
		url.Values{"grant_type": {"password"}, "username": {noDirect.Username}, "password": {noDirect.Password}}, [2]string{noDirect.ClientID, noDirect.ClientSecret}, nil)

	// refresh, revoke, and refresh with the revoked token
	var toks struct {
		Refresh string `json:"refresh_token"`
	}
	resp := realTokens(t, kc.URL+tokenPath, pw, cred)
	json.Unmarshal(resp, &toks)
	r.do("token-refresh", "POST", kc.URL, tokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {toks.Refresh}}, cred, nil)
	resp = realTokens(t, kc.URL+tokenPath, pw, cred)
	json.Unmarshal(resp, &toks)
	revoke := p + "/protocol/openid-connect/revoke"
	r.do("revoke-wrong-secret", "POST", kc.URL, revoke, url.Values{"token": {toks.Refresh}, "token_type_hint": {"refresh_token"}}, wrong, nil)
	r.do("revoke", "POST", kc.URL, revoke, url.Values{"token": {toks.Refresh}, "token_type_hint": {"refresh_token"}}, cred, nil)
	r.do("token-refresh-revoked", "POST", kc.URL, tokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {toks.Refresh}}, cred, nil)
	r.do("token-refresh-malformed", "POST", kc.URL, tokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"not-a-refresh-token"}}, cred, nil)
	// an expired session: the user's sessions logged out by the admin
	resp = realTokens(t, kc.URL+tokenPath, pw, cred)
	json.Unmarshal(resp, &toks)
	var users []struct {
		ID string `json:"id"`
	}
	kc.Admin(t, "GET", "/"+realm.Name+"/users?exact=true&username="+realm.Username, nil, &users)
	kc.Admin(t, "POST", "/"+realm.Name+"/users/"+users[0].ID+"/logout", nil, nil)
	r.do("token-refresh-session-ended", "POST", kc.URL, tokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {toks.Refresh}}, cred, nil)
	// an expired refresh token: the realm's SSO session idle timeout set to 1 s
	kc.Admin(t, "PUT", "/"+realm.Name, map[string]any{"ssoSessionIdleTimeout": 1}, nil)
	resp = realTokens(t, kc.URL+tokenPath, pw, cred)
	json.Unmarshal(resp, &toks)
	time.Sleep(3 * time.Second)
	r.do("token-refresh-expired", "POST", kc.URL, tokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {toks.Refresh}}, cred, nil)
	r.save(KeycloakFile)
}

func realTokens(t *testing.T, u string, form url.Values, cred [2]string) []byte {
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(cred[0], cred[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("token: %d %s", resp.StatusCode, b)
	}
	return b
}

// TestRecordAdmin records the admin API: the admin login, the whole
// conversation of `keycloak bootstrap` creating the guide's realm and of a
// re-run that finds everything in place, and the 409s of creating what exists.
func TestRecordAdmin(t *testing.T) {
	recording(t)
	kc := testenv.Keycloak(t)
	realmName := testenv.UniqueName("igctl-boot")
	t.Cleanup(func() { kc.AdminE("DELETE", "/"+realmName, nil, nil) })
	r := &recorder{t: t, rec: &Recording{Source: "Keycloak " + serverVersion(t, kc) + " admin REST API", Base: kc.URL, Realm: realmName, Exchanges: map[string]Exchange{}}}
	master := "/realms/master/protocol/openid-connect/token"
	r.do("admin-token", "POST", kc.URL, master, url.Values{"grant_type": {"password"}, "client_id": {"admin-cli"}, "username": {kc.AdminUser}, "password": {kc.AdminPassword}}, [2]string{}, nil)
	r.do("admin-token-wrong-password", "POST", kc.URL, master, url.Values{"grant_type": {"password"}, "client_id": {"admin-cli"}, "username": {kc.AdminUser}, "password": {"wrong-password"}}, [2]string{}, nil)

	// keycloak.Bootstrap through a recording proxy
	target, _ := url.Parse(kc.URL)
	var phase string
	n := 0
	var proxyURL string
	// the client secrets of the throw-away realm -> obvious test values of the same length
	secrets := map[string]string{}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		path := resp.Request.URL.Path
		if q := resp.Request.URL.RawQuery; q != "" {
			path += "?" + q
		}
		n++
		x := capture(resp.Request.Method, path, resp, b)
		if strings.HasSuffix(path, "/client-secret") {
			var c struct {
				Value string `json:"value"`
			}
			if json.Unmarshal(b, &c) == nil && c.Value != "" {
				fake := (strings.Repeat("kcfake-test-secret-", 1+len(c.Value)/19))[:len(c.Value)]
				secrets[c.Value] = fake
			}
		}
		for k, vs := range x.Header { // the proxy's address, as Keycloak's own
			for i, v := range vs {
				vs[i] = strings.ReplaceAll(v, proxyURL, kc.URL)
			}
			x.Header[k] = vs
		}
		r.rec.Exchanges[phase+"/"+twoDigits(n)] = x
		return nil
	}
	srv := httptest.NewServer(rp)
	defer srv.Close()
	proxyURL = srv.URL
	userPW := testenv.Secret()
	boot := func(p string) {
		phase, n = p, 0
		admin := keycloak.NewAdmin(srv.URL, nil, keycloak.Credentials{Username: kc.AdminUser, Password: kc.AdminPassword})
		spec := keycloak.DefaultSpec(realmName, keycloak.DefaultClientID, keycloak.DefaultUsername)
		res, err := keycloak.Bootstrap(context.Background(), admin, spec, keycloak.Options{
			UserPassword: func(realm, username string, needed bool) (string, error) {
				if needed {
					return userPW, nil
				}
				return "", nil
			},
		})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		t.Logf("%s: %d objects, %d writes", p, len(res.Objects), res.Writes)
	}
	// The login through the proxy is recorded too; the admin token in it is replaced.
	boot("create")
	boot("rerun")
	// What exists, created again: 409s, exactly as Keycloak words them.
	tok, err := kc.AdminToken()
	if err != nil {
		t.Fatal(err)
	}
	bearer := map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
	r.doJSON("realm-conflict", "POST", kc.URL, "/admin/realms", `{"realm":"`+realmName+`","enabled":true}`, bearer)
	r.doJSON("client-conflict", "POST", kc.URL, "/admin/realms/"+realmName+"/clients", `{"clientId":"`+keycloak.DefaultClientID+`"}`, bearer)
	r.doJSON("user-conflict", "POST", kc.URL, "/admin/realms/"+realmName+"/users", `{"username":"`+keycloak.DefaultUsername+`"}`, bearer)
	// Keycloak refuses a realm it cannot configure with 400 and errorMessage.
	// (No request found makes it answer 5xx; the fake's 500 is a stand-in.)
	r.doJSON("realm-create-invalid", "POST", kc.URL, "/admin/realms", `{"realm":"`+realmName+`-x","enabled":true,"passwordPolicy":"hashIterations(not-a-number)"}`, bearer)
	for name, x := range r.rec.Exchanges { // wherever the secret shows (GET clients has it too)
		for real, fake := range secrets {
			x.Body = strings.ReplaceAll(x.Body, real, fake)
		}
		r.rec.Exchanges[name] = x
	}
	r.save(AdminFile)
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

func (r *recorder) doJSON(name, method, base, path, body string, header map[string]string) Exchange {
	r.t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	x := capture(method, path, resp, b)
	r.rec.Exchanges[name] = x
	r.t.Logf("%s: %s %s -> %d %s", name, method, path, resp.StatusCode, truncate(x.Body))
	return x
}

// TestRecordGateway records the real gateway (auth on, against a real
// realm): /health, /v1/models with a good token, and its 401s.
func TestRecordGateway(t *testing.T) {
	recording(t)
	kc := testenv.Keycloak(t)
	realm := kc.CreateRealm(t, testenv.RealmSpec{SecondClient: "bare"})
	g, err := testenv.StartRealGateway([]string{
		"AUTH_ENABLED=true", "AUTH_OIDC_ISSUER=" + realm.Issuer,
		"AUTH_OIDC_CLIENT_ID=" + realm.ClientID, "AUTH_OIDC_CLIENT_SECRET=" + realm.ClientSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	r := &recorder{t: t, rec: &Recording{Source: "Inference Gateway v0.48.2 (AUTH_ENABLED=true, stand-in openai provider behind it)", Base: g.URL, Exchanges: map[string]Exchange{}}}
	tokenURL := realm.Issuer + "/protocol/openid-connect/token"
	var good, other struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(realTokens(t, tokenURL, url.Values{"grant_type": {"client_credentials"}}, [2]string{realm.ClientID, realm.ClientSecret}), &good)
	json.Unmarshal(realTokens(t, tokenURL, url.Values{"grant_type": {"client_credentials"}}, [2]string{realm.SecondClientID, realm.SecondClientSecret}), &other)
	r.do("health", "GET", g.URL, "/health", nil, [2]string{}, nil)
	r.do("models", "GET", g.URL, "/v1/models", nil, [2]string{}, map[string]string{"Authorization": "Bearer " + good.AccessToken})
	r.do("models-include", "GET", g.URL, "/v1/models?include=context_window%2Cpricing", nil, [2]string{}, map[string]string{"Authorization": "Bearer " + good.AccessToken})
	r.do("models-unknown-provider", "GET", g.URL, "/v1/models?provider=no-such-provider", nil, [2]string{}, map[string]string{"Authorization": "Bearer " + good.AccessToken})
	r.do("models-no-token", "GET", g.URL, "/v1/models", nil, [2]string{}, nil)
	r.do("models-malformed-token", "GET", g.URL, "/v1/models", nil, [2]string{}, map[string]string{"Authorization": "Bearer not-a-jwt"})
	r.do("models-wrong-audience", "GET", g.URL, "/v1/models", nil, [2]string{}, map[string]string{"Authorization": "Bearer " + other.AccessToken})
	r.save(GatewayFile)
}
