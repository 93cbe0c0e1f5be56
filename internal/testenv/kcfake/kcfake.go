// Package kcfake is test tooling: httptest servers that replay the real
// answers of Keycloak 26.7 (OIDC endpoints and admin REST API) and of the
// Inference Gateway v0.48.2, so that the run functions of igctl's commands
// and their fault paths are exercised by `go test ./...` without either
// server. The answers (status, headers, bodies byte for byte) come from
// testdata/, recorded from the real servers by record_test.go
// (IGCTL_KCFAKE_RECORD=1 go test -tags record); nothing here is written from memory except what
// is marked STAND-IN: the faults of a failing server or proxy (5xx, HTML,
// invalid JSON, a dropped connection) and a 500 of the admin API, which no
// request made the real Keycloak send.
//
// Tokens: the recorded tokens are not replayed. The fake mints tokens with
// the same JOSE header and claims layout as the recorded Keycloak tokens
// (typ, azp, sid, scope, aud, realm_access, …), its own issuer and fresh
// iat/exp, signed RS256 with a key the fake owns and serves as its JWKS
// (refresh tokens HS512 with a test key, as Keycloak signs them with a
// realm HMAC key). Their sub, sid and jti say "kcfake-test". The client
// (igctl-api) and user (alice) are those of the recording, so that the
// claims (aud, azp, preferred_username) stay as Keycloak wrote them.
//
// kcfake.go is over 300 lines: it is one fake Keycloak, its routes side by
// side so each can be compared with the recorded answer it replays.
package kcfake

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Fault is what an endpoint does instead of answering.
type Fault string

// The faults of a failing identity provider or of a proxy in front of it.
// STAND-INs: the real Keycloak cannot be made to send them; they are what
// the fault-injecting proxies of the issue sent.
const (
	// Fault5xx: 503 with the HTML page of a proxy whose upstream is down.
	Fault5xx Fault = "5xx"
	// FaultHTML: 200 with an HTML page (a captive portal, an SSO login page).
	FaultHTML Fault = "html"
	// FaultBadJSON: 200 application/json that is cut off.
	FaultBadJSON Fault = "badjson"
	// FaultDrop: the connection is closed without an answer.
	FaultDrop Fault = "drop"
)

// WriteFault writes f to w (f must be one of the constants above).
func WriteFault(w http.ResponseWriter, f Fault) {
	switch f {
	case Fault5xx:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form method=\"post\">Corporate network sign-in</form></body></html>")
	case FaultBadJSON:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"access_token":"kcfake-cut-off`)
	case FaultDrop:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("kcfake: cannot hijack the connection")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
	default:
		panic("kcfake: unknown fault " + string(f))
	}
}

// Keycloak is a realm of a fake Keycloak 26.7: discovery, JWKS, the token
// endpoint (password, client-credentials and refresh_token grants, with
// Keycloak's recorded refusals) and revocation.
type Keycloak struct {
	*httptest.Server
	Realm, Issuer                              string
	ClientID, ClientSecret, Username, Password string

	rec  *Recording
	key  *rsa.PrivateKey
	kid  string
	hmac []byte

	mu sync.Mutex
	// DirectGrantsOff refuses the password grant as a client without
	// "Direct access grants" does; UserNotSetUp as for a user without
	// email/first/last name.
	DirectGrantsOff, UserNotSetUp bool
	faults                        map[string]Fault
	issued, revoked               map[string]bool // refresh tokens
	expired                       bool            // every refresh token has expired
	calls                         map[string]int
	// Mutate, when set, changes the claims of every access token minted.
	Mutate func(claims map[string]any)
}

// Endpoint names for Fail and Calls.
const (
	Discovery = "discovery"
	Token     = "token"
	Revoke    = "revoke"
	JWKS      = "jwks"
)

// NewKeycloak starts a fake realm; Close it when done (t.Cleanup).
func NewKeycloak() *Keycloak {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	k := &Keycloak{
		Realm: "kcfake-realm", ClientID: "igctl-api", ClientSecret: "kcfake-test-client-secret",
		Username: "alice", Password: "kcfake-test-password",
		rec: MustLoad(KeycloakFile), key: key, kid: "kcfake-test-key", hmac: []byte("kcfake-test-hmac-key"),
		faults: map[string]Fault{}, issued: map[string]bool{}, revoked: map[string]bool{}, calls: map[string]int{},
	}
	k.Server = httptest.NewServer(http.HandlerFunc(k.serve))
	k.Issuer = k.URL + "/realms/" + k.Realm
	return k
}

// Fail makes endpoint (Discovery, Token, Revoke, JWKS) answer with f from
// now on; "" restores it.
func (k *Keycloak) Fail(endpoint string, f Fault) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if f == "" {
		delete(k.faults, endpoint)
	} else {
		k.faults[endpoint] = f
	}
}

// ExpireRefreshTokens makes every refresh token issued so far expire (the
// recorded "Token is not active").
func (k *Keycloak) ExpireRefreshTokens() {
	k.mu.Lock()
	k.expired = true
	k.mu.Unlock()
}

// Calls returns how many requests endpoint received.
func (k *Keycloak) Calls(endpoint string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.calls[endpoint]
}

// Revoked reports whether refresh token rt was revoked.
func (k *Keycloak) Revoked(rt string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.revoked[rt]
}

func (k *Keycloak) rewrite(s string) string {
	s = strings.ReplaceAll(s, k.rec.Base+"/realms/"+k.rec.Realm, k.Issuer)
	return strings.ReplaceAll(s, k.rec.Base, k.URL)
}

func (k *Keycloak) serve(w http.ResponseWriter, r *http.Request) {
	prefix := "/realms/" + k.Realm
	var endpoint string
	switch r.URL.Path {
	case prefix + "/.well-known/openid-configuration":
		endpoint = Discovery
	case prefix + "/protocol/openid-connect/token":
		endpoint = Token
	case prefix + "/protocol/openid-connect/revoke":
		endpoint = Revoke
	case prefix + "/protocol/openid-connect/certs":
		endpoint = JWKS
	default:
		if strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") {
			k.rec.Get("discovery-unknown-realm").WriteTo(w, nil)
			return
		}
		http.NotFound(w, r)
		return
	}
	k.mu.Lock()
	k.calls[endpoint]++
	fault := k.faults[endpoint]
	k.mu.Unlock()
	if fault != "" {
		WriteFault(w, fault)
		return
	}
	switch endpoint {
	case Discovery:
		k.rec.Get("discovery").WriteTo(w, k.rewrite)
	case JWKS:
		k.serveJWKS(w)
	case Token:
		k.serveToken(w, r)
	case Revoke:
		k.serveRevoke(w, r)
	}
}

// clientOK checks the client the way Keycloak does: HTTP Basic with the
// form-encoded id and secret, or client_id in the body for a public client.
func (k *Keycloak) clientOK(r *http.Request) bool {
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	return id == k.ClientID && secret == k.ClientSecret
}

func (k *Keycloak) serveToken(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	grant := r.PostFormValue("grant_type")
	if !k.clientOK(r) {
		name := "token-password-wrong-secret"
		if grant == "client_credentials" {
			name = "token-client-credentials-wrong-secret"
		}
		k.rec.Get(name).WriteTo(w, nil)
		return
	}
	switch grant {
	case "password":
		switch {
		case k.DirectGrantsOff:
			k.rec.Get("token-password-no-direct-grants").WriteTo(w, nil)
		case r.PostFormValue("username") != k.Username || r.PostFormValue("password") != k.Password:
			k.rec.Get("token-password-wrong-password").WriteTo(w, nil)
		case k.UserNotSetUp:
			k.rec.Get("token-password-not-fully-set-up").WriteTo(w, nil)
		default:
			k.issue(w, "token-password")
		}
	case "client_credentials":
		k.issue(w, "token-client-credentials")
	case "refresh_token":
		rt := r.PostFormValue("refresh_token")
		k.mu.Lock()
		issued, revoked, expired := k.issued[rt], k.revoked[rt], k.expired
		k.mu.Unlock()
		switch {
		case !issued:
			k.rec.Get("token-refresh-malformed").WriteTo(w, nil)
		case revoked:
			k.rec.Get("token-refresh-revoked").WriteTo(w, nil)
		case expired:
			k.rec.Get("token-refresh-expired").WriteTo(w, nil)
		default:
			k.issue(w, "token-refresh")
		}
	default:
		http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
	}
}

func (k *Keycloak) serveRevoke(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if !k.clientOK(r) {
		k.rec.Get("revoke-wrong-secret").WriteTo(w, nil)
		return
	}
	k.mu.Lock()
	k.revoked[r.PostFormValue("token")] = true
	k.mu.Unlock()
	k.rec.Get("revoke").WriteTo(w, nil)
}

// issue replays a recorded token answer with freshly minted tokens.
func (k *Keycloak) issue(w http.ResponseWriter, name string) {
	x := k.rec.Get(name)
	body := k.rewrite(x.Body)
	for field, layout := range x.JWTs {
		tok := k.mint(layout, field == "access_token")
		if field == "refresh_token" {
			k.mu.Lock()
			k.issued[tok] = true
			k.mu.Unlock()
		}
		body = strings.Replace(body, "{{"+field+"}}", tok, 1)
	}
	x.Body = body
	x.WriteTo(w, nil)
}

// AccessToken mints an access token of the recorded password-grant layout;
// mutate (may be nil) changes its claims before signing.
func (k *Keycloak) AccessToken(mutate func(claims map[string]any)) string {
	return k.mintWith(k.rec.Get("token-password").JWTs["access_token"], mutate)
}

func (k *Keycloak) mint(l JWTLayout, access bool) string {
	var mutate func(map[string]any)
	if access {
		k.mu.Lock()
		mutate = k.Mutate
		k.mu.Unlock()
	}
	return k.mintWith(l, mutate)
}

func (k *Keycloak) mintWith(l JWTLayout, mutate func(map[string]any)) string {
	now := time.Now().Unix()
	claims := map[string]any{}
	for c, v := range l.Claims {
		if s, ok := v.(string); ok {
			v = k.rewrite(s)
		}
		claims[c] = v
	}
	// the same lifetimes as recorded, from now
	iat, _ := l.Claims["iat"].(float64)
	for _, c := range []string{"exp", "auth_time", "nbf"} {
		if v, ok := l.Claims[c].(float64); ok {
			claims[c] = now + int64(v-iat)
		}
	}
	claims["iat"] = now
	for _, c := range []string{"jti", "sub", "sid"} {
		if _, ok := claims[c]; ok {
			claims[c] = "kcfake-test-" + c + "-" + randomHex(6)
		}
	}
	if mutate != nil {
		mutate(claims)
	}
	header := map[string]any{}
	for h, v := range l.Header {
		header[h] = v
	}
	header["kid"] = k.kid
	return k.sign(header, claims)
}

func (k *Keycloak) sign(header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := b64(h) + "." + b64(c)
	var sig []byte
	switch header["alg"] {
	case "HS512":
		m := hmac.New(sha512.New, k.hmac)
		m.Write([]byte(input))
		sig = m.Sum(nil)
	default:
		header["alg"] = "RS256"
		sum := sha256.Sum256([]byte(input))
		var err error
		if sig, err = rsa.SignPKCS1v15(rand.Reader, k.key, crypto.SHA256, sum[:]); err != nil {
			panic(err)
		}
	}
	return input + "." + b64(sig)
}

// Verify checks an RS256 token's signature against the fake's key, as the
// gateway's verifier does with the JWKS.
func (k *Keycloak) Verify(tok string) (map[string]any, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&k.key.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, false
	}
	var claims map[string]any
	if json.Unmarshal(payload, &claims) != nil {
		return nil, false
	}
	return claims, true
}

// serveJWKS answers with the fake's own key in the layout of the recorded
// JWKS entry for RS256 signing (kid, kty, alg, use, n, e; the recorded
// x5c/x5t certificate fields are left out: nothing igctl uses reads them),
// with the recorded headers.
func (k *Keycloak) serveJWKS(w http.ResponseWriter) {
	x := k.rec.Get("jwks")
	doc := map[string]any{"keys": []map[string]any{{
		"kid": k.kid, "kty": "RSA", "alg": "RS256", "use": "sig",
		"n": b64(k.key.N.Bytes()), "e": b64(big.NewInt(int64(k.key.E)).Bytes()),
	}}}
	b, _ := json.Marshal(doc)
	x.Body = string(b)
	x.WriteTo(w, nil)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return fmt.Sprintf("%x", b)
}
