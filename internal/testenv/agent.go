package testenv

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Agent is a TEST STAND-IN for a TypeScript ADK agent with auth on (the ADK
// is a Node.js library; igctl's tests run no Node server). It follows
// shared/reference/gateway-adk-config.md §3: the agent card and /health are
// public; the JSON-RPC path "/" checks the bearer token (issuer and audience
// = AUTH_CLIENT_ID, as jose's jwtVerify does) and rejects with HTTP 401,
// WWW-Authenticate: Bearer and {"jsonrpc":"2.0","id":null,"error":{"code":
// -32001,"message":...,"data":{"reason":...}}}. An accepted tasks/get for an
// unknown task answers HTTP 200 with A2A's own -32001 "Task not found",
// which is why a client must look at the HTTP status to tell them apart.
type Agent struct {
	URL string
	srv *httptest.Server
}

// Close stops the stand-in.
func (a *Agent) Close() { a.srv.Close() }

// StartAgent starts the stand-in for issuer and clientID.
func StartAgent(issuer, clientID string) (*Agent, error) {
	provider, err := oidc.NewProvider(context.Background(), issuer)
	if err != nil {
		return nil, err
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: clientID})
	a := &Agent{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		switch r.URL.Path {
		case "/.well-known/agent-card.json":
			json.NewEncoder(w).Encode(map[string]any{
				"name": "weather-agent", "url": a.URL + "/", "version": "0.1.0",
				"securitySchemes": map[string]any{"oidc": map[string]any{"type": "openIdConnect", "openIdConnectUrl": issuer + "/.well-known/openid-configuration"}},
				"security":        []map[string][]string{{"oidc": {}}},
			})
			return
		case "/health":
			json.NewEncoder(w).Encode(map[string]string{"status": "healthy"})
			return
		case "/":
		default:
			w.WriteHeader(404)
			json.NewEncoder(w).Encode(map[string]string{"error": "Not Found"})
			return
		}
		reason := ""
		h := r.Header.Get("Authorization")
		switch {
		case h == "":
			reason = "missing"
		case !strings.HasPrefix(h, "Bearer "):
			reason = "malformed"
		default:
			if _, err := verifier.Verify(r.Context(), strings.TrimPrefix(h, "Bearer ")); err != nil {
				var exp *oidc.TokenExpiredError
				switch msg := err.Error(); {
				case errors.As(err, &exp):
					reason = "expired"
				case strings.Contains(msg, "audience"):
					reason = "invalid_audience"
				case strings.Contains(msg, "issuer"):
					reason = "invalid_issuer"
				case strings.Contains(msg, "signature"):
					reason = "invalid_signature"
				default:
					reason = "verification_failed"
				}
			}
		}
		if reason != "" {
			w.Header().Set("WWW-Authenticate", "Bearer")
			w.WriteHeader(401)
			json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": nil,
				"error": map[string]any{"code": -32001, "message": "Unauthorized", "data": map[string]string{"reason": reason}}})
			return
		}
		var req struct {
			ID any `json:"id"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID,
			"error": map[string]any{"code": -32001, "message": "Task not found"}})
	}))
	a.URL = a.srv.URL
	return a, nil
}
