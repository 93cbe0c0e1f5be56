package gateway_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/gateway"
)

// What the user sees of each gateway failure: the exit code and the hint
// that cmdutil's table gives its kind.
func TestGatewayFailuresExitAndHint(t *testing.T) {
	// a port nothing listens on: bind one, then close it
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()
	for _, tc := range []struct {
		name, url string
		code      exitcode.Code
		hint      string
	}{
		{"bad URL", "http://bad host/", exitcode.Usage, ""},
		{"unreachable", down, exitcode.Network, "check --gateway / IGCTL_GATEWAY_URL and that the gateway runs"},
	} {
		c := &gateway.Client{BaseURL: tc.url, HTTP: http.DefaultClient}
		_, err := c.AuthOff(context.Background())
		if err == nil || !strings.Contains(err.Error(), "gateway") {
			t.Errorf("%s: err = %v", tc.name, err)
			continue
		}
		if code, hint := cmdutil.Classify(err); code != tc.code || hint != tc.hint {
			t.Errorf("%s: exit %d hint %q, want exit %d hint %q (%v)", tc.name, code, hint, tc.code, tc.hint, err)
		}
	}
}

// A gateway answer that is neither 2xx nor 401: a 404 means the URL is not
// the gateway's base URL (exit 3), a 5xx or 429 the gateway failing (exit 6);
// the *APIError with the gateway's own reason stays reachable.
func TestGatewayAnswersExitAndHint(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   exitcode.Code
		hint   string
	}{
		{http.StatusNotFound, exitcode.Config, "the gateway's base URL (without /v1)"},
		{http.StatusServiceUnavailable, exitcode.Network, "the gateway failed on its side"},
		{http.StatusTooManyRequests, exitcode.Network, "the gateway failed on its side"},
		{http.StatusBadRequest, exitcode.Unexpected, ""},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			w.Write([]byte(`{"error":"reason from the gateway"}`))
		}))
		c := &gateway.Client{BaseURL: srv.URL, HTTP: srv.Client()}
		_, err := c.AuthOff(context.Background())
		srv.Close()
		var apiErr *gateway.APIError
		if !errors.As(err, &apiErr) || apiErr.Status != tc.status || !strings.Contains(err.Error(), "reason from the gateway") {
			t.Errorf("%d: err = %v", tc.status, err)
			continue
		}
		code, hint := cmdutil.Classify(err)
		if code != tc.code || !strings.Contains(hint, tc.hint) || (tc.hint == "" && hint != "") {
			t.Errorf("%d: exit %d hint %q, want exit %d hint containing %q", tc.status, code, hint, tc.code, tc.hint)
		}
	}
}

// A 200 that is not a model list (a web page at the wrong URL) is the same
// mistake as a 404: exit 3 with the base-URL hint.
func TestGatewayAnswerThatIsNotAModelList(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>a web app</html>"))
	}))
	defer srv.Close()
	c := &gateway.Client{BaseURL: srv.URL, HTTP: srv.Client(), Token: func(context.Context, bool) (string, error) { return "t", nil }}
	_, _, err := c.Models(context.Background(), "", nil)
	if code, hint := cmdutil.Classify(err); code != exitcode.Config || !strings.Contains(hint, "base URL") {
		t.Fatalf("exit %d hint %q: %v", code, hint, err)
	}
}
