package proxycmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/gateway"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/proxy"
	"github.com/inference-gateway/igctl/internal/token"
)

// Deps is what NewUpstream and the proxy it feeds read: `igctl proxy` and
// `igctl exec --proxy` embed it in their Options, wired by NewDeps, so a
// test can swap any one of them.
type Deps struct {
	IO         *iostreams.IOStreams
	Session    func() (*cmdutil.Session, error)
	GatewayURL func(flag string, p *config.Profile) (string, error)
	HTTPClient func(caFile string) (*http.Client, error)
	Getenv     func(string) string
	Now        func() time.Time
	Timeout    func() time.Duration // --timeout (0: cmdutil.DefaultTimeout)
	Verbosef   func(string, ...any)
	// Identity reads, from config.yaml as it is now, whose token the
	// profile asks for (nil: any): a proxy outlives logins, and a profile
	// logged in again as another user must be followed, not refused.
	Identity func(profile string) *token.Identity
}

// NewDeps wires Deps to f: the getters are f's, read when the command runs.
func NewDeps(f *cmdutil.Factory) Deps {
	return Deps{IO: f.IO, Session: f.Session, GatewayURL: f.GatewayURL, HTTPClient: f.HTTPClient, Verbosef: f.Verbosef,
		Getenv: func(k string) string { return f.Getenv(k) }, Now: func() time.Time { return f.Now() },
		Timeout:  func() time.Duration { return f.Globals.Timeout },
		Identity: func(profile string) *token.Identity { return currentIdentity(f.ConfigDir(), profile) }}
}

// currentIdentity is the identity config.yaml names for profile now (nil
// when it cannot be read: the stored token is then served as it is).
func currentIdentity(configDir, profile string) *token.Identity {
	cfg, err := config.Load(configDir)
	if err != nil {
		return nil
	}
	p, ok := cfg.Profiles[profile]
	if !ok {
		return nil
	}
	return &token.Identity{Issuer: p.Issuer, ClientID: p.ClientID, Grant: p.Grant, Username: p.Username}
}

// Upstream is the gateway side of a proxy, shared by `igctl proxy` and
// `igctl exec --proxy`: where the gateway is, how to reach it and the
// token keeper.
type Upstream struct {
	URL       *url.URL
	Transport *http.Transport
	Tokens    *proxy.Tokens
	Session   *cmdutil.Session
	explain   func(ctx context.Context, tok string) proxy.Explanation
	io        *iostreams.IOStreams
	now       func() time.Time
}

// NewUpstream resolves the session and the gateway and fetches the first
// token, so that a profile that is not logged in fails at start (exit 4),
// not on the first request.
func NewUpstream(ctx context.Context, d Deps, gatewayFlag string) (*Upstream, error) {
	s, err := d.Session()
	if err != nil {
		return nil, err
	}
	base, err := d.GatewayURL(gatewayFlag, s.Profile)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, cmdutil.FlagError("gateway URL %q is not an http(s) URL", base)
	}
	hc, err := d.HTTPClient(s.CAFile())
	if err != nil {
		return nil, err
	}
	// --timeout bounds connecting and waiting for the response headers of
	// each request, never a body: a stream may run as long as it runs.
	std, ok := hc.Transport.(*http.Transport)
	if !ok { // a client without igctl's transport (nil: the default one)
		std = http.DefaultTransport.(*http.Transport)
	}
	tr := std.Clone()
	timeout := d.Timeout()
	if timeout <= 0 {
		timeout = cmdutil.DefaultTimeout
	}
	tr.DialContext = (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = timeout
	tr.ResponseHeaderTimeout = timeout
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 128

	if s.Manager != nil && d.Identity != nil {
		s.Manager.Want = d.Identity
	}
	up := &Upstream{URL: u, Transport: tr, Session: s, io: d.IO, now: d.Now}
	up.explain = func(ctx context.Context, tok string) proxy.Explanation {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		diag := cmdutil.Diagnose(ctx, hc, tok, cmdutil.GatewayExpect(s.Profile), d.Now())
		e := cmdutil.Explain(diag, s.FromEnv(), s.Profile, d.IO.CanPrompt())
		return proxy.Explanation{Cause: e.Cause, Fix: e.Fix}
	}
	up.Tokens = proxy.NewTokens(source(d.Getenv, s), proxy.TokensOptions{
		Now: d.Now, FetchTimeout: timeout, Static: s.FromEnv(),
		OnEvent: func(ev proxy.Event) {
			switch {
			case ev.Err != nil:
				d.IO.Warn("renewing the token failed: %v", ev.Err)
				if h := cmdutil.HintOf(ev.Err); h != "" {
					d.IO.Hint(h)
				}
			case ev.Refreshed:
				d.Verbosef("token refreshed: valid %s, until %s", ev.Lifetime.Round(time.Second), ev.Expiry.Local().Format("15:04:05"))
			default:
				d.Verbosef("token taken from the store, valid until %s (another igctl process refreshed it, or it was still valid)", ev.Expiry.Local().Format("15:04:05"))
			}
		},
	})
	fctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if _, err := up.Tokens.Get(fctx); err != nil {
		return nil, err
	}
	if s.FromEnv() {
		d.IO.Warn("the token comes from IGCTL_TOKEN, which igctl cannot renew: requests fail once it expires")
	}
	return up, nil
}

// source turns the session into the proxy's token source: the profile's
// token manager (refreshing under the per-profile lock shared by every igctl
// process), or IGCTL_TOKEN as it is.
func source(getenv func(string) string, s *cmdutil.Session) proxy.Source {
	if s.FromEnv() {
		return func(ctx context.Context, minValid time.Duration, force bool) (proxy.Token, error) {
			if force {
				return proxy.Token{}, gateway.ErrNoFreshToken
			}
			raw := getenv("IGCTL_TOKEN")
			t := proxy.Token{Value: raw}
			if c, err := token.Decode(raw); err == nil && c.Expiry != nil {
				t.Expiry = time.Unix(*c.Expiry, 0)
				if c.IssuedAt != nil {
					t.Lifetime = time.Duration(*c.Expiry-*c.IssuedAt) * time.Second
				}
			}
			return t, nil
		}
	}
	return func(ctx context.Context, minValid time.Duration, force bool) (proxy.Token, error) {
		res, err := s.Manager.Best(ctx, s.Name, minValid, force)
		if err != nil {
			return proxy.Token{}, err
		}
		return proxy.Token{Value: res.AccessToken, Expiry: res.Expiry, Lifetime: res.Expiry.Sub(res.ObtainedAt), Refreshed: res.Refreshed}, nil
	}
}

// Handler is the proxy in front of the upstream. notice gets 401
// diagnoses and upstream failures for stderr.
func (up *Upstream) Handler(key string, accessLog bool) *proxy.Proxy {
	o := proxy.Options{
		Upstream: up.URL, Transport: up.Transport, Tokens: up.Tokens, Key: key,
		Explain401: up.explain, Now: up.now,
		Notice: func(n proxy.Notice) {
			up.io.Warn("%s", n.Err)
			hint := n.Fix
			if hint == "" {
				hint = cmdutil.HintOf(n.Err)
			}
			if hint != "" {
				up.io.Hint(hint)
			}
		},
	}
	if accessLog {
		o.AccessLog = up.io.ErrOut
	}
	return proxy.New(o)
}

// Listen opens addr, turning the usual failures into exit codes.
func Listen(addr string) (net.Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, cmdutil.FlagError("--listen %q is not HOST:PORT (e.g. 127.0.0.1:8090)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		hint := "check --listen"
		if errors.Is(err, syscall.EADDRINUSE) {
			hint = "another process listens there (an igctl proxy already running?): stop it, or choose another port with --listen 127.0.0.1:PORT"
		} else if errors.Is(err, syscall.EACCES) {
			hint = "ports below 1024 need privileges: choose a higher port with --listen"
		}
		return nil, cmdutil.Fail(cmdutil.Network, fmt.Errorf("cannot listen on %s: %w", addr, err), hint)
	}
	return ln, nil
}

// LocalAddr is the address a client on this machine dials to reach ln
// (127.0.0.1 for a listener on every interface).
func LocalAddr(ln net.Listener) string {
	a, ok := ln.Addr().(*net.TCPAddr)
	if !ok || !a.IP.IsUnspecified() {
		return ln.Addr().String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(a.Port))
}

// IsLoopback reports whether a listen address is reachable from this
// machine only.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// How long a client may take to send a request's headers, and how long a
// keep-alive connection may sit idle between requests. Without them a
// client, even one without the key, could hold connections open until the
// proxy runs out of file descriptors and its owner's requests time out.
// Variables so that a test can shorten them.
var (
	headerTimeout = 10 * time.Second
	idleTimeout   = 90 * time.Second
)

// Server runs handler on ln until Stop, then drains.
type Server struct {
	srv      *http.Server
	inflight atomic.Int64
	done     chan error
}

// Serve starts serving h on ln in the background; the token keeper runs
// until ctx ends.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, up *Upstream) *Server {
	s := &Server{done: make(chan error, 1)}
	s.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.inflight.Add(1)
			defer s.inflight.Add(-1)
			h.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: headerTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          nil,
	}
	go up.Tokens.Run(ctx)
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	return s
}

// Done reports the server stopping on its own (an accept error).
func (s *Server) Done() <-chan error { return s.done }

// InFlight is the number of requests being answered.
func (s *Server) InFlight() int64 { return s.inflight.Load() }

// Drain stops accepting connections and waits up to timeout for the
// requests in flight (streams included) to finish, or until hurry is
// closed (a second signal); then it cuts what is left. It returns how many
// requests were cut.
func (s *Server) Drain(timeout time.Duration, hurry <-chan os.Signal) int64 {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if hurry != nil {
		go func() {
			select {
			case <-hurry:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	if err := s.srv.Shutdown(ctx); err != nil {
		cut := s.inflight.Load()
		s.srv.Close()
		return cut
	}
	return 0
}

// Signals returns a channel with SIGINT and SIGTERM, and the function
// that stops listening for them.
func Signals() (chan os.Signal, func()) {
	c := make(chan os.Signal, 2)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	return c, func() { signal.Stop(c) }
}
