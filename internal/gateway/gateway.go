// Package gateway is igctl's client for the Inference Gateway's HTTP API:
// the public /health and the authenticated /v1/models. It knows nothing of
// cobra or terminals; tokens come from a function the caller provides.
package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/inference-gateway/igctl/internal/fault"
)

// TokenFunc returns an access token; force asks for a fresh one (after a 401).
type TokenFunc func(ctx context.Context, force bool) (string, error)

// Client talks to one gateway.
type Client struct {
	BaseURL string
	HTTP    *http.Client
	Token   TokenFunc
}

// Model is one entry of /v1/models. Optional fields appear with ?include=.
type Model struct {
	ID            string `json:"id"`
	Object        string `json:"object"`
	Created       int64  `json:"created"`
	OwnedBy       string `json:"owned_by"`
	ServedBy      string `json:"served_by"`
	ContextWindow *struct {
		Tokens int64  `json:"tokens"`
		Source string `json:"source"`
	} `json:"context_window,omitempty"`
	Pricing *struct {
		InputPerToken  Price  `json:"input_per_token"`
		OutputPerToken Price  `json:"output_per_token"`
		Currency       string `json:"currency"`
	} `json:"pricing,omitempty"`
	Modalities *struct {
		Input  []string `json:"input"`
		Output []string `json:"output"`
	} `json:"modalities,omitempty"`
}

// Price is a per-token price. The gateway sends decimal strings
// ("0.0000025", exact for tiny prices); a number is accepted too.
type Price string

// UnmarshalJSON accepts "0.0000025" and 0.0000025.
func (p *Price) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*p = Price(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("price is neither a string nor a number: %s", b)
	}
	*p = Price(n.String())
	return nil
}

// PerMillion is the price of a million tokens, or false when unparsable.
func (p Price) PerMillion() (float64, bool) {
	f, err := strconv.ParseFloat(string(p), 64)
	return f * 1e6, err == nil
}

// ModelList is the answer of /v1/models.
type ModelList struct {
	Object   string  `json:"object"`
	Provider string  `json:"provider,omitempty"`
	Data     []Model `json:"data"`
}

// maxBody bounds what igctl reads of one answer.
const maxBody = 32 << 20

// ErrUnauthorized is the gateway's 401, whose body says only
// {"error":"unauthorized"}: the reason is for the caller to find out.
var ErrUnauthorized = errors.New("the gateway answered 401 Unauthorized")

// ErrNoFreshToken is what a TokenFunc answers when asked for a fresh token
// it cannot get (a token from the environment): the 401 stands.
var ErrNoFreshToken = errors.New("no fresh token to retry with")

// APIError is any other non-2xx answer, with the gateway's {"error": "..."}.
type APIError struct {
	URL     string
	Status  int
	Message string
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("gateway %s: HTTP %d: %s", e.URL, e.Status, msg)
}

// CheckBase judges a gateway URL before any request: igctl adds /v1 to the
// base URL itself, so a URL that ends in /v1 (the API's prefix, as OpenAI
// clients are configured) is not the gateway's base URL. The failure is a
// NotFound, as a URL whose paths answer 404 is, so that every command
// reports both alike.
func CheckBase(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return nil // the URL check of the caller reports it
	}
	if p := strings.TrimRight(u.Path, "/"); p == "/v1" || strings.HasSuffix(p, "/v1") {
		return fault.New(NotFound, fmt.Errorf("gateway URL %s ends in /v1: igctl adds /v1 itself, so it needs the gateway's base URL", u.Redacted()),
			fault.Facts{URL: u.String()})
	}
	return nil
}

// Health calls the public GET /health and returns the server's Date header
// (zero when absent), which tells its clock.
func (c *Client) Health(ctx context.Context) (time.Time, error) {
	_, hdr, err := c.get(ctx, "/health", "", false)
	if errors.Is(err, ErrUnauthorized) {
		// the gateway's /health is public: what asks for a token here is
		// something else (the gateway's /v1 API, when the URL ends in /v1)
		return time.Time{}, fault.New(NotFound, fmt.Errorf("gateway %s/health answered 401, which the gateway's public /health never does: this is not the gateway's base URL",
			strings.TrimRight(c.BaseURL, "/")), fault.Facts{URL: c.BaseURL})
	}
	if err != nil {
		return time.Time{}, err
	}
	date, _ := http.ParseTime(hdr.Get("Date"))
	return date, nil
}

// Models calls GET /v1/models. It returns the raw JSON (for --json) and the
// decoded list. On a 401 it gets a fresh token and retries once.
func (c *Client) Models(ctx context.Context, provider string, include []string) ([]byte, *ModelList, error) {
	q := url.Values{}
	if provider != "" {
		q.Set("provider", provider)
	}
	if len(include) > 0 {
		q.Set("include", strings.Join(include, ","))
	}
	path := "/v1/models"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	tok, err := c.Token(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	body, _, err := c.get(ctx, path, tok, true)
	if errors.Is(err, ErrUnauthorized) {
		// Once: the token may have expired in flight or been revoked.
		if tok, err = c.Token(ctx, true); errors.Is(err, ErrNoFreshToken) {
			return nil, nil, ErrUnauthorized
		} else if err != nil {
			return nil, nil, err
		}
		body, _, err = c.get(ctx, path, tok, true)
	}
	if err != nil {
		return nil, nil, err
	}
	var list ModelList
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, nil, fault.New(NotFound, fmt.Errorf("gateway %s: the answer is not a model list: %w", c.BaseURL+path, err), fault.Facts{URL: c.BaseURL})
	}
	return body, &list, nil
}

// AuthOff asks GET /v1/models with no token at all. A gateway with
// authentication on answers 401; a 200 means it authorises everyone.
func (c *Client) AuthOff(ctx context.Context) (bool, error) {
	_, _, err := c.get(ctx, "/v1/models", "", false)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrUnauthorized):
		return false, nil
	}
	return false, err
}

func (c *Client) get(ctx context.Context, path, token string, auth bool) ([]byte, http.Header, error) {
	u := strings.TrimRight(c.BaseURL, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, fault.New(BadURL, fmt.Errorf("gateway URL %q: %w", c.BaseURL, err), fault.Facts{URL: c.BaseURL})
	}
	if auth {
		// Exactly "Bearer ": the gateway's prefix check is case-sensitive.
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, nil, fault.New(Unreachable, fmt.Errorf("gateway %s unreachable: %w", u, err), fault.Facts{URL: u})
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, nil, fault.New(ReadFailed, fmt.Errorf("gateway %s: %w", u, err), fault.Facts{URL: u})
	}
	if len(body) > maxBody {
		return nil, nil, fault.New(TooLarge, fmt.Errorf("gateway %s: the answer is larger than %d MiB; igctl stops reading there", u, maxBody>>20), fault.Facts{URL: u})
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, nil, ErrUnauthorized
	case resp.StatusCode/100 != 2:
		var e struct {
			Error string `json:"error"`
		}
		json.Unmarshal(body, &e)
		kind := Refused
		switch {
		case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed:
			kind = NotFound
		case resp.StatusCode/100 == 5 || resp.StatusCode == http.StatusTooManyRequests:
			kind = Failing
		}
		return nil, nil, fault.New(kind, &APIError{URL: u, Status: resp.StatusCode, Message: e.Error}, fault.Facts{URL: c.BaseURL})
	}
	return body, resp.Header, nil
}
