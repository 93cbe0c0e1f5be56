package main

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/inference-gateway/igctl/internal/cli"
	"github.com/inference-gateway/igctl/internal/testenv"
)

// TestMain lets testscript run the real igctl binary (this test binary,
// re-executed as "igctl") inside each script.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"igctl": func() { os.Exit(cli.Run()) }})
}

// passEnv are the variables scripts may see from the outer environment: the
// real services started by scripts/test.sh.
var passEnv = []string{
	"DBUS_SESSION_BUS_ADDRESS",
	"IGCTL_TEST_KEYCLOAK_URL", "IGCTL_TEST_KEYCLOAK_ADMIN", "IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE",
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			for _, k := range passEnv {
				if v := os.Getenv(k); v != "" {
					env.Setenv(k, v)
				}
			}
			env.Setenv("IGCTL_CONFIG_DIR", env.WorkDir+"/config")
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "keycloak":
				ok := os.Getenv("IGCTL_TEST_KEYCLOAK_URL") != ""
				if !ok && testenv.Required() {
					t.Fatal("Keycloak is required (IGCTL_TEST_REQUIRE_INTEGRATION=1) but IGCTL_TEST_KEYCLOAK_URL is unset")
				}
				return ok, nil
			case "secretservice":
				ok := os.Getenv("DBUS_SESSION_BUS_ADDRESS") != ""
				if !ok && testenv.Required() {
					t.Fatal("a Secret Service is required (IGCTL_TEST_REQUIRE_INTEGRATION=1) but there is no D-Bus session bus")
				}
				return ok, nil
			}
			return false, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// exits N PROG ARGS...: run PROG and require exit status N exactly
			// (`! exec` only checks for non-zero; scripts depend on the number).
			"exits": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 || neg {
					ts.Fatalf("usage: exits N PROG [ARGS...]")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				err = ts.Exec(args[1], args[2:]...)
				got := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					got = ee.ExitCode()
				} else if err != nil {
					ts.Fatalf("%v", err)
				}
				if got != want {
					ts.Fatalf("%s exited %d, want %d", args[1], got, want)
				}
			},
			// mode FILE PERM: the file's permission bits are exactly PERM (octal).
			"mode": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: mode FILE PERM")
				}
				st, err := os.Stat(ts.MkAbs(args[0]))
				ts.Check(err)
				got := strings.TrimPrefix(st.Mode().Perm().String(), "-")
				want := args[1]
				if (st.Mode().Perm().String() == want || octal(st.Mode().Perm()) == want) == neg {
					ts.Fatalf("%s: mode %s (%s), want %s", args[0], octal(st.Mode().Perm()), got, want)
				}
			},
		},
	})
}

func octal(m os.FileMode) string {
	const digits = "01234567"
	return string([]byte{'0', digits[(m>>6)&7], digits[(m>>3)&7], digits[m&7]})
}
