package kcfake

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Recording is what record_test.go captured from one real server: every
// exchange by name, the base URL and realm it was recorded against (the
// fake rewrites them to its own at replay), and which server it was.
type Recording struct {
	Source    string              `json:"source"`
	Recorded  string              `json:"recorded"`
	Base      string              `json:"base"`
	Realm     string              `json:"realm,omitempty"`
	Exchanges map[string]Exchange `json:"exchanges"`
}

// Exchange is one request and the real server's answer: status, every
// response header but Date and Content-Length (the replaying server sets
// those), and the body byte for byte, except that each JWT in it is
// replaced by {{field}} and its header and claims are kept in JWTs so the
// fake can mint a token of the same layout with its own key.
type Exchange struct {
	Note   string               `json:"note,omitempty"`
	Method string               `json:"method"`
	Path   string               `json:"path"`
	Status int                  `json:"status"`
	Header map[string][]string  `json:"header"`
	Body   string               `json:"body"`
	JWTs   map[string]JWTLayout `json:"jwts,omitempty"`
	// HadDate: the real server sent a Date header (Keycloak does not).
	HadDate bool `json:"had_date"`
}

// JWTLayout is the decoded JOSE header and claims of a recorded token.
type JWTLayout struct {
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
}

//go:embed testdata/*.json
var testdata embed.FS

// Recordings by file name (without .json).
const (
	KeycloakFile = "keycloak-26.7"
	AdminFile    = "keycloak-26.7-admin"
	GatewayFile  = "gateway-v0.48.2"
)

// Load reads a recording from testdata.
func Load(name string) (*Recording, error) {
	data, err := testdata.ReadFile("testdata/" + name + ".json")
	if err != nil {
		return nil, err
	}
	var r Recording
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("kcfake: %s: %w", name, err)
	}
	return &r, nil
}

// MustLoad is Load that panics: recordings are part of the test binary.
func MustLoad(name string) *Recording {
	r, err := Load(name)
	if err != nil {
		panic(err)
	}
	return r
}

// Get returns the named exchange or panics (a typo in a test).
func (r *Recording) Get(name string) Exchange {
	x, ok := r.Exchanges[name]
	if !ok {
		names := make([]string, 0, len(r.Exchanges))
		for n := range r.Exchanges {
			names = append(names, n)
		}
		sort.Strings(names)
		panic(fmt.Sprintf("kcfake: no exchange %q in %s (have %s)", name, r.Source, strings.Join(names, ", ")))
	}
	return x
}

// WriteTo writes x's status, headers and body (with rewrite applied to the
// body and headers) to w.
func (x Exchange) WriteTo(w http.ResponseWriter, rewrite func(string) string) {
	if rewrite == nil {
		rewrite = func(s string) string { return s }
	}
	h := w.Header()
	for k, vs := range x.Header {
		for _, v := range vs {
			h.Add(k, rewrite(v))
		}
	}
	if !x.HadDate {
		h["Date"] = nil // as recorded: Keycloak sends none
	}
	w.WriteHeader(x.Status)
	w.Write([]byte(rewrite(x.Body)))
}
