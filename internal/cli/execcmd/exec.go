// Package execcmd implements `igctl exec`: run a command with the
// environment OpenAI-compatible clients and infer read, holding a fresh
// token, or the address and key of an ephemeral `igctl proxy`.
package execcmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/cli/proxycmd"
	"github.com/inference-gateway/igctl/internal/proxy"
	"github.com/inference-gateway/igctl/internal/token"
)

// Options for `igctl exec`: what execRun reads, and nothing else.
type Options struct {
	// Deps are the session, the gateway URL, the clock, -v's output and
	// the terminal, and what --proxy's upstream needs besides.
	proxycmd.Deps
	CheckEnvToken func(env string, minValid time.Duration, strict bool) (*token.Claims, error)
	Verbose       func() bool // -v: --proxy's access log goes to stderr too

	Gateway        string
	Proxy          bool
	BaseURLVars    []string
	GatewayURLVars []string
	APIKeyVars     []string
	MinValid       time.Duration
	Argv           []string
	// Environ is the environment the command inherits (os.Environ).
	Environ func() []string
	// Exit ends igctl with the command's status once everything is cleaned
	// up (os.Exit); tests replace it.
	Exit func(code int)
}

// NewOptions wires Options to f: the getters are f's, read when the command runs.
func NewOptions(f *cmdutil.Factory) *Options {
	return &Options{Deps: proxycmd.NewDeps(f), CheckEnvToken: f.CheckEnvToken,
		Verbose: func() bool { return f.Globals.Verbose }, Environ: os.Environ, Exit: os.Exit}
}

// NewCmdExec builds the command; runF replaces the run function in tests.
func NewCmdExec(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := NewOptions(f)
	cmd := &cobra.Command{
		Use:     "exec [--proxy] -- COMMAND [ARGS...]",
		GroupID: "auth",
		Short:   "Run a command with the gateway's URL and a token (or a local proxy) in its environment",
		Long: `Run COMMAND with the environment that OpenAI-compatible clients and infer read:
  OPENAI_BASE_URL      the gateway's URL + /v1        (--base-url-var)
  INFER_GATEWAY_URL    the gateway's URL              (--gateway-url-var)
  OPENAI_API_KEY       the key                        (--api-key-var)
  INFER_GATEWAY_API_KEY the key
Without --proxy the URLs are the gateway's and the key is a fresh access token
(valid for at least --min-valid where the issuer's tokens live that long):
enough for short commands; when the issuer's tokens live less than 10 minutes,
a warning on stderr says when the token expires. With --proxy igctl starts a proxy on a free loopback
port for the command's lifetime, with a one-time local key, and the URLs point
at it: the proxy renews the token, so long sessions never see one expire.

The token never appears in any process's arguments, only in the command's
environment. COMMAND's exit status becomes igctl's; without --proxy igctl
replaces itself with COMMAND (Unix), so signals reach it directly; with
--proxy, SIGTERM, SIGHUP, SIGUSR1/2 and a SIGINT not sent by the terminal
are passed on to it. Passing a variable flag replaces its default list; an
empty value (--api-key-var=) sets none.`,
		Example: `  igctl exec -- python chat.py
  igctl exec --proxy -- infer chat
  igctl exec --api-key-var LLM_API_KEY --base-url-var LLM_BASE_URL -- ./agent`,
		Annotations: map[string]string{cmdutil.NoCommandDeadline: "true"},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmdutil.Fail(cmdutil.Usage, errors.New("no command to run"), "igctl exec [--proxy] -- COMMAND [ARGS...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Argv = args
			for _, list := range [][]string{opts.BaseURLVars, opts.GatewayURLVars, opts.APIKeyVars} {
				for _, v := range list {
					if !envName.MatchString(v) {
						return cmdutil.FlagError("%q is not an environment variable name", v)
					}
				}
			}
			if opts.MinValid < 0 {
				return cmdutil.FlagError("--min-valid must not be negative")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return execRun(cmd.Context(), opts)
		},
	}
	// Everything after COMMAND belongs to it, flags included.
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().BoolVar(&opts.Proxy, "proxy", false, "run an ephemeral proxy for the command's lifetime (renews tokens; for long sessions)")
	cmd.Flags().StringVar(&opts.Gateway, "gateway", "", "gateway base URL (else IGCTL_GATEWAY_URL, else the profile's gateway_url)")
	cmd.Flags().StringSliceVar(&opts.BaseURLVars, "base-url-var", []string{"OPENAI_BASE_URL"}, "variables set to the OpenAI-style base URL (gateway URL + /v1)")
	cmd.Flags().StringSliceVar(&opts.GatewayURLVars, "gateway-url-var", []string{"INFER_GATEWAY_URL"}, "variables set to the gateway's own URL")
	cmd.Flags().StringSliceVar(&opts.APIKeyVars, "api-key-var", []string{"OPENAI_API_KEY", "INFER_GATEWAY_API_KEY"}, "variables set to the token (or the proxy's key)")
	cmd.Flags().DurationVar(&opts.MinValid, "min-valid", time.Minute, "without --proxy: refresh first unless the token stays valid this long")
	return cmd
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func execRun(ctx context.Context, opts *Options) error {
	path, err := exec.LookPath(opts.Argv[0])
	if err != nil {
		return cmdutil.Fail(cmdutil.Usage, fmt.Errorf("cannot run %s: %w", opts.Argv[0], errors.Unwrap(err)), lookPathHint(opts.Argv[0], err))
	}
	if opts.Proxy {
		return runWithProxy(ctx, opts, path)
	}
	s, err := opts.Session()
	if err != nil {
		return err
	}
	base, err := opts.GatewayURL(opts.Gateway, s.Profile)
	if err != nil {
		return err
	}
	tctx, cancel := context.WithTimeout(ctx, opts.Timeout())
	defer cancel()
	var tok string
	var issued, expiry time.Time // the token's whole life, zero where unknown
	if s.FromEnv() {
		tok = opts.Getenv("IGCTL_TOKEN")
		c, err := opts.CheckEnvToken(tok, opts.MinValid, false)
		if err != nil {
			return err
		}
		if c != nil && c.Expiry != nil {
			expiry = time.Unix(*c.Expiry, 0)
			if c.IssuedAt != nil {
				issued = time.Unix(*c.IssuedAt, 0)
			}
		}
	} else {
		// refreshed first unless it stays valid for --min-valid
		res, err := s.Manager.Best(tctx, s.Name, opts.MinValid, false)
		if err != nil {
			return err
		}
		tok = res.AccessToken
		issued, expiry = res.ObtainedAt, res.Expiry
		opts.Verbosef("the token is valid until %s", res.Expiry.Local().Format("15:04:05"))
	}
	warnShortLived(opts, issued, expiry)
	env := withVars(opts.Environ(), opts, base, tok)
	code, err := replaceOrRun(path, opts.Argv, env, opts.IO)
	if err != nil {
		return err
	}
	if code != 0 {
		opts.Exit(code)
	}
	return nil
}

// ShortLife is the token lifetime below which exec warns that a long
// command will outlive its token.
const ShortLife = 10 * time.Minute

// warnShortLived says once, on stderr, when the token handed to the command
// expires, if the issuer's tokens live less than ShortLife: nothing renews
// a token in a command's environment, and a command that runs longer gets
// 401s from the gateway.
func warnShortLived(opts *Options, issued, expiry time.Time) {
	if expiry.IsZero() || issued.IsZero() || expiry.Sub(issued) >= ShortLife {
		return
	}
	now := opts.Now()
	opts.IO.Warn("the token handed to %s expires at %s (in %s; the issuer's tokens live %s), and nothing renews it there: for a command that runs longer, `igctl exec --proxy -- %s` keeps the session going",
		opts.Argv[0], expiry.Local().Format("15:04:05"), expiry.Sub(now).Round(time.Second), expiry.Sub(issued).Round(time.Second), cmdutil.ShellQuote(opts.Argv[0]))
}

// lookPathHint names why COMMAND cannot be started: not on PATH, no such
// file, or not executable. igctl's own usage is not the problem.
func lookPathHint(name string, err error) string {
	switch {
	case errors.Is(err, exec.ErrNotFound):
		return fmt.Sprintf("%s was not found on PATH: check its spelling or install it (a program in this directory is ./%s)", name, name)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("there is no file %s", name)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf("%s is not executable: chmod +x %s", name, name)
	}
	return ""
}

// runWithProxy serves an ephemeral proxy on a free loopback port with a
// one-time key for as long as the command runs.
func runWithProxy(ctx context.Context, opts *Options, path string) error {
	up, err := proxycmd.NewUpstream(ctx, opts.Deps, opts.Gateway)
	if err != nil {
		return err
	}
	ln, err := proxycmd.Listen("127.0.0.1:0")
	if err != nil {
		return err
	}
	key := proxy.NewKey()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The access log would mix with the command's own output: -v shows it.
	srv := proxycmd.Serve(runCtx, ln, up.Handler(key, opts.Verbose()), up)
	local := "http://" + ln.Addr().String()
	opts.Verbosef("proxy for the command: %s -> %s", local, up.URL.Redacted())
	env := withVars(opts.Environ(), opts, local, key)
	code, err := runChild(path, opts.Argv, env, opts.IO)
	if cut := srv.Drain(5*time.Second, nil); cut > 0 {
		opts.Verbosef("cut %d request(s) the command left open", cut)
	}
	cancel()
	if err != nil {
		return err
	}
	if code != 0 {
		opts.Exit(code)
	}
	return nil
}

// withVars returns environ with the gateway's variables set (replacing any
// inherited values of the same names).
func withVars(environ []string, opts *Options, base, key string) []string {
	base = strings.TrimRight(base, "/")
	set := map[string]string{}
	for _, v := range opts.GatewayURLVars {
		set[v] = base
	}
	for _, v := range opts.BaseURLVars {
		set[v] = base + "/v1"
	}
	for _, v := range opts.APIKeyVars {
		set[v] = key
	}
	out := make([]string, 0, len(environ)+len(set))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := set[name]; !ok {
			out = append(out, kv)
		}
	}
	for _, group := range [][]string{opts.GatewayURLVars, opts.BaseURLVars, opts.APIKeyVars} {
		for _, v := range group {
			if val, ok := set[v]; ok {
				out = append(out, v+"="+val)
				delete(set, v)
			}
		}
	}
	return out
}
