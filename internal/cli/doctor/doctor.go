// Package doctor implements `igctl doctor`: every reason for a 401, checked
// in order. doctor.go holds the command and its steps, issuer.go the
// discovery and clock checks, agent.go the ADK agent's, gatewayenv.go what
// the gateway's .env tells, report.go the one renderer.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/gateway"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/token"
)

// Options for `igctl doctor`: what doctorRun and its checks read, and nothing else.
type Options struct {
	IO         *iostreams.IOStreams
	Config     func() (*config.Config, error) // --gateway-env saves what it learns in config.yaml
	Session    func() (*cmdutil.Session, error)
	GatewayURL func(flag string, p *config.Profile) (string, error)
	HTTPClient func(caFile string) (*http.Client, error)
	TokenStore func() (token.Store, error)
	Getenv     func(string) string
	Now        func() time.Time
	Verbosef   func(string, ...any)

	Gateway    string
	Agent      string
	GatewayEnv string // the .env the gateway runs from
	JSON       bool

	gatewayEnv *envmap.File
}

// NewOptions wires Options to f: the getters are f's, read when the command runs.
func NewOptions(f *cmdutil.Factory) *Options {
	return &Options{IO: f.IO, Config: f.Config, Session: f.Session, GatewayURL: f.GatewayURL, HTTPClient: f.HTTPClient,
		TokenStore: f.TokenStore, Verbosef: f.Verbosef,
		Getenv: func(k string) string { return f.Getenv(k) }, Now: func() time.Time { return f.Now() }}
}

// NewCmdDoctor builds the command; runF replaces the run function in tests.
func NewCmdDoctor(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := NewOptions(f)
	cmd := &cobra.Command{
		Use:     "doctor",
		GroupID: "auth",
		Short:   "Check, in order, everything that makes the gateway answer 401",
		Long: `Check the active profile end to end, each step OK, WARN, FAIL or SKIP with a fix:
issuer discovery reachable, TLS trust, the discovery document's issuer equal to the
configured one byte for byte, the clock (against the issuer's Date header; Keycloak
itself sends none, so usually the gateway's, else the stored token's iat), the
token store, what the gateway expects, the token checked as the gateway checks it
(the signature against its issuer's keys, then iss, aud, exp: the order of the
gateway's verifier, so the first failure is the one its log names), the
gateway's /health, that the gateway refuses a request without a token (a 200
means authentication is OFF: a failure, exit 3), and an authorised
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
			f.ReportStore = true // doctor says where tokens are kept: the fallback warning belongs here
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

// run is one doctor run: what the checks learn and share, in order.
type run struct {
	ctx  context.Context
	opts *Options
	r    *report
	s    *cmdutil.Session
	prof *config.Profile
	hc   *http.Client

	issuerOK  bool    // discovery answered with exactly the configured issuer
	issuerOff *offset // clock offset measured at the issuer, if any

	base      string // the gateway's URL, when one is known
	gwErr     error  // why there is none
	gw        *gateway.Client
	healthErr error
	gwOff     *offset

	want   token.Expect // what the gateway expects of a token
	tok    string
	tokErr error

	// store is the token store, opened once: the session reads the token
	// through it too, so a keyring that failed (a hung one costs its
	// timeout) is asked no more in this run.
	store    token.Store
	storeErr error
}

// steps are doctor's checks in the order they are reported. Each adds its
// lines to the report; a later step may use what an earlier one learned.
var steps = []struct {
	name string
	run  func(*run)
}{
	{"issuer discovery, TLS and the exact issuer", (*run).checkDiscovery},
	{"the gateway's /health (also a clock source)", (*run).askHealth},
	{"clock", (*run).checkClock},
	{"token store", (*run).checkStore},
	{"the client assertion's source (federated profiles)", (*run).checkAssertion},
	{"what the gateway expects", (*run).checkExpectation},
	{"the token, as the gateway checks it", (*run).checkToken},
	{"the gateway: up, authentication on, the token accepted", (*run).checkGateway},
	{"the ADK agent (--agent)", (*run).checkAgent},
}

func doctorRun(ctx context.Context, opts *Options) error {
	s, err := opts.Session()
	if err != nil {
		return err
	}
	if opts.GatewayEnv != "" {
		prof, err := learnGatewayEnv(opts, s)
		if err != nil {
			return err
		}
		s.Profile = prof
	}
	hc, err := opts.HTTPClient(s.CAFile())
	if err != nil {
		return err
	}
	d := &run{ctx: ctx, opts: opts, r: &report{}, s: s, prof: s.Profile, hc: hc}
	if opts.Getenv("IGCTL_TOKEN") == "" {
		d.store, d.storeErr = opts.TokenStore()
		if d.storeErr == nil && s.Manager != nil {
			s.Manager.Store = d.store
		}
	}
	for _, step := range steps {
		opts.Verbosef("doctor: %s", step.name)
		step.run(d)
	}
	return finish(opts, d.r)
}

func (d *run) checkDiscovery() {
	if d.prof == nil || d.prof.Issuer == "" {
		d.r.add("discovery", Skip, "no issuer in the profile (IGCTL_TOKEN only)", "", "")
		return
	}
	d.issuerOK, d.issuerOff = checkIssuer(d.ctx, d.r, d.hc, d.prof.Issuer, d.opts.Now)
}

// askHealth asks /health once: its Date header may time the clock check,
// and its answer is the gateway health check further down.
func (d *run) askHealth() {
	d.base, d.gwErr = d.opts.GatewayURL(d.opts.Gateway, d.prof)
	d.gw = &gateway.Client{BaseURL: d.base, HTTP: d.hc, Token: d.s.TokenFunc()}
	if d.gwErr != nil {
		return
	}
	sent := d.opts.Now()
	var date time.Time
	date, d.healthErr = d.gw.Health(d.ctx)
	d.gwOff = dateOffset(date, sent, d.opts.Now(), "the gateway's Date header")
}

func (d *run) checkClock() { checkClock(d.r, d.issuerOff, d.gwOff, d.s) }

func (d *run) checkStore() {
	r, opts := d.r, d.opts
	if opts.Getenv("IGCTL_TOKEN") != "" {
		r.add("token store", Skip, "IGCTL_TOKEN is set and wins over the store", "", "")
		return
	}
	st, err := d.store, d.storeErr
	if err != nil {
		r.add("token store", Fail, err.Error(), cmdutil.HintOf(err), cmdutil.Class(err))
		return
	}
	// one keyring round trip (up to its timeout when the keyring hangs),
	// none when the keyring already failed in this run
	probeErr := st.Probe(d.s.Name)
	// after the probe: a token sealed with a key in a keyring that failed
	// is the keyring store's, not the file store's
	kind := st.Kind()
	switch {
	case probeErr != nil:
		state := "locked or unreachable"
		if errors.Is(probeErr, token.ErrKeyringTimeout) {
			state = "hung (it did not answer)"
		}
		what := "tokens sealed with its keys cannot be read until then"
		if kind == "keyring" {
			what = fmt.Sprintf("the token of profile %s is sealed with a key it keeps (keyring store), and cannot be read until then", d.s.Name)
		}
		r.add("token store", Fail, "the OS keyring is "+state+": "+probeErr.Error(),
			"unlock the keyring (log in to the desktop session, or start gnome-keyring with --unlock); "+what, cmdutil.NoStorage)
	case kind == "keyring":
		r.add("token store", OK, "OS keyring (key) + sealed 0600 file", "", "")
	case kind == "file" && opts.Getenv("IGCTL_REQUIRE_SECURE_STORAGE") == "1":
		r.add("token store", Fail, "file store: the token is in a 0600 file, not protected by an OS keyring, and IGCTL_REQUIRE_SECURE_STORAGE=1 refuses it",
			cmdutil.HintOf(fault.New(token.InsecureFile, errors.New(""), fault.Facts{})), cmdutil.NoStorage)
	default:
		r.add("token store", Warn, kind+" store: tokens are not protected by an OS keyring", "run in a desktop session with a Secret Service, or accept 0600 files (IGCTL_REQUIRE_SECURE_STORAGE=1 makes this an error)", "")
	}
}

// checkAssertion shows where a federated profile's client assertion comes
// from and whether it can be read now; it mints nothing.
func (d *run) checkAssertion() {
	if d.prof == nil || d.prof.ClientAssertion == "" {
		return
	}
	src, err := token.ParseAssertionSource(d.prof.ClientAssertion)
	if err == nil {
		err = token.CheckAssertionSource(src, d.opts.Getenv)
	}
	if err != nil {
		d.r.add("client assertion", Fail, d.prof.ClientAssertion+": "+err.Error(), cmdutil.HintOf(err), cmdutil.Class(err))
		return
	}
	d.r.add("client assertion", OK, d.prof.ClientAssertion+" (readable)", "", "")
}

func (d *run) checkExpectation() {
	d.want = cmdutil.GatewayExpect(d.prof)
	switch {
	case cmdutil.KnowsGateway(d.prof):
		d.r.add("gateway expects", OK, fmt.Sprintf("iss %s, aud containing %s", d.prof.GatewayIssuer, d.prof.GatewayClientID), "", "")
	case d.prof != nil:
		d.r.add("gateway expects", Warn, "unknown: the checks below assume the profile's issuer and client id",
			"`igctl doctor --gateway-env FILE` with the .env the gateway runs from (remembered in the profile)", "")
	default:
		d.r.add("gateway expects", Warn, "unknown: no profile, and no --gateway-env", "pass --gateway-env FILE with the .env the gateway runs from", "")
	}
}

func (d *run) checkToken() {
	d.tok, d.tokErr = d.s.TokenFunc()(d.ctx, false)
	if d.tokErr != nil {
		d.r.add("token", Fail, d.tokErr.Error(), cmdutil.HintOf(d.tokErr), cmdutil.Class(d.tokErr))
		return
	}
	keys := d.hc
	if !d.issuerOK && d.prof != nil && d.want.Issuer == d.prof.Issuer {
		keys = nil // the issuer's discovery failed above: no keys to check against
	}
	diag := cmdutil.Diagnose(d.ctx, keys, d.tok, d.want, d.opts.Now())
	if diag.First() != nil {
		e := cmdutil.Explain(diag, d.s.FromEnv(), d.prof, d.opts.IO.CanPrompt())
		d.r.add("token", Fail, e.Cause, e.Fix, cmdutil.AuthFailed)
		return
	}
	exp := time.Unix(*diag.Claims.Expiry, 0)
	detail := fmt.Sprintf("valid (expires %s), iss and aud as expected", cmdutil.Until(exp, d.opts.Now()))
	if keys != nil && d.want.Issuer != "" && len(diag.Unchecked) == 0 {
		detail += ", signature verified"
	}
	if len(diag.Unchecked) > 0 {
		detail += "; not checked: " + strings.Join(diag.Unchecked, "; ")
	}
	d.r.add("token", OK, detail, "", "")
}

func (d *run) checkGateway() {
	r := d.r
	switch {
	case errors.Is(d.gwErr, cmdutil.ErrNoGatewayURL):
		r.add("gateway health", Skip, "no gateway URL", cmdutil.HintOf(d.gwErr), "")
		r.add("gateway auth", Skip, "no gateway URL", "", "")
		return
	case d.gwErr != nil: // a URL was given, and it is not one
		r.add("gateway health", Fail, d.gwErr.Error(), cmdutil.HintOf(d.gwErr), cmdutil.Class(d.gwErr))
		r.add("gateway auth", Skip, "no usable gateway URL", "", "")
		return
	case fault.KindOf(d.healthErr) == gateway.NotFound:
		// judged as models judges it: not the gateway's base URL
		r.add("gateway health", Fail, d.healthErr.Error(), cmdutil.HintOf(d.healthErr), cmdutil.Class(d.healthErr))
		r.add("gateway auth", Skip, "not the gateway's base URL", "", "")
		return
	case d.healthErr != nil:
		r.add("gateway health", Fail, d.healthErr.Error(), "start the gateway, or fix --gateway / gateway_url", cmdutil.Class(d.healthErr))
		r.add("gateway auth", Skip, "gateway unreachable", "", "")
		return
	}
	r.add("gateway health", OK, d.base+"/health answers", "", "")
	switch off, err := d.gw.AuthOff(d.ctx); {
	case err != nil:
		r.add("gateway auth", Fail, "GET /v1/models without a token: "+err.Error(), "", cmdutil.Class(err))
		return
	case off:
		r.add("gateway auth", Fail, "authentication is OFF: GET /v1/models answered 200 without any token, so the gateway serves everyone",
			gatewayAuthOffCause(d.opts.gatewayEnv), cmdutil.BadConfig)
		return
	case d.tokErr != nil:
		r.add("gateway auth", Skip, "no token (without one the gateway answers 401: authentication is on)", "", "")
		return
	}
	switch _, list, err := d.gw.Models(d.ctx, "", nil); {
	case errors.Is(err, gateway.ErrUnauthorized):
		e := d.s.Explain401(d.ctx, d.hc)
		r.add("gateway auth", Fail, e.Error(), cmdutil.HintOf(e), cmdutil.AuthFailed)
	case err != nil:
		r.add("gateway auth", Fail, err.Error(), "", cmdutil.Class(err))
	default:
		r.add("gateway auth", OK, fmt.Sprintf("authentication on (401 without a token); GET /v1/models with the token authorised (%d models)", len(list.Data)), "", "")
	}
}

func (d *run) checkAgent() {
	if d.opts.Agent == "" {
		return
	}
	var claims token.Claims
	if c, err := token.Decode(d.tok); err == nil {
		claims = *c
	}
	checkAgent(d.ctx, d.r, d.hc, strings.TrimRight(d.opts.Agent, "/"), d.tok, agentTokenFacts{claims: claims, fromEnv: d.s.FromEnv()})
}
