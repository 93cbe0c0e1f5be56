package kcfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Gateway is a fake Inference Gateway v0.48.2 with authentication on: it
// accepts the tokens of one fake Keycloak realm the way the real one's
// OIDC verifier does (signature against the realm's key, iss byte for
// byte, aud containing ClientID, exp) and otherwise replays the real
// gateway's recorded answers: /health, /v1/models, and its 401 with the
// body {"error":"unauthorized"} and no WWW-Authenticate header.
type Gateway struct {
	*httptest.Server
	KC       *Keycloak
	ClientID string // AUTH_OIDC_CLIENT_ID
	Issuer   string // AUTH_OIDC_ISSUER (default: KC.Issuer)

	mu sync.Mutex
	// AuthOff answers every request as a gateway started without
	// AUTH_ENABLED=true does.
	AuthOff bool
	// Models counts the requests to /v1/models by answer status.
	status map[int]int
}

// NewGateway starts a fake gateway that trusts kc's realm and client.
func NewGateway(kc *Keycloak) *Gateway {
	g := &Gateway{KC: kc, ClientID: kc.ClientID, Issuer: kc.Issuer, status: map[int]int{}}
	rec := MustLoad(GatewayFile)
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/health":
			rec.Get("health").WriteTo(w, nil)
		case r.URL.Path == "/v1/models":
			name := g.models(r)
			x := rec.Get(name)
			g.mu.Lock()
			g.status[x.Status]++
			g.mu.Unlock()
			x.WriteTo(w, nil)
		default:
			http.NotFound(w, r)
		}
	}))
	return g
}

// Answered returns how many /v1/models requests got status.
func (g *Gateway) Answered(status int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.status[status]
}

func (g *Gateway) models(r *http.Request) string {
	g.mu.Lock()
	off := g.AuthOff
	g.mu.Unlock()
	ok := "models"
	switch {
	case r.URL.Query().Get("provider") != "" && r.URL.Query().Get("provider") != "openai":
		ok = "models-unknown-provider"
	case r.URL.Query().Get("include") != "":
		ok = "models-include"
	}
	if off {
		return ok
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") { // case-sensitive, as the gateway's
		return "models-no-token"
	}
	claims, valid := g.KC.Verify(strings.TrimPrefix(auth, "Bearer "))
	if !valid {
		return "models-malformed-token"
	}
	if claims["iss"] != g.Issuer || !hasAudience(claims["aud"], g.ClientID) {
		return "models-wrong-audience"
	}
	if exp, _ := claims["exp"].(float64); int64(exp) <= time.Now().Unix() {
		return "models-wrong-audience" // the same 401; the gateway's log differs
	}
	return ok
}

func hasAudience(aud any, id string) bool {
	switch a := aud.(type) {
	case string:
		return a == id
	case []any:
		for _, x := range a {
			if x == id {
				return true
			}
		}
	}
	return false
}
