package token

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/inference-gateway/igctl/internal/fault"
)

// Interactive is what the browser and device logins need from the
// discovery document, beyond the token endpoints every grant uses.
type Interactive struct {
	Endpoints
	AuthorizationEndpoint       string   `json:"authorization_endpoint"`
	DeviceAuthorizationEndpoint string   `json:"device_authorization_endpoint"`
	CodeChallengeMethods        []string `json:"code_challenge_methods_supported"`
	GrantTypes                  []string `json:"grant_types_supported"`
	// IssInAnswers: the issuer names itself in every authorization
	// response (RFC 9207 §3), so an answer without iss is not its own.
	IssInAnswers bool `json:"authorization_response_iss_parameter_supported"`

	provider *oidc.Provider
}

// DiscoverInteractive fetches the discovery document (checking its issuer
// byte for byte, as Discover does) and keeps the provider to verify ID
// tokens with.
func DiscoverInteractive(ctx context.Context, hc *http.Client, issuer string) (*Interactive, error) {
	p, err := newProvider(ctx, hc, issuer)
	if err != nil {
		return nil, err
	}
	d := &Interactive{provider: p}
	if err := p.Claims(d); err != nil {
		return nil, fault.New(DiscoveryFailed, fmt.Errorf("reading discovery document of %s: %w", issuer, err), fault.Facts{Issuer: issuer})
	}
	return d, nil
}

// grantListed: a document without grant_types_supported allows the
// authorization code grant by default (OpenID Connect Discovery 1.0 §3);
// the device grant must be listed or have its endpoint.
func (d *Interactive) grantListed(grant string) bool {
	return len(d.GrantTypes) == 0 || slices.Contains(d.GrantTypes, grant)
}

// SupportsAuthCode reports whether the issuer offers the authorization code
// grant with PKCE S256.
func (d *Interactive) SupportsAuthCode() bool {
	return d.AuthorizationEndpoint != "" && d.grantListed("authorization_code") &&
		slices.Contains(d.CodeChallengeMethods, "S256")
}

// SupportsDevice reports whether the issuer offers the device authorization grant.
func (d *Interactive) SupportsDevice() bool {
	return d.DeviceAuthorizationEndpoint != "" && d.grantListed(deviceGrantType)
}

const deviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"

// config is the oauth2 configuration for the interactive grants; openid is
// always asked for, since the ID token proves who logged in.
func (d *Interactive) config(r LoginRequest, redirect string) *oauth2.Config {
	b := &Bundle{ClientSecret: r.ClientSecret}
	scopes := strings.Fields(r.Scope)
	if !slices.Contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	}
	return &oauth2.Config{
		ClientID: r.ClientID, ClientSecret: r.ClientSecret, Scopes: scopes, RedirectURL: redirect,
		Endpoint: oauth2.Endpoint{
			AuthURL: d.AuthorizationEndpoint, TokenURL: d.TokenEndpoint, DeviceAuthURL: d.DeviceAuthorizationEndpoint,
			AuthStyle: b.authStyle(),
		},
	}
}

// bundle turns the token response of an interactive grant into a bundle,
// after verifying its ID token: signature, iss, aud, exp, and the nonce
// when one was sent. The user name comes from the verified ID token.
func (d *Interactive) bundle(ctx context.Context, r LoginRequest, grant string, tok *oauth2.Token, nonce string) (*Bundle, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fault.New(NoIDToken, fmt.Errorf("the identity provider sent no ID token for the %s grant", grant),
			fault.Facts{Issuer: r.Issuer, ClientID: r.ClientID, Grant: grant})
	}
	idt, err := d.provider.Verifier(&oidc.Config{ClientID: r.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, fault.New(BadIDToken, fmt.Errorf("the ID token does not verify: %w", err), fault.Facts{Issuer: r.Issuer, ClientID: r.ClientID, Grant: grant})
	}
	if nonce != "" && !equalSecret(idt.Nonce, nonce) {
		return nil, fault.New(BadIDToken, errors.New("the ID token's nonce is not the one this login sent: the answer belongs to another login"),
			fault.Facts{Issuer: r.Issuer, ClientID: r.ClientID, Grant: grant})
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, fault.New(BadIDToken, fmt.Errorf("the access token does not match the ID token's at_hash: %w", err),
				fault.Facts{Issuer: r.Issuer, ClientID: r.ClientID, Grant: grant})
		}
	}
	var claims struct {
		PreferredUsername string `json:"preferred_username"`
	}
	idt.Claims(&claims)
	user := claims.PreferredUsername
	if user == "" {
		user = idt.Subject
	}
	b := &Bundle{
		Issuer: r.Issuer, ClientID: r.ClientID, ClientSecret: r.ClientSecret, Grant: grant,
		Username: user, Scope: r.Scope,
		TokenEndpoint: d.TokenEndpoint, RevocationEndpoint: d.RevocationEndpoint,
	}
	b.absorb(tok, time.Now())
	return b, nil
}

// randomString is 256 bits from crypto/rand, base64url without padding:
// state and nonce values.
func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
