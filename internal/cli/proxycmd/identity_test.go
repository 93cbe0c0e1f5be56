package proxycmd

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

// The profile logged in again as another user while the proxy runs: the
// proxy follows the profile's new identity instead of refusing the token
// stored for it as "not logged in for this user" until restarted.
func TestProxyFollowsTheProfileLoggedInAsAnotherUser(t *testing.T) {
	kc := kcfake.NewKeycloak()
	t.Cleanup(kc.Close)
	h := kcfake.NewHarness(t)
	var mu sync.Mutex
	refused := map[string]bool{}
	var users []string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v1/") {
			return
		}
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		mu.Lock()
		defer mu.Unlock()
		if refused[tok] {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"unauthorized"}`)
			return
		}
		users = append(users, tok)
		io.WriteString(w, `{"object":"list","data":[]}`)
	}))
	t.Cleanup(gw.Close)
	prof := kcfake.Profile(kc, token.GrantPassword)
	prof.GatewayURL = gw.URL
	first := h.LoggedIn(t, kc, "default", prof)

	var status []int
	err := serve(t, h, nil, func(local string) {
		data, err := os.ReadFile(filepath.Join(h.Dir, "proxy", "default.key"))
		if err != nil {
			t.Error(err)
			return
		}
		hdr := map[string]string{"Authorization": "Bearer " + strings.TrimSpace(string(data))}
		status = append(status, get(t, local+"/v1/models", hdr))
		// `igctl login --username bob` in another terminal, and the
		// gateway no longer takes alice's token
		kc.Username = "bob"
		prof.Username = "bob"
		h.LoggedIn(t, kc, "default", prof)
		mu.Lock()
		refused[first.AccessToken] = true
		mu.Unlock()
		status = append(status, get(t, local+"/v1/models", hdr))
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(status) != 2 || status[0] != 200 || status[1] != 200 {
		t.Errorf("statuses %v, want 200 before and after the new login; stderr:\n%s", status, h.ErrOut)
	}
	if len(users) != 2 || users[1] == first.AccessToken {
		t.Errorf("the gateway accepted %d requests, want 2, the second with a token of the new login", len(users))
	}
}
