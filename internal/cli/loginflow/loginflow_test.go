package loginflow

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

func fixture(t *testing.T) (*kcfake.Keycloak, *kcfake.Harness, config.Profile, token.LoginRequest) {
	t.Helper()
	kc := kcfake.NewKeycloak()
	t.Cleanup(kc.Close)
	h := kcfake.NewHarness(t)
	prof := kcfake.Profile(kc, token.GrantClientCredentials)
	req := token.LoginRequest{Issuer: kc.Issuer, ClientID: kc.ClientID, ClientSecret: kc.ClientSecret, Grant: token.GrantClientCredentials}
	return kc, h, prof, req
}

// readOnly is a store whose token directory cannot be written.
type readOnly struct{ token.Store }

func (readOnly) Writable() error {
	return cmdutil.Failf(cmdutil.BadConfig, "token directory is read-only")
}

func TestCompleteStoresTokenAndSavesProfile(t *testing.T) {
	kc, h, prof, req := fixture(t)
	if err := New(h.F).Complete(context.Background(), "ci", prof, req); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.ErrOut.String(), "Logged in to "+kc.Issuer+" as service account of "+kc.ClientID+" (profile ci, token in file store") {
		t.Errorf("stderr: %s", h.ErrOut)
	}
	if b := h.Stored(t, "ci"); b == nil || b.ClientSecret != kc.ClientSecret {
		t.Fatalf("stored: %+v", b)
	}
	cfg, _ := h.Fresh(t).F.Config()
	if p := cfg.Profiles["ci"]; p == nil || *p != prof || cfg.CurrentProfile != "ci" {
		t.Errorf("profile: %+v, current %q", p, cfg.CurrentProfile)
	}
	if !h.F.ReportStore {
		t.Error("a login that stored a token does not report where")
	}
}

// The store is opened, and checked writable, before the issuer is asked:
// no token is minted that cannot be kept.
func TestFinishOpensTheStoreBeforeTheIssuer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		swap  func(fl *Flow)
		code  exitcode.Code
		msg   string
		quiet bool // New's store was never opened: where tokens go is not reported (yet)
	}{
		{"store fails", func(fl *Flow) {
			fl.TokenStore = func() (token.Store, error) {
				return nil, cmdutil.Failf(cmdutil.NoStorage, "secure token storage is required")
			}
		}, exitcode.Storage, "secure token storage is required", false},
		{"store not writable", func(fl *Flow) {
			open := fl.TokenStore
			fl.TokenStore = func() (token.Store, error) { s, err := open(); return readOnly{s}, err }
		}, exitcode.Config, "read-only", false},
		{"HTTP client fails", func(fl *Flow) {
			fl.HTTPClient = func(string) (*http.Client, error) {
				return nil, cmdutil.Failf(cmdutil.BadConfig, "CA file ca.pem holds no PEM certificate")
			}
		}, exitcode.Config, "no PEM certificate", false},
		{"config fails", func(fl *Flow) {
			fl.Config = func() (*config.Config, error) { return nil, cmdutil.Failf(cmdutil.BadConfig, "config.yaml: bad") }
		}, exitcode.Config, "config.yaml: bad", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kc, h, prof, _ := fixture(t)
			fl := New(h.F)
			tc.swap(fl)
			obtained := false
			err := fl.Finish(context.Background(), "ci", prof, func(context.Context, *http.Client) (*token.Bundle, error) {
				obtained = true
				return nil, errors.New("unreachable")
			})
			if cmdutil.ExitCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v (exit %d), want exit %d with %q", err, cmdutil.ExitCode(err), tc.code, tc.msg)
			}
			if obtained || kc.Calls(kcfake.Token) != 0 {
				t.Error("the issuer was asked")
			}
			if tc.quiet && h.F.ReportStore {
				t.Error("the store is reported though it was never opened")
			}
			if b := h.Stored(t, "ci"); b != nil {
				t.Error("a token was stored")
			}
		})
	}
}

// The issuer and audience the gateway expects are checked against the new
// token: a mismatch is a warning now instead of a 401 later.
func TestFinishWarnsWhenTheGatewayWillRefuse(t *testing.T) {
	_, h, prof, req := fixture(t)
	prof.GatewayClientID = "inference-gateway-client"
	if err := New(h.F).Complete(context.Background(), "ci", prof, req); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.ErrOut.String(), "the gateway will answer 401") {
		t.Errorf("stderr: %s", h.ErrOut)
	}
}
