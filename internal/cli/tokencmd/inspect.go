package tokencmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/token"
)

// InspectOptions for `igctl token inspect`: what inspectRun reads, and nothing else.
type InspectOptions struct {
	IO           *iostreams.IOStreams
	Config       func() (*config.Config, error)
	Profile      func() string // --profile or IGCTL_PROFILE, "" when neither is set
	TokenManager func(caFile string) (*token.Manager, error)
	HTTPClient   func(caFile string) (*http.Client, error) // for --verify's JWKS
	Getenv       func(string) string
	Now          func() time.Time

	Arg    string // token, "-" for stdin, "" for the profile's token
	Verify bool
	JSON   bool
}

// NewInspectOptions wires InspectOptions to f: the getters are f's, read when the command runs.
func NewInspectOptions(f *cmdutil.Factory) *InspectOptions {
	return &InspectOptions{IO: f.IO, Config: f.Config, Profile: f.ExplicitProfile, TokenManager: f.TokenManager, HTTPClient: f.HTTPClient,
		Getenv: func(k string) string { return f.Getenv(k) }, Now: func() time.Time { return f.Now() }}
}

// NewCmdInspect builds `igctl token inspect [TOKEN|-]`.
func NewCmdInspect(f *cmdutil.Factory, runF func(*InspectOptions) error) *cobra.Command {
	opts := NewInspectOptions(f)
	cmd := &cobra.Command{
		Use:   "inspect [TOKEN|-]",
		Short: "Decode a JWT and check it the way the gateway will",
		Long: `Decode a JWT (default: IGCTL_TOKEN when set, else the profile's token; - reads
stdin) and check exp, nbf and iat against the local clock (reporting the clock
offset), iss against the gateway's issuer byte for byte, and that aud contains
the gateway's client id (the gateway's own settings when the profile records
them, else the profile's issuer and client id, as the output says). The result
is "unverified" unless --verify checks the signature against the issuer's JWKS.
Exit 4 when the gateway would reject the token.`,
		Args: cmdutil.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Arg = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return inspectRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Verify, "verify", false, "verify the signature against the issuer's JWKS")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func inspectRun(ctx context.Context, opts *InspectOptions) error {
	raw, want, caFile, err := inspectedToken(ctx, opts)
	if err != nil {
		return err
	}
	// Compare against the profile when there is one, even for a pasted token.
	var prof *config.Profile
	if cfg, err := opts.Config(); err == nil {
		if p, ok := cfg.Profiles[cfg.Resolve(opts.Profile())]; ok {
			prof = p
			receivedAt := want.ReceivedAt
			want = cmdutil.GatewayExpect(p)
			want.ReceivedAt = receivedAt
			if caFile == "" {
				caFile = p.CAFile
			}
		}
	}
	claims, err := token.Decode(raw)
	if err != nil {
		return cmdutil.Fail(cmdutil.Usage, err, "")
	}
	rep := token.Inspect(claims, want, opts.Now())
	if opts.Verify {
		if err := verifyInto(ctx, opts, rep, want, claims, raw, caFile); err != nil {
			return err
		}
	}
	if opts.JSON {
		if err := json.NewEncoder(opts.IO.Out).Encode(rep); err != nil {
			return err
		}
	} else {
		printReport(opts.IO.Out, rep)
	}
	if !rep.OK() {
		return rejection(opts, rep, raw, want, prof)
	}
	return nil
}

// inspectedToken is the token to inspect: from stdin ("-"), the argument,
// IGCTL_TOKEN, or else the profile's (with when it was received and the
// profile's CA file).
func inspectedToken(ctx context.Context, opts *InspectOptions) (raw string, want token.Expect, caFile string, err error) {
	raw = opts.Arg
	switch raw {
	case "-":
		b, err := io.ReadAll(io.LimitReader(opts.IO.In, 1<<20))
		if err != nil {
			return "", want, "", err
		}
		raw = strings.TrimSpace(string(b))
	case "":
		if env := opts.Getenv("IGCTL_TOKEN"); env != "" {
			return env, want, "", nil
		}
		_, prof, res, err := profileToken(ctx, profileSource{opts.Config, opts.Profile, opts.TokenManager}, 0, false)
		if err != nil {
			return "", want, "", err
		}
		raw, caFile = res.AccessToken, prof.CAFile
		want.ReceivedAt = res.ObtainedAt
	default:
		opts.IO.WarnOnce("token-argv", "a token given as an argument is visible to other users in the process list: prefer `igctl token inspect -`")
	}
	return raw, want, caFile, nil
}

// verifyInto checks the signature against the keys the gateway trusts:
// those of its issuer, whatever the token's iss says (the gateway checks the
// signature first, so a token from another realm fails here), and adds the
// verdict to rep. Keys that cannot be fetched give no verdict: an error.
func verifyInto(ctx context.Context, opts *InspectOptions, rep *token.Report, want token.Expect, claims *token.Claims, raw, caFile string) error {
	iss := want.Issuer
	if iss == "" {
		iss = claims.Issuer
	}
	hc, err := opts.HTTPClient(caFile)
	if err != nil {
		return err
	}
	if err := token.VerifySignature(ctx, hc, iss, raw); err != nil {
		switch {
		case unreachable(err):
			return err
		case !token.IsSignatureError(err):
			// the keys could not be fetched: no verdict on the token
			return cmdutil.Fail(cmdutil.Network, fmt.Errorf("cannot check the signature: %w", err), "check that the issuer is reachable")
		}
		rep.Checks = append(rep.Checks, token.Check{Name: "signature", OK: false, Detail: err.Error()})
		return nil
	}
	rep.Verified = true
	rep.Checks = append(rep.Checks, token.Check{Name: "signature", OK: true, Detail: "verified against " + iss + " JWKS"})
	return nil
}

// rejection is the error for a token the gateway would reject: the one
// cause the gateway would log first, and its fix.
func rejection(opts *InspectOptions, rep *token.Report, raw string, want token.Expect, prof *config.Profile) error {
	var verify func(issuer, raw string) error
	if opts.Verify && !rep.Verified && !signatureOK(rep) {
		verify = func(string, string) error { return errSignature }
	}
	e := cmdutil.Explain(token.Diagnose(raw, want, opts.Now(), verify), raw == opts.Getenv("IGCTL_TOKEN"), prof, opts.IO.CanPrompt())
	if e.Cause != "" && e.Fix != "" && !strings.HasPrefix(e.Cause, "the token passes") {
		return cmdutil.Fail(cmdutil.AuthFailed, fmt.Errorf("the gateway would reject this token: %s", e.Cause), e.Fix)
	}
	return cmdutil.Failf(cmdutil.AuthFailed, "the gateway would reject this token")
}

// errSignature stands for the signature failure inspect already found, so
// the diagnosis names it without fetching the keys again.
var errSignature = errors.New("failed to verify signature against the issuer's keys")

func signatureOK(rep *token.Report) bool {
	for _, c := range rep.Checks {
		if c.Name == "signature" {
			return c.OK
		}
	}
	return true
}

// unreachable reports whether the issuer's keys could not be fetched
// because the issuer cannot be reached (network, TLS, a failing discovery):
// that error is the answer as it stands, with its own hint.
func unreachable(err error) bool {
	switch fault.KindOf(err) {
	case token.DiscoveryUnreachable, token.DiscoveryFailed:
		return true
	case "":
		return fault.IsNetwork(err)
	}
	return false
}

func printReport(w io.Writer, rep *token.Report) {
	c := rep.Claims
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	state := "unverified (signature not checked; use --verify)"
	if rep.Verified {
		state = "signature verified"
	}
	fmt.Fprintf(tw, "token\t%s\n", state)
	fmt.Fprintf(tw, "sub\t%s\n", c.Subject)
	if c.Username != "" {
		fmt.Fprintf(tw, "user\t%s\n", c.Username)
	}
	fmt.Fprintf(tw, "azp\t%s\n", c.AZP)
	fmt.Fprintf(tw, "aud\t%s\n", strings.Join(c.Audience, ", "))
	if c.Scope != "" {
		fmt.Fprintf(tw, "scope\t%s\n", c.Scope)
	}
	if rep.ClockOffsetSeconds != nil {
		fmt.Fprintf(tw, "clock offset\t%+.0fs (server minus local, from iat at receipt)\n", *rep.ClockOffsetSeconds)
	}
	for _, ch := range rep.Checks {
		mark := "OK  "
		if !ch.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s %s\n", ch.Name, mark, ch.Detail)
	}
	tw.Flush()
}
