package proxy

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// NewKey returns a random local key.
func NewKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "igctl-proxy-" + base64.RawURLEncoding.EncodeToString(b)
}

// keyOK reports whether r carries the local key (as a bearer token or in
// x-api-key), compared in constant time.
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
