package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/fault"
)

// fixedSource hands out tokens named tok1, tok2, ... each valid for life.
type fixedSource struct {
	calls atomic.Int64
	life  time.Duration
	delay time.Duration
}

func (s *fixedSource) get(ctx context.Context, minValid time.Duration, force bool) (Token, error) {
	n := s.calls.Add(1)
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	return Token{Value: fmt.Sprintf("tok%d", n), Expiry: time.Now().Add(s.life), Lifetime: s.life, Refreshed: true}, nil
}

func start(t *testing.T, upstream http.Handler, o Options) (*httptest.Server, *fixedSource) {
	t.Helper()
	up := httptest.NewServer(upstream)
	t.Cleanup(up.Close)
	u, _ := url.Parse(up.URL)
	src := &fixedSource{life: time.Hour}
	o.Upstream = u
	if o.Tokens == nil {
		o.Tokens = NewTokens(src.get, TokensOptions{})
	}
	o.Key = "local-key"
	srv := httptest.NewServer(New(o))
	t.Cleanup(srv.Close)
	return srv, src
}

func do(t *testing.T, method, url, key, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestKeyRequiredAndAuthorizationReplaced(t *testing.T) {
	var seen []string
	var mu sync.Mutex
	srv, _ := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization")+"|"+r.Header.Get("X-Api-Key"))
		mu.Unlock()
		io.WriteString(w, "ok")
	}), Options{})

	if resp := do(t, "GET", srv.URL+"/v1/models", "", ""); resp.StatusCode != 401 {
		t.Fatalf("without key: %d", resp.StatusCode)
	} else {
		var e struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&e)
		if !strings.HasPrefix(e.Error, "unauthorized") {
			t.Fatalf("body %q", e.Error)
		}
	}
	if resp := do(t, "GET", srv.URL+"/v1/models", "wrong", ""); resp.StatusCode != 401 {
		t.Fatalf("wrong key: %d", resp.StatusCode)
	}
	if resp := do(t, "GET", srv.URL+"/v1/models", "local-key", ""); resp.StatusCode != 200 {
		t.Fatalf("with key: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/v1/models", nil)
	req.Header.Set("X-Api-Key", "local-key")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("x-api-key: %v %v", resp, err)
	}
	resp.Body.Close()
	if len(seen) != 2 || seen[0] != "Bearer tok1|" || seen[1] != "Bearer tok1|" {
		t.Fatalf("upstream saw %q", seen)
	}
}

func TestStreamsFlushedPerChunk(t *testing.T) {
	const delay = 80 * time.Millisecond
	srv, _ := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < 5; i++ {
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			time.Sleep(delay)
		}
	}), Options{})
	resp := do(t, "POST", srv.URL+"/v1/chat/completions", "local-key", `{"stream":true}`)
	sc := bufio.NewScanner(resp.Body)
	var at []time.Time
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "data:") {
			at = append(at, time.Now())
		}
	}
	if len(at) != 5 {
		t.Fatalf("%d chunks", len(at))
	}
	for i := 1; i < len(at); i++ {
		if g := at[i].Sub(at[i-1]); g < delay/2 {
			t.Fatalf("chunk %d arrived %s after the previous one: buffered", i, g)
		}
	}
}

func TestRenewAndReplayAfter401(t *testing.T) {
	var bodies []string
	srv, src := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if r.Header.Get("Authorization") != "Bearer tok2" {
			WriteError(w, 401, "unauthorized")
			return
		}
		io.WriteString(w, "ok")
	}), Options{})
	resp := do(t, "POST", srv.URL+"/v1/chat/completions", "local-key", `{"n":1}`)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if len(bodies) != 2 || bodies[0] != `{"n":1}` || bodies[1] != `{"n":1}` {
		t.Fatalf("upstream bodies %q", bodies)
	}
	if src.calls.Load() != 2 {
		t.Fatalf("%d token fetches, want 2", src.calls.Load())
	}
}

func TestLarge401PassesThroughWithDiagnosis(t *testing.T) {
	var notices []string
	calls := 0
	srv, src := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		io.Copy(io.Discard, r.Body)
		WriteError(w, 401, "unauthorized")
	}), Options{
		MaxReplayBody: 4,
		Explain401: func(ctx context.Context, tok string) Explanation {
			return Explanation{Cause: "the token " + tok[:3] + "… expired", Fix: "igctl login"}
		},
		Notice: func(n Notice) {
			if fault.KindOf(n.Err) != Rejected {
				t.Errorf("notice of kind %q, want %q", fault.KindOf(n.Err), Rejected)
			}
			notices = append(notices, n.Err.Error()+" / "+n.Fix)
		},
	})
	resp := do(t, "POST", srv.URL+"/v1/chat/completions", "local-key", "larger than four bytes")
	if resp.StatusCode != 401 || calls != 1 || src.calls.Load() != 1 {
		t.Fatalf("status %d after %d upstream calls and %d token fetches", resp.StatusCode, calls, src.calls.Load())
	}
	d := resp.Header.Get(DiagnosisHeader)
	if !strings.Contains(d, "too large to replay") || !strings.Contains(d, "the token tok... expired; fix: igctl login") {
		t.Fatalf("diagnosis header %q", d)
	}
	if len(notices) != 1 || strings.Contains(notices[0], "tok1") {
		t.Fatalf("notices %q", notices)
	}
}

func TestUnreachableGatewayIs502JSON(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:1")
	src := &fixedSource{life: time.Hour}
	srv := httptest.NewServer(New(Options{Upstream: u, Tokens: NewTokens(src.get, TokensOptions{})}))
	defer srv.Close()
	resp := do(t, "GET", srv.URL+"/v1/models", "", "")
	var e struct{ Error string }
	json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != 502 || !strings.Contains(e.Error, "unreachable") {
		t.Fatalf("%d %q", resp.StatusCode, e.Error)
	}
}

type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestAccessLogHasNoSecrets(t *testing.T) {
	log := &syncLog{}
	srv, _ := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }),
		Options{AccessLog: log})
	resp := do(t, "GET", srv.URL+"/v1/models?api_key=secret-in-query", "local-key", "")
	io.ReadAll(resp.Body)
	// the line is written once the handler returns, just after the answer
	for deadline := time.Now().Add(2 * time.Second); log.String() == "" && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	line := log.String()
	if !strings.Contains(line, " GET /v1/models 200 ") || !strings.HasSuffix(line, " 5B\n") {
		t.Fatalf("log line %q", line)
	}
	for _, s := range []string{"secret-in-query", "local-key", "tok1"} {
		if strings.Contains(line, s) {
			t.Fatalf("log line %q shows %s", line, s)
		}
	}
}

func TestTokensOneFetchForConcurrentCallers(t *testing.T) {
	src := &fixedSource{life: time.Hour, delay: 50 * time.Millisecond}
	tk := NewTokens(src.get, TokensOptions{})
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tok, err := tk.Get(context.Background()); err != nil || tok != "tok1" {
				t.Errorf("got %q %v", tok, err)
			}
		}()
	}
	wg.Wait()
	// a burst of 401s for tok1: one renewal
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tok, err := tk.Renew(context.Background(), "tok1"); err != nil || tok != "tok2" {
				t.Errorf("renewed %q %v", tok, err)
			}
		}()
	}
	wg.Wait()
	if n := src.calls.Load(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
}

func TestTokensRenewedAheadOfExpiry(t *testing.T) {
	src := &fixedSource{life: 1500 * time.Millisecond}
	tk := NewTokens(src.get, TokensOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go tk.Run(ctx)
	deadline := time.Now().Add(4 * time.Second)
	for time.Now().Before(deadline) {
		cur, _ := tk.Current()
		if cur.Value != "" && time.Until(cur.Expiry) < 100*time.Millisecond {
			t.Fatalf("the held token has %s left: not renewed ahead", time.Until(cur.Expiry))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := src.calls.Load(); n < 3 {
		t.Fatalf("%d fetches in 4 s of 1.5 s tokens", n)
	}
}

func TestLead(t *testing.T) {
	for _, c := range []struct{ life, want time.Duration }{
		{0, 30 * time.Second}, {2 * time.Second, time.Second}, {10 * time.Second, 10 * time.Second / 3},
		{5 * time.Minute, time.Minute}, {time.Hour, time.Minute},
	} {
		if got := Lead(c.life); got != c.want {
			t.Errorf("Lead(%s) = %s, want %s", c.life, got, c.want)
		}
	}
}

// The operator hears of an unreachable gateway as a kind with the URL, so
// the command layer can add its hint.
func TestUnreachableGatewayNotice(t *testing.T) {
	u, _ := url.Parse("http://127.0.0.1:1")
	src := &fixedSource{life: time.Hour}
	var got []Notice
	var mu sync.Mutex
	srv := httptest.NewServer(New(Options{Upstream: u, Tokens: NewTokens(src.get, TokensOptions{}), Notice: func(n Notice) {
		mu.Lock()
		got = append(got, n)
		mu.Unlock()
	}}))
	defer srv.Close()
	do(t, "GET", srv.URL+"/v1/models", "", "").Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || fault.KindOf(got[0].Err) != Unreachable || fault.Of(got[0].Err).Facts.URL != "http://127.0.0.1:1" ||
		!strings.Contains(got[0].Err.Error(), "unreachable") {
		t.Fatalf("notices %+v", got)
	}
}

// An upstream that starts its answer before it has the whole request body
// (a model streaming while a large upload is still arriving, or any
// upstream answering after the bytes it needs) must get every byte and its
// answer must reach the client whole. Go's HTTP/1.1 server reads away and
// closes a request body the handler has not consumed when the handler
// writes its response header, unless the handler is in full-duplex mode;
// the proxy's own upstream transport still reads that body then, and the
// bytes it loses, or the "invalid Read on closed Body" it gets, cut the
// forwarded request and the stream with it. The client here sends more
// than the proxy buffers for replay, and sends the rest only after the
// answer has begun, so the race is forced rather than hoped for.
func TestStreamedBodyForwardedWholeAfterTheAnswerBegins(t *testing.T) {
	const first, rest = DefaultMaxReplayBody + 512<<10, 256 << 10
	up := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).EnableFullDuplex(); err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: started\n\n")
		w.(http.Flusher).Flush()
		n, err := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "data: got %d bytes, error %v\n\ndata: [DONE]\n\n", n, err)
	})
	srv, _ := start(t, up, Options{})
	pr, pw := io.Pipe()
	answered := make(chan struct{})
	go func() {
		chunk := strings.Repeat("x", 32<<10)
		for sent := 0; sent < first; sent += len(chunk) {
			if _, err := io.WriteString(pw, chunk); err != nil {
				return
			}
		}
		select {
		case <-answered:
		case <-time.After(10 * time.Second):
			pw.CloseWithError(fmt.Errorf("no answer began while the body was open"))
			return
		}
		for sent := 0; sent < rest; sent += len(chunk) {
			if _, err := io.WriteString(pw, chunk); err != nil {
				return
			}
		}
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions", pr)
	req.Header.Set("Authorization", "Bearer local-key")
	resp, err := http.DefaultClient.Do(req)
	close(answered)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("the stream broke: %v (so far %q)", err, got)
	}
	want := fmt.Sprintf("data: started\n\ndata: got %d bytes, error <nil>\n\ndata: [DONE]\n\n", first+rest)
	if string(got) != want {
		t.Fatalf("the client got %q, want %q", got, want)
	}
}

// No header that can carry the local key or a credential of the client's
// own reaches the gateway, and the key travels in no header at all.
func TestClientCredentialsAndKeyNeverForwarded(t *testing.T) {
	var got http.Header
	srv, _ := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		io.WriteString(w, "ok")
	}), Options{})
	req, _ := http.NewRequest("GET", srv.URL+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer local-key")
	req.Header.Set("Api-Key", "local-key")
	req.Header.Set("Proxy-Authorization", "Basic dXNlcjpwdw==")
	req.Header.Set("Cookie", "session=client-own")
	req.Header.Set("X-Custom-Auth", "key=local-key")
	req.Header.Set("X-Request-Id", "kept")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, name := range []string{"Api-Key", "Proxy-Authorization", "Cookie", "X-Custom-Auth", "X-Api-Key"} {
		if v, ok := got[http.CanonicalHeaderKey(name)]; ok {
			t.Errorf("the gateway got %s: %q", name, v)
		}
	}
	for name, vs := range got {
		for _, v := range vs {
			if strings.Contains(v, "local-key") {
				t.Errorf("the local key reached the gateway in %s", name)
			}
		}
	}
	if got.Get("Authorization") != "Bearer tok1" || got.Get("X-Request-Id") != "kept" {
		t.Errorf("the gateway got Authorization %q, X-Request-Id %q", got.Get("Authorization"), got.Get("X-Request-Id"))
	}
}

// A request without the key is answered with Connection: close, so a
// keyless client cannot hold keep-alive connections open.
func TestKeylessRequestClosesTheConnection(t *testing.T) {
	srv, _ := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), Options{})
	resp := do(t, "GET", srv.URL+"/v1/models", "", "")
	if resp.StatusCode != 401 || !resp.Close {
		t.Fatalf("status %d, Connection: close %v", resp.StatusCode, resp.Close)
	}
	if resp := do(t, "GET", srv.URL+"/v1/models", "local-key", ""); resp.Close {
		t.Errorf("a request with the key lost its keep-alive connection")
	}
}

// A gateway that refuses every token costs one renewal, not one per
// request: after a renewed token was refused too, the proxy waits before
// renewing again, and says so in its diagnosis.
func TestNoRenewalStormWhileTheGatewayRefusesEveryToken(t *testing.T) {
	var calls atomic.Int64
	srv, src := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		WriteError(w, 401, "unauthorized")
	}), Options{})
	var last *http.Response
	for i := 0; i < 20; i++ {
		last = do(t, "GET", srv.URL+"/v1/models", "local-key", "")
		if last.StatusCode != 401 {
			t.Fatalf("request %d: %d", i, last.StatusCode)
		}
	}
	if n := src.calls.Load(); n > 2 {
		t.Errorf("%d token requests for 20 refused requests, want at most 2 (the first token and one renewal)", n)
	}
	if d := last.Header.Get(DiagnosisHeader); !strings.Contains(d, "renewed token was refused too") {
		t.Errorf("diagnosis %q", d)
	}
}

// Once a renewal helps again, the backoff is over.
func TestRenewalBackoffEndsWhenARenewalHelps(t *testing.T) {
	now := time.Now()
	src := &fixedSource{life: time.Hour}
	tk := NewTokens(src.get, TokensOptions{Now: func() time.Time { return now }})
	first, _ := tk.Get(context.Background())
	renewed, err := tk.Renew(context.Background(), first)
	if err != nil {
		t.Fatal(err)
	}
	tk.RenewalRefused(renewed)
	if _, err := tk.Renew(context.Background(), renewed); !errors.Is(err, ErrRenewalDidNotHelp) {
		t.Fatalf("renew right after a refused renewal: %v", err)
	}
	now = now.Add(11 * time.Second)
	again, err := tk.Renew(context.Background(), renewed)
	if err != nil || again == renewed {
		t.Fatalf("renew after the pause: %q %v", again, err)
	}
	tk.RenewalHelped()
	if _, err := tk.Renew(context.Background(), again); err != nil {
		t.Fatalf("renew after a renewal helped: %v", err)
	}
}

// /healthz says what a request would meet: a token too close to expiry
// to send, with its renewal failing, is 503 there as requests get 502.
func TestHealthzFailsWhileRequestsHaveNoToken(t *testing.T) {
	var calls atomic.Int64
	src := func(ctx context.Context, minValid time.Duration, force bool) (Token, error) {
		if calls.Add(1) == 1 {
			return Token{Value: "short", Expiry: time.Now().Add(5 * time.Second), Lifetime: time.Hour}, nil
		}
		return Token{}, errors.New("the identity provider is down")
	}
	tk := NewTokens(src, TokensOptions{})
	// the token the proxy starts with, as igctl proxy fetches it at start
	if _, err := tk.Get(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv, _ := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), Options{Tokens: tk})
	if resp := do(t, "GET", srv.URL+"/v1/models", "local-key", ""); resp.StatusCode != 502 {
		t.Fatalf("request: %d, want 502", resp.StatusCode)
	}
	resp := do(t, "GET", srv.URL+"/healthz", "", "")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 503 || !strings.Contains(string(body), "the identity provider is down") {
		t.Errorf("/healthz: %d %s, want 503 with the reason", resp.StatusCode, body)
	}
}

// While a usable token is held, /healthz is ok.
func TestHealthzOKWithAToken(t *testing.T) {
	srv, _ := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), Options{})
	if resp := do(t, "GET", srv.URL+"/healthz", "", ""); resp.StatusCode != 200 {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
}
