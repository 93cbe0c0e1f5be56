package token

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/inference-gateway/igctl/internal/fault"
)

// AuthCodeOptions steer a browser login.
type AuthCodeOptions struct {
	// Open is handed the authorization URL once the loopback server
	// listens: it opens a browser or shows the URL. An error ends the login.
	Open func(authURL string) error
	// Warn is told about callbacks the loopback server refused (a wrong
	// state, a second callback); nil drops them.
	Warn func(format string, a ...any)
	// ListenAddr is where the loopback server listens: "127.0.0.1:0" (a
	// free port) unless set. Only loopback addresses are accepted.
	ListenAddr string
	// Wait bounds the wait for the browser to come back (0: until ctx ends).
	Wait time.Duration
}

// CallbackPath is the path of the loopback redirect URI; the callback
// redirects to DonePath, so that the code and state leave the address bar
// and the browser's history entry of the result page.
const (
	CallbackPath = "/callback"
	DonePath     = "/done"
)

// LoginAuthCode runs the authorization code grant with PKCE (S256) on a
// loopback redirect (RFC 8252 §7.3): a one-shot HTTP server on 127.0.0.1
// and a free port receives the browser's redirect, state and nonce are
// checked, the code is exchanged with the verifier and the ID token is
// verified. It waits until ctx is done.
func LoginAuthCode(ctx context.Context, hc *http.Client, r LoginRequest, o AuthCodeOptions) (*Bundle, error) {
	d, err := DiscoverInteractive(ctx, hc, r.Issuer)
	if err != nil {
		return nil, err
	}
	if !d.SupportsAuthCode() {
		return nil, fault.New(NoAuthCode, fmt.Errorf("%s does not offer the authorization code grant with PKCE (S256)", r.Issuer),
			fault.Facts{Issuer: r.Issuer, Grant: GrantAuthCode})
	}
	addr := o.ListenAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := listenLoopback(addr)
	if err != nil {
		return nil, err
	}
	redirect := "http://" + ln.Addr().String() + CallbackPath
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	cfg := d.config(r, redirect)
	authOpts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)}
	if r.Username != "" {
		authOpts = append(authOpts, oauth2.SetAuthURLParam("login_hint", r.Username))
	}
	authURL := cfg.AuthCodeURL(state, authOpts...)
	hctx := context.WithValue(ctx, oauth2.HTTPClient, hc)

	cb := &callback{
		state: state, issuer: r.Issuer, issRequired: d.IssInAnswers, warn: o.Warn, done: make(chan callbackResult, 1), served: make(chan struct{}),
		exchange: func(code string) (*Bundle, error) {
			tok, err := cfg.Exchange(hctx, code, oauth2.VerifierOption(verifier))
			if err != nil {
				return nil, grantError(GrantAuthCode, err)
			}
			return d.bundle(hctx, r, GrantAuthCode, tok, nonce)
		},
	}
	srv := &http.Server{Handler: cb, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer func() {
		// Graceful: the page of the one callback is delivered before the
		// server goes away.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := checkAuthRequest(ctx, hc, authURL, redirect, r); err != nil {
		return nil, err
	}
	if o.Open != nil {
		if err := o.Open(authURL); err != nil {
			return nil, err
		}
	}
	var timeout <-chan time.Time
	if o.Wait > 0 {
		t := time.NewTimer(o.Wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-timeout:
		return nil, fault.New(BrowserTimeout, fmt.Errorf("no login came back from the browser within --wait %s", o.Wait),
			fault.Facts{Issuer: r.Issuer, ClientID: r.ClientID, Grant: GrantAuthCode, Wait: o.Wait})
	case res := <-cb.done:
		// the browser follows the redirect to the result page: serve it
		// before the server goes away
		select {
		case <-cb.served:
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
		}
		return res.b, res.err
	case <-ctx.Done():
		return nil, fault.New(BrowserTimeout, fmt.Errorf("no login came back from the browser in time: %w", ctx.Err()),
			fault.Facts{Issuer: r.Issuer, ClientID: r.ClientID, Grant: GrantAuthCode})
	}
}

// listenLoopback listens on a loopback address only: the redirect carries
// an authorization code, which must not be reachable from the network.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("the login callback must listen on a loopback IP address, not %q", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fault.New(CallbackListen, fmt.Errorf("listening for the login callback on %s: %w", addr, err), fault.Facts{URL: "http://" + addr + CallbackPath})
	}
	return ln, nil
}

type callbackResult struct {
	b   *Bundle
	err error
}

// callback is the loopback redirect's handler: it accepts exactly one
// callback carrying the login's state, and answers a small page that holds
// neither the code nor the state.
type callback struct {
	state, issuer string
	// issRequired: the issuer's discovery document promises iss in every
	// authorization response (RFC 9207 §2.4: then an answer without it
	// must be refused).
	issRequired bool
	exchange    func(code string) (*Bundle, error)
	warn        func(format string, a ...any)
	used        atomic.Bool
	done        chan callbackResult
	// the page for DonePath, once the callback has been handled
	final      atomic.Pointer[donePage]
	served     chan struct{}
	servedOnce sync.Once
}

type donePage struct {
	status      int
	title, text string
}

func (c *callback) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path == DonePath {
		p := c.final.Load()
		if p == nil {
			http.NotFound(w, req)
			return
		}
		page(w, p.status, p.title, p.text)
		c.servedOnce.Do(func() { close(c.served) })
		return
	}
	if req.URL.Path != CallbackPath {
		http.NotFound(w, req)
		return
	}
	if req.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		page(w, http.StatusMethodNotAllowed, "Not a login callback", "igctl expected the browser's redirect here.")
		return
	}
	q := req.URL.Query()
	if !equalSecret(q.Get("state"), c.state) {
		c.warnf("refused a login callback with a wrong state (not from this login); still waiting")
		page(w, http.StatusBadRequest, "Login not accepted",
			"This answer does not belong to the login igctl is waiting for. Start the login again from the terminal.")
		return
	}
	if !c.used.CompareAndSwap(false, true) {
		c.warnf("refused a second login callback")
		page(w, http.StatusConflict, "Already used", "igctl has already received a login on this address. You can close this window.")
		return
	}
	var res callbackResult
	switch {
	// RFC 9207: an authorization server that names itself must be ours
	// (compared as strings, byte for byte), and an issuer that promised
	// to name itself must have done so: an answer without iss then comes
	// from another authorization server (a mix-up), error answers included.
	case q.Has("iss") && q.Get("iss") != c.issuer:
		res.err = fault.New(ForeignAnswer, fmt.Errorf("the login answer came from %q, not from the issuer %q", q.Get("iss"), c.issuer),
			fault.Facts{Issuer: c.issuer, URL: q.Get("iss"), Grant: GrantAuthCode})
	case !q.Has("iss") && c.issRequired:
		res.err = fault.New(ForeignAnswer, fmt.Errorf("the login answer does not name its issuer (no iss), though %q promises to in every answer (RFC 9207): it may come from another authorization server, so it was refused", c.issuer),
			fault.Facts{Issuer: c.issuer, Grant: GrantAuthCode})
	case q.Get("error") != "":
		res.err = authorizeError(q.Get("error"), q.Get("error_description"))
	case q.Get("code") == "":
		res.err = fault.New(EmptyAnswer, errors.New("the login answer carried neither a code nor an error"), fault.Facts{Issuer: c.issuer, Grant: GrantAuthCode})
	default:
		res.b, res.err = c.exchange(q.Get("code"))
	}
	if res.err != nil {
		c.final.Store(&donePage{http.StatusBadRequest, "Login failed", res.err.Error() + ". Return to the terminal for details."})
	} else {
		c.final.Store(&donePage{http.StatusOK, "Logged in", "igctl is logged in as " + res.b.Username + ". You can close this window and return to the terminal."})
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, req, DonePath, http.StatusSeeOther)
	c.done <- res
}

func (c *callback) warnf(format string, a ...any) {
	if c.warn != nil {
		c.warn(format, a...)
	}
}

// authorizeError is the authorization endpoint's refusal (RFC 6749 §4.1.2.1).
func authorizeError(code, desc string) error {
	msg := code
	if desc != "" {
		msg += ": " + desc
	}
	return fault.New(BrowserRefused, errors.New("the identity provider refused the browser login: "+msg),
		fault.Facts{Grant: GrantAuthCode, OAuthError: code})
}

const pageTemplate = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>igctl: %[1]s</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
</head><body><h1>%[1]s</h1><p>%[2]s</p></body></html>
`

func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	fmt.Fprintf(w, pageTemplate, html.EscapeString(title), html.EscapeString(text))
}

// equalSecret compares in constant time; an empty value never matches.
func equalSecret(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
