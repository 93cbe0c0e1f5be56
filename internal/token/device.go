package token

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/inference-gateway/igctl/internal/fault"
)

// DevicePrompt is what a person needs to approve a device login. The
// device code itself is not in it: it never leaves igctl.
type DevicePrompt struct {
	VerificationURI string
	// VerificationURIComplete has the user code filled in ("" when the
	// issuer does not send one).
	VerificationURIComplete string
	UserCode                string
	ExpiresIn               time.Duration
	Interval                time.Duration
}

// DeviceOptions steer a device login.
type DeviceOptions struct {
	// Prompt is called once, before polling starts.
	Prompt func(DevicePrompt) error
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Wait bounds the polling (0: until the code expires or ctx ends).
	Wait time.Duration
}

// LoginDevice runs the device authorization grant (RFC 8628), with PKCE
// where the client requires it: it asks for a user code, shows it through
// o.Prompt, and polls the token endpoint at the server's interval
// (authorization_pending: keep polling; slow_down: 5 s slower from then on)
// until the person approves or denies, the code expires or ctx is done.
func LoginDevice(ctx context.Context, hc *http.Client, r LoginRequest, o DeviceOptions) (*Bundle, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	d, err := DiscoverInteractive(ctx, hc, r.Issuer)
	if err != nil {
		return nil, err
	}
	if !d.SupportsDevice() {
		return nil, fault.New(NoDevice, fmt.Errorf("%s does not offer the device authorization grant", r.Issuer), fault.Facts{Issuer: r.Issuer, Grant: GrantDevice})
	}
	cfg := d.config(r, "")
	hctx := context.WithValue(ctx, oauth2.HTTPClient, hc)
	verifier := oauth2.GenerateVerifier()
	authOpts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if r.ClientSecret != "" {
		// x/oauth2 sends no client authentication to the device endpoint
		authOpts = append(authOpts, oauth2.SetAuthURLParam("client_secret", r.ClientSecret))
	}
	da, err := cfg.DeviceAuth(hctx, authOpts...)
	if err != nil {
		return nil, deviceAuthError(r.ClientID, err)
	}
	if da.DeviceCode == "" || da.UserCode == "" || da.VerificationURI == "" {
		return nil, fault.New(DeviceAnswerIncomplete, errors.New("the device authorization endpoint answered without a device code, user code or verification URI"),
			fault.Facts{Issuer: r.Issuer, Grant: GrantDevice})
	}
	interval := time.Duration(da.Interval) * time.Second
	if interval <= 0 {
		interval = 5 * time.Second
	}
	p := DevicePrompt{VerificationURI: da.VerificationURI, VerificationURIComplete: da.VerificationURIComplete,
		UserCode: da.UserCode, Interval: interval}
	if !da.Expiry.IsZero() {
		p.ExpiresIn = da.Expiry.Sub(now()).Round(time.Second)
	}
	if o.Prompt != nil {
		if err := o.Prompt(p); err != nil {
			return nil, err
		}
	}
	pctx := hctx
	if o.Wait > 0 {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(hctx, o.Wait)
		defer cancel()
	}
	tok, err := cfg.DeviceAccessToken(pctx, da, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, devicePollError(pctx, err, da, now(), o.Wait)
	}
	return d.bundle(hctx, r, GrantDevice, tok, "")
}

func deviceAuthError(clientID string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode == "" || serverFailing(re) {
		return grantError(GrantDevice, err)
	}
	msg := re.ErrorCode
	if re.ErrorDescription != "" {
		msg += ": " + re.ErrorDescription
	}
	return fault.New(DeviceRefused, fmt.Errorf("the identity provider refused to start a device login: %s", msg),
		fault.Facts{ClientID: clientID, Grant: GrantDevice, OAuthError: re.ErrorCode})
}

// devicePollError says why polling ended without a token; wait is how long
// igctl was told to poll (0: until the code expired or ctx ended).
func devicePollError(ctx context.Context, err error, da *oauth2.DeviceAuthResponse, now time.Time, wait time.Duration) error {
	facts := fault.Facts{Grant: GrantDevice, Wait: wait}
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && re.ErrorCode == "access_denied":
		facts.OAuthError = re.ErrorCode
		return fault.New(DeviceDenied, errors.New("the device login was denied in the browser (access_denied)"), facts)
	case errors.As(err, &re) && re.ErrorCode == "expired_token",
		errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil && !da.Expiry.IsZero() && !now.Before(da.Expiry):
		facts.OAuthError = "expired_token"
		return fault.New(DeviceCodeExpired, errors.New("the user code expired before the login was approved (expired_token)"), facts)
	case ctx.Err() != nil:
		return fault.New(DeviceTimeout, fmt.Errorf("the device login was not approved in time: %w", ctx.Err()), facts)
	}
	return grantError(GrantDevice, err)
}
