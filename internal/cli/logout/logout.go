// Package logout implements `igctl logout`.
package logout

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/token"
)

// Options for `igctl logout`.
type Options struct {
	F *cmdutil.Factory
}

// NewCmdLogout builds the command.
func NewCmdLogout(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{F: f}
	return &cobra.Command{
		Use:     "logout",
		GroupID: "auth",
		Short:   "Revoke the profile's refresh token at the issuer and delete its stored credentials",
		Long: `Revoke the refresh token at the issuer's revocation endpoint (RFC 7009), then
delete the profile's token, refresh token and client secret from the token store.
The profile's settings stay in config.yaml. If the issuer cannot be reached the
local credentials are deleted anyway and a warning says the revocation failed.`,
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
	f := opts.F
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	name := cfg.Resolve(f.ExplicitProfile())
	prof, err := cfg.Get(name)
	if err != nil {
		return err
	}
	store, err := f.TokenStore()
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
		f.IO.Infof("profile %s is not logged in", name)
		return nil
	}
	revoked := false
	switch {
	case err != nil:
		f.IO.Warn("the stored token of profile %s cannot be read (%v): nothing was revoked at the issuer, so its refresh token stays valid there until it expires", name, err)
	case b.RefreshToken == "":
		revoked = true // nothing to revoke: a client-credentials token just expires
	default:
		hc, herr := f.HTTPClient(prof.CAFile)
		if herr == nil {
			revoked, herr = token.Revoke(ctx, hc, b)
			if revoked {
				f.Verbosef("revoked the refresh token at %s", b.RevocationEndpoint)
			} else if herr == nil {
				herr = errors.New("the issuer has no revocation endpoint")
			}
		}
		if herr != nil {
			f.IO.Warn("could not revoke the refresh token (%v): it stays valid at the issuer until it expires", herr)
		}
	}
	if err := store.Delete(name); err != nil {
		return err
	}
	if revoked {
		f.IO.Success("Logged out of profile %s", name)
	} else {
		f.IO.Success("Removed the local credentials of profile %s (not revoked at the issuer)", name)
	}
	return nil
}
