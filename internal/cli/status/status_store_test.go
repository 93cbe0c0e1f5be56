package status

import (
	"os"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/testenv"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

// keyringHarness is a harness whose token store is auto on the real Secret
// Service of the test's D-Bus session, with a profile of a unique name
// (the keyring is shared by every test of the run) logged in and current.
func keyringHarness(t *testing.T, store string) (*kcfake.Harness, string) {
	t.Helper()
	testenv.SecretService(t)
	kc := kcfake.NewKeycloak()
	t.Cleanup(kc.Close)
	h := kcfake.NewHarness(t)
	h.Env["IGCTL_TOKEN_STORE"] = store
	h.Env["DBUS_SESSION_BUS_ADDRESS"] = os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	name := testenv.UniqueName("status")
	h.LoggedIn(t, kc, name, kcfake.Profile(kc, token.GrantClientCredentials))
	t.Cleanup(func() {
		if s, err := h.Fresh(t).F.TokenStore(); err == nil {
			s.Delete(name)
		}
	})
	h.Env["IGCTL_TOKEN_STORE"] = "auto"
	return h, name
}

// A token sealed by the keyring, read where the keyring is out of reach (a
// shell without a D-Bus session bus): STORE is keyring, the state
// keyring-locked, never the file store it is not in.
func TestStatusRunSealedTokenKeyringOutOfReach(t *testing.T) {
	h, name := keyringHarness(t, "auto")
	h.Env["DBUS_SESSION_BUS_ADDRESS"] = ""
	err := statusRun(jsonOpts(h.F))
	if cmdutil.ExitCode(err) != exitcode.Auth {
		t.Fatalf("exit %d: %v", cmdutil.ExitCode(err), err)
	}
	r := rows(t, h)[name]
	if r.Source != "keyring" || r.State != "keyring-locked" {
		t.Fatalf("row %+v, want source keyring, state keyring-locked", r)
	}
}

// IGCTL_REQUIRE_SECURE_STORAGE=1 with the keyring working: a token in a
// 0600 file is shown as refused (insecure-file, exit 4), not as valid.
func TestStatusRunRequireSecureFileToken(t *testing.T) {
	h, name := keyringHarness(t, "file")
	if err := statusRun(jsonOpts(h.F)); err != nil {
		t.Fatalf("without the requirement the file token is usable: %v", err)
	}
	h.Out.Reset()
	h.Env["IGCTL_REQUIRE_SECURE_STORAGE"] = "1"
	err := statusRun(jsonOpts(h.F))
	if cmdutil.ExitCode(err) != exitcode.Auth {
		t.Fatalf("exit %d: %v", cmdutil.ExitCode(err), err)
	}
	if r := rows(t, h)[name]; r.Source != "file" || r.State != "insecure-file" || r.Usable || r.Token != "-" {
		t.Fatalf("row %+v, want source file, state insecure-file, unusable, no token", r)
	}
}
