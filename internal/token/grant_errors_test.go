package token

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/inference-gateway/igctl/internal/fault"
)

// A token endpoint that fails (5xx, or the codes RFC 6749 gives a server
// that cannot answer now) is failing, whatever its body says; only a 4xx
// with another code is a refusal.
func TestGrantErrorTellsFailingFromRefusing(t *testing.T) {
	answer := func(status int, code string) *oauth2.RetrieveError {
		return &oauth2.RetrieveError{
			Response:         &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}}},
			Body:             []byte(`{"error":"` + code + `"}`),
			ErrorCode:        code,
			ErrorDescription: "details",
		}
	}
	cases := []struct {
		status int
		code   string
		kind   fault.Kind
		msg    string
	}{
		{500, "server_error", EndpointFailing, "answered HTTP 500 server_error: details"},
		{503, "temporarily_unavailable", EndpointFailing, "answered HTTP 503 temporarily_unavailable"},
		{400, "temporarily_unavailable", EndpointFailing, "answered HTTP 400 temporarily_unavailable"},
		{400, "server_error", EndpointFailing, "answered HTTP 400 server_error"},
		{502, "invalid_grant", EndpointFailing, "answered HTTP 502 invalid_grant"},
		{400, "invalid_grant", GrantRefused, "refused the password grant: invalid_grant"},
		{401, "invalid_client", BadClient, "invalid_client"},
		{400, "unauthorized_client", GrantNotAllowed, "unauthorized_client"},
	}
	for _, c := range cases {
		err := grantError(GrantPassword, answer(c.status, c.code))
		e := fault.Of(err)
		if e == nil || e.Kind != c.kind {
			t.Errorf("HTTP %d %s: %v (kind %q), want kind %q", c.status, c.code, err, fault.KindOf(err), c.kind)
			continue
		}
		if !strings.Contains(err.Error(), c.msg) {
			t.Errorf("HTTP %d %s: message %q lacks %q", c.status, c.code, err, c.msg)
		}
		if e.Facts.OAuthError != c.code {
			t.Errorf("HTTP %d %s: Facts.OAuthError %q", c.status, c.code, e.Facts.OAuthError)
		}
	}
}
