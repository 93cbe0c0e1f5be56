package proxycmd

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

// seen is what the fake gateway received.
type seen struct {
	mu       sync.Mutex
	auth     []string // the Authorization of each /v1 request
	apiKey   []string // its X-Api-Key
	requests int
}

func (s *seen) get() ([]string, []string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...), append([]string(nil), s.apiKey...), s.requests
}

type fixture struct {
	kc   *kcfake.Keycloak
	h    *kcfake.Harness
	gw   *httptest.Server
	seen *seen
}

// proxyFixture is a logged-in profile and a gateway that answers every
// /v1 request 200 and records its credentials.
func proxyFixture(t *testing.T) *fixture {
	t.Helper()
	fx := &fixture{kc: kcfake.NewKeycloak(), h: kcfake.NewHarness(t), seen: &seen{}}
	t.Cleanup(fx.kc.Close)
	fx.gw = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			fx.seen.mu.Lock()
			fx.seen.requests++
			fx.seen.auth = append(fx.seen.auth, r.Header.Get("Authorization"))
			fx.seen.apiKey = append(fx.seen.apiKey, r.Header.Get("X-Api-Key"))
			fx.seen.mu.Unlock()
		}
		io.WriteString(w, `{"object":"list","data":[]}`)
	}))
	t.Cleanup(fx.gw.Close)
	prof := kcfake.Profile(fx.kc, token.GrantPassword)
	prof.GatewayURL = fx.gw.URL
	fx.h.LoggedIn(t, fx.kc, "default", prof)
	return fx
}

// proxyOpts are the Options NewCmdProxy wires to h's Factory, listening on
// any free loopback port, changed by set.
func proxyOpts(h *kcfake.Harness, set func(*Options)) *Options {
	o := NewOptions(h.F)
	o.Listen, o.DrainTimeout = "127.0.0.1:0", 5*time.Second
	if set != nil {
		set(o)
	}
	return o
}

// serve runs proxyRun until visit returns, then sends it SIGTERM; it
// returns proxyRun's error.
func serve(t *testing.T, h *kcfake.Harness, set func(*Options), visit func(local string)) error {
	t.Helper()
	// the access log and the token keeper write from their own goroutines,
	// as to a terminal; the test's buffer needs a lock
	h.F.IO.ErrOut = &lockedWriter{w: h.F.IO.ErrOut}
	opts := proxyOpts(h, set)
	sigs := make(chan os.Signal, 2)
	opts.signals = func() (chan os.Signal, func()) { return sigs, func() {} }
	opts.started = func(local string) {
		go func() {
			visit(local)
			sigs <- syscall.SIGTERM
		}()
	}
	done := make(chan error, 1)
	go func() { done <- proxyRun(context.Background(), opts) }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("proxyRun did not stop after SIGTERM")
		return nil
	}
}

// mustNotServe runs proxyRun, failing the test if the proxy comes up
// (and then stopping it).
func mustNotServe(t *testing.T, name string, o *Options) error {
	sigs := make(chan os.Signal, 2)
	o.signals = func() (chan os.Signal, func()) { return sigs, func() {} }
	o.started = func(string) {
		t.Errorf("%s: the proxy served", name)
		sigs <- syscall.SIGTERM
	}
	return proxyRun(context.Background(), o)
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func get(t *testing.T, url string, header map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// The key is generated once (0600, printed once), a request without it
// gets 401 and never reaches the gateway, and a request with it reaches
// the gateway with the profile's token in place of the client's
// Authorization.
func TestProxyRunKeyAndToken(t *testing.T) {
	fx := proxyFixture(t)
	keyFile := filepath.Join(fx.h.Dir, "proxy", "default.key")
	var key string
	var status = map[string]int{}
	err := serve(t, fx.h, nil, func(local string) {
		data, err := os.ReadFile(keyFile)
		if err != nil {
			t.Errorf("key file: %v", err)
			return
		}
		key = strings.TrimSpace(string(data))
		status["none"] = get(t, local+"/v1/models", nil)
		status["wrong"] = get(t, local+"/v1/models", map[string]string{"Authorization": "Bearer not-the-key"})
		status["bearer"] = get(t, local+"/v1/models", map[string]string{"Authorization": "Bearer " + key})
		status["x-api-key"] = get(t, local+"/v1/models", map[string]string{"X-Api-Key": key})
	})
	if err != nil {
		t.Fatalf("proxyRun: %v\n%s", err, fx.h.ErrOut)
	}
	if status["none"] != 401 || status["wrong"] != 401 || status["bearer"] != 200 || status["x-api-key"] != 200 {
		t.Errorf("statuses %v", status)
	}
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 || !strings.HasPrefix(key, "igctl-proxy-") {
		t.Fatalf("key file %v %v, key %q", st, err, key)
	}
	out := fx.h.Out.String()
	if !strings.Contains(out, "OPENAI_BASE_URL=http://127.0.0.1:") || !strings.Contains(out, "OPENAI_API_KEY="+key+"\n") {
		t.Errorf("stdout:\n%s", out)
	}
	auth, apiKey, n := fx.seen.get()
	if n != 2 {
		t.Fatalf("the gateway got %d requests, want the 2 with the key", n)
	}
	for i := range auth {
		tok := strings.TrimPrefix(auth[i], "Bearer ")
		if _, valid := fx.kc.Verify(tok); !valid || strings.Contains(auth[i], key) || apiKey[i] != "" {
			t.Errorf("request %d reached the gateway with Authorization %q, X-Api-Key %q", i, auth[i], apiKey[i])
		}
	}
	if strings.Contains(fx.h.ErrOut.String(), key) {
		t.Error("the key appeared on stderr")
	}

	// A second run reads the same key and does not print it.
	h2 := fx.h.Fresh(t)
	err = serve(t, h2, nil, func(local string) {
		if s := get(t, local+"/v1/models", map[string]string{"Authorization": "Bearer " + key}); s != 200 {
			t.Errorf("the same key on the second run: %d", s)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h2.Out.String(), "OPENAI_API_KEY") || !strings.Contains(h2.ErrOut.String(), "clients send the local key in "+keyFile) {
		t.Errorf("second run: stdout %q, stderr:\n%s", h2.Out, h2.ErrOut)
	}
}

// A key file others may read, or an empty one, is refused (exit 3) before
// anything listens.
func TestProxyRunRefusesBadKeyFile(t *testing.T) {
	fx := proxyFixture(t)
	keyFile := filepath.Join(fx.h.Dir, "k.key")
	for _, tc := range []struct {
		name, data, hint string
		mode             os.FileMode
	}{
		{"group-readable", "igctl-proxy-x\n", "chmod 600 " + keyFile, 0o640},
		{"world-readable", "igctl-proxy-x\n", "chmod 600 " + keyFile, 0o604},
		{"empty", "\n", "delete it", 0o600},
		{"4 characters", "abcd\n", "delete it", 0o600},
	} {
		if err := os.WriteFile(keyFile, []byte(tc.data), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(keyFile, tc.mode); err != nil {
			t.Fatal(err)
		}
		err := mustNotServe(t, tc.name, proxyOpts(fx.h, func(o *Options) { o.KeyFile = keyFile }))
		if cmdutil.ExitCode(err) != 3 || !strings.Contains(cmdutil.HintOf(err), tc.hint) {
			t.Errorf("%s: %v (exit %d, hint %q), want exit 3 with %q", tc.name, err, cmdutil.ExitCode(err), cmdutil.HintOf(err), tc.hint)
		}
	}
}

func TestProxyRunFlagErrors(t *testing.T) {
	fx := proxyFixture(t)
	for name, set := range map[string]func(*Options){
		"--drain-timeout -1s":   func(o *Options) { o.DrainTimeout = -time.Second },
		"--no-key --key-file k": func(o *Options) { o.NoKey, o.KeyFile = true, "k" },
		"--listen 8090":         func(o *Options) { o.Listen = "8090" },
		// serving the network with your identity and no key
		"--no-key --listen 0.0.0.0:0":  func(o *Options) { o.NoKey, o.Listen = true, "0.0.0.0:0" },
		"--no-key --listen [::]:0":     func(o *Options) { o.NoKey, o.Listen = true, "[::]:0" },
		"--no-key --listen 10.0.0.1:0": func(o *Options) { o.NoKey, o.Listen = true, "10.0.0.1:0" },
	} {
		if err := mustNotServe(t, name, proxyOpts(fx.h, set)); cmdutil.Class(err) != cmdutil.Usage {
			t.Errorf("%s: %v, want a usage error", name, err)
		}
	}
}

// Not logged in: exit 4 at start, not on the first request.
func TestProxyRunNotLoggedIn(t *testing.T) {
	kc := kcfake.NewKeycloak()
	t.Cleanup(kc.Close)
	h := kcfake.NewHarness(t)
	fx := proxyFixture(t)
	prof := kcfake.Profile(kc, token.GrantPassword)
	prof.GatewayURL = fx.gw.URL
	h.LoggedIn(t, kc, "default", prof)
	if err := os.Remove(h.TokenFile("default")); err != nil {
		t.Fatal(err)
	}
	err := mustNotServe(t, "not logged in", proxyOpts(h, nil))
	if cmdutil.ExitCode(err) != 4 {
		t.Errorf("%v (exit %d), want exit 4", err, cmdutil.ExitCode(err))
	}
}

// --no-key: no key file, every request goes through with the token.
func TestProxyRunNoKey(t *testing.T) {
	fx := proxyFixture(t)
	err := serve(t, fx.h, func(o *Options) { o.NoKey = true }, func(local string) {
		if s := get(t, local+"/v1/models", map[string]string{"Authorization": "Bearer client-own"}); s != 200 {
			t.Errorf("--no-key: %d", s)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(fx.h.Dir, "proxy")); !os.IsNotExist(err) {
		t.Errorf("--no-key wrote a key: %v", err)
	}
	auth, _, _ := fx.seen.get()
	if len(auth) != 1 || auth[0] == "Bearer client-own" || !strings.Contains(fx.h.ErrOut.String(), "--no-key") {
		t.Errorf("auth %q, stderr:\n%s", auth, fx.h.ErrOut)
	}
}

// The gateway comes from the GatewayURL getter: one that is not http(s)
// is refused at start (exit 2), and an HTTP client that cannot be built is
// the command's error; neither serves.
func TestProxyRunGatewayAndHTTPClientGetters(t *testing.T) {
	fx := proxyFixture(t)
	err := mustNotServe(t, "ftp gateway", proxyOpts(fx.h, func(o *Options) {
		o.GatewayURL = func(string, *config.Profile) (string, error) { return "ftp://gw.example.com", nil }
	}))
	if cmdutil.Class(err) != cmdutil.Usage || !strings.Contains(err.Error(), `gateway URL "ftp://gw.example.com" is not an http(s) URL`) {
		t.Errorf("ftp gateway: %v", err)
	}
	err = mustNotServe(t, "no HTTP client", proxyOpts(fx.h, func(o *Options) {
		o.HTTPClient = func(string) (*http.Client, error) {
			return nil, cmdutil.Failf(cmdutil.BadConfig, "CA file ca.pem holds no PEM certificate")
		}
	}))
	if cmdutil.ExitCode(err) != 3 || !strings.Contains(err.Error(), "ca.pem") {
		t.Errorf("no HTTP client: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

// The default key file is CONFIG_DIR/proxy/PROFILE.key with CONFIG_DIR
// from the ConfigDir getter.
func TestProxyRunKeyUnderTheConfigDirGetter(t *testing.T) {
	fx := proxyFixture(t)
	dir := t.TempDir()
	err := serve(t, fx.h, func(o *Options) { o.ConfigDir = func() string { return dir } }, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "proxy", "default.key")); err != nil {
		t.Errorf("key file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(fx.h.Dir, "proxy")); !os.IsNotExist(err) {
		t.Errorf("a key was written under the Factory's config dir: %v", err)
	}
}

// A first run that cannot listen writes no key: the run that first serves
// creates the key file and prints the key, so it is printed once, ever.
func TestProxyRunWritesTheKeyOnlyOnceServing(t *testing.T) {
	fx := proxyFixture(t)
	keyFile := filepath.Join(fx.h.Dir, "proxy", "default.key")
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	err = mustNotServe(t, "port taken", proxyOpts(fx.h, func(o *Options) { o.Listen = taken.Addr().String() }))
	if cmdutil.ExitCode(err) != 6 {
		t.Fatalf("port taken: %v (exit %d), want exit 6", err, cmdutil.ExitCode(err))
	}
	if _, err := os.Stat(keyFile); !os.IsNotExist(err) {
		t.Fatalf("a run that could not listen left a key file: %v", err)
	}
	h2 := fx.h.Fresh(t)
	if err := serve(t, h2, nil, func(string) {}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h2.Out.String(), "OPENAI_API_KEY="+strings.TrimSpace(string(data))+"\n") ||
		!strings.Contains(h2.ErrOut.String(), keyFile) {
		t.Errorf("the run that created the key: stdout %q, stderr:\n%s", h2.Out, h2.ErrOut)
	}
}
