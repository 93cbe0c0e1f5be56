package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
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
	"IGCTL_TEST_KEYCLOAK_HTTPS_URL", "IGCTL_TEST_KEYCLOAK_CA_FILE",
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
			// kcrealm [-short] [-noaud] [-nodirect] [-noprofile]: create a throw-away
			// realm in the real Keycloak; sets $ISSUER $CLIENT_ID $USERNAME $REALM
			// $KC_URL and writes secret.txt and password.txt (0600) into $WORK.
			"kcrealm": func(ts *testscript.TestScript, neg bool, args []string) {
				kc, err := testenv.FromEnv()
				ts.Check(err)
				if kc.URL == "" {
					ts.Fatalf("kcrealm needs Keycloak: guard the script with [keycloak]")
				}
				var spec testenv.RealmSpec
				for _, a := range args {
					switch a {
					case "-short":
						spec.AccessTokenLifespan = 2
					case "-noaud":
						spec.NoAudienceMapper = true
					case "-nodirect":
						spec.NoDirectGrants = true
					case "-noprofile":
						spec.UserWithoutProfile = true
					default:
						ts.Fatalf("kcrealm: unknown option %s", a)
					}
				}
				r, cleanup, err := kc.CreateRealmE(spec)
				ts.Check(err)
				ts.Defer(cleanup)
				ts.Setenv("ISSUER", r.Issuer)
				ts.Setenv("CLIENT_ID", r.ClientID)
				ts.Setenv("USERNAME", r.Username)
				ts.Setenv("REALM", r.Name)
				ts.Setenv("KC_URL", kc.URL)
				if kc.HTTPSURL != "" {
					ts.Setenv("HTTPS_ISSUER", kc.HTTPSURL+"/realms/"+r.Name)
					ts.Setenv("CA_FILE", kc.CAFile)
				}
				ts.Check(os.WriteFile(ts.MkAbs("secret.txt"), []byte(r.ClientSecret+"\n"), 0o600))
				ts.Check(os.WriteFile(ts.MkAbs("password.txt"), []byte(r.Password+"\n"), 0o600))
				// for `! grep` leak checks: the raw values, as regexps that match only themselves
				ts.Setenv("SECRET_RE", r.ClientSecret)
				ts.Setenv("PASSWORD_RE", r.Password)
			},
			// kcenv: set $KC_URL, $KC_ADMIN_PW_FILE and a fresh realm name
			// $UNIQUE, which is deleted from Keycloak when the script ends.
			"kcenv": func(ts *testscript.TestScript, neg bool, args []string) {
				kc, err := testenv.FromEnv()
				ts.Check(err)
				if kc.URL == "" {
					ts.Fatalf("kcenv needs Keycloak: guard the script with [keycloak]")
				}
				name := testenv.UniqueName("script")
				ts.Defer(func() { kc.AdminE(http.MethodDelete, "/"+name, nil, nil) })
				ts.Setenv("KC_URL", kc.URL)
				ts.Setenv("KC_ADMIN_PW_FILE", os.Getenv("IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE"))
				ts.Setenv("UNIQUE", name)
			},
			// countproxy: start a reverse proxy in front of Keycloak that counts
			// token-endpoint requests; sets $PROXY_URL. Keycloak (dev mode) builds
			// its issuer from the Host header, which the proxy passes on, so
			// discovery through the proxy is self-consistent.
			"countproxy": func(ts *testscript.TestScript, neg bool, args []string) {
				target, err := url.Parse(ts.Getenv("KC_URL"))
				ts.Check(err)
				rp := httputil.NewSingleHostReverseProxy(target)
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/protocol/openid-connect/token") {
						tokenCalls.Add(1)
					}
					rp.ServeHTTP(w, r)
				}))
				ts.Defer(srv.Close)
				tokenCalls.Store(0)
				ts.Setenv("PROXY_URL", srv.URL)
			},
			// tokencalls N: exactly N token-endpoint requests went through countproxy.
			"tokencalls": func(ts *testscript.TestScript, neg bool, args []string) {
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				if got := int(tokenCalls.Load()); got != want {
					ts.Fatalf("%d token requests reached Keycloak, want %d", got, want)
				}
			},
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

// tokenCalls is per test binary; scripts using countproxy must not run in
// parallel with each other, so only one script uses it.
var tokenCalls atomic.Int64

func octal(m os.FileMode) string {
	const digits = "01234567"
	return string([]byte{'0', digits[(m>>6)&7], digits[(m>>3)&7], digits[m&7]})
}
