package gateway_test

import (
	"context"
	"net"
	"net/http"
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
