// Package doctor implements `igctl doctor`: every reason for a 401, checked in order.
package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/gateway"
	"github.com/inference-gateway/igctl/internal/token"
)

// Options for `igctl doctor`.
type Options struct {
	F       *cmdutil.Factory
	Gateway string
	Agent   string
	JSON    bool
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
token store, the token (valid, iss, aud containing the client id, signature),
the gateway's /health, and an authorised GET /v1/models. With --agent URL it also
reads an ADK agent's public agent card and calls its JSON-RPC endpoint with the
token, telling a -32001 rejection (and its reason) from success.
The exit code is that of the first failure.`,
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
	r := &report{}
	s, err := f.Session()
	if err != nil {
		return err
	}
	prof := s.Profile
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
	} else if st.Kind() == "keyring" {
		r.add("token store", OK, "OS keyring (key) + sealed 0600 file", "", 0)
	} else {
		r.add("token store", Warn, st.Kind()+" store: tokens are not protected by an OS keyring", "run in a desktop session with a Secret Service, or accept 0600 files (IGCTL_REQUIRE_SECURE_STORAGE=1 makes this an error)", 0)
	}

	// the token, as the gateway will check it
	tok, tokErr := s.TokenFunc(f)(ctx, false)
	if tokErr != nil {
		r.add("token", Fail, tokErr.Error(), exitcode.HintOf(tokErr), exitcode.Of(tokErr))
	} else {
		want := token.Expect{}
		if prof != nil {
			want.Issuer, want.ClientID = prof.Issuer, prof.ClientID
		}
		claims, err := token.Decode(tok)
		if err != nil {
			r.add("token", Fail, err.Error(), "the gateway accepts only JWT access tokens", exitcode.Auth)
		} else {
			rep := token.Inspect(claims, want, f.Now())
			if issuerOK {
				if err := token.VerifySignature(ctx, hc, want.Issuer, tok); err != nil {
					rep.Checks = append(rep.Checks, token.Check{Name: "signature", Detail: err.Error()})
				} else {
					rep.Checks = append(rep.Checks, token.Check{Name: "signature", OK: true})
				}
			}
			var bad []string
			for _, c := range rep.Checks {
				if !c.OK {
					bad = append(bad, c.Name+": "+c.Detail)
				}
			}
			if len(bad) > 0 {
				r.add("token", Fail, strings.Join(bad, "; "), "fix the client in Keycloak (audience mapper) or the profile's issuer, then `igctl login`", exitcode.Auth)
			} else {
				exp := time.Unix(*claims.Expiry, 0)
				r.add("token", OK, fmt.Sprintf("valid %s, iss and aud right%s", cmdutil.Until(exp, f.Now()), map[bool]string{true: ", signature verified", false: ""}[issuerOK]), "", 0)
			}
		}
	}

	// the gateway
	if gwErr != nil {
		r.add("gateway health", Skip, "no gateway URL", exitcode.HintOf(gwErr), 0)
		r.add("gateway auth", Skip, "no gateway URL", "", 0)
	} else {
		if healthErr != nil {
			r.add("gateway health", Fail, healthErr.Error(), "start the gateway, or fix --gateway / gateway_url", exitcode.Of(healthErr))
			r.add("gateway auth", Skip, "gateway unreachable", "", 0)
		} else {
			r.add("gateway health", OK, base+"/health answers", "", 0)
			switch _, list, err := gw.Models(ctx, "", nil); {
			case tokErr != nil:
				r.add("gateway auth", Skip, "no token", "", 0)
			case errors.Is(err, gateway.ErrUnauthorized):
				e := s.Explain401(f)
				r.add("gateway auth", Fail, e.Error(), exitcode.HintOf(e), exitcode.Auth)
			case err != nil:
				r.add("gateway auth", Fail, err.Error(), "", exitcode.Of(err))
			default:
				r.add("gateway auth", OK, fmt.Sprintf("GET /v1/models authorised (%d models)", len(list.Data)), "", 0)
			}
		}
	}
	if opts.Agent != "" {
		checkAgent(ctx, r, hc, strings.TrimRight(opts.Agent, "/"), tok)
	}
	return finish(f, opts, r)
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
	if resp.StatusCode != 200 {
		r.add("discovery", Fail, fmt.Sprintf("%s: HTTP %d", u, resp.StatusCode), "is the realm name right? Keycloak issuers look like https://HOST/realms/REALM", exitcode.Config)
	} else {
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

// checkAgent reads an ADK agent's public card and calls its JSON-RPC
// endpoint with the token. The ADK answers a rejected token with HTTP 401,
// WWW-Authenticate: Bearer and a JSON-RPC error -32001 carrying data.reason.
func checkAgent(ctx context.Context, r *report, hc *http.Client, base, tok string) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/.well-known/agent-card.json", nil)
	resp, err := hc.Do(req)
	if err != nil {
		r.add("agent card", Fail, err.Error(), "check --agent", exitcode.Network)
		return
	}
	var card struct {
		Name            string                    `json:"name"`
		URL             string                    `json:"url"`
		SecuritySchemes map[string]map[string]any `json:"securitySchemes"`
	}
	err = json.NewDecoder(resp.Body).Decode(&card)
	resp.Body.Close()
	if resp.StatusCode != 200 || err != nil {
		r.add("agent card", Fail, fmt.Sprintf("%s/.well-known/agent-card.json: HTTP %d", base, resp.StatusCode), "", exitcode.Unexpected)
		return
	}
	var schemes []string
	for name, sch := range card.SecuritySchemes {
		d := fmt.Sprint(sch["type"])
		if u, ok := sch["openIdConnectUrl"]; ok {
			d += " " + fmt.Sprint(u)
		}
		schemes = append(schemes, name+" ("+d+")")
	}
	if len(schemes) == 0 {
		r.add("agent card", Warn, card.Name+" advertises no security scheme", "decorate the card with the auth config (decorateAgentCardWithAuth) so clients know a token is needed", 0)
	} else {
		r.add("agent card", OK, card.Name+": "+strings.Join(schemes, ", "), "", 0)
	}
	endpoint := card.URL
	if endpoint == "" {
		endpoint = base + "/"
	}
	if tok == "" {
		r.add("agent auth", Skip, "no token", "", 0)
		return
	}
	probe := []byte(`{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"id":"igctl-doctor-probe"}}`)
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(probe))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = hc.Do(req)
	if err != nil {
		r.add("agent auth", Fail, err.Error(), "", exitcode.Network)
		return
	}
	defer resp.Body.Close()
	var rpc struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Data    struct {
				Reason string `json:"reason"`
			} `json:"data"`
		} `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&rpc)
	if resp.StatusCode == http.StatusUnauthorized {
		reason := "unknown"
		if rpc.Error != nil && rpc.Error.Data.Reason != "" {
			reason = rpc.Error.Data.Reason
		}
		r.add("agent auth", Fail, fmt.Sprintf("the agent rejected the token (-32001, reason %s)", reason), agentFix(reason), exitcode.Auth)
		return
	}
	if resp.StatusCode/100 != 2 {
		r.add("agent auth", Fail, fmt.Sprintf("%s: HTTP %d", endpoint, resp.StatusCode), "", exitcode.Unexpected)
		return
	}
	r.add("agent auth", OK, "JSON-RPC at "+endpoint+" accepted the token", "", 0)
}

func agentFix(reason string) string {
	switch reason {
	case "invalid_audience":
		return "the agent's AUTH_CLIENT_ID must be in the token's aud: add an audience mapper for it in Keycloak"
	case "invalid_issuer":
		return "the agent's AUTH_ISSUER_URL must equal the token's iss byte for byte"
	case "expired":
		return "`igctl token --force-refresh`, and check the clocks"
	case "invalid_signature":
		return "the agent trusts another issuer's keys: check AUTH_ISSUER_URL"
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
