package proxy

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Token is an access token and when it stops being valid.
type Token struct {
	Value string
	// Expiry is when the token stops being valid; zero when unknown.
	Expiry time.Time
	// Lifetime is how long the token was issued for (Expiry − obtained);
	// it sets how far ahead of expiry the next refresh starts. Zero: unknown.
	Lifetime time.Duration
	// Refreshed: the token was just obtained from the identity provider
	// (rather than found valid in the store, renewed by another process).
	Refreshed bool
}

// Source fetches a token that stays valid for at least minValid, refreshing
// when needed; force asks for a new token whatever the stored one is. In
// igctl this is token.Manager.Best, which refreshes under the per-profile
// file lock, so proxies and other igctl processes share one refresh.
type Source func(ctx context.Context, minValid time.Duration, force bool) (Token, error)

// Tokens keeps the token the proxy injects, renews it ahead of expiry in
// the background and hands it out without waiting while it is valid. At
// most one fetch runs at a time; callers arriving during one wait for it.
type Tokens struct {
	src Source
	now func() time.Time
	// FetchTimeout bounds one fetch: the wait for the lock and the refresh.
	fetchTimeout time.Duration
	// Static tokens (IGCTL_TOKEN) cannot be renewed: no background refresh.
	static bool
	// onEvent is told about each fetch and each failed one (never the
	// token itself).
	onEvent func(Event)

	mu       sync.Mutex
	cur      Token
	lastErr  error
	inflight chan struct{}

	// A renewed token the gateway refused too: renewing again would most
	// likely not help either (a wrong audience, a foreign realm), so no
	// renewal is asked for it before refusedUntil. The pause doubles with
	// each renewal that did not help, and ends when one did.
	refusedTok     string
	refusedUntil   time.Time
	refusedBackoff time.Duration
}

// ErrRenewalDidNotHelp is Renew's answer while the gateway keeps refusing
// renewed tokens.
var ErrRenewalDidNotHelp = errors.New("a renewed token was refused too, so igctl waits before renewing again")

// Renewal backoff after the gateway refused a renewed token.
const (
	firstRenewalBackoff = 10 * time.Second
	maxRenewalBackoff   = 5 * time.Minute
)

// Event is what Tokens reports: a new token (with its expiry) or a failure.
type Event struct {
	Expiry    time.Time
	Lifetime  time.Duration
	Refreshed bool
	Err       error
	// Forced: the fetch followed a 401 from the gateway.
	Forced bool
}

// TokensOptions configure NewTokens.
type TokensOptions struct {
	Now          func() time.Time
	FetchTimeout time.Duration
	Static       bool
	OnEvent      func(Event)
}

// NewTokens returns a token keeper on src.
func NewTokens(src Source, o TokensOptions) *Tokens {
	t := &Tokens{src: src, now: o.Now, fetchTimeout: o.FetchTimeout, static: o.Static, onEvent: o.OnEvent}
	if t.now == nil {
		t.now = time.Now
	}
	if t.fetchTimeout <= 0 {
		t.fetchTimeout = 30 * time.Second
	}
	if t.onEvent == nil {
		t.onEvent = func(Event) {}
	}
	return t
}

// Lead is how long before expiry a token is renewed: a third of its
// lifetime, at least 1 s and at most a minute (30 s when unknown). With
// Keycloak's 5-minute tokens that is a minute ahead; with 10-second
// tokens, about 3 s.
func Lead(lifetime time.Duration) time.Duration {
	if lifetime <= 0 {
		return 30 * time.Second
	}
	lead := lifetime / 3
	return min(max(lead, time.Second), time.Minute)
}

// usable reports whether tok can still be sent: valid for at least a
// quarter of its lead more (enough for the request to reach the gateway).
func (t *Tokens) usable(tok Token) bool {
	if tok.Value == "" {
		return false
	}
	if tok.Expiry.IsZero() {
		return true
	}
	return tok.Expiry.Sub(t.now()) > Lead(tok.Lifetime)/4
}

// Get returns the current token, fetching one first when it is missing or
// about to expire.
func (t *Tokens) Get(ctx context.Context) (string, error) {
	t.mu.Lock()
	cur := t.cur
	t.mu.Unlock()
	if t.usable(cur) || (t.static && cur.Value != "") {
		return cur.Value, nil
	}
	tok, err := t.fetch(ctx, false, "")
	return tok.Value, err
}

// Current is the token held now, without fetching.
func (t *Tokens) Current() (Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur, t.lastErr
}

// Renew gets a new token after the gateway refused rejected. When another
// caller already replaced rejected, that token is returned without asking
// again, so a burst of 401s costs one refresh.
func (t *Tokens) Renew(ctx context.Context, rejected string) (string, error) {
	t.mu.Lock()
	if rejected != "" && rejected == t.refusedTok && t.now().Before(t.refusedUntil) {
		until := t.refusedUntil
		t.mu.Unlock()
		return "", fmt.Errorf("%w (until %s)", ErrRenewalDidNotHelp, until.Local().Format("15:04:05"))
	}
	t.mu.Unlock()
	tok, err := t.fetch(ctx, true, rejected)
	return tok.Value, err
}

// RenewalRefused records that the gateway refused tok although it had
// just been renewed: Renew asks for no new token to replace it for a
// while, so a gateway that refuses every token costs one refresh per
// pause rather than one per request.
func (t *Tokens) RenewalRefused(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.refusedBackoff == 0 {
		t.refusedBackoff = firstRenewalBackoff
	} else if tok != t.refusedTok {
		t.refusedBackoff = min(t.refusedBackoff*2, maxRenewalBackoff)
	}
	t.refusedTok, t.refusedUntil = tok, t.now().Add(t.refusedBackoff)
}

// RenewalHelped records that a renewed token was accepted: the next
// refused renewal pauses for the shortest time again.
func (t *Tokens) RenewalHelped() {
	t.mu.Lock()
	t.refusedTok, t.refusedUntil, t.refusedBackoff = "", time.Time{}, 0
	t.mu.Unlock()
}

// fetch runs one Source call at a time; callers that arrive while one runs
// wait for it and share its result.
func (t *Tokens) fetch(ctx context.Context, force bool, rejected string) (Token, error) {
	for {
		t.mu.Lock()
		if force && t.cur.Value != "" && t.cur.Value != rejected && t.usable(t.cur) {
			cur := t.cur
			t.mu.Unlock()
			return cur, nil
		}
		if wait := t.inflight; wait != nil {
			t.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return Token{}, ctx.Err()
			}
			t.mu.Lock()
			cur, err := t.cur, t.lastErr
			t.mu.Unlock()
			if err != nil {
				return Token{}, err
			}
			if (force && cur.Value != rejected) || (!force && t.usable(cur)) {
				return cur, nil
			}
			continue
		}
		done := make(chan struct{})
		t.inflight = done
		minValid := Lead(t.cur.Lifetime)
		t.mu.Unlock()

		// The fetch is not bound to the caller's request: a client that
		// hangs up must not abort a refresh others are waiting for.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.fetchTimeout)
		tok, err := t.src(fctx, minValid, force)
		cancel()

		t.mu.Lock()
		if err == nil {
			t.cur, t.lastErr = tok, nil
		} else {
			t.lastErr = err
		}
		t.inflight = nil
		t.mu.Unlock()
		close(done)
		if err == nil {
			t.onEvent(Event{Expiry: tok.Expiry, Lifetime: tok.Lifetime, Refreshed: tok.Refreshed, Forced: force})
		} else {
			t.onEvent(Event{Err: err, Forced: force})
		}
		return tok, err
	}
}

// Run renews the token ahead of its expiry until ctx ends, so requests
// never wait for a refresh and never carry an expired token. A failed
// renewal is retried with a growing pause (1 s to 15 s); requests that find
// no usable token then try themselves and report the failure.
func (t *Tokens) Run(ctx context.Context) {
	if t.static {
		return
	}
	backoff := time.Second
	for {
		t.mu.Lock()
		cur, failed := t.cur, t.lastErr != nil
		t.mu.Unlock()
		var wait time.Duration
		switch {
		case failed:
			wait = backoff
			backoff = min(backoff*2, 15*time.Second)
		case cur.Value == "":
			wait = 0
		case cur.Expiry.IsZero():
			return // a token without a known expiry: nothing to schedule
		default:
			backoff = time.Second
			// at least a moment between two renewals, whatever the clock says
			wait = max(cur.Expiry.Add(-Lead(cur.Lifetime)).Sub(t.now()), 250*time.Millisecond)
		}
		if wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-timer.C:
			}
		} else if ctx.Err() != nil {
			return
		}
		if _, err := t.fetch(ctx, false, ""); err != nil && errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return
		}
	}
}
