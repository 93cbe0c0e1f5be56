package token

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
)

// The loopback server accepts one callback with the login's state, and
// its pages hold neither the code nor the state.
func TestCallbackStateAndOneShot(t *testing.T) {
	exchanged := 0
	cb := &callback{state: "the-state", issuer: "https://idp.example/realms/r", done: make(chan callbackResult, 1), served: make(chan struct{}),
		exchange: func(code string) (*Bundle, error) {
			exchanged++
			if code != "the-code" {
				t.Errorf("code %q", code)
			}
			return &Bundle{Username: "alice"}, nil
		}}
	srv := httptest.NewServer(cb)
	defer srv.Close()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string, string) {
		resp, err := noFollow.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location"), string(body)
	}
	for _, bad := range []string{"/callback?code=the-code", "/callback?code=the-code&state=other", "/callback?code=the-code&state="} {
		if code, _, body := get(bad); code != http.StatusBadRequest || strings.Contains(body, "the-code") {
			t.Errorf("%s: %d %q", bad, code, body)
		}
	}
	if code, _, _ := get("/done"); code != http.StatusNotFound {
		t.Errorf("/done before the callback: %d", code)
	}
	if code, loc, _ := get("/callback?code=the-code&state=the-state&iss=https%3A%2F%2Fidp.example%2Frealms%2Fr"); code != http.StatusSeeOther || loc != DonePath {
		t.Fatalf("callback: %d to %q", code, loc)
	}
	if res := <-cb.done; res.err != nil || res.b.Username != "alice" {
		t.Fatalf("result %+v", res)
	}
	code, _, body := get("/done")
	if code != http.StatusOK || !strings.Contains(body, "logged in as alice") || strings.Contains(body, "the-code") || strings.Contains(body, "the-state") {
		t.Errorf("/done: %d %q", code, body)
	}
	if code, _, _ := get("/callback?code=the-code&state=the-state"); code != http.StatusConflict {
		t.Errorf("second callback: %d", code)
	}
	if exchanged != 1 {
		t.Errorf("%d exchanges, want 1", exchanged)
	}
}

// A callback naming another issuer (RFC 9207) or carrying an error ends the
// login without an exchange.
func TestCallbackRefusals(t *testing.T) {
	for _, q := range []string{"iss=https%3A%2F%2Fevil.example&code=c", "error=access_denied&error_description=no"} {
		cb := &callback{state: "s", issuer: "https://idp.example", done: make(chan callbackResult, 1), served: make(chan struct{}),
			exchange: func(string) (*Bundle, error) { t.Error("exchanged"); return nil, nil }}
		rec := httptest.NewRecorder()
		cb.ServeHTTP(rec, httptest.NewRequest("GET", "/callback?state=s&"+q, nil))
		if res := <-cb.done; res.err == nil {
			t.Errorf("%s: no error", q)
		}
	}
}

// An issuer whose discovery promises iss in every authorization response
// (RFC 9207 §2.4): an answer without iss, or with an empty one, is refused
// before any exchange, a code answer and an error answer alike; with its
// own iss the answer is accepted. An issuer that makes no promise may
// leave iss out.
func TestCallbackRequiresPromisedIss(t *testing.T) {
	const issuer = "https://idp.example/realms/r"
	run := func(required bool, q string) (callbackResult, int) {
		exchanged := 0
		cb := &callback{state: "s", issuer: issuer, issRequired: required, done: make(chan callbackResult, 1), served: make(chan struct{}),
			exchange: func(string) (*Bundle, error) { exchanged++; return &Bundle{Username: "alice"}, nil }}
		cb.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/callback?state=s&"+q, nil))
		return <-cb.done, exchanged
	}
	for _, q := range []string{"code=c", "iss=&code=c", "error=access_denied"} {
		res, exchanged := run(true, q)
		if fault.KindOf(res.err) != ForeignAnswer || exchanged != 0 {
			t.Errorf("%s: %v (kind %q), %d exchanges; want %q and none", q, res.err, fault.KindOf(res.err), exchanged, ForeignAnswer)
		}
		if res.err != nil && !strings.Contains(res.err.Error(), "does not name its issuer") && q != "iss=&code=c" {
			t.Errorf("%s: message %q", q, res.err)
		}
	}
	if res, exchanged := run(true, "code=c&iss="+url.QueryEscape(issuer)); res.err != nil || exchanged != 1 {
		t.Errorf("own iss: %v, %d exchanges", res.err, exchanged)
	}
	if res, exchanged := run(false, "code=c"); res.err != nil || exchanged != 1 {
		t.Errorf("no promise, no iss: %v, %d exchanges", res.err, exchanged)
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	if _, err := listenLoopback("0.0.0.0:0"); err == nil {
		t.Error("listened on all interfaces")
	}
	ln, err := listenLoopback("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
}
