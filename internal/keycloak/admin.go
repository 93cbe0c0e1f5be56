// Package keycloak is igctl's own small client for Keycloak's admin REST API
// (gocloak is not available here) and the idempotent bootstrap built on it.
// It knows nothing of cobra or terminals.
package keycloak

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/fault"
)

// Credentials log in to the master realm: a user through admin-cli with the
// password grant, or a service-account client with client credentials.
type Credentials struct {
	Username     string
	Password     string
	ClientID     string // default admin-cli
	ClientSecret string // set: client-credentials grant
	Realm        string // default master
}

// Admin is an authenticated admin API client. The master realm's access token
// lives 60 s, so the client renews it before each request when it is close to
// expiry, and once more on a 401.
type Admin struct {
	BaseURL string
	HTTP    *http.Client
	Creds   Credentials

	mu     sync.Mutex
	token  string
	expiry time.Time

	// Writes counts requests other than GET (tests assert a no-change run makes none).
	Writes int
}

// NewAdmin returns an Admin for the server at baseURL (no trailing /realms).
func NewAdmin(baseURL string, hc *http.Client, creds Credentials) *Admin {
	if hc == nil {
		hc = http.DefaultClient
	}
	if creds.ClientID == "" {
		creds.ClientID = "admin-cli"
	}
	if creds.Realm == "" {
		creds.Realm = "master"
	}
	return &Admin{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: hc, Creds: creds}
}

// APIError is a non-2xx answer from Keycloak with its JSON error message.
type APIError struct {
	Method, Path string
	Status       int
	Message      string // errorMessage, error_description or error
	Code         string // the OAuth error code ("error"), when the answer has one
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("keycloak: %s %s: HTTP %d: %s", e.Method, e.Path, e.Status, msg)
}

func parseAPIError(method, path string, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct {
		ErrorMessage     string `json:"errorMessage"`
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	json.Unmarshal(body, &e)
	msg := e.ErrorMessage
	if msg == "" {
		msg = e.ErrorDescription
	}
	if msg == "" {
		msg = e.Error
	}
	apiErr := &APIError{Method: method, Path: path, Status: resp.StatusCode, Message: msg, Code: e.Error}
	if resp.StatusCode >= 500 {
		// the server failed, not the request: a network-class failure
		return fault.New(ServerFailed, apiErr)
	}
	return apiErr
}

// Login gets a fresh admin token.
func (a *Admin) Login(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.loginLocked(ctx)
}

func (a *Admin) loginLocked(ctx context.Context) error {
	form := url.Values{"client_id": {a.Creds.ClientID}}
	if a.Creds.ClientSecret != "" {
		form.Set("grant_type", "client_credentials")
		form.Set("client_secret", a.Creds.ClientSecret)
	} else {
		form.Set("grant_type", "password")
		form.Set("username", a.Creds.Username)
		form.Set("password", a.Creds.Password)
	}
	path := "/realms/" + url.PathEscape(a.Creds.Realm) + "/protocol/openid-connect/token"
	req, err := http.NewRequestWithContext(ctx, "POST", a.BaseURL+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := a.HTTP.Do(req)
	if err != nil {
		return fault.New(LoginUnreachable, fmt.Errorf("keycloak admin login at %s: %w", config.ShowURL(a.BaseURL), err), fault.Facts{URL: a.BaseURL})
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		apiErr := parseAPIError("POST", path, resp)
		var ae *APIError
		errors.As(apiErr, &ae)
		switch {
		case (resp.StatusCode == 401 || resp.StatusCode == 400) && (ae == nil || !oauthRefusal(ae.Code)):
			// A 400 or 401 without an OAuth error is not the token
			// endpoint refusing the credentials: below a wrong base URL
			// (…/admin) Keycloak's admin API answers every request
			// without a bearer token 401 {"error":"HTTP 401 Unauthorized"}.
			return fault.New(NotKeycloak, fmt.Errorf("%s is not Keycloak's base URL: the admin login there was answered without an OAuth error, which a token endpoint refusing credentials always names (%w)",
				config.ShowURL(a.BaseURL), apiErr), fault.Facts{URL: a.BaseURL})
		case resp.StatusCode == 401 || resp.StatusCode == 400:
			return fault.New(LoginRefused, fmt.Errorf("keycloak admin login refused: %w", apiErr),
				fault.Facts{URL: a.BaseURL, ClientID: a.Creds.ClientID})
		case resp.StatusCode >= 500:
			return fault.New(ServerFailed, apiErr, fault.Facts{URL: a.BaseURL})
		}
		return fault.New(NotKeycloak, apiErr, fault.Facts{URL: a.BaseURL})
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		if err == nil {
			err = errors.New("no access_token in the answer")
		}
		return fault.New(NotKeycloak, fmt.Errorf("keycloak admin login: the answer is not a token: %w", err), fault.Facts{URL: a.BaseURL})
	}
	a.token = tok.AccessToken
	a.expiry = time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	return nil
}

// oauthRefusal reports whether code is one a token endpoint refuses a
// request with (RFC 6749 §5.2).
func oauthRefusal(code string) bool {
	switch code {
	case "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope":
		return true
	}
	return false
}

func (a *Admin) bearer(ctx context.Context, force bool) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	// Renew 10 s early: a request started with 1 s left can arrive expired.
	if force || a.token == "" || time.Until(a.expiry) < 10*time.Second {
		if err := a.loginLocked(ctx); err != nil {
			return "", err
		}
	}
	return a.token, nil
}

// ErrNotFound is a 404 from the admin API.
var ErrNotFound = errors.New("not found")

// Do sends one admin API request. path is below /admin/realms. A non-nil in
// is sent as JSON; a non-nil out receives the JSON answer. It returns the
// response's Location header (set on 201 Created).
func (a *Admin) Do(ctx context.Context, method, path string, in, out any) (string, error) {
	var payload []byte
	if in != nil {
		var err error
		if payload, err = json.Marshal(in); err != nil {
			return "", err
		}
	}
	if method != "GET" {
		a.Writes++
	}
	for attempt := 0; ; attempt++ {
		tok, err := a.bearer(ctx, attempt > 0)
		if err != nil {
			return "", err
		}
		req, err := http.NewRequestWithContext(ctx, method, a.BaseURL+"/admin/realms"+path, bytes.NewReader(payload))
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		if in != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Accept", "application/json")
		resp, err := a.HTTP.Do(req)
		if err != nil {
			return "", fault.New(Unreachable, fmt.Errorf("keycloak: %s %s: %w", method, path, err), fault.Facts{URL: a.BaseURL})
		}
		if resp.StatusCode == 401 && attempt == 0 {
			resp.Body.Close()
			continue
		}
		defer resp.Body.Close()
		switch {
		case resp.StatusCode == 404:
			io.Copy(io.Discard, resp.Body)
			return "", fmt.Errorf("%w: %s %s", ErrNotFound, method, path)
		case resp.StatusCode == 401:
			return "", fault.New(AdminRefused, parseAPIError(method, path, resp), fault.Facts{URL: a.BaseURL})
		case resp.StatusCode == 403:
			return "", fault.New(Forbidden, parseAPIError(method, path, resp), fault.Facts{URL: a.BaseURL})
		case resp.StatusCode/100 != 2:
			return "", parseAPIError(method, path, resp)
		}
		if out != nil && resp.StatusCode != 204 {
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				return "", fmt.Errorf("keycloak: %s %s: decoding answer: %w", method, path, err)
			}
		} else {
			io.Copy(io.Discard, resp.Body)
		}
		return resp.Header.Get("Location"), nil
	}
}

// IsConflict reports a 409 (or the 400 "already exists" of Keycloak 26.2.4).
func IsConflict(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	return e.Status == 409 || (e.Status == 400 && strings.Contains(e.Message, "already exists"))
}
