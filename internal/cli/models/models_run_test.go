package models

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

// modelsFixture: a fake realm, a fake gateway trusting it (both replaying
// the real servers' recorded answers) and a logged-in profile.
func modelsFixture(t *testing.T) (*kcfake.Keycloak, *kcfake.Gateway, *kcfake.Harness) {
	t.Helper()
	kc := kcfake.NewKeycloak()
	t.Cleanup(kc.Close)
	gw := kcfake.NewGateway(kc)
	t.Cleanup(gw.Close)
	h := kcfake.NewHarness(t)
	h.LoggedIn(t, kc, "default", kcfake.Profile(kc, token.GrantPassword))
	return kc, gw, h
}

// gatewayOpts are the Options NewCmdModels wires, with --gateway set.
func gatewayOpts(h *kcfake.Harness, gateway string) *Options {
	o := NewOptions(h.F)
	o.Gateway = gateway
	return o
}

func TestModelsRunLists(t *testing.T) {
	_, gw, h := modelsFixture(t)
	if err := modelsRun(context.Background(), gatewayOpts(h, gw.URL)); err != nil {
		t.Fatal(err)
	}
	if h.Out.String() != "openai/gpt-4o\nopenai/gpt-4o-mini\n" {
		t.Errorf("stdout %q", h.Out)
	}
	h.Out.Reset()
	h.F.IO.SetTTY(false, true, false)
	o := gatewayOpts(h, gw.URL)
	o.Include = []string{"context_window", "pricing"}
	if err := modelsRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.Out.String(), "CONTEXT") || !strings.Contains(h.Out.String(), "128000") {
		t.Errorf("table:\n%s", h.Out)
	}
	h.Out.Reset()
	o = gatewayOpts(h, gw.URL)
	o.JSON = true
	if err := modelsRun(context.Background(), o); err != nil || !strings.HasPrefix(h.Out.String(), `{"data":[{"created":1686935002,"id":"openai/gpt-4o"`) {
		t.Errorf("json: %v %s", err, h.Out)
	}
	// the gateway's JSON, then exactly one newline (a shell prompt after
	// `igctl models --json` starts on its own line)
	if out := h.Out.String(); !strings.HasSuffix(out, "}\n") || strings.HasSuffix(out, "\n\n") {
		t.Errorf("json output does not end in exactly one newline: ...%q", out[max(0, len(out)-20):])
	}
}

// The gateway's bare 401: one refresh and retry, then exit 4 with the reason
// the gateway's log would give (here: aud lacks the gateway's client id).
func TestModelsRun401Diagnosed(t *testing.T) {
	kc, gw, h := modelsFixture(t)
	gw.ClientID = "inference-gateway-client"
	cfg, _ := h.Fresh(t).F.Config()
	cfg.Profiles["default"].GatewayIssuer, cfg.Profiles["default"].GatewayClientID = kc.Issuer, gw.ClientID
	cfg.Save()
	calls := kc.Calls(kcfake.Token)
	err := modelsRun(context.Background(), gatewayOpts(h, gw.URL))
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "the gateway rejected the token (401, after one refresh and retry)") ||
		!strings.Contains(err.Error(), `lacks "inference-gateway-client"`) || !strings.Contains(cmdutil.HintOf(err), "audience mapper") {
		t.Fatalf("err = %v (exit %d, hint %q)", err, cmdutil.ExitCode(err), cmdutil.HintOf(err))
	}
	if gw.Answered(http.StatusUnauthorized) != 2 || kc.Calls(kcfake.Token) != calls+1 {
		t.Errorf("401s %d, refreshes %d: want 2 and 1", gw.Answered(http.StatusUnauthorized), kc.Calls(kcfake.Token)-calls)
	}
}

// A 401 whose cause igctl cannot see (it was not told the gateway's settings) says so and how to tell it.
func TestModelsRun401Unexplained(t *testing.T) {
	_, gw, h := modelsFixture(t)
	gw.ClientID = "inference-gateway-client"
	err := modelsRun(context.Background(), gatewayOpts(h, gw.URL))
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "igctl was not told them") || !strings.Contains(cmdutil.HintOf(err), "igctl doctor --gateway-env FILE") {
		t.Fatalf("err = %v (exit %d, hint %q)", err, cmdutil.ExitCode(err), cmdutil.HintOf(err))
	}
}

func TestModelsRunEnvTokenExpired(t *testing.T) {
	kc, gw, h := modelsFixture(t)
	h.Env["IGCTL_TOKEN"] = kc.AccessToken(func(c map[string]any) { c["exp"] = time.Now().Add(-3 * time.Second).Unix() })
	err := modelsRun(context.Background(), gatewayOpts(h, gw.URL))
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "IGCTL_TOKEN, not refreshed") || !strings.Contains(err.Error(), "IGCTL_TOKEN, which igctl cannot refresh") {
		t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if gw.Answered(http.StatusUnauthorized) != 1 {
		t.Errorf("%d requests, want one (no retry with a token igctl cannot refresh)", gw.Answered(http.StatusUnauthorized))
	}
}

func TestModelsRunGatewayDown(t *testing.T) {
	_, _, h := modelsFixture(t)
	err := modelsRun(context.Background(), gatewayOpts(h, kcfake.ClosedURL()))
	if cmdutil.ExitCode(err) != exitcode.Network || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

// The token must be refreshed first, and the identity provider fails: exit 6, the gateway never asked.
func TestModelsRunRefreshFails(t *testing.T) {
	kc, gw, h := modelsFixture(t)
	h.Edit(t, "default", func(b *token.Bundle) { b.Expiry = time.Now().Add(-time.Minute) })
	kc.Fail(kcfake.Token, kcfake.Fault5xx)
	err := modelsRun(context.Background(), gatewayOpts(h, gw.URL))
	if cmdutil.ExitCode(err) != exitcode.Network || !strings.Contains(err.Error(), "HTTP 503") {
		t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if gw.Answered(200)+gw.Answered(401) != 0 {
		t.Error("the gateway was asked without a valid token")
	}
}

func TestModelsRunAuthOffAndAPIError(t *testing.T) {
	_, gw, h := modelsFixture(t)
	h.F.Globals.Verbose = true
	gw.AuthOff = true
	err := modelsRun(context.Background(), gatewayOpts(h, gw.URL))
	if cmdutil.ExitCode(err) != exitcode.Config || !strings.Contains(err.Error(), "authentication is OFF") {
		t.Errorf("auth off: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	gw.AuthOff = false
	h.F.Globals.Verbose = false
	o := gatewayOpts(h, gw.URL)
	o.Provider = "no-such-provider"
	err = modelsRun(context.Background(), o)
	if cmdutil.ExitCode(err) != exitcode.Usage || !strings.Contains(err.Error(), "HTTP 400: Provider not found") {
		t.Errorf("unknown provider: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

func TestModelsRunNoGatewayURLOrProfile(t *testing.T) {
	_, _, h := modelsFixture(t)
	if err := modelsRun(context.Background(), NewOptions(h.F)); cmdutil.ExitCode(err) != exitcode.Usage {
		t.Errorf("no gateway: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	h.Env["IGCTL_PROFILE"] = "nope"
	if err := modelsRun(context.Background(), gatewayOpts(h, "http://127.0.0.1:1")); cmdutil.ExitCode(err) != exitcode.Config {
		t.Errorf("unknown profile: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

// canned answers every request with status and body, and records what it was asked.
type canned struct {
	status int
	body   string
	asked  []*http.Request
}

func (c *canned) RoundTrip(req *http.Request) (*http.Response, error) {
	c.asked = append(c.asked, req)
	return &http.Response{StatusCode: c.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(c.body)), Request: req}, nil
}

// modelsRun talks to the gateway only through its HTTPClient getter: a
// transport answering canned bytes is what gets listed, asked with the
// profile's stored token and the --include fields.
func TestModelsRunThroughTheHTTPClientGetter(t *testing.T) {
	_, _, h := modelsFixture(t)
	rt := &canned{status: 200, body: answer}
	o := gatewayOpts(h, "http://gateway.invalid")
	o.Include = []string{"pricing"}
	o.HTTPClient = func(string) (*http.Client, error) { return &http.Client{Transport: rt}, nil }
	if err := modelsRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if h.Out.String() != "openai/gpt-4o\ngroq/llama-3.3-70b\n" {
		t.Errorf("stdout %q", h.Out)
	}
	if len(rt.asked) != 1 || rt.asked[0].URL.String() != "http://gateway.invalid/v1/models?include=pricing" ||
		rt.asked[0].Header.Get("Authorization") != "Bearer "+h.Stored(t, "default").AccessToken {
		t.Fatalf("asked %d times: %v", len(rt.asked), rt.asked)
	}

	// -v read from the Verbose getter: the canned 200 without a token means authentication is off
	h.Out.Reset()
	o.Verbose = func() bool { return true }
	if err := modelsRun(context.Background(), o); cmdutil.ExitCode(err) != exitcode.Config || !strings.Contains(err.Error(), "authentication is OFF at http://gateway.invalid") {
		t.Errorf("-v: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if len(rt.asked) != 3 || rt.asked[2].Header.Get("Authorization") != "" {
		t.Errorf("-v: %d requests, the last with Authorization %q: want 3, the last without", len(rt.asked), rt.asked[len(rt.asked)-1].Header.Get("Authorization"))
	}
}

// An HTTP client that cannot be built (a CA file that is not PEM) is the
// command's error, before the gateway is asked.
func TestModelsRunHTTPClientFails(t *testing.T) {
	_, gw, h := modelsFixture(t)
	o := gatewayOpts(h, gw.URL)
	o.HTTPClient = func(string) (*http.Client, error) {
		return nil, cmdutil.Failf(cmdutil.BadConfig, "CA file ca.pem holds no PEM certificate")
	}
	if err := modelsRun(context.Background(), o); cmdutil.ExitCode(err) != exitcode.Config || !strings.Contains(err.Error(), "ca.pem") {
		t.Errorf("%v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if n := gw.Answered(200) + gw.Answered(401); n != 0 || h.Out.Len() != 0 {
		t.Errorf("the gateway answered %d times, stdout %q", n, h.Out)
	}
}
