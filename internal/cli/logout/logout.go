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
		Short:   "Revoke the profile's refresh token at the issuer and delete its stored credentials",
		Long: `Revoke the refresh token at the issuer's revocation endpoint (RFC 7009), then
delete the profile's token, refresh token and client secret from the token store.
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
	revoked := false
	switch {
	case err != nil:
		opts.IO.Warn("the stored token of profile %s cannot be read (%v): nothing was revoked at the issuer, so its refresh token stays valid there until it expires", name, err)
	case b.RefreshToken == "":
		revoked = true // nothing to revoke: a client-credentials token just expires
	default:
		hc, herr := opts.HTTPClient(prof.CAFile)
		if herr == nil {
			revoked, herr = token.Revoke(ctx, hc, b)
			if revoked {
				opts.Verbosef("revoked the refresh token at %s", b.RevocationEndpoint)
			} else if herr == nil {
				herr = errors.New("the issuer has no revocation endpoint")
			}
		}
		if herr != nil {
			opts.IO.Warn("could not revoke the refresh token (%v): it stays valid at the issuer until it expires", herr)
		}
	}
	if err := store.Delete(name); err != nil {
		return err
	}
	if err := markLoggedOut(ctx, opts, cfg, prof); err != nil {
		return err
	}
	if revoked {
		opts.IO.Success("Logged out of profile %s", name)
	} else {
		opts.IO.Success("Removed the local credentials of profile %s (not revoked at the issuer)", name)
	}
	return nil
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
