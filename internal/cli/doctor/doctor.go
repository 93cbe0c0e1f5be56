// Package doctor implements `igctl doctor`: every reason for a 401, checked in order.
package doctor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/gateway"
	"github.com/inference-gateway/igctl/internal/token"
)

// Options for `igctl doctor`.
type Options struct {
	F          *cmdutil.Factory
	Gateway    string
	Agent      string
	GatewayEnv string // the .env the gateway runs from
	JSON       bool

	gatewayEnv *envmap.File
}

// NewCmdDoctor builds the command; runF replaces the run function in tests.
func NewCmdDoctor(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:     "doctor",
		GroupID: "auth",
		Short:   "Check, in order, everything that makes the gateway answer 401",
		Long: `Check the active profile end to end, each step OK, WARN, FAIL or SKIP with a fix:
issuer discovery reachable, TLS trust, the discovery document's issuer equal to the
configured one byte for byte, the clock against the issuer's Date header, the
token store, what the gateway expects, the token checked as the gateway checks it
(iss, aud, exp, signature, in the gateway's order: the first failure is the one
its log names), the gateway's /health, that the gateway refuses a request without
a token (a 200 means authentication is OFF: a failure, exit 3), and an authorised
GET /v1/models.

What the gateway expects is its AUTH_OIDC_ISSUER and AUTH_OIDC_CLIENT_ID, which
may differ from the client you log in with. igctl learns them from keycloak
bootstrap, login --from-env, --gateway-env FILE (remembered in the profile) or
config set gateway_issuer / gateway_client_id; without them it assumes the
profile's own and says so.

With --agent URL it also checks an ADK agent: that its JSON-RPC endpoint refuses
a request without a token, its agent card (the authenticated extended card when
the public one carries no scheme), and that it accepts the token (a -32001
rejection names its reason). The exit code is that of the first failure.`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return doctorRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Gateway, "gateway", "", "gateway base URL (else IGCTL_GATEWAY_URL, else the profile's gateway_url)")
	cmd.Flags().StringVar(&opts.Agent, "agent", "", "also check an ADK agent at this base URL")
	cmd.Flags().StringVar(&opts.GatewayEnv, "gateway-env", "", "the .env the gateway runs from: its AUTH_OIDC_ISSUER and AUTH_OIDC_CLIENT_ID are what tokens must match (remembered in the profile)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

// Status of one check.
const (
	OK   = "ok"
	Warn = "warn"
	Fail = "fail"
	Skip = "skip"
)

// Check is one line of the report.
type Check struct {
	Name   string        `json:"name"`
	Status string        `json:"status"`
	Detail string        `json:"detail"`
	Fix    string        `json:"fix,omitempty"`
	code   exitcode.Code // exit code class of a failure
}

type report struct {
	checks []Check
}

func (r *report) add(name, status, detail, fix string, code exitcode.Code) {
	r.checks = append(r.checks, Check{Name: name, Status: status, Detail: detail, Fix: fix, code: code})
}

func doctorRun(ctx context.Context, opts *Options) error {
	f := opts.F
	f.ReportStore = true
	r := &report{}
	s, err := f.Session()
	if err != nil {
		return err
	}
	prof := s.Profile
	if opts.GatewayEnv != "" {
		if prof, err = learnGatewayEnv(f, opts, s); err != nil {
			return err
		}
		s.Profile = prof
	}
	caFile := ""
	if prof != nil {
		caFile = prof.CAFile
	}
	hc, err := f.HTTPClient(caFile)
	if err != nil {
		return err
	}
	issuerOK := false
	var issuerOff *offset
	if prof == nil || prof.Issuer == "" {
		r.add("discovery", Skip, "no issuer in the profile (IGCTL_TOKEN only)", "", 0)
	} else {
		issuerOK, issuerOff = checkIssuer(ctx, r, hc, prof.Issuer, f.Now)
	}
	base, gwErr := f.GatewayURL(opts.Gateway, prof)
	gw := &gateway.Client{BaseURL: base, HTTP: hc, Token: s.TokenFunc(f)}
	// /health is asked once: its Date header may time the clock check, and
	// its answer is the gateway health check further down.
	var gwDate time.Time
	var healthErr error
	var gwOff *offset
	if gwErr == nil {
		sent := f.Now()
		gwDate, healthErr = gw.Health(ctx)
		gwOff = dateOffset(gwDate, sent, f.Now(), "the gateway's Date header")
	}
	checkClock(r, issuerOff, gwOff, s)

	// token store
	if f.Getenv("IGCTL_TOKEN") != "" {
		r.add("token store", Skip, "IGCTL_TOKEN is set and wins over the store", "", 0)
	} else if st, err := f.TokenStore(); err != nil {
		r.add("token store", Fail, err.Error(), exitcode.HintOf(err), exitcode.Of(err))
	} else if err := st.Probe(s.Name); err != nil {
		r.add("token store", Fail, "the OS keyring is locked or unreachable: "+err.Error(),
			"unlock the keyring (log in to the desktop session, or start gnome-keyring with --unlock); tokens sealed with its keys cannot be read until then", exitcode.Storage)
	} else if st.Kind() == "keyring" {
		r.add("token store", OK, "OS keyring (key) + sealed 0600 file", "", 0)
	} else {
		r.add("token store", Warn, st.Kind()+" store: tokens are not protected by an OS keyring", "run in a desktop session with a Secret Service, or accept 0600 files (IGCTL_REQUIRE_SECURE_STORAGE=1 makes this an error)", 0)
	}

	// what the gateway expects, then the token as the gateway will check it
	want := cmdutil.GatewayExpect(prof)
	switch {
	case cmdutil.KnowsGateway(prof):
		r.add("gateway expects", OK, fmt.Sprintf("iss %s, aud containing %s", prof.GatewayIssuer, prof.GatewayClientID), "", 0)
	case prof != nil:
		r.add("gateway expects", Warn, "unknown: the checks below assume the profile's issuer and client id",
			"`igctl doctor --gateway-env FILE` with the .env the gateway runs from (remembered in the profile)", 0)
	default:
		r.add("gateway expects", Warn, "unknown: no profile, and no --gateway-env", "pass --gateway-env FILE with the .env the gateway runs from", 0)
	}
	tok, tokErr := s.TokenFunc(f)(ctx, false)
	if tokErr != nil {
		r.add("token", Fail, tokErr.Error(), exitcode.HintOf(tokErr), exitcode.Of(tokErr))
	} else {
		keys := hc
		if !issuerOK && prof != nil && want.Issuer == prof.Issuer {
			keys = nil // the issuer's discovery failed above: no keys to check against
		}
		d := cmdutil.Diagnose(ctx, keys, tok, want, f)
		e := cmdutil.Explain(d, s.FromEnv(f), prof)
		switch {
		case d.First() != nil:
			r.add("token", Fail, e.Cause, e.Fix, exitcode.Auth)
		default:
			exp := time.Unix(*d.Claims.Expiry, 0)
			detail := fmt.Sprintf("valid (expires %s), iss and aud as expected", cmdutil.Until(exp, f.Now()))
			if keys != nil && want.Issuer != "" && len(d.Unchecked) == 0 {
				detail += ", signature verified"
			}
			if len(d.Unchecked) > 0 {
				detail += "; not checked: " + strings.Join(d.Unchecked, "; ")
			}
			r.add("token", OK, detail, "", 0)
		}
	}

	// the gateway: up, authentication on, and the token accepted
	if gwErr != nil {
		r.add("gateway health", Skip, "no gateway URL", exitcode.HintOf(gwErr), 0)
		r.add("gateway auth", Skip, "no gateway URL", "", 0)
	} else if healthErr != nil {
		r.add("gateway health", Fail, healthErr.Error(), "start the gateway, or fix --gateway / gateway_url", exitcode.Of(healthErr))
		r.add("gateway auth", Skip, "gateway unreachable", "", 0)
	} else {
		r.add("gateway health", OK, base+"/health answers", "", 0)
		switch off, err := gw.AuthOff(ctx); {
		case err != nil:
			r.add("gateway auth", Fail, "GET /v1/models without a token: "+err.Error(), "", exitcode.Of(err))
		case off:
			r.add("gateway auth", Fail, "authentication is OFF: GET /v1/models answered 200 without any token, so the gateway serves everyone",
				gatewayAuthOffCause(opts.gatewayEnv), exitcode.Config)
		case tokErr != nil:
			r.add("gateway auth", Skip, "no token (without one the gateway answers 401: authentication is on)", "", 0)
		default:
			switch _, list, err := gw.Models(ctx, "", nil); {
			case errors.Is(err, gateway.ErrUnauthorized):
				e := s.Explain401(ctx, f, hc)
				r.add("gateway auth", Fail, e.Error(), exitcode.HintOf(e), exitcode.Auth)
			case err != nil:
				r.add("gateway auth", Fail, err.Error(), "", exitcode.Of(err))
			default:
				r.add("gateway auth", OK, fmt.Sprintf("authentication on (401 without a token); GET /v1/models with the token authorised (%d models)", len(list.Data)), "", 0)
			}
		}
	}
	if opts.Agent != "" {
		var claims token.Claims
		if c, err := token.Decode(tok); err == nil {
			claims = *c
		}
		checkAgent(ctx, r, hc, strings.TrimRight(opts.Agent, "/"), tok, agentTokenFacts{claims: claims, fromEnv: s.FromEnv(f)})
	}
	return finish(f, opts, r)
}

// learnGatewayEnv reads the gateway's .env and records what the gateway
// expects in the profile (in memory only when there is no profile).
func learnGatewayEnv(f *cmdutil.Factory, opts *Options, s *cmdutil.Session) (*config.Profile, error) {
	data, err := os.ReadFile(opts.GatewayEnv)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Config, fmt.Errorf("--gateway-env: %w", err), "")
	}
	file := envmap.Parse(data)
	iss, _ := file.Get("AUTH_OIDC_ISSUER")
	id, _ := file.Get("AUTH_OIDC_CLIENT_ID")
	if iss == "" || id == "" {
		return nil, exitcode.New(exitcode.Config, fmt.Sprintf("--gateway-env %s sets no AUTH_OIDC_ISSUER and AUTH_OIDC_CLIENT_ID: is it the gateway's .env (not the ADK's)?", opts.GatewayEnv))
	}
	opts.gatewayEnv = file
	prof := s.Profile
	if prof == nil {
		return &config.Profile{GatewayIssuer: iss, GatewayClientID: id}, nil
	}
	if prof.GatewayIssuer != iss || prof.GatewayClientID != id {
		prof.GatewayIssuer, prof.GatewayClientID = iss, id
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		if err := cfg.Save(); err != nil {
			return nil, err
		}
		f.Verbosef("profile %s: the gateway expects iss %s and aud containing %s", s.Name, iss, id)
	}
	return prof, nil
}

// gatewayAuthOffCause names why a gateway runs without authentication,
// from its .env when known. The gateway turns auth on only for
// AUTH_ENABLED read as true by strconv.ParseBool; the older names
// ENABLE_AUTH (up to v0.14.0) and AUTH_ENABLE (v0.14.1 to v0.40.x) are
// ignored since v0.41.0.
func gatewayAuthOffCause(file *envmap.File) string {
	if file == nil {
		return cmdutil.GatewayAuthOffFix
	}
	v, set := file.Get("AUTH_ENABLED")
	for _, old := range []string{"AUTH_ENABLE", "ENABLE_AUTH"} {
		if _, ok := file.Get(old); ok && !set {
			return fmt.Sprintf("the .env sets %s, a name the gateway ignores since v0.41.0: rename it AUTH_ENABLED (`igctl env translate FILE --from gateway --to gateway`), then restart the gateway", old)
		}
	}
	if !set {
		return "the .env does not set AUTH_ENABLED: add AUTH_ENABLED=true and restart the gateway"
	}
	on, err := strconv.ParseBool(v)
	switch {
	case err != nil:
		return fmt.Sprintf("the .env sets AUTH_ENABLED=%s, on which the gateway refuses to start (strconv.ParseBool), so the gateway answering is not running from this file: write AUTH_ENABLED=true and restart it from the file", v)
	case !on:
		return fmt.Sprintf("the .env sets AUTH_ENABLED=%s, which the gateway reads as false: set AUTH_ENABLED=true and restart it", v)
	}
	return "the .env turns authentication on, so the running gateway was not started from it, or not restarted since: restart it with that file"
}

// checkIssuer fetches the discovery document directly (to see TLS errors,
// the exact issuer string and the server's Date header).
func checkIssuer(ctx context.Context, r *report, hc *http.Client, issuer string, now func() time.Time) (bool, *offset) {
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	https := strings.HasPrefix(issuer, "https://")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		r.add("discovery", Fail, err.Error(), "the issuer must be an absolute URL", exitcode.Config)
		return false, nil
	}
	sent := now()
	resp, err := hc.Do(req)
	if err != nil {
		if https && strings.Contains(err.Error(), "certificate") {
			r.add("discovery", Fail, "cannot reach "+u, "", exitcode.Network)
			r.add("tls", Fail, err.Error(), "trust the issuer's CA: --ca-file PEM (remembered by login) or SSL_CERT_FILE", exitcode.Network)
		} else {
			r.add("discovery", Fail, err.Error(), "check the issuer URL and that Keycloak runs (HTTPS_PROXY/NO_PROXY are honoured)", exitcode.Network)
			r.add("tls", Skip, "not reached", "", 0)
		}
		r.add("issuer", Skip, "no discovery document", "", 0)
		return false, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode >= 500:
		r.add("discovery", Fail, fmt.Sprintf("%s: HTTP %d", u, resp.StatusCode), "the issuer failed on its side (its log says why): retry when it is back", exitcode.Network)
	case resp.StatusCode != 200:
		r.add("discovery", Fail, fmt.Sprintf("%s: HTTP %d", u, resp.StatusCode), "is the realm name right? Keycloak issuers look like https://HOST/realms/REALM", exitcode.Config)
	default:
		r.add("discovery", OK, u, "", 0)
	}
	if https {
		r.add("tls", OK, "certificate trusted", "", 0)
	} else {
		r.add("tls", Skip, "plain HTTP issuer", "", 0)
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	issuerOK := false
	if resp.StatusCode == 200 && json.Unmarshal(body, &doc) == nil {
		if doc.Issuer == issuer {
			r.add("issuer", OK, "the discovery document says exactly "+issuer, "", 0)
			issuerOK = true
		} else {
			fix := "set the profile's issuer (and the gateway's AUTH_OIDC_ISSUER) to " + doc.Issuer
			if strings.TrimRight(issuer, "/") == strings.TrimRight(doc.Issuer, "/") {
				fix = "remove the trailing slash: the gateway compares byte for byte"
			}
			r.add("issuer", Fail, fmt.Sprintf("configured %q, the server says %q", issuer, doc.Issuer), fix, exitcode.Config)
		}
	} else {
		r.add("issuer", Skip, "no discovery document", "", 0)
	}
	return issuerOK && resp.StatusCode == 200, dateOffset(dateHeader(resp), sent, now(), "the issuer's Date header")
}

// offset is a measured server-minus-local clock difference and its source.
type offset struct {
	seconds float64
	source  string
}

func dateHeader(resp *http.Response) time.Time {
	d, _ := http.ParseTime(resp.Header.Get("Date"))
	return d
}

// dateOffset compares a server's Date (whole seconds; zero when it sent
// none) with the middle of the request on the local clock.
func dateOffset(d, sent, received time.Time, source string) *offset {
	if d.IsZero() {
		return nil
	}
	// Date is truncated to the second: its true value is on average 0.5 s later.
	local := sent.Add(received.Sub(sent) / 2)
	return &offset{d.Add(500 * time.Millisecond).Sub(local).Seconds(), source}
}

// checkClock reports the first offset measured: the issuer's Date header
// (Keycloak itself sends none; a proxy in front usually does), the gateway's
// Date header, or the stored token's iat against the local time it arrived.
func checkClock(r *report, issuerOff, gatewayOff *offset, s *cmdutil.Session) {
	off := issuerOff
	if off == nil {
		off = gatewayOff
	}
	if off == nil && s.Manager != nil {
		if b, err := s.Manager.Store.Load(s.Name); err == nil {
			if c, err := token.Decode(b.AccessToken); err == nil && c.IssuedAt != nil && !b.ObtainedAt.IsZero() {
				off = &offset{time.Unix(*c.IssuedAt, 0).Sub(b.ObtainedAt).Seconds(), "the token's iat at receipt"}
			}
		}
	}
	if off == nil {
		r.add("clock", Skip, "nothing to measure the offset against", "", 0)
		return
	}
	detail := fmt.Sprintf("server clock %+.0fs from local (%s)", math.Round(off.seconds)+0, off.source)
	switch a := math.Abs(off.seconds); {
	case a <= 5:
		r.add("clock", OK, detail, "", 0)
	case a <= 60:
		r.add("clock", Warn, detail, "sync the clocks (NTP): tokens are checked against them", 0)
	default:
		r.add("clock", Fail, detail, "sync the clocks (NTP): with this offset fresh tokens look expired or not yet valid", exitcode.Auth)
	}
}

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

// checkAgent checks an ADK agent: its public card, that its JSON-RPC
// endpoint refuses a request without a token (the ADK answers 401 with
// JSON-RPC error -32001 and data.reason), the security scheme (from the
// authenticated extended card when the public card carries none, which is
// how the ADK publishes it), and that it accepts the token.
// agentTokenFacts is what the agent's fixes need to know about the token.
type agentTokenFacts struct {
	claims  token.Claims
	fromEnv bool
}

func checkAgent(ctx context.Context, r *report, hc *http.Client, base, tok string, facts agentTokenFacts) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/.well-known/agent-card.json", nil)
	if err != nil {
		r.add("agent card", Fail, fmt.Sprintf("--agent %q: %v", base, err), "pass the agent's base URL, e.g. http://127.0.0.1:8081", exitcode.Usage)
		return
	}
	resp, err := hc.Do(req)
	if err != nil {
		r.add("agent card", Fail, err.Error(), "check --agent and that the agent runs", exitcode.Network)
		return
	}
	var card agentCard
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&card)
	resp.Body.Close()
	if resp.StatusCode != 200 || err != nil {
		r.add("agent card", Fail, fmt.Sprintf("%s/.well-known/agent-card.json: HTTP %d", base, resp.StatusCode), "is --agent an A2A agent's base URL?", exitcode.Unexpected)
		return
	}
	// The token goes only to the agent named by --agent: a card's url on
	// another scheme or host is not followed (nor is a stale port).
	endpoint := base + "/"
	if u, err := url.Parse(card.URL); err == nil && card.URL != "" {
		if b, _ := url.Parse(base); b != nil && u.Scheme == b.Scheme && u.Host == b.Host {
			endpoint = card.URL
		} else {
			r.add("agent card url", Warn, fmt.Sprintf("the card names %s, which is not --agent %s: doctor calls %s", card.URL, base, endpoint),
				"clients that follow the card will not reach this agent: set the card's url to where the agent really listens", 0)
		}
	}

	// without a token: a JSON-RPC answer means authentication is OFF
	probe := `{"taskId":"igctl-doctor-probe"}`
	code, ans, err := agentRPC(ctx, hc, endpoint, "", "tasks/get", probe)
	switch {
	case err != nil:
		r.add("agent auth on", Fail, err.Error(), "", exitcode.Network)
		return
	case code == http.StatusUnauthorized:
		r.add("agent auth on", OK, "JSON-RPC at "+endpoint+" refuses a request without a token (401)", "", 0)
	case code/100 != 2 || (ans.Error == nil && ans.Result == nil):
		r.add("agent auth on", Fail, fmt.Sprintf("JSON-RPC at %s answered HTTP %d, not a JSON-RPC answer, to a request without a token", endpoint, code),
			"is --agent an A2A agent's base URL (its JSON-RPC path is /)?", exitcode.Unexpected)
		return
	default:
		r.add("agent auth on", Fail, fmt.Sprintf("authentication is OFF: JSON-RPC at %s answered HTTP %d to a request without any token", endpoint, code),
			"start the agent with AUTH_ENABLED=true (the ADK reads only 1, true, yes or on; the old name AUTH_ENABLE is ignored since 0.15.1, and a value such as t or enabled means off), and make it pass createAuthenticator's result to the server builder", exitcode.Config)
		return
	}

	schemes, oidcURL := card.schemes()
	switch {
	case len(schemes) > 0:
		r.add("agent card", OK, card.Name+": "+strings.Join(schemes, ", "), "", 0)
	case card.SupportsExtendedAgentCard && tok != "":
		code, ans, err := agentRPC(ctx, hc, endpoint, tok, "agent/getAuthenticatedExtendedCard", "{}")
		var ext agentCard
		if err == nil && code == 200 && ans.Error == nil && json.Unmarshal(ans.Result, &ext) == nil {
			schemes, oidcURL = ext.schemes()
		}
		if len(schemes) > 0 {
			r.add("agent card", OK, card.Name+": public card without a scheme (it points to the extended card); authenticated extended card: "+strings.Join(schemes, ", "), "", 0)
		} else {
			r.add("agent card", Skip, card.Name+": the public card has no scheme and the authenticated extended card could not be read (see agent auth)", "", 0)
		}
	case card.SupportsExtendedAgentCard:
		r.add("agent card", Skip, card.Name+": the public card has no scheme; the extended card needs a token", "", 0)
	default:
		r.add("agent card", Warn, card.Name+" advertises no security scheme, and no extended card", "clients cannot learn from the card that a token is needed", 0)
	}

	if tok == "" {
		r.add("agent auth", Skip, "no token", "", 0)
		return
	}
	code, ans, err = agentRPC(ctx, hc, endpoint, tok, "tasks/get", probe)
	if err != nil {
		r.add("agent auth", Fail, err.Error(), "", exitcode.Network)
		return
	}
	if code == http.StatusUnauthorized {
		reason := "unknown"
		if ans.Error != nil && ans.Error.Data.Reason != "" {
			reason = ans.Error.Data.Reason
		}
		fix := agentFix(reason, facts, strings.TrimSuffix(oidcURL, "/.well-known/openid-configuration"))
		r.add("agent auth", Fail, fmt.Sprintf("the agent rejected the token (-32001, reason %s)", reason), fix, exitcode.Auth)
		return
	}
	if code/100 != 2 {
		r.add("agent auth", Fail, fmt.Sprintf("%s: HTTP %d", endpoint, code), "", exitcode.Unexpected)
		return
	}
	r.add("agent auth", OK, "JSON-RPC at "+endpoint+" accepted the token", "", 0)
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

func finish(f *cmdutil.Factory, opts *Options, r *report) error {
	var first *Check
	for i := range r.checks {
		if r.checks[i].Status == Fail && first == nil {
			first = &r.checks[i]
		}
	}
	if opts.JSON {
		json.NewEncoder(f.IO.Out).Encode(map[string]any{"ok": first == nil, "checks": r.checks})
	} else {
		style := map[string]string{OK: "ok", Warn: "warn", Fail: "err", Skip: "dim"}
		for _, c := range r.checks {
			label := fmt.Sprintf("%-4s", strings.ToUpper(c.Status))
			fmt.Fprintf(f.IO.ErrOut, "%s  %-15s %s\n", f.IO.Styled(style[c.Status], label), c.Name, c.Detail)
			if c.Fix != "" && (c.Status == Fail || c.Status == Warn) {
				fmt.Fprintf(f.IO.ErrOut, "      %-15s fix: %s\n", "", c.Fix)
			}
		}
	}
	if first != nil {
		code := first.code
		if code == 0 {
			code = exitcode.Unexpected
		}
		return exitcode.New(code, "doctor: "+first.Name+" failed")
	}
	return nil
}
