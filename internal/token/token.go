// Package token owns igctl's tokens: OIDC discovery, the password and
// client-credentials grants, refresh, revocation, storage (OS keyring with
// envelope encryption, 0600 file, or nothing) and JWT inspection. It knows
// nothing of cobra or terminals, nor of exit codes: its failures are the
// fault kinds of faults.go, with the facts a hint needs.
//
// This file holds the non-interactive grants, refresh and revocation;
// discovery.go discovery, grant_errors.go what a refused or failed grant
// means, authcode.go, device.go and interactive.go the logins of a person,
// manager.go the refresh policy, store*.go the storage.
package token

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/inference-gateway/igctl/internal/fault"
)

// Grant names as used on the command line and in config.yaml.
const (
	GrantPassword          = "password"
	GrantClientCredentials = "client-credentials"
	// GrantAuthCode is the authorization code grant with PKCE on a loopback
	// redirect (a browser login); GrantDevice the device authorization grant.
	GrantAuthCode = "authcode"
	GrantDevice   = "device"
)

// LoginRequest is what a login needs. Password and ClientSecret are secrets:
// they never reach an error message or a log line.
type LoginRequest struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	Grant        string
	Username     string
	Password     string
	Scope        string
	// ClientAssertion is the source of the client assertion that stands
	// in for the secret (client-credentials grant only), "" for none;
	// ClientAssertionAudience the aud asked for ("" the issuer).
	ClientAssertion         string
	ClientAssertionAudience string
	// Getenv reads the assertion's environment (nil: the process's).
	Getenv func(string) string
}

// Login discovers the issuer's endpoints and runs the grant.
func Login(ctx context.Context, hc *http.Client, r LoginRequest) (*Bundle, error) {
	ep, err := Discover(ctx, hc, r.Issuer)
	if err != nil {
		return nil, err
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	b := &Bundle{
		Issuer: r.Issuer, ClientID: r.ClientID, ClientSecret: r.ClientSecret, Grant: r.Grant,
		Username: r.Username, Scope: r.Scope,
		ClientAssertion: r.ClientAssertion, ClientAssertionAudience: r.ClientAssertionAudience,
		TokenEndpoint: ep.TokenEndpoint, RevocationEndpoint: ep.RevocationEndpoint,
	}
	var tok *oauth2.Token
	switch r.Grant {
	case GrantPassword:
		tok, err = b.oauth2Config().PasswordCredentialsToken(ctx, r.Username, r.Password)
	case GrantClientCredentials:
		if b.ClientAssertion != "" {
			tok, err = b.clientCredentialsWithAssertion(ctx, hc, r.Getenv)
			if err != nil {
				return nil, err // already explained
			}
			break
		}
		tok, err = b.clientCredentials().Token(ctx)
	default:
		return nil, fault.New(UnknownGrant, fmt.Errorf("unknown grant %q (want password or client-credentials)", r.Grant), fault.Facts{Grant: r.Grant})
	}
	if err != nil {
		return nil, grantErrorAt(r.Issuer, r.Grant, err)
	}
	b.absorb(tok, time.Now())
	return b, nil
}

// AuthStyle is set explicitly: auto-detection would retry a refused request
// with the other style, sending a wrong password twice, which counts double
// against Keycloak's brute-force protection.
const authStyle = oauth2.AuthStyleInHeader

func (b *Bundle) oauth2Config() *oauth2.Config {
	return &oauth2.Config{
		ClientID: b.ClientID, ClientSecret: b.ClientSecret, Scopes: strings.Fields(b.Scope),
		Endpoint: oauth2.Endpoint{TokenURL: b.TokenEndpoint, AuthStyle: b.authStyle()},
	}
}

// A public client (no secret) must send client_id in the body; HTTP Basic
// with an empty password is refused by Keycloak.
func (b *Bundle) authStyle() oauth2.AuthStyle {
	if b.ClientSecret == "" {
		return oauth2.AuthStyleInParams
	}
	return authStyle
}

func (b *Bundle) clientCredentials() *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID: b.ClientID, ClientSecret: b.ClientSecret, Scopes: strings.Fields(b.Scope),
		TokenURL: b.TokenEndpoint, AuthStyle: authStyle,
	}
}

// absorb stores a token response. Expiry comes from expires_in counted from
// receipt on the local clock (x/oauth2 does this), so a skewed clock does
// not make a fresh token look expired.
func (b *Bundle) absorb(tok *oauth2.Token, now time.Time) {
	b.AccessToken = tok.AccessToken
	b.TokenType = tok.TokenType
	b.Expiry = tok.Expiry
	b.ObtainedAt = now
	if tok.ExpiresIn > 0 && !tok.Expiry.IsZero() {
		// x/oauth2 counted Expiry from its own clock reading at receipt;
		// counting back from it keeps the lifetime the issuer's expires_in
		// exactly, however long this process took to get here
		b.ObtainedAt = tok.Expiry.Add(-time.Duration(tok.ExpiresIn) * time.Second)
	}
	if tok.RefreshToken != "" {
		b.RefreshToken = tok.RefreshToken
		b.RefreshExpiry = time.Time{}
		if n := numberExtra(tok, "refresh_expires_in"); n > 0 {
			b.RefreshExpiry = now.Add(time.Duration(n) * time.Second)
		}
	} else if b.Grant == GrantClientCredentials {
		b.RefreshToken = ""
	}
	if id, ok := tok.Extra("id_token").(string); ok {
		b.IDToken = id
	}
	if s, ok := tok.Extra("scope").(string); ok && s != "" {
		b.Scope = s
	}
}

func numberExtra(tok *oauth2.Token, key string) int64 {
	switch v := tok.Extra(key).(type) {
	case float64:
		return int64(v)
	case int64:
		return v
	case string:
		var n int64
		fmt.Sscan(v, &n)
		return n
	}
	return 0
}

// Refresh renews b in place: with its refresh token, or for the
// client-credentials grant with a new grant from the stored secret.
func Refresh(ctx context.Context, hc *http.Client, b *Bundle) error {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	var (
		tok *oauth2.Token
		err error
	)
	switch {
	case b.RefreshToken != "":
		tok, err = b.oauth2Config().TokenSource(ctx, &oauth2.Token{RefreshToken: b.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
		if err != nil {
			var re *oauth2.RetrieveError
			if errors.As(err, &re) && re.ErrorCode == "invalid_grant" && b.Grant == GrantClientCredentials && b.ClientSecret != "" {
				tok, err = b.clientCredentials().Token(ctx)
				break
			}
			// A server that failed (5xx, server_error) did not end the
			// session: grantErrorAt says the endpoint is failing.
			if errors.As(err, &re) && re.ErrorCode != "" && !serverFailing(re) {
				return fault.New(SessionEnded, fmt.Errorf("refreshing the token failed: %s %s", re.ErrorCode, re.ErrorDescription),
					fault.Facts{Issuer: b.Issuer, ClientID: b.ClientID, Grant: b.Grant, OAuthError: re.ErrorCode})
			}
			return grantErrorAt(b.Issuer, "refresh", err)
		}
	case b.Grant == GrantClientCredentials && b.ClientAssertion != "":
		// a fresh assertion from the source: Keycloak refuses one it has seen
		if tok, err = b.clientCredentialsWithAssertion(ctx, hc, nil); err != nil {
			return err
		}
	case b.Grant == GrantClientCredentials && b.ClientSecret != "":
		tok, err = b.clientCredentials().Token(ctx)
	default:
		return fault.New(NoRefreshToken, errors.New("the token expired and there is no refresh token"),
			fault.Facts{Issuer: b.Issuer, ClientID: b.ClientID, Grant: b.Grant})
	}
	if err != nil {
		return grantErrorAt(b.Issuer, b.Grant, err)
	}
	b.absorb(tok, time.Now())
	return nil
}

// Revoke revokes the refresh token (RFC 7009) at the issuer. A bundle with
// no refresh token or an issuer with no revocation endpoint is a no-op.
func Revoke(ctx context.Context, hc *http.Client, b *Bundle) (bool, error) {
	if b.RefreshToken == "" || b.RevocationEndpoint == "" {
		return false, nil
	}
	return revokeOne(ctx, hc, b, b.RefreshToken, "refresh_token")
}

// Revocation is what the issuer revoked.
type Revocation struct {
	RefreshToken bool
	AccessToken  bool
}

// RevokeAll revokes the refresh token, if any, and the access token while
// it has not expired (RFC 7009; Keycloak accepts access tokens with
// token_type_hint=access_token). Revoking an access token reaches only
// services that ask the issuer about it: a gateway that verifies tokens
// offline, against the issuer's keys, accepts it until it expires.
func RevokeAll(ctx context.Context, hc *http.Client, b *Bundle, now time.Time) (Revocation, error) {
	var r Revocation
	if b.RevocationEndpoint == "" {
		return r, errors.New("the issuer has no revocation endpoint")
	}
	var errs []error
	if b.RefreshToken != "" {
		ok, err := revokeOne(ctx, hc, b, b.RefreshToken, "refresh_token")
		r.RefreshToken = ok
		if err != nil {
			errs = append(errs, fmt.Errorf("the refresh token: %w", err))
		}
	}
	if b.AccessToken != "" && b.Expiry.After(now) {
		ok, err := revokeOne(ctx, hc, b, b.AccessToken, "access_token")
		r.AccessToken = ok
		if err != nil {
			errs = append(errs, fmt.Errorf("the access token: %w", err))
		}
	}
	return r, errors.Join(errs...)
}

func revokeOne(ctx context.Context, hc *http.Client, b *Bundle, tok, hint string) (bool, error) {
	form := url.Values{"token": {tok}, "token_type_hint": {hint}}
	if b.ClientSecret == "" {
		form.Set("client_id", b.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, "POST", b.RevocationEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if b.ClientSecret != "" {
		req.SetBasicAuth(url.QueryEscape(b.ClientID), url.QueryEscape(b.ClientSecret))
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false, fault.New(RevokeUnreachable, fmt.Errorf("revoking at %s: %w", b.RevocationEndpoint, err), fault.Facts{URL: b.RevocationEndpoint})
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return false, fmt.Errorf("revocation endpoint answered HTTP %d", resp.StatusCode)
	}
	return true, nil
}
