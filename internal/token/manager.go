package token

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/inference-gateway/igctl/internal/fault"
)

// FailureReuse is how long a failed refresh is reported to later igctl
// processes instead of being tried again (processes that were waiting for
// it always reuse it).
const FailureReuse = 3 * time.Second

// Manager hands out valid access tokens for profiles, refreshing them under
// the per-profile lock when needed.
type Manager struct {
	Store Store
	// HTTP returns the client for refresh requests; it is only called when a
	// refresh is needed, so the cached path builds no TLS configuration.
	HTTP func() (*http.Client, error)
	Now  func() time.Time
	// Want returns the identity the profile asks for now (nil: any). A
	// stored token issued to another identity is never served.
	Want func(profile string) *Identity
}

// Valid reports whether b's access token stays valid for at least minValid.
func (b *Bundle) Valid(now time.Time, minValid time.Duration) bool {
	return b.AccessToken != "" && !b.Expiry.IsZero() && b.Expiry.Sub(now) > minValid
}

// CanRefresh reports whether b can be renewed without the user.
func (b *Bundle) CanRefresh(now time.Time) bool {
	if b.RefreshToken != "" && (b.RefreshExpiry.IsZero() || b.RefreshExpiry.After(now)) {
		return true
	}
	return b.Grant == GrantClientCredentials && (b.ClientSecret != "" || b.ClientAssertion != "")
}

// Result is a token and how it was obtained.
type Result struct {
	*Bundle
	Refreshed bool
}

// Get returns a token for profile that stays valid for at least minValid,
// refreshing first when needed or when force is set.
func (m *Manager) Get(ctx context.Context, profile string, minValid time.Duration, force bool) (*Result, error) {
	return m.get(ctx, profile, minValid, force, true)
}

// Best is Get for callers that prefer a fresh but short-lived token to an
// error when the issuer's tokens live less than minValid.
func (m *Manager) Best(ctx context.Context, profile string, minValid time.Duration, force bool) (*Result, error) {
	return m.get(ctx, profile, minValid, force, false)
}

func (m *Manager) get(ctx context.Context, profile string, minValid time.Duration, force, strict bool) (*Result, error) {
	b, err := m.load(profile)
	if err != nil {
		return nil, err
	}
	if !force && b.Valid(m.Now(), minValid) {
		return &Result{Bundle: b}, nil
	}
	// Refresh tokens may rotate: only one process refreshes at a time, and a
	// process that waited re-reads what the other one stored, or, when that
	// refresh failed moments ago, reports its failure without asking again.
	waitStart := m.Now()
	unlock, err := m.Store.Lock(ctx, profile)
	if err != nil {
		return nil, err
	}
	defer unlock()
	fresh, err := m.load(profile)
	if err != nil {
		return nil, err
	}
	if fresh.AccessToken != b.AccessToken && fresh.Valid(m.Now(), minValid) {
		return &Result{Bundle: fresh}, nil
	}
	memo, _ := m.Store.(failureMemo)
	if memo != nil && !force {
		// The refresh of this very token failed while this process waited,
		// or moments ago: report that instead of asking a failing identity
		// provider again (--force-refresh asks anyway).
		if rf := memo.lastFailure(profile); rf != nil && rf.Token == tokenID(fresh.AccessToken) &&
			(!rf.At.Before(waitStart) || m.Now().Sub(rf.At) < FailureReuse) {
			return nil, rf.err()
		}
	}
	if !fresh.CanRefresh(m.Now()) {
		return nil, fault.New(CannotRefresh, fmt.Errorf("the token of profile %q expired and cannot be refreshed", profile),
			fault.Facts{Profile: profile, Issuer: fresh.Issuer, ClientID: fresh.ClientID, Grant: fresh.Grant})
	}
	hc, err := m.HTTP()
	if err != nil {
		return nil, err
	}
	old := tokenID(fresh.AccessToken)
	if err := Refresh(ctx, hc, fresh); err != nil {
		// The identity provider's failure (a slow one included: a deadline
		// is how a hung IdP shows) is news for other processes; this
		// process being cancelled (Ctrl-C) is not.
		if memo != nil && !errors.Is(ctx.Err(), context.Canceled) {
			memo.recordFailure(profile, newRefreshFailure(m.Now(), err, old))
		}
		return nil, err
	}
	if memo != nil {
		memo.clearFailure(profile)
	}
	if err := m.Store.Save(profile, fresh); err != nil {
		return nil, err
	}
	if strict && !fresh.Valid(m.Now(), minValid) {
		return &Result{Bundle: fresh, Refreshed: true}, fault.New(ShortLived,
			fmt.Errorf("the issuer's tokens live %s, less than --min-valid %s", fresh.Expiry.Sub(fresh.ObtainedAt).Round(time.Second), minValid),
			fault.Facts{Profile: profile, Issuer: fresh.Issuer, Wait: minValid})
	}
	return &Result{Bundle: fresh, Refreshed: true}, nil
}

func (m *Manager) load(profile string) (*Bundle, error) {
	b, err := m.Store.Load(profile)
	if errors.Is(err, ErrNotFound) {
		return nil, fault.New(NotLoggedIn, fmt.Errorf("profile %q is not logged in", profile), fault.Facts{Profile: profile})
	}
	if err != nil {
		return nil, err
	}
	if m.Want != nil {
		if want := m.Want(profile); want != nil {
			if err := b.CheckIdentity(profile, *want); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

// Save stores a freshly obtained bundle under the profile's lock.
func (m *Manager) Save(ctx context.Context, profile string, b *Bundle) error {
	unlock, err := m.Store.Lock(ctx, profile)
	if err != nil {
		return err
	}
	defer unlock()
	return m.Store.Save(profile, b)
}
