// Package proxy is igctl's local reverse proxy to an Inference Gateway: it
// checks a local key, replaces the client's Authorization with a fresh
// bearer token, streams request and response bodies (Server-Sent Events
// flushed per chunk), retries once with a renewed token after a 401 when
// the request can be replayed, and writes an access log without headers.
// It knows nothing of cobra, profiles or terminals.
package proxy

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/inference-gateway/igctl/internal/exitcode"
)

// DefaultMaxReplayBody is the largest request body kept in memory so the
// request can be sent again after a 401; larger bodies stream through and
// a 401 for them reaches the client.
const DefaultMaxReplayBody = 1 << 20

// DiagnosisHeader carries igctl's explanation of a 401 it passes through.
const DiagnosisHeader = "X-Igctl-Diagnosis"

// Explanation is why the gateway refused a token, and the fix.
type Explanation struct {
	Cause, Fix string
}

// Options configure a Proxy.
type Options struct {
	// Upstream is the gateway's base URL; request paths are appended to it.
	Upstream *url.URL
	// Transport sends requests to the gateway (connection and response
	// header timeouts belong there; nothing bounds a streaming body).
	Transport http.RoundTripper
	Tokens    *Tokens
	// Key is the local key clients must present as their API key
	// (Authorization: Bearer KEY, or x-api-key: KEY); "" requires none.
	Key string
	// AccessLog gets one line per request (nil: none).
	AccessLog io.Writer
	// Notice gets what an operator should see: 401 diagnoses, an
	// unreachable gateway, a refresh that failed. Never a secret.
	Notice func(msg, hint string)
	// Explain401 says why the gateway refused tok (nil: no diagnosis).
	Explain401 func(ctx context.Context, tok string) Explanation
	// MaxReplayBody overrides DefaultMaxReplayBody.
	MaxReplayBody int64
	Now           func() time.Time
}

// Proxy is an http.Handler forwarding to the gateway.
type Proxy struct {
	o  Options
	rp *httputil.ReverseProxy

	logMu sync.Mutex

	explMu   sync.Mutex
	explTok  string // the token last explained, to explain each token once
	explLast Explanation
}

type ctxKey struct{}

// reqState travels with one request from ServeHTTP to RoundTrip.
type reqState struct {
	token      string
	replayable bool
	retried    bool
}

// New returns a proxy for o.
func New(o Options) *Proxy {
	if o.MaxReplayBody == 0 {
		o.MaxReplayBody = DefaultMaxReplayBody
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Notice == nil {
		o.Notice = func(string, string) {}
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport
	}
	p := &Proxy{o: o}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(o.Upstream)
			// The client's credentials are for this proxy only.
			pr.Out.Header.Del("Authorization")
			pr.Out.Header.Del("X-Api-Key")
		},
		Transport: roundTripper{p},
		// Every write reaches the client at once: SSE chunks are not held.
		FlushInterval: -1,
		ErrorHandler:  p.upstreamError,
		ModifyResponse: func(r *http.Response) error {
			// The gateway's bearer challenge, if any, is about igctl's token.
			r.Header.Del("Www-Authenticate")
			return nil
		},
	}
	return p
}

// NewKey returns a random local key.
func NewKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "igctl-proxy-" + base64.RawURLEncoding.EncodeToString(b)
}

// WriteError answers with the gateway's own error shape, {"error":"..."}.
func WriteError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// ServeHTTP implements http.Handler.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := p.o.Now()
	lw := &logWriter{ResponseWriter: w}
	defer func() { p.logAccess(r, lw, start) }()

	if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		p.healthz(lw)
		return
	}
	if !p.keyOK(r) {
		lw.Header().Set("X-Igctl-Proxy", "local-key")
		WriteError(lw, http.StatusUnauthorized, "unauthorized: igctl proxy requires its local key as the API key (Authorization: Bearer KEY)")
		return
	}
	tok, err := p.o.Tokens.Get(r.Context())
	if err != nil {
		if r.Context().Err() != nil {
			return
		}
		p.o.Notice("no token for the gateway: "+err.Error(), exitcode.HintOf(err))
		WriteError(lw, http.StatusBadGateway, "igctl proxy has no token for the gateway: "+err.Error())
		return
	}
	st := &reqState{token: tok}
	if err := p.prepareBody(r, st); err != nil {
		WriteError(lw, http.StatusBadRequest, "igctl proxy could not read the request body: "+err.Error())
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
	p.rp.ServeHTTP(lw, r)
}

func (p *Proxy) keyOK(r *http.Request) bool {
	if p.o.Key == "" {
		return true
	}
	got := r.Header.Get("X-Api-Key")
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, rest, _ := strings.Cut(a, " ")
		if strings.EqualFold(scheme, "Bearer") {
			got = strings.TrimSpace(rest)
		}
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(p.o.Key)) == 1
}

// prepareBody keeps a body of up to MaxReplayBody in memory so the request
// can be replayed after a 401; a larger one streams through as it arrives.
func (p *Proxy) prepareBody(r *http.Request, st *reqState) error {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		st.replayable = true
		return nil
	}
	if r.ContentLength > p.o.MaxReplayBody {
		return nil
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, p.o.MaxReplayBody+1))
	if err != nil {
		return err
	}
	if int64(len(buf)) > p.o.MaxReplayBody {
		// Chunked and larger than the bound: what was read goes first.
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
		return nil
	}
	r.Body.Close()
	r.ContentLength = int64(len(buf))
	r.Body = io.NopCloser(bytes.NewReader(buf))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
	st.replayable = true
	return nil
}

type roundTripper struct{ p *Proxy }

// RoundTrip sends the request with the token; after a 401 it renews the
// token and sends it once more when the body could be kept, and otherwise
// passes the 401 on with igctl's diagnosis.
func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	p := rt.p
	st, _ := req.Context().Value(ctxKey{}).(*reqState)
	if st == nil {
		return nil, errors.New("igctl proxy: request without state")
	}
	// Exactly "Bearer ": the gateway's prefix check is case-sensitive.
	req.Header.Set("Authorization", "Bearer "+st.token)
	resp, err := p.o.Transport.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if !st.replayable {
		p.annotate401(req.Context(), resp, st.token, "the request body was too large to replay, so igctl did not retry")
		return resp, nil
	}
	fresh, rerr := p.o.Tokens.Renew(req.Context(), st.token)
	if rerr != nil {
		p.annotate401(req.Context(), resp, st.token, "renewing the token failed: "+rerr.Error())
		return resp, nil
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	again := req.Clone(req.Context())
	if req.GetBody != nil {
		if again.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	st.token, st.retried = fresh, true
	again.Header.Set("Authorization", "Bearer "+fresh)
	resp, err = p.o.Transport.RoundTrip(again)
	if err == nil && resp.StatusCode == http.StatusUnauthorized {
		p.annotate401(req.Context(), resp, fresh, "after one renewal and retry")
	}
	return resp, err
}

// annotate401 puts igctl's diagnosis of a 401 into a response header and
// tells the operator.
func (p *Proxy) annotate401(ctx context.Context, resp *http.Response, tok, context string) {
	e := Explanation{Cause: "the gateway gives no reason (its log has it)"}
	if p.o.Explain401 != nil {
		p.explMu.Lock()
		if p.explTok == tok {
			e = p.explLast
		} else {
			e = p.o.Explain401(ctx, tok)
			p.explTok, p.explLast = tok, e
		}
		p.explMu.Unlock()
	}
	msg := fmt.Sprintf("the gateway rejected the token (401, %s): %s", context, e.Cause)
	v := msg
	if e.Fix != "" {
		v += "; fix: " + e.Fix
	}
	resp.Header.Set(DiagnosisHeader, headerSafe(v))
	p.o.Notice(msg, e.Fix)
}

// headerSafe keeps a header value to printable ASCII on one line.
func headerSafe(s string) string {
	s = strings.ReplaceAll(s, "…", "...")
	return strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f:
			return ' '
		case r > 0x7e:
			return '?'
		}
		return r
	}, s)
}

// upstreamError answers when the gateway could not be reached or stopped
// answering, in the gateway's own error shape.
func (p *Proxy) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		// The client hung up; nobody is left to answer.
		if lw, ok := w.(*logWriter); ok && lw.status == 0 {
			lw.status = 499
		}
		return
	}
	status := http.StatusBadGateway
	msg := fmt.Sprintf("igctl proxy: the gateway at %s is unreachable: %v", p.o.Upstream.Redacted(), unwrapURLError(err))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		status = http.StatusGatewayTimeout
		msg = fmt.Sprintf("igctl proxy: the gateway at %s did not answer in time: %v", p.o.Upstream.Redacted(), unwrapURLError(err))
	}
	p.o.Notice(msg, "check --gateway and that the gateway runs; --timeout bounds the connection and the wait for the response headers")
	WriteError(w, status, msg)
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (p *Proxy) healthz(w http.ResponseWriter) {
	tok, err := p.o.Tokens.Current()
	switch {
	case tok.Value != "" && (tok.Expiry.IsZero() || tok.Expiry.After(p.o.Now())):
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"status":"ok"}`+"\n")
	case err != nil:
		WriteError(w, http.StatusServiceUnavailable, "igctl proxy has no valid token: "+err.Error())
	default:
		WriteError(w, http.StatusServiceUnavailable, "igctl proxy has no valid token yet")
	}
}

// logAccess writes method, path (without the query, which may carry
// secrets), status, duration and bytes sent. Never headers.
func (p *Proxy) logAccess(r *http.Request, lw *logWriter, start time.Time) {
	if p.o.AccessLog == nil {
		return
	}
	status := lw.status
	if status == 0 {
		status = http.StatusOK
	}
	line := fmt.Sprintf("%s %s %s %d %s %dB\n", start.UTC().Format("2006-01-02T15:04:05.000Z"), r.Method,
		strings.ToValidUTF8(r.URL.EscapedPath(), "?"), status, logDuration(p.o.Now().Sub(start)), lw.bytes)
	p.logMu.Lock()
	io.WriteString(p.o.AccessLog, line)
	p.logMu.Unlock()
}

// logDuration is 0.4ms below a second, 2.713s above.
func logDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.3fs", d.Seconds())
}

// logWriter counts what goes to the client. Unwrap lets
// http.ResponseController (which ReverseProxy flushes with) reach the
// connection's Flusher.
type logWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *logWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *logWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *logWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
