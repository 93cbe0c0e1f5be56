package token

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/oauth2"

	"github.com/inference-gateway/igctl/internal/fault"
)

// grantError says why the token endpoint gave no token for grant: it could
// not be reached, it answered something that is not OAuth, or it refused,
// with the refusals people hit with Keycloak told apart.
func grantError(grant string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		// No OAuth error at all: the connection failed or dropped (EOF), or
		// the answer was not the token JSON the spec requires. Either way
		// the endpoint, not the credentials, is at fault.
		return fault.New(EndpointUnreachable, fmt.Errorf("token request failed: %w", err), fault.Facts{Grant: grant})
	}
	desc := re.ErrorDescription
	msg := re.ErrorCode
	if desc != "" {
		msg += ": " + desc
	}
	if re.ErrorCode == "" {
		return fault.New(EndpointFailing, fmt.Errorf("the token endpoint answered %s", describeAnswer(re)), fault.Facts{Grant: grant})
	}
	if serverFailing(re) {
		return fault.New(EndpointFailing, fmt.Errorf("the token endpoint answered HTTP %d %s", answerStatus(re), msg),
			fault.Facts{Grant: grant, OAuthError: re.ErrorCode})
	}
	kind := GrantRefused
	switch {
	// Keycloak 26 answers a wrong client secret with 401 unauthorized_client
	// "Invalid client or Invalid client credentials", not invalid_client.
	case re.ErrorCode == "invalid_client" || strings.Contains(desc, "Invalid client credentials"):
		kind = BadClient
	case re.ErrorCode == "unauthorized_client":
		kind = GrantNotAllowed
	case re.ErrorCode == "invalid_grant" && strings.Contains(desc, "not fully set up"):
		kind = AccountIncomplete
	case re.ErrorCode == "invalid_grant" && strings.Contains(desc, "Invalid user credentials"):
		kind = BadUserCredentials
	}
	return fault.New(kind, fmt.Errorf("the identity provider refused the %s grant: %s", grant, msg),
		fault.Facts{Grant: grant, OAuthError: re.ErrorCode})
}

// serverFailing reports whether an OAuth error answer says the server
// failed rather than refused: the codes RFC 6749 gives a server that cannot
// answer now (server_error, temporarily_unavailable), or any 5xx status,
// whatever error code its body carries. Retrying later may work; logging in
// again changes nothing.
func serverFailing(re *oauth2.RetrieveError) bool {
	switch re.ErrorCode {
	case "server_error", "temporarily_unavailable":
		return true
	}
	return answerStatus(re) >= 500
}

// answerStatus is the HTTP status of the answer re was read from (0 when
// unknown).
func answerStatus(re *oauth2.RetrieveError) int {
	if re.Response == nil {
		return 0
	}
	return re.Response.StatusCode
}

// grantErrorAt is grantError for a request to issuer's token endpoint: the
// hint for a realm Keycloak does not have names the realm.
func grantErrorAt(issuer, grant string, err error) error {
	out := grantError(grant, err)
	if e := fault.Of(out); e != nil {
		e.Facts.Issuer = issuer
	}
	return out
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
