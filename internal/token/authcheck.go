package token

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/inference-gateway/igctl/internal/fault"
)

// checkAuthRequest sends the authorization request the browser is about to
// send (without following redirects), so that an issuer that refuses it
// for this client fails the login at once instead of after --wait.
// Keycloak answers a request it refuses with a 400 page ("Invalid
// parameter: redirect_uri", "Client not found.", a disabled standard flow)
// before any login page, and a request it accepts with its login page (200)
// or a redirect; a redirect back to igctl carrying an error is a refusal
// too. Anything else (no answer, another status) is left for the browser
// to show: the browser may reach what igctl cannot.
func checkAuthRequest(ctx context.Context, hc *http.Client, authURL, redirect string, r LoginRequest) error {
	c := *hc
	c.Jar = nil
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 256<<10))
	facts := fault.Facts{Issuer: r.Issuer, ClientID: r.ClientID, Grant: GrantAuthCode, URL: redirect}
	switch resp.StatusCode {
	case http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect:
		loc, err := resp.Location()
		if err != nil || !strings.HasPrefix(loc.String(), redirect) {
			return nil
		}
		q := loc.Query()
		if code := q.Get("error"); code != "" {
			facts.OAuthError = code
			msg := code
			if d := q.Get("error_description"); d != "" {
				msg += ": " + d
			}
			return fault.New(BrowserRefused, fmt.Errorf("the issuer refused the browser login for client %s before a browser opened: %s", r.ClientID, msg), facts)
		}
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		msg := pageMessage(body)
		facts.OAuthError = msg
		if msg == "" {
			msg = "no reason given"
		}
		return fault.New(AuthRequestRefused, fmt.Errorf("the issuer refused the browser login for client %s before a browser opened (HTTP %d from the authorization endpoint: %s)",
			r.ClientID, resp.StatusCode, msg), facts)
	}
	return nil
}

// keycloakMessage is the sentence Keycloak's error page shows.
var keycloakMessage = regexp.MustCompile(`(?s)<p class="instruction">\s*([^<]+?)\s*</p>|id="kc-error-message"[^>]*>\s*<p[^>]*>\s*([^<]+?)\s*</p>`)

// pageMessage is the reason an error page gives: Keycloak's message, or
// a short plain-text or JSON body; "" when there is none to show.
func pageMessage(body []byte) string {
	if m := keycloakMessage.FindSubmatch(body); m != nil {
		s := string(m[1])
		if s == "" {
			s = string(m[2])
		}
		return html.UnescapeString(s)
	}
	s := strings.TrimSpace(string(body))
	if s == "" || len(s) > 200 || strings.ContainsAny(s, "<\n") {
		return ""
	}
	return s
}
