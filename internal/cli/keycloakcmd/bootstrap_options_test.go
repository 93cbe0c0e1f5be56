package keycloakcmd

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/token"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Every request of the bootstrap goes through opts.HTTPClient: one that
// cannot reach Keycloak is exit 6 with the hint to --wait, and the real
// server is never asked.
func TestBootstrapRunUsesHTTPClient(t *testing.T) {
	a, _, opts := bootFixture(t)
	a.Phase("create")
	var hosts []string
	opts.HTTPClient = func(caFile string) (*http.Client, error) {
		return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			hosts = append(hosts, r.URL.Host)
			return nil, errors.New("network is unreachable")
		})}, nil
	}
	err := bootstrapRun(context.Background(), opts)
	if cmdutil.ExitCode(err) != exitcode.Network || !strings.Contains(err.Error(), "network is unreachable") || !strings.Contains(cmdutil.HintOf(err), "--wait") {
		t.Fatalf("err = %v (exit %d, hint %q)", err, cmdutil.ExitCode(err), cmdutil.HintOf(err))
	}
	if len(hosts) == 0 || !strings.HasPrefix(a.URL, "http://"+hosts[0]) {
		t.Errorf("requests through the swapped client: %v, want %s", hosts, a.URL)
	}
}

// The admin secret comes from opts.ReadSecret; when it cannot be read,
// nothing is sent to Keycloak.
func TestBootstrapRunReadSecretFails(t *testing.T) {
	a, h, opts := bootFixture(t)
	a.Phase("create")
	var asked []string
	opts.ReadSecret = func(_ cmdutil.SecretFlags, spec cmdutil.SecretSpec) (string, error) {
		asked = append(asked, spec.Env)
		return "", cmdutil.Failf(cmdutil.Usage, "stdin closed")
	}
	err := bootstrapRun(context.Background(), opts)
	if cmdutil.ExitCode(err) != exitcode.Usage || err.Error() != "stdin closed" {
		t.Fatalf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if len(asked) != 1 || asked[0] != "KEYCLOAK_ADMIN_PASSWORD" {
		t.Errorf("secrets asked for: %v", asked)
	}
	if strings.Contains(h.ErrOut.String(), "created") {
		t.Errorf("a bootstrap ran without the admin password: %s", h.ErrOut)
	}
}

// --login saves the profile opts.ProfileName names, for the first client,
// with the gateway's expectations, through opts.CompleteLogin; a profile
// name that cannot be resolved stops it.
func TestBootstrapRunLoginHandsTheFlowTheClient(t *testing.T) {
	a, _, opts := bootFixture(t)
	a.Phase("create")
	opts.Login = true
	opts.ProfileName = func() (string, error) { return "ci", nil }
	var name string
	var prof config.Profile
	var req token.LoginRequest
	calls := 0
	opts.CompleteLogin = func(_ context.Context, n string, p config.Profile, r token.LoginRequest) error {
		calls++
		name, prof, req = n, p, r
		return nil
	}
	if err := bootstrapRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	issuer := a.URL + "/realms/" + a.Realm
	want := config.Profile{Issuer: issuer, ClientID: "inference-gateway-client", Grant: token.GrantClientCredentials, GatewayIssuer: issuer, GatewayClientID: "inference-gateway-client"}
	if calls != 1 || name != "ci" || prof != want {
		t.Fatalf("%d logins, profile %s: %+v, want %+v", calls, name, prof, want)
	}
	if req.Grant != token.GrantClientCredentials || req.ClientID != want.ClientID || req.Issuer != issuer || !strings.HasPrefix(req.ClientSecret, "kcfake-test-secret-") {
		t.Errorf("request: %+v", req)
	}

	a2, _, opts2 := bootFixture(t)
	a2.Phase("create")
	opts2.Login = true
	opts2.ProfileName = func() (string, error) { return "", cmdutil.Failf(cmdutil.BadConfig, "no profile \"ghost\"") }
	opts2.CompleteLogin = func(context.Context, string, config.Profile, token.LoginRequest) error {
		t.Error("logged in without a profile name")
		return nil
	}
	if err := bootstrapRun(context.Background(), opts2); cmdutil.ExitCode(err) != exitcode.Config || !strings.Contains(err.Error(), "ghost") {
		t.Errorf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

// A user password file that is missing, or a --write-env into a directory
// that is missing, is refused before Keycloak is asked anything: a refused
// run leaves no half-made realm behind.
func TestBootstrapRunRefusesLocalInputsBeforeAnyRequest(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(o *BootstrapOptions, dir string)
		want string
	}{
		{"user password file", func(o *BootstrapOptions, dir string) {
			o.UserPassword = cmdutil.SecretFlags{File: dir + "/no-such-file"}
			o.ReadSecret = func(f cmdutil.SecretFlags, spec cmdutil.SecretSpec) (string, error) {
				if f.File != "" {
					return "", cmdutil.Failf(cmdutil.BadConfig, "reading the "+spec.What+" from --user-password-file: no such file or directory")
				}
				return "admin-pw", nil
			}
		}, "password for user"},
		{"write-env directory", func(o *BootstrapOptions, dir string) {
			o.WriteEnv = map[string]string{"gateway": dir + "/nodir/gateway.env"}
		}, "the directory " + "DIR/nodir does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _, opts := bootFixture(t)
			a.Phase("create")
			dir := t.TempDir()
			tc.set(opts, dir)
			requests := 0
			opts.HTTPClient = func(string) (*http.Client, error) {
				return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					requests++
					return nil, errors.New("must not be asked")
				})}, nil
			}
			err := bootstrapRun(context.Background(), opts)
			want := strings.ReplaceAll(tc.want, "DIR", dir)
			if cmdutil.ExitCode(err) != exitcode.Config || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v (exit %d), want %q", err, cmdutil.ExitCode(err), want)
			}
			if requests != 0 {
				t.Errorf("%d requests reached Keycloak before the refusal", requests)
			}
		})
	}
}
