package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/token"
)

// agentCard is the part of an A2A agent card doctor reads.
type agentCard struct {
	Name                      string                     `json:"name"`
	URL                       string                     `json:"url"`
	SecuritySchemes           map[string]json.RawMessage `json:"securitySchemes"`
	SupportsExtendedAgentCard bool                       `json:"supportsExtendedAgentCard"`
}

// schemes describes each security scheme in either JSON shape an agent
// card uses: flat ({"type":"openIdConnect","openIdConnectUrl":...}) or
// nested by kind, as the ADK writes it
// ({"openIdConnectSecurityScheme":{"openIdConnectUrl":...}}). It also
// returns the OIDC discovery URL, when one is named.
func (c *agentCard) schemes() (out []string, oidcURL string) {
	names := make([]string, 0, len(c.SecuritySchemes))
	for n := range c.SecuritySchemes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		var flat map[string]any
		if json.Unmarshal(c.SecuritySchemes[name], &flat) != nil {
			out = append(out, name+" (unreadable)")
			continue
		}
		kind, fields := "", flat
		if t, ok := flat["type"].(string); ok {
			kind = t
		} else if len(flat) == 1 {
			for k, v := range flat { // {"openIdConnectSecurityScheme": {...}}
				if m, ok := v.(map[string]any); ok {
					kind, fields = strings.TrimSuffix(strings.TrimSuffix(k, "SecurityScheme"), "Scheme"), m
				}
			}
		}
		d := kind
		if u, ok := fields["openIdConnectUrl"].(string); ok {
			d += " " + u
			oidcURL = u
		} else if sch, ok := fields["scheme"].(string); ok {
			d += " " + sch
		}
		if d == "" {
			d = "unknown kind"
		}
		out = append(out, name+" ("+d+")")
	}
	return out, oidcURL
}

// agentRPC posts one JSON-RPC request to the agent, with tok unless empty.
func agentRPC(ctx context.Context, hc *http.Client, endpoint, tok, method, params string) (int, *rpcAnswer, error) {
	body := `{"jsonrpc":"2.0","id":1,"method":"` + method + `","params":` + params + `}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var a rpcAnswer
	json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&a)
	return resp.StatusCode, &a, nil
}

type rpcAnswer struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    struct {
			Reason string `json:"reason"`
		} `json:"data"`
	} `json:"error"`
}

// agentTokenFacts is what the agent's fixes need to know about the token.
type agentTokenFacts struct {
	claims  token.Claims
	fromEnv bool
}

// checkAgent checks an ADK agent: its public card, that its JSON-RPC
// endpoint refuses a request without a token (the ADK answers 401 with
// JSON-RPC error -32001 and data.reason), the security scheme (from the
// authenticated extended card when the public card carries none, which is
// how the ADK publishes it), and that it accepts the token.
func checkAgent(ctx context.Context, r *report, hc *http.Client, base, tok string, facts agentTokenFacts) {
	card, endpoint, ok := fetchAgentCard(ctx, r, hc, base)
	if !ok {
		return
	}
	// without a token: a JSON-RPC answer means authentication is OFF
	if !checkAgentAuthOn(ctx, r, hc, endpoint) {
		return
	}
	oidcURL := checkAgentScheme(ctx, r, hc, card, endpoint, tok)
	checkAgentToken(ctx, r, hc, endpoint, tok, facts, oidcURL)
}

// agentProbe is the JSON-RPC request doctor sends: a read of a task that
// does not exist, which changes nothing.
const agentProbe = `{"taskId":"igctl-doctor-probe"}`

// fetchAgentCard reads the agent's public card and picks the JSON-RPC
// endpoint to call; ok is false when the card could not be read.
func fetchAgentCard(ctx context.Context, r *report, hc *http.Client, base string) (card agentCard, endpoint string, ok bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/.well-known/agent-card.json", nil)
	if err != nil {
		r.add("agent card", Fail, fmt.Sprintf("--agent %q: %v", base, err), "pass the agent's base URL, e.g. http://127.0.0.1:8081", cmdutil.Usage)
		return card, "", false
	}
	resp, err := hc.Do(req)
	if err != nil {
		r.add("agent card", Fail, err.Error(), "check --agent and that the agent runs", cmdutil.Network)
		return card, "", false
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&card)
	resp.Body.Close()
	if resp.StatusCode != 200 || err != nil {
		r.add("agent card", Fail, fmt.Sprintf("%s/.well-known/agent-card.json: HTTP %d", base, resp.StatusCode), "is --agent an A2A agent's base URL?", cmdutil.Bug)
		return card, "", false
	}
	// The token goes only to the agent named by --agent: a card's url on
	// another scheme or host is not followed (nor is a stale port).
	endpoint = base + "/"
	if u, err := url.Parse(card.URL); err == nil && card.URL != "" {
		if b, _ := url.Parse(base); b != nil && u.Scheme == b.Scheme && u.Host == b.Host {
			endpoint = card.URL
		} else {
			r.add("agent card url", Warn, fmt.Sprintf("the card names %s, which is not --agent %s: doctor calls %s", card.URL, base, endpoint),
				"clients that follow the card will not reach this agent: set the card's url to where the agent really listens", "")
		}
	}
	return card, endpoint, true
}

// checkAgentAuthOn calls the endpoint without a token: only a 401 means
// authentication is on. It reports false when the checks cannot go on.
func checkAgentAuthOn(ctx context.Context, r *report, hc *http.Client, endpoint string) bool {
	code, ans, err := agentRPC(ctx, hc, endpoint, "", "tasks/get", agentProbe)
	switch {
	case err != nil:
		r.add("agent auth on", Fail, err.Error(), "", cmdutil.Network)
		return false
	case code == http.StatusUnauthorized:
		r.add("agent auth on", OK, "JSON-RPC at "+endpoint+" refuses a request without a token (401)", "", "")
		return true
	case code/100 != 2 || (ans.Error == nil && ans.Result == nil):
		r.add("agent auth on", Fail, fmt.Sprintf("JSON-RPC at %s answered HTTP %d, not a JSON-RPC answer, to a request without a token", endpoint, code),
			"is --agent an A2A agent's base URL (its JSON-RPC path is /)?", cmdutil.Bug)
		return false
	default:
		r.add("agent auth on", Fail, fmt.Sprintf("authentication is OFF: JSON-RPC at %s answered HTTP %d to a request without any token", endpoint, code),
			"start the agent with AUTH_ENABLED=true (the ADK reads only 1, true, yes or on; the old name AUTH_ENABLE is ignored since 0.15.1, and a value such as t or enabled means off), and make it pass createAuthenticator's result to the server builder", cmdutil.BadConfig)
		return false
	}
}

// checkAgentScheme reports the security scheme the agent advertises, from
// the public card or else the authenticated extended card, and returns the
// OpenID Connect URL it names ("" when none).
func checkAgentScheme(ctx context.Context, r *report, hc *http.Client, card agentCard, endpoint, tok string) string {
	schemes, oidcURL := card.schemes()
	switch {
	case len(schemes) > 0:
		r.add("agent card", OK, card.Name+": "+strings.Join(schemes, ", "), "", "")
	case card.SupportsExtendedAgentCard && tok != "":
		code, ans, err := agentRPC(ctx, hc, endpoint, tok, "agent/getAuthenticatedExtendedCard", "{}")
		var ext agentCard
		if err == nil && code == 200 && ans.Error == nil && json.Unmarshal(ans.Result, &ext) == nil {
			schemes, oidcURL = ext.schemes()
		}
		if len(schemes) > 0 {
			r.add("agent card", OK, card.Name+": public card without a scheme (it points to the extended card); authenticated extended card: "+strings.Join(schemes, ", "), "", "")
		} else {
			r.add("agent card", Skip, card.Name+": the public card has no scheme and the authenticated extended card could not be read (see agent auth)", "", "")
		}
	case card.SupportsExtendedAgentCard:
		r.add("agent card", Skip, card.Name+": the public card has no scheme; the extended card needs a token", "", "")
	default:
		r.add("agent card", Warn, card.Name+" advertises no security scheme, and no extended card", "clients cannot learn from the card that a token is needed", "")
	}
	return oidcURL
}

// checkAgentToken calls the endpoint with the token and, when the agent
// rejects it, turns the ADK's reason into a fix.
func checkAgentToken(ctx context.Context, r *report, hc *http.Client, endpoint, tok string, facts agentTokenFacts, oidcURL string) {
	if tok == "" {
		r.add("agent auth", Skip, "no token", "", "")
		return
	}
	code, ans, err := agentRPC(ctx, hc, endpoint, tok, "tasks/get", agentProbe)
	if err != nil {
		r.add("agent auth", Fail, err.Error(), "", cmdutil.Network)
		return
	}
	if code == http.StatusUnauthorized {
		reason := "unknown"
		if ans.Error != nil && ans.Error.Data.Reason != "" {
			reason = ans.Error.Data.Reason
		}
		fix := agentFix(reason, facts, strings.TrimSuffix(oidcURL, "/.well-known/openid-configuration"))
		r.add("agent auth", Fail, fmt.Sprintf("the agent rejected the token (-32001, reason %s)", reason), fix, cmdutil.AuthFailed)
		return
	}
	if code/100 != 2 {
		r.add("agent auth", Fail, fmt.Sprintf("%s: HTTP %d", endpoint, code), "", cmdutil.Bug)
		return
	}
	r.add("agent auth", OK, "JSON-RPC at "+endpoint+" accepted the token", "", "")
}

// agentFix is the fix for the ADK's -32001 data.reason. agentIssuer is
// the issuer the agent's card names ("" when unknown).
func agentFix(reason string, t agentTokenFacts, agentIssuer string) string {
	switch reason {
	case "invalid_audience":
		client := "the client that issues these tokens"
		if t.claims.AZP != "" {
			client = "client " + t.claims.AZP + " (the token's azp)"
		}
		return fmt.Sprintf("the agent's AUTH_CLIENT_ID is not in the token's aud %v: give %s an audience mapper (oidc-audience-mapper) whose Included Client Audience is the agent's AUTH_CLIENT_ID",
			[]string(t.claims.Audience), client)
	case "invalid_issuer":
		if agentIssuer != "" {
			return fmt.Sprintf("the agent trusts %s, the token's iss is %s: they must match byte for byte (AUTH_ISSUER_URL, and the host you log in through)", agentIssuer, t.claims.Issuer)
		}
		return fmt.Sprintf("the token's iss %s is not the agent's issuer (its discovery document's, from AUTH_ISSUER_URL), byte for byte: Keycloak writes into iss the host you log in through, so log in through the URL in the agent's AUTH_ISSUER_URL", t.claims.Issuer)
	case "expired":
		if t.fromEnv {
			return "the token is IGCTL_TOKEN's, which igctl cannot refresh: " + cmdutil.FreshEnvTokenHint
		}
		return "`igctl token --force-refresh`, and check the clocks (the ADK allows no clock skew)"
	case "invalid_signature":
		return "the agent trusts another issuer's keys, or the realm was re-created: check AUTH_ISSUER_URL, then `igctl login`"
	case "malformed":
		return "the agent accepts only \"Bearer <JWT>\""
	}
	return "`igctl token inspect --verify` shows what the agent sees"
}
