package cmdutil

import (
	"fmt"
	"time"

	"github.com/inference-gateway/igctl/internal/token"
)

// CheckEnvToken applies --min-valid to the token in IGCTL_TOKEN, which igctl
// cannot refresh: an expired token, or one with less than minValid left, is
// refused (exit 4) rather than handed on. A token igctl cannot read the
// expiry of is refused only when --min-valid was given (strict); otherwise
// it is used with a warning. The claims are nil when the token is opaque.
func (f *Factory) CheckEnvToken(env string, minValid time.Duration, strict bool) (*token.Claims, error) {
	c, err := token.Decode(env)
	if err != nil || c.Expiry == nil {
		if strict {
			return nil, Failf(AuthFailed, "IGCTL_TOKEN is not a JWT with an exp claim: igctl cannot tell whether it stays valid for --min-valid "+minValid.String())
		}
		f.IO.WarnOnce("env-token-opaque", "IGCTL_TOKEN is not a JWT with an exp claim: its expiry is unknown")
		return nil, nil
	}
	exp := time.Unix(*c.Expiry, 0)
	switch left := exp.Sub(f.Now()); {
	case left <= 0:
		return c, Fail(AuthFailed, fmt.Errorf("IGCTL_TOKEN expired %s ago (at %s), and igctl cannot refresh a token from the environment", (-left).Round(time.Second), exp.UTC().Format(time.RFC3339)),
			FreshEnvTokenHint)
	case left < minValid:
		return c, Fail(AuthFailed, fmt.Errorf("IGCTL_TOKEN is valid for %s more, less than --min-valid %s, and igctl cannot refresh a token from the environment", left.Round(time.Second), minValid),
			FreshEnvTokenHint)
	}
	return c, nil
}
