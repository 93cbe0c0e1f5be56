package keycloak_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/keycloak"
)

// An admin login answered by something that is not Keycloak (a 404, a page
// of HTML) is a wrong --url (exit 3), a 5xx is Keycloak failing (exit 6):
// neither is "unexpected".
func TestAdminLoginAnswersThatAreNotKeycloak(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		code   exitcode.Code
		hint   string
	}{
		{"404", http.StatusNotFound, `{"error":"RESTEASY003210: Could not find resource"}`, exitcode.Config, "base URL"},
		{"html", http.StatusOK, "<html><body>welcome</body></html>", exitcode.Config, "base URL"},
		{"5xx", http.StatusBadGateway, "bad gateway", exitcode.Network, "failed on its side"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			w.Write([]byte(tc.body))
		}))
		err := keycloak.NewAdmin(srv.URL, srv.Client(), keycloak.Credentials{Username: "admin", Password: "pw"}).Login(context.Background())
		srv.Close()
		code, hint := cmdutil.Classify(err)
		if code != tc.code || !strings.Contains(hint, tc.hint) {
			t.Errorf("%s: exit %d hint %q (%v), want exit %d hint containing %q", tc.name, code, hint, err, tc.code, tc.hint)
		}
	}
}
