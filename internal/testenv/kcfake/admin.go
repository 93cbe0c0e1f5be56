package kcfake

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
)

// Admin is a fake Keycloak admin REST API that replays the recorded
// conversation of `keycloak bootstrap` (testdata/keycloak-26.7-admin.json):
// each request is answered with the next recorded answer to the same method
// and path (the recorded realm name and base URL rewritten), so a test
// scripts the state Keycloak is in by choosing the answers.
type Admin struct {
	*httptest.Server
	Realm string // the recorded realm name: bootstrap must be run with --realm Realm

	rec *Recording
	mu  sync.Mutex
	q   map[string][]Exchange
	// LoginRefused answers the admin login with the recorded 400
	// "Invalid user credentials".
	LoginRefused bool
	// Unmatched lists requests no recorded answer was left for (they get 500).
	Unmatched []string
}

// NewAdmin starts the fake admin API. Queue answers with Script or Phase
// before running a bootstrap. The master realm's token endpoint always
// answers with the recorded admin login.
func NewAdmin() *Admin {
	a := &Admin{rec: MustLoad(AdminFile), q: map[string][]Exchange{}}
	a.Realm = a.rec.Realm
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	return a
}

// Exchange returns a recorded exchange by name ("realm-conflict", "rerun/02", ...).
func (a *Admin) Exchange(name string) Exchange { return a.rec.Get(name) }

// Phase queues every exchange of a recorded bootstrap phase, "create" (a
// new realm) or "rerun" (everything in place), in order.
func (a *Admin) Phase(phase string) {
	var names []string
	for n := range a.rec.Exchanges {
		if strings.HasPrefix(n, phase+"/") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		a.Script(a.rec.Get(n))
	}
}

// Script queues answers for their method and path.
func (a *Admin) Script(xs ...Exchange) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, x := range xs {
		k := x.Method + " " + x.Path
		a.q[k] = append(a.q[k], x)
	}
}

// Replace makes the next answer to method+path x (instead of what is queued).
func (a *Admin) Replace(method, path string, x Exchange) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := method + " " + path
	if len(a.q[k]) > 0 {
		a.q[k] = append([]Exchange{x}, a.q[k][1:]...)
	} else {
		a.q[k] = []Exchange{x}
	}
}

// Prepend puts x in front of what is queued for its method and path.
func (a *Admin) Prepend(x Exchange) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := x.Method + " " + x.Path
	a.q[k] = append([]Exchange{x}, a.q[k]...)
}

// ServerError is a STAND-IN 500 of the admin API, with the headers of
// Keycloak's recorded error answers and the body of its error handler for
// an unexpected exception (no request made the real server fail).
func (a *Admin) ServerError(method, path string) Exchange {
	x := a.rec.Get("realm-conflict")
	x.Method, x.Path, x.Status = method, path, http.StatusInternalServerError
	x.Body = `{"error":"unknown_error","error_description":"For more on this error consult the server log."}`
	return x
}

func (a *Admin) rewrite(s string) string {
	return strings.ReplaceAll(s, a.rec.Base, a.URL)
}

func (a *Admin) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/realms/master/protocol/openid-connect/token" {
		a.mu.Lock()
		refused := a.LoginRefused
		a.mu.Unlock()
		if refused {
			a.rec.Get("admin-token-wrong-password").WriteTo(w, nil)
			return
		}
		a.rec.Get("admin-token").WriteTo(w, nil) // {{access_token}} is a fine opaque admin token
		return
	}
	k := r.Method + " " + r.URL.Path
	if r.URL.RawQuery != "" {
		k += "?" + r.URL.RawQuery
	}
	a.mu.Lock()
	q := a.q[k]
	var x Exchange
	ok := len(q) > 0
	if ok {
		x, a.q[k] = q[0], q[1:]
	} else {
		a.Unmatched = append(a.Unmatched, k)
	}
	a.mu.Unlock()
	if !ok {
		http.Error(w, "kcfake: no recorded answer left for "+k, http.StatusInternalServerError)
		return
	}
	x.WriteTo(w, a.rewrite)
}
