package keycloakcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/keycloak"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
)

// bootFixture: the fake admin API replaying the recorded conversation of a
// real bootstrap against Keycloak 26.7, and options for the recorded realm.
func bootFixture(t *testing.T) (*kcfake.Admin, *kcfake.Harness, *BootstrapOptions) {
	t.Helper()
	a := kcfake.NewAdmin()
	t.Cleanup(a.Close)
	h := kcfake.NewHarness(t)
	h.Env["KEYCLOAK_ADMIN_PASSWORD"] = "kcfake-admin-password"
	h.Env["IGCTL_USER_PASSWORD"] = "kcfake-user-password"
	opts := NewBootstrapOptions(h.F)
	opts.URL, opts.AdminUser, opts.Realm, opts.ClientID, opts.Username, opts.WriteEnv = a.URL, "admin", a.Realm, keycloak.DefaultClientID, keycloak.DefaultUsername, map[string]string{}
	return a, h, opts
}

func noneLeft(t *testing.T, a *kcfake.Admin) {
	t.Helper()
	if len(a.Unmatched) > 0 {
		t.Errorf("requests the recording has no answer for: %v", a.Unmatched)
	}
}

func TestBootstrapRunCreates(t *testing.T) {
	a, h, opts := bootFixture(t)
	a.Phase("create")
	env := filepath.Join(t.TempDir(), ".env.gateway")
	opts.WriteEnv["gateway"] = env
	if err := bootstrapRun(context.Background(), opts); err != nil {
		t.Fatalf("%v\n%s", err, h.ErrOut)
	}
	noneLeft(t, a)
	if !strings.Contains(h.ErrOut.String(), "5 created, 0 updated, 0 unchanged (4 write requests)") {
		t.Errorf("stderr: %s", h.ErrOut)
	}
	data, err := os.ReadFile(env)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"AUTH_OIDC_ISSUER=" + a.URL + "/realms/" + a.Realm, "AUTH_OIDC_CLIENT_ID=inference-gateway-client", "AUTH_OIDC_CLIENT_SECRET=kcfake-test-secret-"} {
		if !strings.Contains(string(data), want) {
			t.Errorf(".env lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(h.Out.String(), "kcfake-test-secret") {
		t.Error("the client secret was printed without --show-secret")
	}
	// piped: plain columns under a header
	if out := h.Out.String(); !strings.HasPrefix(out, "ACTION   KIND    NAME") || !strings.Contains(out, "\ncreated  realm   "+a.Realm) {
		t.Errorf("stdout:\n%s", out)
	}
}

func TestBootstrapRunRerunChangesNothing(t *testing.T) {
	a, h, opts := bootFixture(t)
	delete(h.Env, "IGCTL_USER_PASSWORD") // the user exists: no password check
	// without a password source, the user is looked up once before the
	// first write (does it need a password?) and once by the bootstrap
	a.Script(a.Exchange("rerun/06"))
	a.Phase("rerun")
	if err := bootstrapRun(context.Background(), opts); err != nil {
		t.Fatalf("%v\n%s", err, h.ErrOut)
	}
	noneLeft(t, a)
	if !strings.Contains(h.ErrOut.String(), "0 created, 0 updated, 5 unchanged (0 write requests)") {
		t.Errorf("stderr: %s", h.ErrOut)
	}
}

func TestBootstrapRunDryRun(t *testing.T) {
	a, h, opts := bootFixture(t)
	opts.DryRun = true
	a.Phase("create")
	err := bootstrapRun(context.Background(), opts)
	if cmdutil.ExitCode(err) != exitcode.Drift || !strings.Contains(h.ErrOut.String(), "plan: 5 to create") {
		t.Fatalf("err = %v (exit %d)\n%s", err, cmdutil.ExitCode(err), h.ErrOut)
	}
	a2, h2, opts2 := bootFixture(t)
	opts2.DryRun = true
	delete(h2.Env, "IGCTL_USER_PASSWORD")
	a2.Phase("rerun")
	if err := bootstrapRun(context.Background(), opts2); err != nil || !strings.Contains(h2.ErrOut.String(), "Keycloak already matches") {
		t.Fatalf("%v\n%s", err, h2.ErrOut)
	}
	noneLeft(t, a2)
}

// Keycloak's recorded 409 {"errorMessage":"Realm … already exists"}: another
// bootstrap created the realm between the read and the create. Re-read and go on.
func TestBootstrapRunRealmConflict(t *testing.T) {
	a, h, opts := bootFixture(t)
	delete(h.Env, "IGCTL_USER_PASSWORD")
	a.Script(a.Exchange("create/02")) // GET realm: 404
	a.Script(a.Exchange("realm-conflict"))
	a.Script(a.Exchange("rerun/06")) // the password pre-check's look-up of the user
	a.Phase("rerun")                 // then everything is there: GET realm 200, …
	if err := bootstrapRun(context.Background(), opts); err != nil {
		t.Fatalf("%v\n%s", err, h.ErrOut)
	}
	noneLeft(t, a)
	if !strings.Contains(h.ErrOut.String(), "0 created, 0 updated, 5 unchanged") {
		t.Errorf("stderr: %s", h.ErrOut)
	}
}

// The same for the client: 409 "Client inference-gateway-client already exists".
func TestBootstrapRunClientConflict(t *testing.T) {
	a, h, opts := bootFixture(t)
	delete(h.Env, "IGCTL_USER_PASSWORD")
	a.Prepend(a.Exchange("create/04")) // GET clients?clientId=…: []
	a.Script(a.Exchange("client-conflict"))
	// without a password source, the user is looked up once before the
	// first write (does it need a password?) and once by the bootstrap
	a.Script(a.Exchange("rerun/06"))
	a.Phase("rerun")
	if err := bootstrapRun(context.Background(), opts); err != nil {
		t.Fatalf("%v\n%s", err, h.ErrOut)
	}
	noneLeft(t, a)
}

// A 409 that does not go away (the object is still not found on re-read) ends
// after a bounded number of tries with Keycloak's message.
func TestBootstrapRunUserConflictThatStays(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the retries' back-off (1.5 s)")
	}
	a, _, opts := bootFixture(t)
	a.Phase("create")
	x := a.Exchange("user-conflict")
	notThere := a.Exchange("create/09")
	for i := 0; i < 6; i++ {
		a.Script(x, notThere)
	}
	a.Replace(x.Method, x.Path, x)
	err := bootstrapRun(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "HTTP 409: User exists with same username") {
		t.Fatalf("err = %v", err)
	}
}

// A 500 of the admin API (STAND-IN body of Keycloak's error handler).
func TestBootstrapRunServerError(t *testing.T) {
	a, h, opts := bootFixture(t)
	a.Phase("create")
	p := "/admin/realms/" + a.Realm + "/clients"
	a.Replace("POST", p, a.ServerError("POST", p))
	err := bootstrapRun(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "POST /"+a.Realm+"/clients: HTTP 500: For more on this error consult the server log.") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(h.ErrOut.String(), "1 created") {
		t.Errorf("what was done before the failure is not reported: %s", h.ErrOut)
	}
	if cmdutil.ExitCode(err) != exitcode.Network || !strings.Contains(cmdutil.HintOf(err), "re-run") {
		t.Errorf("an admin API 5xx is exit 6 with a hint to re-run, got %d %q", cmdutil.ExitCode(err), cmdutil.HintOf(err))
	}
}

func TestBootstrapRunAdminLoginRefusedOrDown(t *testing.T) {
	a, _, opts := bootFixture(t)
	a.LoginRefused = true
	err := bootstrapRun(context.Background(), opts)
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "Invalid user credentials") || !strings.Contains(cmdutil.HintOf(err), "--admin-password-stdin") {
		t.Errorf("refused: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
	opts.URL = kcfake.ClosedURL()
	err = bootstrapRun(context.Background(), opts)
	if cmdutil.ExitCode(err) != exitcode.Network || !strings.Contains(cmdutil.HintOf(err), "--wait") {
		t.Errorf("down: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

func TestBootstrapRunNeedsAdminPassword(t *testing.T) {
	_, h, opts := bootFixture(t)
	delete(h.Env, "KEYCLOAK_ADMIN_PASSWORD")
	if err := bootstrapRun(context.Background(), opts); cmdutil.ExitCode(err) != exitcode.Usage || !strings.Contains(err.Error(), "admin password is needed") {
		t.Errorf("err = %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

// What each failure of the keycloak package means to the user.
func TestKeycloakKindsExitCodesAndHints(t *testing.T) {
	for _, c := range []struct {
		kind fault.Kind
		code exitcode.Code
		hint string
	}{
		{keycloak.LoginUnreachable, exitcode.Network, "--wait"},
		{keycloak.LoginRefused, exitcode.Auth, "--admin-password-stdin"},
		{keycloak.Unreachable, exitcode.Network, "re-run when Keycloak is back"},
		{keycloak.ServerFailed, exitcode.Network, "Keycloak failed on its side"},
		{keycloak.AdminRefused, exitcode.Auth, "admin credentials were refused"},
		{keycloak.Forbidden, exitcode.Auth, "realm-admin"},
		{keycloak.BadSpec, exitcode.Config, ""},
		{keycloak.SpecUndefinedVars, exitcode.Config, "export them"},
	} {
		err := fmt.Errorf("bootstrap: %w", fault.New(c.kind, errors.New("x")))
		code, hint := cmdutil.Classify(err)
		if code != c.code || !strings.Contains(hint, c.hint) || (c.hint == "" && hint != "") {
			t.Errorf("%s: exit %d hint %q, want %d with %q", c.kind, code, hint, c.code, c.hint)
		}
	}
}
