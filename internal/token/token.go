// Package token owns igctl's tokens: OIDC discovery, the password and
// client-credentials grants, refresh, revocation, storage (OS keyring with
// envelope encryption, 0600 file, or nothing) and JWT inspection. It knows
// nothing of cobra or terminals.
package token

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/inference-gateway/igctl/internal/exitcode"
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

// Endpoints are the parts of the discovery document igctl uses.
type Endpoints struct {
	Issuer             string `json:"issuer"`
	TokenEndpoint      string `json:"token_endpoint"`
	RevocationEndpoint string `json:"revocation_endpoint"`
	JWKSURI            string `json:"jwks_uri"`
}

// Discover fetches {issuer}/.well-known/openid-configuration and checks that
// the document's issuer equals the configured one byte for byte, as the
// gateway does at start-up.
func Discover(ctx context.Context, hc *http.Client, issuer string) (*Endpoints, error) {
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, hc), issuer)
	if err != nil {
		return nil, discoveryError(issuer, err)
	}
	var ep Endpoints
	if err := p.Claims(&ep); err != nil {
		return nil, fmt.Errorf("reading discovery document of %s: %w", issuer, err)
	}
	return &ep, nil
}

func discoveryError(issuer string, err error) error {
	var mismatch *oidc.IssuerMismatchError
	if errors.As(err, &mismatch) {
		hint := "use exactly the issuer the server advertises: " + mismatch.Discovered
		if strings.TrimRight(mismatch.Provided, "/") == strings.TrimRight(mismatch.Discovered, "/") {
			hint = "remove the trailing slash: the gateway compares the issuer byte for byte"
		}
		return exitcode.Wrap(exitcode.Config, fmt.Errorf("issuer mismatch: configured %q, the server says %q", mismatch.Provided, mismatch.Discovered), hint)
	}
	if exitcode.IsNetwork(err) {
		return exitcode.Wrap(exitcode.Network, fmt.Errorf("OIDC discovery at %s failed: %w", issuer, err), tlsHint(err))
	}
	if strings.Contains(err.Error(), "404") {
		return exitcode.Wrap(exitcode.Config, fmt.Errorf("OIDC discovery at %s failed: %w", issuer, err),
			"is the realm name right? Keycloak issuers look like https://HOST/realms/REALM")
	}
	return exitcode.Wrap(exitcode.Network, fmt.Errorf("OIDC discovery at %s failed: %w", issuer, err), "")
}

func tlsHint(err error) string {
	if strings.Contains(err.Error(), "certificate") {
		return "trust the server's CA with --ca-file PEM (or SSL_CERT_FILE)"
	}
	return "check the issuer URL and that the server is reachable (HTTPS_PROXY/NO_PROXY are honoured)"
}

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
		TokenEndpoint: ep.TokenEndpoint, RevocationEndpoint: ep.RevocationEndpoint,
	}
	var tok *oauth2.Token
	switch r.Grant {
	case GrantPassword:
		tok, err = b.oauth2Config().PasswordCredentialsToken(ctx, r.Username, r.Password)
	case GrantClientCredentials:
		tok, err = b.clientCredentials().Token(ctx)
	default:
		return nil, exitcode.New(exitcode.Usage, fmt.Sprintf("unknown grant %q (want password or client-credentials)", r.Grant))
	}
	if err != nil {
		return nil, grantError(r.Grant, err)
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

// grantError turns the issuer's {"error","error_description"} into an exit-5
// error with a hint for the cases people hit with Keycloak.
func grantError(grant string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		// No OAuth error at all: the connection failed or dropped (EOF), or
		// the answer was not the token JSON the spec requires. Either way
		// the endpoint, not the credentials, is at fault.
		return exitcode.Wrap(exitcode.Network, fmt.Errorf("token request failed: %w", err), tlsHint(err))
	}
	desc := re.ErrorDescription
	msg := re.ErrorCode
	if desc != "" {
		msg += ": " + desc
	}
	if re.ErrorCode == "" {
		return exitcode.Wrap(exitcode.Network, fmt.Errorf("the token endpoint answered %s", describeAnswer(re)),
			"the identity provider (or a proxy in front of it) is failing: retry later, or check its logs")
	}
	var hint string
	switch {
	// Keycloak 26 answers a wrong client secret with 401 unauthorized_client
	// "Invalid client or Invalid client credentials", not invalid_client.
	case re.ErrorCode == "invalid_client" || strings.Contains(desc, "Invalid client credentials"):
		hint = "wrong client secret or client id (or the client is public and must not send a secret)"
	case re.ErrorCode == "unauthorized_client" && grant == GrantPassword:
		hint = "the client does not allow the password grant: turn on \"Direct access grants\" (directAccessGrantsEnabled) for the client in Keycloak"
	case re.ErrorCode == "unauthorized_client" && grant == GrantClientCredentials:
		hint = "the client has no service account: turn on \"Service accounts roles\" (serviceAccountsEnabled) for the client in Keycloak"
	case re.ErrorCode == "invalid_grant" && strings.Contains(desc, "not fully set up"):
		hint = "the user must have email, first and last name and no pending required action (e.g. a temporary password); `igctl keycloak bootstrap` sets users up fully"
	case re.ErrorCode == "invalid_grant" && strings.Contains(desc, "Invalid user credentials"):
		hint = "wrong username or password (repeated failures can lock the account by brute-force protection)"
	case re.ErrorCode == "invalid_scope":
		hint = "a requested scope is not available to this client"
	}
	return exitcode.Wrap(exitcode.IdPRefused, fmt.Errorf("the identity provider refused the %s grant: %s", grant, msg), hint)
}

// describeAnswer says what a server sent instead of an OAuth answer:
// status, content type and the first bytes, never anything that might echo
// the credentials of the request.
func describeAnswer(re *oauth2.RetrieveError) string {
	status, ctype := 0, ""
	if re.Response != nil {
		status, ctype = re.Response.StatusCode, re.Response.Header.Get("Content-Type")
	}
	out := fmt.Sprintf("HTTP %d", status)
	if ctype != "" {
		out += " (" + ctype + ")"
	}
	body := strings.TrimSpace(string(re.Body))
	lower := strings.ToLower(body)
	switch {
	case body == "":
		return out + " with an empty body"
	case strings.Contains(lower, "secret") || strings.Contains(lower, "password") || strings.Contains(lower, "token"):
		return out + " (body withheld: it may echo credentials)"
	}
	if len(body) > 80 {
		body = body[:80] + "…"
	}
	return out + ": " + strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, body)
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
			if errors.As(err, &re) && re.ErrorCode != "" {
				return exitcode.Wrap(exitcode.Auth, fmt.Errorf("refreshing the token failed: %s %s", re.ErrorCode, re.ErrorDescription),
					"the session ended at the identity provider: run `igctl login` again")
			}
			return grantError("refresh", err)
		}
	case b.Grant == GrantClientCredentials && b.ClientSecret != "":
		tok, err = b.clientCredentials().Token(ctx)
	default:
		return exitcode.New(exitcode.Auth, "the token expired and there is no refresh token: run `igctl login` again")
	}
	if err != nil {
		return grantError(b.Grant, err)
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
	form := url.Values{"token": {b.RefreshToken}, "token_type_hint": {"refresh_token"}}
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
		return false, exitcode.Wrap(exitcode.Network, fmt.Errorf("revoking at %s: %w", b.RevocationEndpoint, err), "")
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return false, fmt.Errorf("revocation endpoint answered HTTP %d", resp.StatusCode)
	}
	return true, nil
}
