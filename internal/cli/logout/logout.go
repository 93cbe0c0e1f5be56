// Package logout implements `igctl logout`.
package logout

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/token"
)

// Options for `igctl logout`: what logoutRun reads, and nothing else.
type Options struct {
	IO         *iostreams.IOStreams
	Config     func() (*config.Config, error)
	Profile    func() string // --profile or IGCTL_PROFILE, "" when neither is set
	TokenStore func() (token.Store, error)
	HTTPClient func(caFile string) (*http.Client, error)
	Verbosef   func(string, ...any)
	Now        func() time.Time
}

// NewOptions wires Options to f: the getters are f's, read when the command runs.
func NewOptions(f *cmdutil.Factory) *Options {
	return &Options{IO: f.IO, Config: f.Config, Profile: f.ExplicitProfile, TokenStore: f.TokenStore,
		HTTPClient: f.HTTPClient, Verbosef: f.Verbosef, Now: func() time.Time { return f.Now() }}
}

// NewCmdLogout builds the command.
func NewCmdLogout(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := NewOptions(f)
	return &cobra.Command{
		Use:     "logout",
		GroupID: "auth",
		Short:   "Revoke the profile's tokens at the issuer and delete its stored credentials",
		Long: `Revoke the refresh token and the access token at the issuer's revocation
endpoint (RFC 7009), then delete the profile's token, refresh token and client
secret from the token store, and say exactly what was revoked. The gateway
verifies tokens offline, against the issuer's keys, so the last access token
(and any copy of it) keeps working there until it expires: logout says until when.
The profile's settings stay in config.yaml, marked as logged out: status shows it
so and does not count it as unusable, until the next login. If the issuer cannot
be reached the local credentials are deleted anyway and a warning says the
revocation failed.`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return logoutRun(cmd.Context(), opts)
		},
	}
}

func logoutRun(ctx context.Context, opts *Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	name := cfg.Resolve(opts.Profile())
	prof, err := cfg.Get(name)
	if err != nil {
		return err
	}
	store, err := opts.TokenStore()
	if err != nil {
		return err
	}
	unlock, err := store.Lock(ctx, name)
	if err != nil {
		return err
	}
	defer unlock()
	b, err := store.Load(name)
	if errors.Is(err, token.ErrNotFound) {
		opts.IO.Infof("profile %s is not logged in", name)
		return markLoggedOut(ctx, opts, cfg, prof)
	}
	var rev token.Revocation
	switch {
	case err != nil:
		opts.IO.Warn("the stored token of profile %s cannot be read (%v): nothing was revoked at the issuer, so its refresh token stays valid there until it expires", name, err)
		b = nil
	default:
		hc, herr := opts.HTTPClient(prof.CAFile)
		if herr == nil {
			rev, herr = token.RevokeAll(ctx, hc, b, opts.Now())
			opts.Verbosef("revoked at %s: refresh token %v, access token %v", b.RevocationEndpoint, rev.RefreshToken, rev.AccessToken)
		}
		if herr != nil {
			what := "the access token"
			if b.RefreshToken != "" {
				what = "the refresh token"
			}
			opts.IO.Warn("could not revoke %s (%v): it stays valid at the issuer until it expires", what, herr)
		}
	}
	if err := store.Delete(name); err != nil {
		var left *token.KeyLeftError
		if !errors.As(err, &left) {
			return err
		}
		// the credentials are gone; only a key that opens nothing is left
		opts.IO.Warn("%v", left)
	}
	if err := markLoggedOut(ctx, opts, cfg, prof); err != nil {
		return err
	}
	switch {
	case rev.RefreshToken && rev.AccessToken:
		opts.IO.Success("Logged out of profile %s: revoked its refresh token and access token at the issuer, and removed the local credentials", name)
	case rev.RefreshToken:
		opts.IO.Success("Logged out of profile %s: revoked its refresh token at the issuer (not its access token), and removed the local credentials", name)
	case rev.AccessToken:
		opts.IO.Success("Logged out of profile %s: revoked its access token at the issuer (a %s login has no refresh token), and removed the local credentials", name, grantName(b))
	default:
		opts.IO.Success("Removed the local credentials of profile %s (not revoked at the issuer)", name)
	}
	offlineNotice(opts, b)
	return nil
}

// offlineNotice says until when the last access token keeps working: the
// gateway verifies tokens offline, against the issuer's keys, so neither a
// revocation nor deleting it here stops a copy of it before it expires.
func offlineNotice(opts *Options, b *token.Bundle) {
	const offline = "at a gateway that verifies tokens offline (the Inference Gateway checks the signature against the issuer's keys and never asks the issuer), so a copy of it (in a running command's environment, a proxy, a shell) keeps working there until then"
	switch now := opts.Now(); {
	case b == nil:
		opts.IO.Warn("the last access token, which could not be read, stays valid until it expires (igctl cannot tell when) %s", offline)
	case b.AccessToken != "" && b.Expiry.After(now):
		opts.IO.Warn("the last access token stays valid until %s (%s) %s", b.Expiry.Local().Format("15:04:05"), cmdutil.Until(b.Expiry, now), offline)
	}
}

func grantName(b *token.Bundle) string {
	if b == nil || b.Grant == "" {
		return "client-credentials"
	}
	return b.Grant
}

// markLoggedOut records in config.yaml that the profile was logged out on
// purpose (the next login clears it).
func markLoggedOut(ctx context.Context, opts *Options, cfg *config.Config, prof *config.Profile) error {
	if prof.LoggedOut != "" {
		return nil
	}
	prof.LoggedOut = opts.Now().UTC().Format(time.RFC3339)
	return cfg.SaveContext(ctx)
}
