package login

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/cli/loginflow"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

// What loginRun hands to the login flow, recorded instead of logging in.
type handed struct {
	calls    int
	name     string
	prof     config.Profile
	req      token.LoginRequest
	deadline time.Duration // 0: the context had none
}

func (h *handed) complete(ctx context.Context, name string, prof config.Profile, req token.LoginRequest) error {
	h.calls++
	h.name, h.prof, h.req = name, prof, req
	if d, ok := ctx.Deadline(); ok {
		h.deadline = time.Until(d)
	}
	return nil
}

// expectNone: loginRun failed with code and msg before logging in.
func (h *handed) expectNone(t *testing.T, err error, code exitcode.Code, msg string) {
	t.Helper()
	if cmdutil.ExitCode(err) != code || !strings.Contains(err.Error(), msg) || h.calls != 0 {
		t.Errorf("err = %v (exit %d), %d logins; want exit %d with %q and none", err, cmdutil.ExitCode(err), h.calls, code, msg)
	}
}

func (h *handed) finish(ctx context.Context, name string, prof config.Profile, _ loginflow.Obtain) error {
	return h.complete(ctx, name, prof, token.LoginRequest{})
}

// recording is NewOptions(h.F) with the login flow replaced by a recorder.
func recording(h *kcfake.Harness) (*Options, *handed) {
	rec := &handed{}
	opts := NewOptions(h.F)
	opts.CompleteLogin, opts.FinishLogin = rec.complete, rec.finish
	return opts, rec
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// On a terminal, without a user name or client secret, the issuer's
// discovery document decides the grant, asked through opts.HTTPClient: the
// browser when it offers it, else client credentials when it cannot be read.
func TestLoginRunDefaultGrantAsksDiscoveryThroughHTTPClient(t *testing.T) {
	kc, h := loginFixture(t)
	delete(h.Env, "IGCTL_CLIENT_SECRET")
	h.F.IO.SetTTY(true, false, true)

	opts, rec := recording(h)
	opts.Issuer, opts.ClientID = kc.Issuer, kc.ClientID
	if err := loginRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if rec.calls != 1 || rec.prof.Grant != token.GrantAuthCode {
		t.Fatalf("the fake issuer offers the browser login: got %d calls, grant %q", rec.calls, rec.prof.Grant)
	}

	asked := 0
	opts, rec = recording(h)
	opts.Issuer, opts.ClientID = kc.Issuer, kc.ClientID
	opts.HTTPClient = func(string) (*http.Client, error) {
		return &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
			asked++
			return nil, errors.New("no route to the issuer")
		})}, nil
	}
	opts.ReadSecret = func(_ cmdutil.SecretFlags, spec cmdutil.SecretSpec) (string, error) {
		if spec.Env != "IGCTL_CLIENT_SECRET" {
			t.Errorf("asked for the %s", spec.What)
		}
		return "typed-secret", nil
	}
	if err := loginRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if asked == 0 {
		t.Error("discovery did not go through opts.HTTPClient")
	}
	if rec.calls != 1 || rec.prof.Grant != token.GrantClientCredentials || rec.req.ClientSecret != "typed-secret" {
		t.Errorf("discovery failed: want client credentials with the typed secret, got %+v", rec)
	}
}

// A second login takes the client secret kept with the token in the store;
// a store that cannot be opened only means the secret is asked for.
func TestLoginRunClientSecretFromTokenStore(t *testing.T) {
	kc, h := loginFixture(t)
	delete(h.Env, "IGCTL_CLIENT_SECRET")
	h.LoggedIn(t, kc, "default", kcfake.Profile(kc, token.GrantClientCredentials))

	opts, rec := recording(h)
	if err := loginRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if rec.req.ClientSecret != kc.ClientSecret || rec.req.Grant != token.GrantClientCredentials || rec.name != "default" {
		t.Fatalf("the stored secret was not used: %+v", rec)
	}

	opts, rec = recording(h)
	opts.TokenStore = func() (token.Store, error) { return nil, errors.New("keyring locked") }
	rec.expectNone(t, loginRun(context.Background(), opts), exitcode.Usage, "the client secret is needed")
}

// A config that cannot be read ends the login before anything is asked.
func TestLoginRunConfigError(t *testing.T) {
	kc, h := loginFixture(t)
	opts, rec := recording(h)
	opts.Issuer, opts.ClientID, opts.Username = kc.Issuer, kc.ClientID, kc.Username
	opts.Config = func() (*config.Config, error) {
		return nil, cmdutil.Failf(cmdutil.BadConfig, "config.yaml: line 3: bad indentation")
	}
	rec.expectNone(t, loginRun(context.Background(), opts), exitcode.Config, "bad indentation")
}

// --timeout bounds the password and client-credentials grants; a person's
// browser login is bounded by --wait instead.
func TestLoginRunTimeoutBoundsNonInteractiveGrants(t *testing.T) {
	kc, h := loginFixture(t)
	opts, rec := recording(h)
	opts.Issuer, opts.ClientID, opts.Username = kc.Issuer, kc.ClientID, kc.Username
	opts.Timeout = func() time.Duration { return time.Hour }
	if err := loginRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if rec.deadline < 59*time.Minute || rec.deadline > time.Hour {
		t.Errorf("password grant: deadline in %s, want --timeout (1h)", rec.deadline)
	}

	opts, rec = recording(h)
	opts.Issuer, opts.ClientID, opts.Web = kc.Issuer, kc.ClientID, true
	opts.Timeout = func() time.Duration { return time.Hour }
	if err := loginRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if rec.calls != 1 || rec.prof.Grant != token.GrantAuthCode || rec.deadline != 0 {
		t.Errorf("--web: %+v, want no deadline from --timeout", rec)
	}
}
