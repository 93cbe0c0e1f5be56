package token

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"golang.org/x/oauth2"

	"github.com/inference-gateway/igctl/internal/fault"
)

// Federated client authentication: the client proves who it is with a
// token its CI platform (or cluster) issues, sent as an RFC 7523 client
// assertion, instead of a client secret. The profile keeps where the
// assertion comes from (its source), never the assertion: each token
// request reads a fresh one, since Keycloak refuses an assertion it has
// seen before.

// ClientAssertionType is RFC 7523's client_assertion_type for a JWT.
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Assertion sources, as --client-assertion names them.
const (
	// SourceGitHub asks GitHub Actions' ID-token endpoint for a token.
	SourceGitHub = "github-actions"
	// GitHub's job variables: the request URL and its bearer token.
	GitHubRequestURL   = "ACTIONS_ID_TOKEN_REQUEST_URL"
	GitHubRequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
)

// AssertionSource is where a client assertion comes from: github-actions,
// file:PATH (read on every use: projected Kubernetes tokens rotate in
// place) or env:VAR.
type AssertionSource struct {
	Kind string // "github-actions", "file" or "env"
	Arg  string // the path or the variable name
}

func (s AssertionSource) String() string {
	if s.Kind == SourceGitHub {
		return s.Kind
	}
	return s.Kind + ":" + s.Arg
}

// ParseAssertionSource reads a source. Its error never repeats the text:
// a token pasted where a source belongs must not reach a log.
func ParseAssertionSource(s string) (AssertionSource, error) {
	kind, arg, _ := strings.Cut(s, ":")
	switch {
	case s == SourceGitHub:
		return AssertionSource{Kind: SourceGitHub}, nil
	case kind == "file" && arg != "":
		return AssertionSource{Kind: "file", Arg: arg}, nil
	case kind == "env" && arg != "" && !strings.ContainsAny(arg, "= \t\n"):
		return AssertionSource{Kind: "env", Arg: arg}, nil
	}
	return AssertionSource{}, errors.New("a client assertion source is github-actions, file:PATH or env:VAR (never the token itself)")
}

// FetchAssertion reads a fresh assertion from the source. audience is the
// aud to ask GitHub for (the realm's issuer URL, which Keycloak requires);
// file and env sources carry the aud their issuer put in.
func FetchAssertion(ctx context.Context, hc *http.Client, src AssertionSource, audience string, getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	facts := fault.Facts{Flag: src.String()}
	switch src.Kind {
	case "file":
		facts.Path = src.Arg
		b, err := os.ReadFile(src.Arg)
		if err != nil {
			return "", fault.New(AssertionUnreadable, fmt.Errorf("reading the client assertion from %s: %w", src.Arg, err), facts)
		}
		return checkAssertion(strings.TrimSpace(string(b)), "file "+src.Arg, facts)
	case "env":
		v := getenv(src.Arg)
		if strings.TrimSpace(v) == "" {
			return "", fault.New(AssertionUnreadable, fmt.Errorf("the client assertion variable %s is unset or empty", src.Arg), facts)
		}
		return checkAssertion(strings.TrimSpace(v), "variable "+src.Arg, facts)
	case SourceGitHub:
		return gitHubIDToken(ctx, hc, audience, getenv, facts)
	}
	return "", fault.New(AssertionUnreadable, errors.New("unknown client assertion source"), facts)
}

// checkAssertion refuses what is not a JWT before it is sent anywhere.
func checkAssertion(raw, from string, facts fault.Facts) (string, error) {
	if _, err := Decode(raw); err != nil {
		return "", fault.New(AssertionUnreadable, fmt.Errorf("the client assertion in %s is not a JWT", from), facts)
	}
	return raw, nil
}

// gitHubIDToken asks GitHub Actions for an ID token with aud audience: GET
// the request URL (which already has a query string) with
// &audience=AUDIENCE, Authorization: bearer REQUEST_TOKEN; the answer is
// {"value": JWT}.
func gitHubIDToken(ctx context.Context, hc *http.Client, audience string, getenv func(string) string, facts fault.Facts) (string, error) {
	reqURL, reqTok := getenv(GitHubRequestURL), getenv(GitHubRequestToken)
	if reqURL == "" || reqTok == "" {
		var missing []string
		for _, kv := range [][2]string{{GitHubRequestURL, reqURL}, {GitHubRequestToken, reqTok}} {
			if kv[1] == "" {
				missing = append(missing, kv[0])
			}
		}
		return "", fault.New(AssertionSourceMissing, fmt.Errorf("no GitHub Actions ID token: %s unset (GitHub sets %s and %s only in a job with `permissions: id-token: write`)",
			strings.Join(missing, " and "), GitHubRequestURL, GitHubRequestToken), facts)
	}
	u, err := url.Parse(reqURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fault.New(AssertionSourceMissing, fmt.Errorf("%s is not a URL", GitHubRequestURL), facts)
	}
	q := u.Query()
	q.Set("audience", audience)
	u.RawQuery = q.Encode()
	facts.URL = u.Scheme + "://" + u.Host
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fault.New(AssertionSourceFailed, fmt.Errorf("asking GitHub for an ID token: %w", err), facts)
	}
	req.Header.Set("Authorization", "bearer "+reqTok)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		// the error names the URL, which carries no secret (the request
		// token travels in a header)
		return "", fault.New(AssertionSourceUnreachable, fmt.Errorf("asking GitHub for an ID token at %s: %w", facts.URL, unwrapURLError(err)), facts)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fault.New(AssertionSourceFailed, fmt.Errorf("GitHub's ID-token endpoint answered HTTP %d", resp.StatusCode), facts)
	}
	var out struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Value == "" {
		return "", fault.New(AssertionSourceFailed, errors.New(`GitHub's ID-token endpoint answered without {"value": TOKEN}`), facts)
	}
	return checkAssertion(out.Value, "GitHub's answer", facts)
}

// unwrapURLError drops *url.Error's "Get URL:" prefix, which would repeat
// the full request URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// clientCredentialsWithAssertion runs the client-credentials grant with a
// fresh assertion from the bundle's source.
func (b *Bundle) clientCredentialsWithAssertion(ctx context.Context, hc *http.Client, getenv func(string) string) (*oauth2.Token, error) {
	src, err := ParseAssertionSource(b.ClientAssertion)
	if err != nil {
		return nil, fault.New(AssertionUnreadable, err)
	}
	aud := b.ClientAssertionAudience
	if aud == "" {
		aud = b.Issuer
	}
	assertion, err := FetchAssertion(ctx, hc, src, aud, getenv)
	if err != nil {
		return nil, err
	}
	cc := b.clientCredentials()
	cc.ClientSecret = ""
	cc.AuthStyle = oauth2.AuthStyleInParams // client_id in the body, no Basic
	cc.EndpointParams = url.Values{"client_assertion_type": {ClientAssertionType}, "client_assertion": {assertion}}
	tok, err := cc.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
	if err != nil {
		return nil, assertionRefusal(b, src, assertion, err)
	}
	return tok, nil
}

// assertionRefusal explains why the token endpoint refused the assertion:
// what the assertion carried (iss, sub, aud, exp; never the assertion)
// and what Keycloak compares them with.
func assertionRefusal(b *Bundle, src AssertionSource, assertion string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode == "" {
		return grantErrorAt(b.Issuer, GrantClientCredentials, err)
	}
	carried := "an assertion that is not a JWT"
	if c, derr := Decode(assertion); derr == nil {
		carried = fmt.Sprintf("iss %q, sub %q, aud %v", c.Issuer, c.Subject, []string(c.Audience))
	}
	facts := fault.Facts{Issuer: b.Issuer, ClientID: b.ClientID, Grant: GrantClientCredentials, OAuthError: re.ErrorCode, Flag: src.String()}
	desc := re.ErrorDescription
	kind := AssertionRejected
	switch {
	case desc == "Invalid token audience":
		kind = AssertionAudience
		aud := b.ClientAssertionAudience
		if aud == "" {
			aud = b.Issuer
		}
		return fault.New(kind, fmt.Errorf("the identity provider refused the client assertion from %s for client %s: its aud is not the realm's issuer (it carried %s; Keycloak wants aud %q)", src, b.ClientID, carried, b.Issuer), facts)
	case desc == "Token is not active":
		kind = AssertionExpired
		return fault.New(kind, fmt.Errorf("the identity provider refused the client assertion from %s for client %s: it expired or is not valid yet (it carried %s)", src, b.ClientID, carried), facts)
	case desc == "Token reuse detected":
		kind = AssertionReused
		return fault.New(kind, fmt.Errorf("the identity provider refused the client assertion from %s for client %s: it was already used (Keycloak accepts each assertion once)", src, b.ClientID), facts)
	case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
		return fault.New(kind, fmt.Errorf("the identity provider refused the client assertion from %s for client %s: %s (it carried %s)", src, b.ClientID, desc, carried), facts)
	}
	return grantErrorAt(b.Issuer, GrantClientCredentials, err)
}

// CheckAssertionSource says whether the source can be read now, without
// asking any server: the file or variable holds a JWT, or GitHub's two
// variables are set. doctor shows it; nothing is minted.
func CheckAssertionSource(src AssertionSource, getenv func(string) string) error {
	if getenv == nil {
		getenv = os.Getenv
	}
	if src.Kind == SourceGitHub {
		if getenv(GitHubRequestURL) == "" || getenv(GitHubRequestToken) == "" {
			_, err := gitHubIDToken(context.Background(), nil, "", getenv, fault.Facts{Flag: src.String()})
			return err
		}
		return nil
	}
	_, err := FetchAssertion(context.Background(), nil, src, "", getenv)
	return err
}
