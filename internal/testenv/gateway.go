package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Gateway is a TEST STAND-IN for the Inference Gateway: the gateway's Go
// module is not available here, so this reproduces, from
// shared/reference/gateway-adk-config.md §1.4-1.5, exactly what igctl
// depends on: go-oidc discovery against the real Keycloak at start,
// Verifier{ClientID} (aud must contain the client id; iss, exp and the JWKS
// signature checked), strings.TrimPrefix(header, "Bearer ") (case-sensitive;
// a raw token without a scheme is accepted), GET /health public with
// {"message":"OK"}, and for every other path without a valid token a 401
// with body {"error":"unauthorized"}, Content-Type application/json;
// charset=utf-8 and no WWW-Authenticate header. /v1/models answers in the
// real shape, with ?provider= and ?include= (unknown value: 400
// {"error":"unknown include value \"x\""}); unknown routes 404
// {"error":"Requested route is not found"} once authenticated.
type Gateway struct {
	URL string
	// DateOffset shifts the Date header (to simulate a skewed server clock).
	DateOffset time.Duration

	Unauthorized atomic.Int64 // 401s sent
	Authorized   atomic.Int64 // authenticated requests served
	srv          *httptest.Server
}

// Close stops the stand-in.
func (g *Gateway) Close() { g.srv.Close() }

var models = []map[string]any{
	{"id": "openai/gpt-4o", "object": "model", "created": 1686935002, "owned_by": "openai", "served_by": "openai",
		"context_window": map[string]any{"tokens": 128000, "source": "models.dev"},
		"pricing":        map[string]any{"input_per_token": 0.0000025, "output_per_token": 0.00001, "currency": "USD", "source": "models.dev", "updated_at": "2026-11-01"},
		"modalities":     map[string]any{"input": []string{"text", "image"}, "output": []string{"text"}}},
	{"id": "anthropic/claude-sonnet-4", "object": "model", "created": 1747872000, "owned_by": "anthropic", "served_by": "anthropic",
		"context_window": map[string]any{"tokens": 200000, "source": "models.dev"},
		"pricing":        map[string]any{"input_per_token": 0.000003, "output_per_token": 0.000015, "currency": "USD", "source": "models.dev", "updated_at": "2026-11-01"},
		"modalities":     map[string]any{"input": []string{"text", "image"}, "output": []string{"text"}}},
}

// StartGateway starts the stand-in for issuer and clientID (the gateway's
// AUTH_OIDC_ISSUER and AUTH_OIDC_CLIENT_ID). Like the real one, it fails to
// start when discovery fails or the issuer does not match.
func StartGateway(issuer, clientID string, hc *http.Client) (*Gateway, error) {
	ctx := context.Background()
	if hc != nil {
		ctx = oidc.ClientContext(ctx, hc)
	}
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("failed to initialize oidc authenticator: %w", err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: clientID})
	g := &Gateway{}
	writeJSON := func(w http.ResponseWriter, code int, v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(v)
	}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(g.DateOffset).UTC().Format(http.TimeFormat))
		if r.URL.Path == "/health" {
			writeJSON(w, 200, map[string]string{"message": "OK"})
			return
		}
		raw := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if _, err := verifier.Verify(r.Context(), raw); err != nil {
			g.Unauthorized.Add(1)
			writeJSON(w, 401, map[string]string{"error": "unauthorized"})
			return
		}
		g.Authorized.Add(1)
		if r.URL.Path != "/v1/models" || r.Method != http.MethodGet {
			writeJSON(w, 404, map[string]string{"error": "Requested route is not found"})
			return
		}
		include := map[string]bool{}
		if inc := r.URL.Query().Get("include"); inc != "" {
			for _, v := range strings.Split(inc, ",") {
				switch v {
				case "context_window", "pricing", "modalities":
					include[v] = true
				default:
					writeJSON(w, 400, map[string]string{"error": fmt.Sprintf("unknown include value %q", v)})
					return
				}
			}
		}
		provider := r.URL.Query().Get("provider")
		data := []map[string]any{}
		for _, m := range models {
			if provider != "" && m["served_by"] != provider {
				continue
			}
			out := map[string]any{}
			for k, v := range m {
				switch k {
				case "context_window", "pricing", "modalities":
					if !include[k] {
						continue
					}
				}
				out[k] = v
			}
			data = append(data, out)
		}
		resp := map[string]any{"object": "list", "data": data}
		if provider != "" {
			resp["provider"] = provider
		}
		writeJSON(w, 200, resp)
	}))
	g.URL = g.srv.URL
	return g, nil
}
