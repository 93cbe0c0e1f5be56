// Package loginflow is what every command that logs a profile in shares:
// open the token store before the issuer is asked, run a grant, store the
// token, save the profile, and warn when the gateway would refuse the
// token. `igctl login` and `igctl keycloak bootstrap --login` use it; how a
// grant is chosen and its secrets are read stays with the command.
package loginflow

import (
	"context"
	"net/http"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/token"
)

// Obtain runs a grant and returns the bundle to store.
type Obtain func(ctx context.Context, hc *http.Client) (*token.Bundle, error)

// Complete runs the non-interactive grant of req (password or client
// credentials), stores the token and saves prof as the profile name
// (making it current if none is).
func Complete(ctx context.Context, f *cmdutil.Factory, name string, prof config.Profile, req token.LoginRequest) error {
	return Finish(ctx, f, name, prof, func(ctx context.Context, hc *http.Client) (*token.Bundle, error) {
		return token.Login(ctx, hc, req)
	})
}

// Finish runs obtain, stores the token it returns and saves prof as the
// profile name (making it current if none is). For the browser and device
// grants, the user name comes from the bundle (its verified ID token).
func Finish(ctx context.Context, f *cmdutil.Factory, name string, prof config.Profile, obtain Obtain) error {
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	// Open the store before talking to the issuer: with IGCTL_REQUIRE_SECURE_STORAGE
	// a missing keyring must fail before a token is minted for nothing.
	f.ReportStore = true
	store, err := f.TokenStore()
	if err != nil {
		return err
	}
	// and an unwritable token directory too
	if err := store.Writable(); err != nil {
		return err
	}
	hc, err := f.HTTPClient(prof.CAFile)
	if err != nil {
		return err
	}
	f.Verbosef("discovering %s and requesting a token (%s grant)", prof.Issuer, prof.Grant)
	b, err := obtain(ctx, hc)
	if err != nil {
		return err
	}
	if prof.Grant == token.GrantAuthCode || prof.Grant == token.GrantDevice {
		// who logged in is known only now, from the verified ID token
		prof.Username = b.Username
	}
	m := &token.Manager{Store: store, Now: f.Now}
	if err := m.Save(ctx, name, b); err != nil {
		return err
	}
	*cfg.Ensure(name) = prof
	if cfg.CurrentProfile == "" {
		cfg.CurrentProfile = name
	}
	if err := cfg.Save(); err != nil {
		return err
	}
	who := prof.Username
	if who == "" {
		who = "service account of " + prof.ClientID
	}
	f.IO.Success("Logged in to %s as %s (profile %s, token in %s store, expires %s)",
		prof.Issuer, who, name, store.Kind(), cmdutil.Until(b.Expiry, f.Now()))
	warnAudience(f, b, prof)
	return nil
}

// The gateway rejects a token whose iss or aud differs from what it
// expects: say so now rather than at the first 401.
func warnAudience(f *cmdutil.Factory, b *token.Bundle, prof config.Profile) {
	d := token.Diagnose(b.AccessToken, cmdutil.GatewayExpect(&prof), f.Now(), nil)
	if first := d.First(); first != nil && (first.Cause == token.CauseIssuer || first.Cause == token.CauseAudience) {
		e := cmdutil.Explain(d, false, &prof)
		f.IO.Warn("the gateway will answer 401: %s", e.Cause)
		f.IO.Hint(e.Fix)
	}
}
