// Package tokencmd implements `igctl token` and `igctl token inspect`.
package tokencmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/token"
)

// Formats of `igctl token`.
var Formats = []string{"raw", "json", "env", "header", "curl"}

// Options for `igctl token`: what tokenRun reads, and nothing else.
type Options struct {
	IO           *iostreams.IOStreams
	Config       func() (*config.Config, error)
	Profile      func() string // --profile or IGCTL_PROFILE, "" when neither is set
	TokenManager func(caFile string) (*token.Manager, error)
	// CheckEnvToken applies --min-valid to IGCTL_TOKEN (f.CheckEnvToken).
	CheckEnvToken func(env string, minValid time.Duration, strict bool) (*token.Claims, error)
	Getenv        func(string) string
	Now           func() time.Time
	Verbosef      func(string, ...any)

	Format       string
	MinValid     time.Duration
	ForceRefresh bool

	minValidSet bool
}

// NewOptions wires Options to f: the getters are f's, read when the command runs.
func NewOptions(f *cmdutil.Factory) *Options {
	return &Options{IO: f.IO, Config: f.Config, Profile: f.ExplicitProfile, TokenManager: f.TokenManager,
		CheckEnvToken: f.CheckEnvToken, Verbosef: f.Verbosef,
		Getenv: func(k string) string { return f.Getenv(k) }, Now: func() time.Time { return f.Now() }}
}

// NewCmdToken builds `igctl token` with its `inspect` subcommand.
func NewCmdToken(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := NewOptions(f)
	cmd := &cobra.Command{
		Use:     "token",
		GroupID: "auth",
		Short:   "Print a valid access token, refreshing it first when needed",
		Long: `Print the profile's access token on stdout, refreshing it first when less than
--min-valid remains (refresh token for the password grant, a new grant from the
stored secret for client credentials). IGCTL_TOKEN in the environment wins; since
igctl cannot refresh it, an IGCTL_TOKEN that has expired, or has less than
--min-valid left, fails with exit 4, and --force-refresh with it is a usage error.

Formats: raw (the token and a newline), json, env (IGCTL_TOKEN=… lines for
$GITHUB_ENV or eval), header (an HTTP header line), curl (a curl config for
'curl -K -', which keeps the token out of every process's argv).`,
		Example: `  curl -H "$(igctl token --format header)" https://gateway/v1/models
  igctl token --format curl | curl -K - https://gateway/v1/models
  igctl token --format env >> "$GITHUB_ENV"`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !validFormat(opts.Format) {
				return cmdutil.FlagError("--format must be one of raw, json, env, header, curl; not %q", opts.Format)
			}
			if opts.MinValid < 0 {
				return cmdutil.FlagError("--min-valid must not be negative")
			}
			opts.minValidSet = cmd.Flags().Changed("min-valid")
			if runF != nil {
				return runF(opts)
			}
			return tokenRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "raw", "raw|json|env|header|curl")
	cmd.Flags().DurationVar(&opts.MinValid, "min-valid", 30*time.Second, "refresh when less than this remains")
	cmd.Flags().BoolVar(&opts.ForceRefresh, "force-refresh", false, "refresh even if the token is still valid")
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(Formats, cobra.ShellCompDirectiveNoFileComp))
	cmd.AddCommand(NewCmdInspect(f, nil))
	return cmd
}

func validFormat(f string) bool {
	for _, x := range Formats {
		if f == x {
			return true
		}
	}
	return false
}

// output is what every format is made from.
type output struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresAt   string `json:"expires_at,omitempty"`
	ExpiresIn   int64  `json:"expires_in,omitempty"`
	Scope       string `json:"scope,omitempty"`
	Issuer      string `json:"issuer,omitempty"`
	Profile     string `json:"profile,omitempty"`
}

func tokenRun(ctx context.Context, opts *Options) error {
	now := opts.Now()
	var out output
	if env := opts.Getenv("IGCTL_TOKEN"); env != "" {
		opts.Verbosef("using IGCTL_TOKEN from the environment")
		if opts.ForceRefresh {
			return cmdutil.FlagError("--force-refresh with IGCTL_TOKEN set: igctl cannot refresh a token from the environment; unset IGCTL_TOKEN to use the profile")
		}
		out = output{AccessToken: env, TokenType: "Bearer"}
		c, err := opts.CheckEnvToken(env, opts.MinValid, opts.minValidSet)
		if err != nil {
			return err
		}
		if c != nil {
			exp := time.Unix(*c.Expiry, 0)
			out.Issuer, out.Scope = c.Issuer, c.Scope
			out.ExpiresAt, out.ExpiresIn = exp.UTC().Format(time.RFC3339), int64(exp.Sub(now).Seconds())
		}
	} else {
		name, _, res, err := profileToken(ctx, profileSource{opts.Config, opts.Profile, opts.TokenManager}, opts.MinValid, opts.ForceRefresh)
		if err != nil {
			return err
		}
		if res.Refreshed {
			opts.Verbosef("refreshed the token of profile %s", name)
		}
		out = output{AccessToken: res.AccessToken, TokenType: tokenType(res.TokenType), Scope: res.Scope, Issuer: res.Issuer, Profile: name,
			ExpiresAt: res.Expiry.UTC().Format(time.RFC3339), ExpiresIn: int64(res.Expiry.Sub(now).Seconds())}
	}
	return write(opts.IO.Out, opts.Format, out)
}

func tokenType(t string) string {
	if t == "" || t == "bearer" {
		return "Bearer"
	}
	return t
}

// profileSource is what profileToken reads: getters of Options and InspectOptions.
type profileSource struct {
	config       func() (*config.Config, error)
	profile      func() string
	tokenManager func(caFile string) (*token.Manager, error)
}

// activeProfile resolves and loads the profile a command works on.
func activeProfile(src profileSource) (string, *config.Profile, error) {
	cfg, err := src.config()
	if err != nil {
		return "", nil, err
	}
	name := cfg.Resolve(src.profile())
	p, err := cfg.Get(name)
	return name, p, err
}

// profileToken returns the active profile's token, refreshed as needed.
func profileToken(ctx context.Context, src profileSource, minValid time.Duration, force bool) (string, *config.Profile, *token.Result, error) {
	name, prof, err := activeProfile(src)
	if err != nil {
		return "", nil, nil, err
	}
	m, err := src.tokenManager(prof.CAFile)
	if err != nil {
		return "", nil, nil, err
	}
	res, err := m.Get(ctx, name, minValid, force)
	return name, prof, res, err
}

func write(w io.Writer, format string, o output) error {
	var err error
	switch format {
	case "raw":
		_, err = fmt.Fprintln(w, o.AccessToken)
	case "json":
		err = json.NewEncoder(w).Encode(o)
	case "env":
		_, err = fmt.Fprintf(w, "IGCTL_TOKEN=%s\nIGCTL_TOKEN_EXPIRES_AT=%s\n", o.AccessToken, o.ExpiresAt)
	case "header":
		_, err = fmt.Fprintf(w, "Authorization: Bearer %s\n", o.AccessToken)
	case "curl":
		// curl config syntax: a quoted value; JWTs hold no quote or backslash,
		// but escape anyway so any opaque token stays one argument.
		_, err = fmt.Fprintf(w, "header = %s\n", strconv.Quote("Authorization: Bearer "+o.AccessToken))
	}
	return err
}
