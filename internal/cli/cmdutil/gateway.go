package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/gateway"
	"github.com/inference-gateway/igctl/internal/token"
)

// ErrNoGatewayURL: neither --gateway, IGCTL_GATEWAY_URL nor the profile names a gateway.
var ErrNoGatewayURL = errors.New("no gateway URL")

// GatewayURL picks the gateway: flag, then IGCTL_GATEWAY_URL, then the
// profile. One that is not an http(s) URL is refused naming where it came
// from: a usage error for the flag and the variable, a configuration error
// for the profile.
func (f *Factory) GatewayURL(flag string, prof *config.Profile) (string, error) {
	check := func(u, from string, kind fault.Kind, hint string) (string, error) {
		if err := config.CheckURL(u); err != nil {
			return "", Fail(kind, fmt.Errorf("%s %q: %v", from, config.ShowURL(u), err), hint)
		}
		// one judgement of what is not the gateway's base URL, for every command
		if err := gateway.CheckBase(u); err != nil {
			return "", fmt.Errorf("%s: %w", from, err)
		}
		return u, nil
	}
	switch {
	case flag != "":
		return check(flag, "--gateway", Usage, "the gateway's base URL, e.g. http://127.0.0.1:8080")
	case f.Getenv("IGCTL_GATEWAY_URL") != "":
		return check(f.Getenv("IGCTL_GATEWAY_URL"), "IGCTL_GATEWAY_URL", Usage, "the gateway's base URL, e.g. http://127.0.0.1:8080")
	case prof != nil && prof.GatewayURL != "":
		return check(prof.GatewayURL, "the profile's gateway_url", BadConfig, "`igctl config set gateway_url URL`")
	}
	return "", Fail(Usage, ErrNoGatewayURL,
		"pass --gateway URL, set IGCTL_GATEWAY_URL, or `igctl config set gateway_url URL`")
}

// Session is the active profile with what talking to the gateway needs.
type Session struct {
	Name    string
	Profile *config.Profile // nil when only IGCTL_TOKEN is set
	Manager *token.Manager
	// Last is the last token handed out (for explaining a 401).
	Last string

	f *Factory // the environment, clock and -v the session reads
}

// Session resolves the active profile; with IGCTL_TOKEN set a profile is optional.
func (f *Factory) Session() (*Session, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	name := cfg.Resolve(f.ExplicitProfile())
	s := &Session{Name: name, f: f}
	if p, ok := cfg.Profiles[name]; ok {
		s.Profile = p
	} else if f.Getenv("IGCTL_TOKEN") == "" {
		_, err := cfg.Get(name)
		return nil, err
	}
	if f.Getenv("IGCTL_TOKEN") == "" {
		if s.Manager, err = f.TokenManager(s.Profile.CAFile); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// CAFile is the profile's CA file, "" without a profile (IGCTL_TOKEN only).
func (s *Session) CAFile() string {
	if s.Profile == nil {
		return ""
	}
	return s.Profile.CAFile
}

// TokenFunc hands out the session's token (IGCTL_TOKEN wins), refreshing
// when asked to after a 401. A token from IGCTL_TOKEN cannot be refreshed:
// asked for a fresh one, it answers gateway.ErrNoFreshToken, so the caller
// reports the gateway's 401 with its diagnosis.
func (s *Session) TokenFunc() gateway.TokenFunc {
	f := s.f
	return func(ctx context.Context, force bool) (string, error) {
		if env := f.Getenv("IGCTL_TOKEN"); env != "" {
			if force {
				return "", gateway.ErrNoFreshToken
			}
			s.Last = env
			return env, nil
		}
		if force {
			f.Verbosef("the gateway answered 401: refreshing the token and retrying once")
		}
		res, err := s.Manager.Best(ctx, s.Name, 30*time.Second, force)
		if err != nil {
			return "", err
		}
		s.Last = res.AccessToken
		return res.AccessToken, nil
	}
}

// FromEnv reports whether the session's token is IGCTL_TOKEN.
func (s *Session) FromEnv() bool { return s.f.Getenv("IGCTL_TOKEN") != "" }

// Explain401 turns the gateway's bare 401 into exit 4 with the one cause
// the gateway's own verifier would log, and the fix for it.
func (s *Session) Explain401(ctx context.Context, hc *http.Client) error {
	e := s.Diagnose401(ctx, hc)
	retried := "after one refresh and retry"
	if s.FromEnv() {
		retried = "IGCTL_TOKEN, not refreshed"
	}
	return Fail(AuthFailed, fmt.Errorf("the gateway rejected the token (401, %s): %s", retried, e.Cause), e.Fix)
}

// Diagnose401 explains why the gateway refuses the last token handed out.
func (s *Session) Diagnose401(ctx context.Context, hc *http.Client) Explanation {
	d := Diagnose(ctx, hc, s.Last, GatewayExpect(s.Profile), s.f.Now())
	return Explain(d, s.FromEnv(), s.Profile, s.f.IO.CanPrompt())
}
