package token

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
)

// The discovery failure's kind follows the answer's HTTP status, not the
// text of the answer: a server error that quotes a 404 is no missing realm.
func TestDiscoveryKindFollowsStatus(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		kind   fault.Kind
		oauth  string
	}{
		{"missing realm", http.StatusNotFound, `{"error":"` + RealmMissing + `"}`, DiscoveryNotFound, RealmMissing},
		{"not found", http.StatusNotFound, "nothing here", DiscoveryNotFound, ""},
		{"server error quoting 404", http.StatusInternalServerError, "upstream said 404", DiscoveryFailed, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.status)
				w.Write([]byte(c.body))
			}))
			defer srv.Close()
			_, err := Discover(context.Background(), srv.Client(), srv.URL+"/realms/r")
			if got := fault.KindOf(err); got != c.kind {
				t.Fatalf("kind = %q, want %q (%v)", got, c.kind, err)
			}
			if got := fault.Of(err).Facts.OAuthError; got != c.oauth {
				t.Errorf("OAuthError = %q, want %q", got, c.oauth)
			}
		})
	}
}
