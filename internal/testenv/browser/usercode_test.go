package browser

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/testenv"
	"github.com/inference-gateway/igctl/internal/token"
)

// TestKeycloakDeviceUserCode types the user code on the verification page,
// as a person who opened the plain verification URI does.
func TestKeycloakDeviceUserCode(t *testing.T) {
	kc := testenv.Keycloak(t)
	b := New(t)
	b.Logf = t.Logf
	r := kc.CreateRealm(t, testenv.RealmSpec{PublicClient: true})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, err := token.LoginDevice(ctx, http.DefaultClient, token.LoginRequest{Issuer: r.Issuer, ClientID: r.PublicClientID}, token.DeviceOptions{
		Wait: 40 * time.Second,
		Prompt: func(p token.DevicePrompt) error {
			go func() {
				u, _ := url.Parse(p.VerificationURIComplete)
				code := u.Query().Get("user_code")
				out, err := b.Login(ctx, p.VerificationURI, Account{Username: r.Username, Password: r.Password, UserCode: code})
				if err != nil {
					t.Errorf("browser: %v (page %q)", err, out.Text)
				}
			}()
			return nil
		},
	})
	if err != nil {
		t.Fatalf("device login: %v", err)
	}
}
