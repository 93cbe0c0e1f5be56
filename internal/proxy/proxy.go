// Package proxy is igctl's local reverse proxy to an Inference Gateway: it
// checks a local key, replaces the client's Authorization with a fresh
// bearer token, streams request and response bodies (Server-Sent Events
// flushed per chunk), retries once with a renewed token after a 401 when
// the request can be replayed, and writes an access log without headers.
// It knows nothing of cobra, profiles or terminals.
//
// proxy.go holds the handler and its options, retry.go the token injection
// and the one retry after a 401, key.go the local key, tokens.go the token
// kept fresh, accesslog.go the access log and /healthz, faults.go what it
// tells the operator.
package proxy

import (
	"context"
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

	"github.com/inference-gateway/igctl/internal/fault"
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
	// unreachable gateway, a token that could not be had. Never a secret.
	Notice func(Notice)
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
		o.Notice = func(Notice) {}
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport
	}
	p := &Proxy{o: o}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(o.Upstream)
			stripCredentials(pr.Out.Header, o.Key)
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

// clientCredentialHeaders can carry the local key or a credential of the
// client's own; none of them is the gateway's business.
var clientCredentialHeaders = []string{"Authorization", "X-Api-Key", "Api-Key", "Proxy-Authorization", "Cookie"}

// stripCredentials removes the client's credentials from a request bound
// for the gateway, and every header whose value holds the local key,
// under whatever name a client put it: the key never leaves the machine.
func stripCredentials(h http.Header, key string) {
	for _, name := range clientCredentialHeaders {
		h.Del(name)
	}
	if key == "" {
		return
	}
	for name, values := range h {
		for _, v := range values {
			if strings.Contains(v, key) {
				delete(h, name)
				break
			}
		}
	}
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
		p.healthz(lw, r)
		return
	}
	if !p.keyOK(r) {
		lw.Header().Set("X-Igctl-Proxy", "local-key")
		// A client without the key gets no keep-alive connection to hold:
		// idle connections would otherwise pile up until the proxy has no
		// file descriptors left for its owner.
		lw.Header().Set("Connection", "close")
		WriteError(lw, http.StatusUnauthorized, "unauthorized: igctl proxy requires its local key as the API key (Authorization: Bearer KEY)")
		return
	}
	tok, err := p.o.Tokens.Get(r.Context())
	if err != nil {
		if r.Context().Err() != nil {
			return
		}
		p.o.Notice(Notice{Err: fault.New(NoToken, fmt.Errorf("no token for the gateway: %w", err))})
		WriteError(lw, http.StatusBadGateway, "igctl proxy has no token for the gateway: "+err.Error())
		return
	}
	st := &reqState{token: tok}
	if err := p.prepareBody(r, st); err != nil {
		WriteError(lw, http.StatusBadRequest, "igctl proxy could not read the request body: "+err.Error())
		return
	}
	// A body too large to keep for replay is forwarded as it arrives, and
	// the gateway may answer before all of it has gone up. In its default
	// mode Go's HTTP/1.1 server reads away and closes an unconsumed request
	// body when the response header is written, while the upstream
	// transport is still reading that body: the bytes it takes are lost and
	// the closed body breaks the forwarded request and its stream. Full
	// duplex leaves the body to the transport. A body kept in memory is
	// already at its end for the server, so it needs nothing. (HTTP/2 is
	// always duplex.)
	if !st.replayable {
		_ = http.NewResponseController(lw).EnableFullDuplex()
	}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
	p.rp.ServeHTTP(lw, r)
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
	p.o.Notice(Notice{Err: fault.New(Unreachable, errors.New(msg), fault.Facts{URL: p.o.Upstream.Redacted()})})
	WriteError(w, status, msg)
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
