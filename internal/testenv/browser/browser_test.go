package browser

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/testenv"
	"github.com/inference-gateway/igctl/internal/token"
)

func TestTOTP(t *testing.T) {
	// RFC 6238 appendix B, SHA-1 (8 digits there; the last 6 here)
	key := []byte("12345678901234567890")
	for _, c := range []struct {
		at   int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		if got := TOTP(key, time.Unix(c.at, 0)); got != c.want {
			t.Errorf("TOTP at %d = %s, want %s", c.at, got, c.want)
		}
	}
}

// loginBoth logs in through the real Keycloak pages with the browser and
// the device grant, as a plain user and as a user with OTP.
func TestKeycloakPagesAuthCodeAndDevice(t *testing.T) {
	kc := testenv.Keycloak(t)
	b := New(t)
	b.Logf = t.Logf
	r := kc.CreateRealm(t, testenv.RealmSpec{PublicClient: true, OTPUser: true})
	req := token.LoginRequest{Issuer: r.Issuer, ClientID: r.PublicClientID}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var page Outcome
	var berr error
	bundle, err := token.LoginAuthCode(ctx, http.DefaultClient, req, token.AuthCodeOptions{
		Open: func(u string) error {
			go func() {
				page, berr = b.Login(ctx, u, Account{Username: r.OTPUsername, Password: r.OTPPassword, TOTPSecret: r.OTPSecret})
			}()
			return nil
		},
		Warn: t.Logf,
	})
	if err != nil {
		t.Fatalf("authcode login: %v (browser: %v, page %q)", err, berr, page.Text)
	}
	if bundle.Username != r.OTPUsername || bundle.Grant != token.GrantAuthCode || bundle.RefreshToken == "" || bundle.ClientSecret != "" {
		t.Fatalf("bundle: user %q grant %q refresh %v", bundle.Username, bundle.Grant, bundle.RefreshToken != "")
	}
	if err := token.Refresh(ctx, http.DefaultClient, bundle); err != nil {
		t.Fatalf("refresh without a secret: %v", err)
	}

	bundle, err = token.LoginDevice(ctx, http.DefaultClient, req, token.DeviceOptions{
		Prompt: func(p token.DevicePrompt) error {
			go func() {
				page, berr = b.Login(ctx, p.VerificationURIComplete, Account{Username: r.Username, Password: r.Password})
			}()
			return nil
		},
	})
	if err != nil {
		t.Fatalf("device login: %v (browser: %v, page %q)", err, berr, page.Text)
	}
	if bundle.Username != r.Username || bundle.Grant != token.GrantDevice {
		t.Fatalf("bundle: user %q grant %q", bundle.Username, bundle.Grant)
	}
}
