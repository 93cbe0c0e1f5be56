// Package login implements `igctl login`.
package login

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/cli/loginflow"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/token"
)

// Options for `igctl login`: what loginRun reads, and nothing else.
type Options struct {
	IO         *iostreams.IOStreams
	Config     func() (*config.Config, error)
	TokenStore func() (token.Store, error) // for the client secret kept with the last login's token
	// HTTPClient asks the issuer's discovery document whether it offers
	// the browser login; the login's own requests go through CompleteLogin
	// and FinishLogin.
	HTTPClient func(caFile string) (*http.Client, error)
	ReadSecret func(cmdutil.SecretFlags, cmdutil.SecretSpec) (string, error)
	Getenv     func(string) string
	Now        func() time.Time
	Verbosef   func(string, ...any)
	Profile    func() string        // --profile or IGCTL_PROFILE, "" when neither is set
	CAFile     func() string        // --ca-file
	Timeout    func() time.Duration // --timeout
	// CompleteLogin runs the password or client-credentials grant, stores
	// the token and saves the profile (loginflow's Complete); FinishLogin
	// does the same around the browser and device grants (its Finish).
	CompleteLogin func(ctx context.Context, name string, prof config.Profile, req token.LoginRequest) error
	FinishLogin   func(ctx context.Context, name string, prof config.Profile, obtain loginflow.Obtain) error

	Issuer, ClientID, Grant, Username, Scope, GatewayURL string
	FromEnv                                              string
	// What the gateway expects of tokens (its AUTH_OIDC_ISSUER and
	// AUTH_OIDC_CLIENT_ID), when it differs from the client logged in with.
	GatewayIssuer, GatewayClientID string
	Secret, Password               cmdutil.SecretFlags
	// ClientAssertion is --client-assertion: the source of a CI platform's
	// token that authenticates the client instead of a secret;
	// ClientAssertionAudience the aud asked of GitHub (default: the issuer).
	ClientAssertion, ClientAssertionAudience string
	// Web and Device are --web and --device, shorthands for --grant
	// authcode and --grant device; NoBrowser shows the URL instead of
	// opening a browser.
	Web, Device, NoBrowser bool
	// Wait bounds how long a browser or device login waits for the person
	// (the root command adds it to --timeout for the whole command).
	Wait time.Duration
}

// DefaultWait is how long --web and --device wait for the person.
const DefaultWait = 5 * time.Minute

// NewOptions wires Options to f: the getters are f's, read when the command runs.
func NewOptions(f *cmdutil.Factory) *Options {
	flow := loginflow.New(f)
	return &Options{IO: f.IO, Config: f.Config, TokenStore: f.TokenStore, HTTPClient: f.HTTPClient,
		ReadSecret: f.ReadSecret, Verbosef: f.Verbosef, Profile: f.ExplicitProfile,
		Getenv:        func(k string) string { return f.Getenv(k) },
		Now:           func() time.Time { return f.Now() },
		CAFile:        func() string { return f.Globals.CAFile },
		Timeout:       func() time.Duration { return f.Globals.Timeout },
		CompleteLogin: flow.Complete, FinishLogin: flow.Finish}
}

// NewCmdLogin builds the command; runF replaces the run function in tests.
func NewCmdLogin(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := NewOptions(f)
	cmd := &cobra.Command{
		Use:     "login",
		GroupID: "auth",
		Short:   "Log in (browser, device code, password or client credentials) and store the token",
		Long: `Log in to an OIDC issuer (discovered through /.well-known/openid-configuration)
and store the token for the profile. Settings not given as flags come from the
profile, and the client secret of the last login is kept with its token in the
token store (never in config.yaml), so a second login needs no flags (the
password grant still asks for the password).

People log in with --web (--grant authcode): the authorization code grant with
PKCE (S256) in the system browser, which comes back to a one-shot server on
http://127.0.0.1:PORT/callback; one-time passwords, WebAuthn, required actions
and upstream identity providers all work there. --no-browser prints the URL
instead of opening it (IGCTL_BROWSER, else BROWSER, names the command that opens
URLs). On SSH sessions and headless machines, --device (--grant device) shows a
URL and a code to enter on any other device (and a QR code on a terminal); with
IGCTL_BROWSER set, igctl also hands it the URL. Both wait --wait (default 5m) for
you and need a client that allows them, such as the public client (no secret)
that ` + "`igctl keycloak bootstrap --public-client`" + ` creates.

Without --grant, --web or --device: --username means the password grant; on a
terminal, without a client secret given, the browser login when the issuer
offers it; otherwise the grant of the profile's last login, else client
credentials (CI).

Secrets are never flag values. The client secret comes from --client-secret-stdin,
--client-secret-file, IGCTL_CLIENT_SECRET, the one stored with the profile's
token, or a no-echo prompt; the password from --password-stdin, --password-file,
IGCTL_PASSWORD or a prompt.

In CI, --client-assertion SOURCE replaces the client secret with a token the CI
platform issues to the job (federated client authentication, RFC 7523):
github-actions asks GitHub's ID-token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL and
ACTIONS_ID_TOKEN_REQUEST_TOKEN, set in a job with permissions: id-token: write)
for a token whose aud is the issuer (or --client-assertion-audience); file:PATH
reads it from a file on every use (a Kubernetes projected service-account token,
which the kubelet rewrites); env:VAR from a variable (GitLab CI id_tokens). The
profile keeps the source, never the token, and every renewal asks it again.
` + "`igctl keycloak bootstrap --federated-client`" + ` sets up the client that trusts it.`,
		Example: `  # a person, in the browser, with the public client (no secret)
  igctl login --web --issuer https://kc.example.com/realms/inference-gateway-realm --client-id igctl

  # a person on an SSH session: a code to enter on the laptop or phone
  igctl login --device --issuer https://kc.example.com/realms/inference-gateway-realm --client-id igctl

  # a person, with the password grant (no OTP, no required actions)
  igctl login --issuer https://kc.example.com/realms/inference-gateway-realm \
    --client-id inference-gateway-client --username user --client-secret-file ./secret

  # CI, from the pipeline's secret store
  printf %s "$CLIENT_SECRET" | igctl login --grant client-credentials \
    --issuer "$ISSUER" --client-id inference-gateway-client --client-secret-stdin

  # CI without secrets: the job's own OIDC token authenticates the client
  # (GitHub Actions with permissions: id-token: write; file:PATH, env:VAR elsewhere)
  igctl login --grant client-credentials --issuer "$ISSUER" --client-id ci-pipeline \
    --client-assertion github-actions

  # issuer, client id and secret from a gateway or ADK .env
  igctl login --from-env .env --grant client-credentials`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Secret.Stdin && opts.Password.Stdin {
				return cmdutil.FlagError("--client-secret-stdin and --password-stdin cannot both read stdin: put one in a file")
			}
			if err := checkGrantFlags(opts); err != nil {
				return err
			}
			for _, u := range []struct{ flag, value string }{{"--issuer", opts.Issuer}, {"--gateway-url", opts.GatewayURL}, {"--gateway-issuer", opts.GatewayIssuer}} {
				if u.value == "" {
					continue
				}
				if err := config.CheckURL(u.value); err != nil {
					return cmdutil.FlagError("%s %q: %v", u.flag, config.ShowURL(u.value), err)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return loginRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Issuer, "issuer", "", "OIDC issuer URL, e.g. https://kc.example.com/realms/inference-gateway-realm")
	fl.StringVar(&opts.ClientID, "client-id", "", "OIDC client id")
	fl.StringVar(&opts.Grant, "grant", "", "authcode, device, password or client-credentials (default: password with --username; authcode for a person on a terminal)")
	fl.BoolVar(&opts.Web, "web", false, "log in in the browser: authorization code with PKCE on a loopback redirect (--grant authcode)")
	fl.BoolVar(&opts.Device, "device", false, "log in with a code entered on another device (--grant device)")
	fl.BoolVar(&opts.NoBrowser, "no-browser", false, "with --web, print the login URL instead of opening a browser")
	fl.DurationVar(&opts.Wait, "wait", DefaultWait, "how long --web and --device wait for you to finish in the browser (on top of --timeout)")
	fl.StringVar(&opts.Username, "username", "", "user name for the password grant (with --web, pre-filled on the login page)")
	fl.StringVar(&opts.Scope, "scope", "", "space-separated scopes to request")
	fl.StringVar(&opts.GatewayURL, "gateway-url", "", "gateway URL to remember in the profile")
	fl.StringVar(&opts.FromEnv, "from-env", "", "read issuer, client id and secret from a gateway or ADK .env file (a gateway's also tells what the gateway expects)")
	fl.StringVar(&opts.GatewayIssuer, "gateway-issuer", "", "the gateway's AUTH_OIDC_ISSUER, when it differs from --issuer (remembered; used to explain 401s)")
	fl.StringVar(&opts.GatewayClientID, "gateway-client-id", "", "the gateway's AUTH_OIDC_CLIENT_ID, which must be in aud, when you log in with another client")
	fl.BoolVar(&opts.Secret.Stdin, "client-secret-stdin", false, "read the client secret from stdin")
	fl.StringVar(&opts.Secret.File, "client-secret-file", "", "read the client secret from a file")
	fl.StringVar(&opts.ClientAssertion, "client-assertion", "", "authenticate the client with the CI platform's token instead of a secret: github-actions, file:PATH or env:VAR")
	fl.StringVar(&opts.ClientAssertionAudience, "client-assertion-audience", "", "the aud to ask GitHub for (default: the issuer URL, which Keycloak requires)")
	fl.BoolVar(&opts.Password.Stdin, "password-stdin", false, "read the password from stdin")
	fl.StringVar(&opts.Password.File, "password-file", "", "read the password from a file")
	return cmd
}

func loginRun(ctx context.Context, opts *Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	name := cfg.Resolve(opts.Profile())
	lp := &loginPlan{name: name, prof: *cfg.Ensure(name)} // a copy: the profile is only saved after a successful login
	if err := lp.applyFromEnv(opts); err != nil {
		return err
	}
	lp.applyFlags(opts)
	lp.chooseGrant(ctx, opts)
	prof := lp.prof
	interactive := prof.Grant == token.GrantAuthCode || prof.Grant == token.GrantDevice
	if timeout := opts.Timeout(); !interactive && timeout > 0 {
		// Only a person needs --wait: the other grants end by --timeout.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if err := lp.requireFields(); err != nil {
		return err
	}
	req := token.LoginRequest{Issuer: prof.Issuer, ClientID: prof.ClientID, Grant: prof.Grant, Username: prof.Username, Scope: prof.Scope,
		ClientAssertion: prof.ClientAssertion, ClientAssertionAudience: prof.ClientAssertionAudience, Getenv: opts.Getenv}
	if prof.ClientAssertion != "" {
		// no secret to read: the assertion source stands in for it
		opts.Verbosef("authenticating client %s with a client assertion from %s", prof.ClientID, prof.ClientAssertion)
		return opts.CompleteLogin(ctx, name, prof, req)
	}
	if err := lp.readSecrets(opts, interactive, &req); err != nil {
		return err
	}
	return runGrant(ctx, opts, name, prof, req)
}

// loginPlan is the profile a login is about to use, built from the saved
// profile, --from-env and the flags, with the facts that decide which
// secret to read.
type loginPlan struct {
	name          string
	prof          config.Profile
	fromEnvSecret string // the client secret --from-env found
	explicit      bool   // a client secret was given by flag or environment
}

// applyFromEnv takes issuer, client and secret from --from-env's file.
func (lp *loginPlan) applyFromEnv(opts *Options) error {
	if opts.FromEnv == "" {
		return nil
	}
	auth, err := readAuthEnv(opts.FromEnv)
	if err != nil {
		return err
	}
	prof := &lp.prof
	prof.Issuer, prof.ClientID, lp.fromEnvSecret = auth.Issuer, auth.ClientID, auth.ClientSecret
	if abs, err := filepath.Abs(opts.FromEnv); err == nil {
		prof.FromEnv = abs
	}
	if auth.Product == envmap.Gateway {
		prof.GatewayIssuer, prof.GatewayClientID = auth.Issuer, auth.ClientID
	}
	return nil
}

// applyFlags lets the flags given override the profile, and forgets the
// sources (assertion, .env file) that a new secret or user replaces.
func (lp *loginPlan) applyFlags(opts *Options) {
	prof := &lp.prof
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&prof.Issuer, opts.Issuer)
	set(&prof.ClientID, opts.ClientID)
	set(&prof.Username, opts.Username)
	set(&prof.Scope, opts.Scope)
	set(&prof.GatewayURL, opts.GatewayURL)
	set(&prof.GatewayIssuer, opts.GatewayIssuer)
	set(&prof.GatewayClientID, opts.GatewayClientID)
	if ca := opts.CAFile(); ca != "" {
		// remembered, so later refreshes trust the same CA without the flag
		if abs, err := filepath.Abs(ca); err == nil {
			prof.CAFile = abs
		}
	}
	lp.explicit = opts.Secret.Stdin || opts.Secret.File != "" || opts.Getenv("IGCTL_CLIENT_SECRET") != ""
	switch {
	case opts.ClientAssertion != "":
		prof.ClientAssertion, prof.ClientAssertionAudience = opts.ClientAssertion, opts.ClientAssertionAudience
	case lp.explicit || lp.fromEnvSecret != "" || opts.Username != "" || (opts.chosenGrant() != "" && opts.chosenGrant() != token.GrantClientCredentials):
		// a secret, a user or another grant now: the assertion source goes
		prof.ClientAssertion, prof.ClientAssertionAudience = "", ""
	}
	if opts.FromEnv == "" && (lp.explicit || opts.ClientID != "") {
		prof.FromEnv = "" // the secret now comes from elsewhere
	}
}

// chooseGrant settles the grant: the one asked for, else what the profile
// and the user name imply, else the browser for a person on a terminal.
func (lp *loginPlan) chooseGrant(ctx context.Context, opts *Options) {
	prof := &lp.prof
	chosen := opts.chosenGrant()
	if chosen == "" && prof.ClientAssertion != "" {
		chosen = token.GrantClientCredentials
	}
	switch {
	case chosen != "":
		prof.Grant = chosen
	case opts.Username != "":
		prof.Grant = token.GrantPassword
	case prof.Grant == "" && prof.Username != "":
		prof.Grant = token.GrantPassword
	case prof.Grant == "":
		prof.Grant = token.GrantClientCredentials
		// A person on a terminal, with no user name and no client secret:
		// the browser login, when the issuer offers it.
		if opts.IO.IsStdinTTY() && opts.IO.IsStderrTTY() && !lp.explicit && lp.fromEnvSecret == "" && prof.Issuer != "" && prof.ClientID != "" {
			if browserOffered(ctx, opts, *prof) {
				prof.Grant = token.GrantAuthCode
			}
		}
	}
	if prof.Grant == token.GrantClientCredentials {
		prof.Username = ""
	}
}

// requireFields refuses a profile that lacks what its grant needs.
func (lp *loginPlan) requireFields() error {
	prof := lp.prof
	var missing []string
	if prof.Issuer == "" {
		missing = append(missing, "--issuer")
	}
	if prof.ClientID == "" {
		missing = append(missing, "--client-id")
	}
	if prof.Grant == token.GrantPassword && prof.Username == "" {
		missing = append(missing, "--username")
	}
	if len(missing) > 0 {
		return cmdutil.Fail(cmdutil.Usage, fmt.Errorf("profile %q needs %s", lp.name, strings.Join(missing, ", ")), "or --from-env FILE")
	}
	return nil
}

// readSecrets fills req's client secret (from --from-env, the token store
// or the flags) and, for the password grant, the password.
func (lp *loginPlan) readSecrets(opts *Options, interactive bool, req *token.LoginRequest) error {
	name, prof, explicit, fromEnvSecret := lp.name, lp.prof, lp.explicit, lp.fromEnvSecret
	var err error
	stored := ""
	if !explicit && fromEnvSecret == "" {
		stored = storedClientSecret(opts, name, prof)
	}
	switch {
	case fromEnvSecret != "" && !opts.Secret.Stdin && opts.Secret.File == "":
		req.ClientSecret = fromEnvSecret
	case stored != "":
		// a second login needs no flags: the secret of the first is kept
		// with the token, in the token store (never in config.yaml)
		req.ClientSecret = stored
		opts.Verbosef("using the client secret stored with profile %s's token", name)
	case interactive && !explicit:
		// a person's client is public: nothing to ask for
	default:
		req.ClientSecret, err = opts.ReadSecret(opts.Secret, cmdutil.SecretSpec{
			What: "client secret", Flag: "client-secret", Env: "IGCTL_CLIENT_SECRET",
			Optional: prof.Grant == token.GrantPassword, // public clients have none
		})
		if err != nil {
			return err
		}
	}
	if prof.Grant == token.GrantPassword {
		req.Password, err = opts.ReadSecret(opts.Password, cmdutil.SecretSpec{What: "password", Flag: "password", Env: "IGCTL_PASSWORD"})
		if err != nil {
			return err
		}
	}
	return nil
}

// runGrant runs the login itself: the browser and the device grant wait for
// a person; the others complete at once.
func runGrant(ctx context.Context, opts *Options, name string, prof config.Profile, req token.LoginRequest) error {
	switch prof.Grant {
	case token.GrantAuthCode:
		return opts.FinishLogin(ctx, name, prof, func(ctx context.Context, hc *http.Client) (*token.Bundle, error) {
			return token.LoginAuthCode(ctx, hc, req, token.AuthCodeOptions{
				Open: func(u string) error { return showAuthURL(opts, u) },
				Warn: func(format string, a ...any) { opts.IO.Warn(format, a...) },
				Wait: opts.Wait,
			})
		})
	case token.GrantDevice:
		return opts.FinishLogin(ctx, name, prof, func(ctx context.Context, hc *http.Client) (*token.Bundle, error) {
			return token.LoginDevice(ctx, hc, req, token.DeviceOptions{
				Prompt: func(p token.DevicePrompt) error { return showDevicePrompt(opts, p) },
				Now:    opts.Now,
				Wait:   opts.Wait,
			})
		})
	}
	err := opts.CompleteLogin(ctx, name, prof, req)
	if prof.Grant == token.GrantPassword {
		err = passwordHint(err)
	}
	return err
}

// storedClientSecret is the client secret kept with the profile's token,
// when that token was issued to the same issuer and client.
func storedClientSecret(opts *Options, name string, prof config.Profile) string {
	store, err := opts.TokenStore()
	if err != nil {
		return ""
	}
	b, err := store.Load(name)
	if err != nil || b.Issuer != prof.Issuer || b.ClientID != prof.ClientID {
		return ""
	}
	return b.ClientSecret
}
