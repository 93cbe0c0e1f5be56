package doctor

import (
	"os"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/testenv"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

// keyringDoctorFixture is doctorFixture with the token stored by the auto
// store on the real Secret Service of the test's D-Bus session (store
// "file": in a 0600 file instead), under a profile of a unique name (the
// keyring is shared by every test of the run), made current.
func keyringDoctorFixture(t *testing.T, store string) (*kcfake.Harness, string) {
	t.Helper()
	testenv.SecretService(t)
	kc := kcfake.NewKeycloak()
	t.Cleanup(kc.Close)
	gw := kcfake.NewGateway(kc)
	t.Cleanup(gw.Close)
	h := kcfake.NewHarness(t)
	h.Env["IGCTL_TOKEN_STORE"] = store
	h.Env["DBUS_SESSION_BUS_ADDRESS"] = os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	prof := kcfake.Profile(kc, token.GrantClientCredentials)
	prof.GatewayIssuer, prof.GatewayClientID, prof.GatewayURL = kc.Issuer, kc.ClientID, gw.URL
	name := testenv.UniqueName("doctor")
	h.LoggedIn(t, kc, name, prof)
	t.Cleanup(func() {
		if s, err := h.Fresh(t).F.TokenStore(); err == nil {
			s.Delete(name)
		}
	})
	h.Env["IGCTL_TOKEN_STORE"] = "auto"
	return h, name
}

// A token sealed by the keyring, checked where the keyring is out of reach
// (no D-Bus session bus): the store check fails naming the keyring and the
// sealed token, not "file store", and the token check says the same.
func TestDoctorRunSealedTokenKeyringOutOfReach(t *testing.T) {
	h, name := keyringDoctorFixture(t, "auto")
	if checks, err := doctor(t, h, nil); err != nil || checks["token store"].Status != OK {
		t.Fatalf("with the keyring: %v, token store %+v", err, checks["token store"])
	}
	h.Env["DBUS_SESSION_BUS_ADDRESS"] = ""
	checks, err := doctor(t, h, nil)
	if cmdutil.ExitCode(err) != exitcode.Storage {
		t.Fatalf("exit %d: %v", cmdutil.ExitCode(err), err)
	}
	st := checks["token store"]
	if st.Status != Fail || !strings.Contains(st.Detail, "the OS keyring is locked or unreachable") ||
		!strings.Contains(st.Fix, "the token of profile "+name+" is sealed with a key it keeps (keyring store)") || strings.Contains(st.Detail, "file store") {
		t.Fatalf("token store %+v", st)
	}
	if tk := checks["token"]; tk.Status != Fail || !strings.Contains(tk.Detail, "sealed with a key kept in the OS keyring") {
		t.Fatalf("token %+v", tk)
	}
}

// IGCTL_REQUIRE_SECURE_STORAGE=1 with the keyring working and the token in
// a 0600 file: both the store and the token checks fail with exit 7.
func TestDoctorRunRequireSecureFileToken(t *testing.T) {
	h, _ := keyringDoctorFixture(t, "file")
	h.Env["IGCTL_REQUIRE_SECURE_STORAGE"] = "1"
	checks, err := doctor(t, h, nil)
	if cmdutil.ExitCode(err) != exitcode.Storage {
		t.Fatalf("exit %d: %v", cmdutil.ExitCode(err), err)
	}
	if st := checks["token store"]; st.Status != Fail || !strings.Contains(st.Detail, "IGCTL_REQUIRE_SECURE_STORAGE=1 refuses it") {
		t.Fatalf("token store %+v", st)
	}
	if tk := checks["token"]; tk.Status != Fail || !strings.Contains(tk.Detail, "0600 file") || !strings.Contains(tk.Fix, "login") {
		t.Fatalf("token %+v", tk)
	}
	if checks["gateway auth"].Status == OK {
		t.Fatalf("the gateway was asked with a refused token: %+v", checks["gateway auth"])
	}
}
