// Package loginflow is what every command that logs a profile in shares:
// open the token store before the issuer is asked, run a grant, store the
// token, save the profile, and warn when the gateway would refuse the
// token. `igctl login` and `igctl keycloak bootstrap --login` use it; how a
// grant is chosen and its secrets are read stays with the command.
package loginflow

import (
	"context"
	"net/http"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/token"
)

// Obtain runs a grant and returns the bundle to store.
type Obtain func(ctx context.Context, hc *http.Client) (*token.Bundle, error)

// Flow is what a login reads: the streams, the config, the token store it
// saves into, the HTTP client it asks the issuer with, the clock and -v.
// A test swaps any one of them.
type Flow struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)
	// TokenStore opens the store the token goes to. The login reports where
	// its token is kept, so New's getter shows the keyring fallback warning.
	TokenStore func() (token.Store, error)
	HTTPClient func(caFile string) (*http.Client, error)
	Now        func() time.Time
	Verbosef   func(format string, a ...any)
}

// New wires a Flow to f, read when the login runs. Its token store marks f
// as reporting where tokens are kept (f.ReportStore) as it opens: only a
// command that gets as far as storing a token says where it went.
func New(f *cmdutil.Factory) *Flow {
	return &Flow{IO: f.IO, Config: f.Config, HTTPClient: f.HTTPClient, Verbosef: f.Verbosef,
		Now: func() time.Time { return f.Now() },
		TokenStore: func() (token.Store, error) {
			f.ReportStore = true
			return f.TokenStore()
		}}
}

// Complete runs the non-interactive grant of req (password or client
// credentials), stores the token and saves prof as the profile name
// (making it current if none is).
func (fl *Flow) Complete(ctx context.Context, name string, prof config.Profile, req token.LoginRequest) error {
	return fl.Finish(ctx, name, prof, func(ctx context.Context, hc *http.Client) (*token.Bundle, error) {
		return token.Login(ctx, hc, req)
	})
}

// Finish runs obtain, stores the token it returns and saves prof as the
// profile name (making it current if none is). For the browser and device
// grants, the user name comes from the bundle (its verified ID token).
func (fl *Flow) Finish(ctx context.Context, name string, prof config.Profile, obtain Obtain) error {
	cfg, err := fl.Config()
	if err != nil {
		return err
	}
	// Open the store before talking to the issuer: with IGCTL_REQUIRE_SECURE_STORAGE
	// a missing keyring must fail before a token is minted for nothing.
	store, err := fl.TokenStore()
	if err != nil {
		return err
	}
	// and an unwritable token directory too
	if err := store.Writable(); err != nil {
		return err
	}
	hc, err := fl.HTTPClient(prof.CAFile)
	if err != nil {
		return err
	}
	fl.Verbosef("discovering %s and requesting a token (%s grant)", prof.Issuer, prof.Grant)
	b, err := obtain(ctx, hc)
	if err != nil {
		return err
	}
	if prof.Grant == token.GrantAuthCode || prof.Grant == token.GrantDevice {
		// who logged in is known only now, from the verified ID token
		prof.Username = b.Username
	}
	m := &token.Manager{Store: store, Now: fl.Now}
	if err := m.Save(ctx, name, b); err != nil {
		return err
	}
	prof.LoggedOut = "" // logged in again
	*cfg.Ensure(name) = prof
	if cfg.CurrentProfile == "" {
		cfg.CurrentProfile = name
	}
	if err := cfg.SaveContext(ctx); err != nil {
		return err
	}
	who := prof.Username
	if who == "" {
		who = "service account of " + prof.ClientID
	}
	fl.IO.Success("Logged in to %s as %s (profile %s, token in %s store, expires %s)",
		prof.Issuer, who, name, store.Kind(), cmdutil.Until(b.Expiry, fl.Now()))
	fl.warnAudience(b, prof)
	return nil
}

// The gateway rejects a token whose iss or aud differs from what it
// expects: say so now rather than at the first 401.
func (fl *Flow) warnAudience(b *token.Bundle, prof config.Profile) {
	d := token.Diagnose(b.AccessToken, cmdutil.GatewayExpect(&prof), fl.Now(), nil)
	if first := d.First(); first != nil && (first.Cause == token.CauseIssuer || first.Cause == token.CauseAudience) {
		e := cmdutil.Explain(d, false, &prof, fl.IO.CanPrompt())
		fl.IO.Warn("the gateway will answer 401: %s", e.Cause)
		fl.IO.Hint(e.Fix)
	}
}
