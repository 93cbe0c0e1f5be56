package proxy

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// healthz answers GET /healthz locally: 200 when a request would get a
// token now, 503 with the reason otherwise. It asks the token keeper as a
// request does, so it never says ok while requests get 502 for want of a
// token (a token too close to expiry to send, a renewal that fails).
func (p *Proxy) healthz(w http.ResponseWriter, r *http.Request) {
	if _, err := p.o.Tokens.Get(r.Context()); err != nil {
		WriteError(w, http.StatusServiceUnavailable, "igctl proxy has no valid token: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"status":"ok"}`+"\n")
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
