package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/inference-gateway/igctl/internal/cli"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/testenv"
	"github.com/inference-gateway/igctl/internal/testenv/browser"
	"github.com/inference-gateway/igctl/internal/testenv/openaiclient"
	"github.com/inference-gateway/igctl/internal/token"
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
	"IGCTL_TEST_GATEWAY_BIN", "IGCTL_TEST_ADK_AGENT",
	"IGCTL_TEST_CHROMIUM", // browser: a Chromium other than chromium on PATH
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
			env.Values["state"] = &scriptState{}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "keycloak":
				ok := os.Getenv("IGCTL_TEST_KEYCLOAK_URL") != ""
				if !ok && testenv.Required() {
					// an error fails this script (t.Fatal here would stop the whole binary)
					return false, errors.New("Keycloak is required (IGCTL_TEST_REQUIRE_INTEGRATION=1) but IGCTL_TEST_KEYCLOAK_URL is unset")
				}
				return ok, nil
			case "peers":
				ok := os.Getenv("IGCTL_TEST_GATEWAY_BIN") != "" && os.Getenv("IGCTL_TEST_ADK_AGENT") != ""
				if !ok && testenv.Required() {
					return false, errors.New("the real gateway and ADK agent are required (IGCTL_TEST_REQUIRE_INTEGRATION=1) but IGCTL_TEST_GATEWAY_BIN or IGCTL_TEST_ADK_AGENT is unset: scripts/peers.sh build")
				}
				return ok, nil
			case "secretservice":
				ok := os.Getenv("DBUS_SESSION_BUS_ADDRESS") != ""
				if !ok && testenv.Required() {
					return false, errors.New("a Secret Service is required (IGCTL_TEST_REQUIRE_INTEGRATION=1) but there is no D-Bus session bus")
				}
				return ok, nil
			}
			return false, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// kcpeople: a realm with the public client people log in with and
			// users alice and otto (OTP configured); see browser.CmdKCPeople.
			"kcpeople": browser.CmdKCPeople,
			// browser [-deny] [-usercode] USER PASSWORD_FILE [TOTP_SECRET_FILE]:
			// a headless Chromium that logs in on Keycloak's real pages at the
			// URL igctl opens through $IGCTL_BROWSER; browserwait checks how it
			// ended (see internal/testenv/browser).
			"browser":     browser.CmdBrowser,
			"browserwait": browser.CmdBrowserWait,
			// kcrealm [-short] [-lifespan=10] [-noaud] [-nodirect] [-noprofile] [-second=bare|own]: create a throw-away
			// realm in the real Keycloak; sets $ISSUER $CLIENT_ID $USERNAME $REALM
			// $KC_URL and writes secret.txt, password.txt, and the gateway's and
			// agent's gateway.env and adk.env (0600) into $WORK;
			// with -second also $SECOND_CLIENT_ID and second-secret.txt.
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
					case "-second=bare", "-second=own":
						spec.SecondClient = strings.TrimPrefix(a, "-second=")
					case "-lifespan=10":
						// the 10-second tokens (igctl proxy and exec)
						spec.AccessTokenLifespan = 10
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
				if u, err := neturl.Parse(kc.URL); err == nil {
					ts.Setenv("KC_PORT", u.Port())
				}
				if u, err := neturl.Parse(kc.HTTPSURL); err == nil {
					ts.Setenv("KC_HTTPS_PORT", u.Port())
				}
				if kc.HTTPSURL != "" {
					ts.Setenv("HTTPS_ISSUER", kc.HTTPSURL+"/realms/"+r.Name)
					ts.Setenv("CA_FILE", kc.CAFile)
				}
				ts.Check(os.WriteFile(ts.MkAbs("secret.txt"), []byte(r.ClientSecret+"\n"), 0o600))
				ts.Check(os.WriteFile(ts.MkAbs("password.txt"), []byte(r.Password+"\n"), 0o600))
				// the gateway's and the agent's .env, as `keycloak bootstrap --write-env` writes them
				for product, file := range map[string]string{envmap.Gateway: "gateway.env", envmap.ADK: "adk.env"} {
					f := envmap.Parse(nil)
					envmap.SetAuth(f, product, envmap.Auth{Issuer: r.Issuer, ClientID: r.ClientID, ClientSecret: r.ClientSecret})
					ts.Check(os.WriteFile(ts.MkAbs(file), []byte(f.String()), 0o600))
				}
				if r.SecondClientID != "" {
					ts.Setenv("SECOND_CLIENT_ID", r.SecondClientID)
					ts.Check(os.WriteFile(ts.MkAbs("second-secret.txt"), []byte(r.SecondClientSecret+"\n"), 0o600))
				}
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
			// kcfeature NAME VERSION_PREFIX: the real Keycloak runs a version
			// starting with VERSION_PREFIX with feature NAME on; otherwise the
			// script fails (never skips): the federated tests prove nothing
			// against a Keycloak without the feature.
			"kcfeature": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 || neg {
					ts.Fatalf("usage: kcfeature NAME VERSION_PREFIX")
				}
				kc, err := testenv.FromEnv()
				ts.Check(err)
				info, err := kc.ServerInfo()
				ts.Check(err)
				if !strings.HasPrefix(info.Version, args[1]) {
					ts.Fatalf("Keycloak %s runs, the tests pin %s.x (scripts/keycloak.sh)", info.Version, args[1])
				}
				if !info.Features[args[0]] {
					ts.Fatalf("Keycloak %s runs without the feature %s: start it with --features=%s (scripts/keycloak.sh)", info.Version, args[0], strings.ToLower(strings.ReplaceAll(args[0], "_", "-")))
				}
			},
			// ciissuer REPO BRANCH: start the stand-in CI issuer (see
			// testenv.CIIssuer: no CI platform is reachable from the tests)
			// for a GitHub job of REPO on BRANCH; sets $CI_ISSUER, $CI_SUBJECT,
			// ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN
			// (as GitHub sets them in a job with id-token: write), and
			// $REQTOKEN_RE for leak checks.
			"ciissuer": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 || neg {
					ts.Fatalf("usage: ciissuer REPO BRANCH")
				}
				ci, err := testenv.StartCIIssuer(args[0], args[1])
				ts.Check(err)
				ts.Defer(ci.Close)
				state(ts).ci = ci
				ts.Setenv("CI_ISSUER", ci.URL)
				ts.Setenv("CI_SUBJECT", ci.Subject())
				ts.Setenv("ACTIONS_ID_TOKEN_REQUEST_URL", ci.RequestURL)
				ts.Setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", ci.RequestToken)
				ts.Setenv("REQTOKEN_RE", ci.RequestToken)
			},
			// cimint [-sub SUB] [-aud AUD] [-expired] FILE: write a token of the
			// stand-in CI issuer to FILE (0600), as the kubelet writes a
			// projected token or a GitLab job its id_tokens; aud defaults to $ISSUER.
			"cimint": func(ts *testscript.TestScript, neg bool, args []string) {
				ci := state(ts).ci
				if ci == nil || neg || len(args) == 0 {
					ts.Fatalf("usage: cimint [-sub SUB] [-aud AUD] [-expired] FILE, after ciissuer")
				}
				o := testenv.MintOptions{Audience: ts.Getenv("ISSUER")}
				for len(args) > 1 {
					switch args[0] {
					case "-sub":
						o.Subject, args = args[1], args[2:]
					case "-aud":
						o.Audience, args = args[1], args[2:]
					case "-expired":
						o.Lifetime, args = -time.Minute, args[1:]
					default:
						ts.Fatalf("cimint: unknown option %s", args[0])
					}
				}
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(ci.Mint(o)+"\n"), 0o600))
			},
			// cicalls N: the stand-in's ID-token endpoint handed out exactly N
			// tokens, and refused none.
			"cicalls": func(ts *testscript.TestScript, neg bool, args []string) {
				ci := state(ts).ci
				if ci == nil || len(args) != 1 {
					ts.Fatalf("usage: cicalls N, after ciissuer")
				}
				n, err := strconv.Atoi(args[0])
				ts.Check(err)
				if got := ci.Requests(); got != int64(n) || len(ci.Refused()) > 0 {
					ts.Fatalf("the ID-token endpoint answered %d requests (refused: %v), want %d", got, ci.Refused(), n)
				}
			},
			// kcdeleterealm NAME: delete a realm from the real Keycloak now, as
			// a restart of a Keycloak with an in-memory database does.
			"kcdeleterealm": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 || neg {
					ts.Fatalf("usage: kcdeleterealm NAME")
				}
				kc, err := testenv.FromEnv()
				ts.Check(err)
				code, err := kc.AdminE(http.MethodDelete, "/"+args[0], nil, nil)
				ts.Check(err)
				if code != http.StatusNoContent {
					ts.Fatalf("deleting realm %s: HTTP %d", args[0], code)
				}
			},
			// gateway [-envfile FILE] [KEY=VALUE...]: start the
			// REAL gateway (scripts/peers.sh) with the variables of FILE (read as
			// a container's env_file would pass them) and the KEY=VALUE pairs;
			// sets $GATEWAY_URL. `! gateway` expects it to refuse to start. Its
			// log is in $WORK/gateway.log (see gatewaylog). A skewed clock is
			// skewproxy's.
			"gateway": func(ts *testscript.TestScript, neg bool, args []string) {
				env, rest := peerEnv(ts, args)
				if len(rest) > 0 {
					ts.Fatalf("usage: gateway [-envfile FILE] [KEY=VALUE...]")
				}
				st := state(ts)
				g, err := testenv.StartRealGateway(env)
				if g != nil {
					st.realgw = g
					ts.Defer(func() {
						g.Close()
						os.WriteFile(ts.MkAbs("gateway.log"), []byte(g.Log()), 0o600)
					})
				}
				if neg {
					if err == nil {
						ts.Fatalf("the gateway started, want a refusal")
					}
					if g != nil {
						ts.Check(os.WriteFile(ts.MkAbs("gateway.log"), []byte(g.Log()), 0o600))
					}
					return
				}
				if err != nil {
					ts.Fatalf("%v", err)
				}
				// A pass-through in front of the real gateway counts its answers
				// (for gatewaycalls).
				target, _ := neturl.Parse(g.URL)
				rp := httputil.NewSingleHostReverseProxy(target)
				rp.ModifyResponse = func(r *http.Response) error {
					switch {
					case r.StatusCode == http.StatusUnauthorized:
						st.unauthorized.Add(1)
					case r.StatusCode/100 == 2 && r.Request.Header.Get("Authorization") != "":
						st.authorized.Add(1)
					}
					return nil
				}
				srv := httptest.NewServer(wholeBody(rp))
				ts.Defer(srv.Close)
				url := srv.URL
				ts.Setenv("GATEWAY_URL", url)
			},
			// gatewaylog REGEXP: the real gateway's log (so far) matches; with !,
			// it does not. The log also lands in $WORK/gateway.log.
			"gatewaylog": func(ts *testscript.TestScript, neg bool, args []string) {
				g := state(ts).realgw
				if g == nil || len(args) != 1 {
					ts.Fatalf("usage: gatewaylog REGEXP, after gateway")
				}
				log := g.Log()
				ts.Check(os.WriteFile(ts.MkAbs("gateway.log"), []byte(log), 0o600))
				re, err := regexp.Compile(args[0])
				ts.Check(err)
				if re.MatchString(log) == neg {
					ts.Fatalf("gateway log %s %q:\n%s", map[bool]string{false: "lacks", true: "has"}[neg], args[0], log)
				}
			},
			// gatewaylast REGEXP: the real gateway's latest token rejection
			// (its last "failed to verify" log line) matches REGEXP, so a
			// script can set it next to igctl's own first failure.
			"gatewaylast": func(ts *testscript.TestScript, neg bool, args []string) {
				g := state(ts).realgw
				if g == nil || len(args) != 1 || neg {
					ts.Fatalf("usage: gatewaylast REGEXP, after gateway")
				}
				log := g.Log()
				ts.Check(os.WriteFile(ts.MkAbs("gateway.log"), []byte(log), 0o600))
				re, err := regexp.Compile(args[0])
				ts.Check(err)
				last := ""
				for _, l := range strings.Split(log, "\n") {
					if strings.Contains(l, "failed to verify") {
						last = l
					}
				}
				if last == "" {
					ts.Fatalf("the gateway logged no rejection:\n%s", log)
				}
				fmt.Fprintf(ts.Stdout(), "the gateway's last rejection: %s\n", last)
				if !re.MatchString(last) {
					ts.Fatalf("the gateway's last rejection lacks %q:\n%s", args[0], last)
				}
			},
			// hungbus: a STAND-IN for a hung Secret Service (no real keyring
			// can be made to hang for one script without hanging it for every
			// script sharing it): a unix socket that accepts D-Bus connections
			// and never answers. Sets $HUNG_BUS to its D-Bus address.
			"hungbus": func(ts *testscript.TestScript, neg bool, args []string) {
				path := ts.MkAbs("hung-bus")
				ln, err := net.Listen("unix", path)
				ts.Check(err)
				var mu sync.Mutex
				var held []net.Conn
				go func() {
					for {
						c, err := ln.Accept()
						if err != nil {
							return
						}
						mu.Lock()
						held = append(held, c)
						mu.Unlock()
					}
				}()
				ts.Defer(func() {
					ln.Close()
					mu.Lock()
					for _, c := range held {
						c.Close()
					}
					mu.Unlock()
				})
				ts.Setenv("HUNG_BUS", "unix:path="+path)
			},
			// kcintrospect TOKENFILE: ask the real Keycloak (token
			// introspection, as $CLIENT_ID with secret.txt, after kcrealm)
			// whether the token in TOKENFILE is active; prints "active: BOOL".
			"kcintrospect": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 || neg {
					ts.Fatalf("usage: kcintrospect TOKENFILE")
				}
				form := neturl.Values{"token": {strings.TrimSpace(ts.ReadFile(args[0]))}}
				req, err := http.NewRequest(http.MethodPost, ts.Getenv("ISSUER")+"/protocol/openid-connect/token/introspect", strings.NewReader(form.Encode()))
				ts.Check(err)
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(ts.Getenv("CLIENT_ID"), strings.TrimSpace(ts.ReadFile("secret.txt")))
				resp, err := http.DefaultClient.Do(req)
				ts.Check(err)
				defer resp.Body.Close()
				var out struct {
					Active bool `json:"active"`
				}
				if resp.StatusCode != http.StatusOK {
					ts.Fatalf("introspection: HTTP %d", resp.StatusCode)
				}
				ts.Check(json.NewDecoder(resp.Body).Decode(&out))
				fmt.Fprintf(ts.Stdout(), "active: %v\n", out.Active)
			},
			// kclifespan SECONDS: set the access token lifespan of $REALM
			// (after kcrealm) in the real Keycloak, for tokens issued from now on.
			"kclifespan": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 || neg {
					ts.Fatalf("usage: kclifespan SECONDS")
				}
				n, err := strconv.Atoi(args[0])
				ts.Check(err)
				kc, err := testenv.FromEnv()
				ts.Check(err)
				code, err := kc.AdminE(http.MethodPut, "/"+ts.Getenv("REALM"), map[string]any{"accessTokenLifespan": n}, nil)
				ts.Check(err)
				if code != http.StatusNoContent {
					ts.Fatalf("setting the token lifespan of %s: HTTP %d", ts.Getenv("REALM"), code)
				}
			},
			// agent [-envfile FILE] [KEY=VALUE...]: start a REAL TypeScript ADK
			// agent (scripts/adk.sh: @inference-gateway/adk with its own
			// authenticator) with the variables of FILE and the pairs; sets
			// $AGENT_URL. `! agent` expects it to refuse to start; its output
			// is then in $WORK/agent.log.
			"agent": func(ts *testscript.TestScript, neg bool, args []string) {
				env, rest := peerEnv(ts, args)
				if len(rest) > 0 {
					ts.Fatalf("usage: agent [-envfile FILE] [KEY=VALUE...]")
				}
				a, err := testenv.StartADKAgent(env)
				if err == nil {
					ts.Defer(a.Close)
				}
				if neg {
					if err == nil {
						ts.Fatalf("the agent started, want a refusal")
					}
					ts.Check(os.WriteFile(ts.MkAbs("agent.log"), []byte(err.Error()), 0o600))
					return
				}
				if err != nil {
					ts.Fatalf("%v", err)
				}
				ts.Setenv("AGENT_URL", a.URL)
			},
			// gatewaycalls UNAUTHORIZED AUTHORIZED: the real gateway answered
			// exactly that many 401s and authorised requests.
			"gatewaycalls": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: gatewaycalls N401 NAUTHORISED")
				}
				u, err := strconv.Atoi(args[0])
				ts.Check(err)
				a, err := strconv.Atoi(args[1])
				ts.Check(err)
				st := state(ts)
				if int(st.unauthorized.Load()) != u || int(st.authorized.Load()) != a {
					ts.Fatalf("gateway answered %d 401s and %d authorised requests, want %d and %d", st.unauthorized.Load(), st.authorized.Load(), u, a)
				}
			},
			// setenvfile VAR FILE: set VAR to FILE's content without the trailing newline.
			"setenvfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: setenvfile VAR FILE")
				}
				ts.Setenv(args[0], strings.TrimRight(ts.ReadFile(args[1]), "\r\n"))
			},
			// forgeexpiry PROFILE: in the file token store, make the stored token
			// look valid for another hour, whatever it really is (a revoked or
			// server-side expired token, or a skewed clock).
			"forgeexpiry": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: forgeexpiry PROFILE")
				}
				store, err := token.OpenStore(token.StoreOptions{Kind: "file", Dir: ts.Getenv("IGCTL_CONFIG_DIR")})
				ts.Check(err)
				b, err := store.Load(args[0])
				ts.Check(err)
				b.Expiry = time.Now().Add(time.Hour)
				ts.Check(store.Save(args[0], b))
			},
			// skewproxy DURATION: a reverse proxy in front of Keycloak whose Date
			// header runs DURATION ahead, as a server with a skewed clock would
			// send; sets $SKEW_URL.
			"skewproxy": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: skewproxy DURATION")
				}
				d, err := time.ParseDuration(args[0])
				ts.Check(err)
				target, err := neturl.Parse(ts.Getenv("KC_URL"))
				ts.Check(err)
				rp := httputil.NewSingleHostReverseProxy(target)
				rp.ModifyResponse = func(r *http.Response) error {
					r.Header.Set("Date", time.Now().Add(d).UTC().Format(http.TimeFormat))
					return nil
				}
				srv := httptest.NewServer(wholeBody(rp))
				ts.Defer(srv.Close)
				ts.Setenv("SKEW_URL", srv.URL)
			},
			// kcadminclient: a master-realm service-account client with the
			// admin role, as CI pipelines use instead of an admin password;
			// sets $ADMIN_CLIENT and writes admin-secret.txt (0600).
			"kcadminclient": func(ts *testscript.TestScript, neg bool, args []string) {
				kc, err := testenv.FromEnv()
				ts.Check(err)
				id, secret := testenv.UniqueName("igctl-admin"), testenv.Secret()
				code, err := kc.AdminE(http.MethodPost, "/master/clients", map[string]any{"clientId": id, "secret": secret,
					"publicClient": false, "serviceAccountsEnabled": true, "standardFlowEnabled": false}, nil)
				ts.Check(err)
				if code != http.StatusCreated {
					ts.Fatalf("creating admin client: HTTP %d", code)
				}
				var clients []struct{ ID string }
				_, err = kc.AdminE(http.MethodGet, "/master/clients?clientId="+id, nil, &clients)
				ts.Check(err)
				ts.Defer(func() { kc.AdminE(http.MethodDelete, "/master/clients/"+clients[0].ID, nil, nil) })
				var sa struct{ ID string }
				var role map[string]any
				_, err = kc.AdminE(http.MethodGet, "/master/clients/"+clients[0].ID+"/service-account-user", nil, &sa)
				ts.Check(err)
				_, err = kc.AdminE(http.MethodGet, "/master/roles/admin", nil, &role)
				ts.Check(err)
				code, err = kc.AdminE(http.MethodPost, "/master/users/"+sa.ID+"/role-mappings/realm", []any{role}, nil)
				ts.Check(err)
				if code != http.StatusNoContent {
					ts.Fatalf("granting admin: HTTP %d", code)
				}
				ts.Check(os.WriteFile(ts.MkAbs("admin-secret.txt"), []byte(secret+"\n"), 0o600))
				ts.Setenv("ADMIN_CLIENT", id)
			},
			// fwdproxy: an HTTP forward proxy (plain requests and CONNECT) that
			// resolves the made-up hosts NAME.test (keycloak.test, which
			// Keycloak's test certificate names, or any other) to 127.0.0.1;
			// sets $FWD_PROXY. Go never proxies loopback addresses, so these
			// hosts are how a test can see HTTP_PROXY/HTTPS_PROXY/NO_PROXY
			// honoured, or reach Keycloak's HTTPS listener by a name its
			// certificate does not list.
			"fwdproxy": func(ts *testscript.TestScript, neg bool, args []string) {
				srv := httptest.NewServer(forwardProxy())
				ts.Defer(srv.Close)
				ts.Setenv("FWD_PROXY", srv.URL)
			},
			// countproxy: start a reverse proxy in front of Keycloak that counts
			// token-endpoint requests; sets $PROXY_URL. Keycloak (dev mode) builds
			// its issuer from the Host header, which the proxy passes on, so
			// discovery through the proxy is self-consistent.
			"countproxy": func(ts *testscript.TestScript, neg bool, args []string) {
				target, err := neturl.Parse(ts.Getenv("KC_URL"))
				ts.Check(err)
				rp := httputil.NewSingleHostReverseProxy(target)
				calls := &state(ts).tokenCalls
				srv := httptest.NewServer(wholeBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/protocol/openid-connect/token") {
						calls.Add(1)
					}
					rp.ServeHTTP(w, r)
				})))
				ts.Defer(srv.Close)
				ts.Setenv("PROXY_URL", srv.URL)
			},
			// issstrip: a reverse proxy in front of Keycloak that removes
			// iss from the authorization response (the redirect to igctl's
			// loopback callback) and passes everything else unchanged; sets
			// $STRIP_URL. A STAND-IN for an authorization server that leaves
			// iss out although its discovery document (Keycloak's, through
			// this proxy) promises it: the real Keycloak always sends iss.
			"issstrip": func(ts *testscript.TestScript, neg bool, args []string) {
				target, err := neturl.Parse(ts.Getenv("KC_URL"))
				ts.Check(err)
				rp := httputil.NewSingleHostReverseProxy(target)
				stripped := 0
				rp.ModifyResponse = func(r *http.Response) error {
					loc, err := r.Location()
					if err != nil || loc.Hostname() != "127.0.0.1" || loc.Path != "/callback" || !loc.Query().Has("iss") {
						return nil
					}
					q := loc.Query()
					q.Del("iss")
					loc.RawQuery = q.Encode()
					r.Header.Set("Location", loc.String())
					stripped++
					return nil
				}
				srv := httptest.NewServer(wholeBody(rp))
				ts.Defer(srv.Close)
				ts.Defer(func() {
					if stripped == 0 {
						ts.Logf("issstrip: no authorization response went through the proxy")
					}
				})
				ts.Setenv("STRIP_URL", srv.URL)
			},
			// faultproxy: a reverse proxy in front of Keycloak whose token
			// endpoint can be made to fail (faultmode); a STAND-IN for faults
			// the real Keycloak cannot produce on demand. It counts token
			// requests like countproxy; sets $FAULT_URL.
			"faultproxy": func(ts *testscript.TestScript, neg bool, args []string) {
				target, err := neturl.Parse(ts.Getenv("KC_URL"))
				ts.Check(err)
				rp := httputil.NewSingleHostReverseProxy(target)
				st := state(ts)
				st.fault.Store("pass")
				srv := httptest.NewServer(wholeBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if !strings.HasSuffix(r.URL.Path, "/protocol/openid-connect/token") {
						rp.ServeHTTP(w, r)
						return
					}
					st.tokenCalls.Add(1)
					switch mode := st.fault.Load().(string); mode {
					case "500":
						http.Error(w, "Internal Server Error", http.StatusInternalServerError)
					case "server_error", "temporarily_unavailable":
						// an OAuth error body with a 5xx status, as Keycloak
						// sends it (application/json) when it fails inside,
						// after reading the request as a real server does
						io.Copy(io.Discard, r.Body)
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(map[string]int{"server_error": http.StatusInternalServerError, "temporarily_unavailable": http.StatusServiceUnavailable}[mode])
						fmt.Fprintf(w, `{"error":%q,"error_description":"the server failed"}`, mode)
					case "html":
						w.Header().Set("Content-Type", "text/html")
						w.WriteHeader(http.StatusBadGateway)
						io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
					case "badjson":
						w.Header().Set("Content-Type", "application/json")
						io.WriteString(w, `{"access_token":`)
					case "reset":
						if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
							c.Close()
						}
					case "hang":
						// read the form first: only then does the server notice
						// the client giving up, which ends this wait
						io.Copy(io.Discard, r.Body)
						select {
						case <-r.Context().Done():
						case <-time.After(time.Minute):
						}
					default:
						rp.ServeHTTP(w, r)
					}
				})))
				// the hang mode holds connections: drop them, then close
				ts.Defer(func() { srv.CloseClientConnections(); srv.Close() })
				ts.Setenv("FAULT_URL", srv.URL)
			},
			// faultmode pass|500|server_error|temporarily_unavailable|html|badjson|reset|hang: how faultproxy's token endpoint answers.
			"faultmode": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: faultmode MODE")
				}
				state(ts).fault.Store(args[0])
			},
			// tokencalls N: exactly N token-endpoint requests went through countproxy
			// (or faultproxy).
			"tokencalls": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: tokencalls N")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				if got := int(state(ts).tokenCalls.Load()); got != want {
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
			// openaisdk: make the official OpenAI Python SDK (scripts/openai-sdk.sh)
			// available: sets $OPENAI_PYTHON, writes $WORK/client.py (stream.py of
			// internal/testenv/openaiclient) and puts igctl-openai-python on PATH for
			// `[!exec:igctl-openai-python] skip`. Missing while integration tests
			// are required, it fails the script.
			"openaisdk": func(ts *testscript.TestScript, neg bool, args []string) {
				py := openaiclient.Python()
				if py == "" {
					if testenv.Required() {
						ts.Fatalf("the OpenAI Python SDK is required (IGCTL_TEST_REQUIRE_INTEGRATION=1) but IGCTL_TEST_OPENAI_PYTHON is unset or missing: scripts/openai-sdk.sh install, then eval \"$(scripts/openai-sdk.sh env)\"")
					}
					return
				}
				bin := ts.MkAbs(".openai-bin")
				ts.Check(os.MkdirAll(bin, 0o755))
				ts.Check(os.Symlink(py, filepath.Join(bin, "igctl-openai-python")))
				ts.Setenv("PATH", bin+string(os.PathListSeparator)+ts.Getenv("PATH"))
				ts.Setenv("OPENAI_PYTHON", py)
				ts.Check(os.WriteFile(ts.MkAbs("client.py"), openaiclient.Script, 0o644))
			},
			// chunktiming FILE DELAY [MINSPREAD]: the run stream.py recorded in FILE
			// has no failed request, the provider's text in each answer, and chunks
			// spread by about DELAY (at least MINSPREAD, default 0.6, of the
			// provider's own spread); the figures go to stdout. An answer that
			// ended early, cleanly or with its connection broken off, passes
			// only when the real gateway logged its hop to the provider
			// breaking ("error reading stream", not because its client went
			// away: "context canceled"), one log line for each (see
			// openaiclient.Timing). A break on igctl's side is never forgiven.
			"chunktiming": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 2 || len(args) > 3 {
					ts.Fatalf("usage: chunktiming FILE DELAY [MINSPREAD]")
				}
				run, err := openaiclient.Read(ts.MkAbs(args[0]))
				ts.Check(err)
				delay, err := time.ParseDuration(args[1])
				ts.Check(err)
				minSpread := 0.6
				if len(args) == 3 {
					minSpread, err = strconv.ParseFloat(args[2], 64)
					ts.Check(err)
				}
				t, err := openaiclient.Analyze(run, delay, "the quick brown fox jumps over the lazy dog", minSpread)
				ts.Check(err)
				fmt.Fprintln(ts.Stdout(), t.String())
				// An answer cut short is forgiven only when the gateway itself
				// logged the broken hop to its provider, once for each (it
				// happens without igctl in the path too); Analyze already
				// failed a run without one complete stream.
				if broken := t.Truncated + t.Cut; broken > 0 {
					g := state(ts).realgw
					logged, errLines := 0, []string{}
					if g != nil {
						for _, l := range strings.Split(g.Log(), "\n") {
							if !strings.Contains(strings.ToLower(l), `"level":"error"`) {
								continue
							}
							errLines = append(errLines, l)
							if strings.Contains(l, `"msg":"error reading stream"`) && !strings.Contains(l, "context canceled") {
								logged++
							}
						}
					}
					ts.Logf("the gateway's error lines:\n%s", strings.Join(errLines, "\n"))
					if logged < broken {
						ts.Fatalf("%d answer(s) ended early and %d broke off, and the gateway logged %d broken stream(s)", t.Truncated, t.Cut, logged)
					}
				}
			},
			// chunkdelay DURATION: the stand-in provider behind the real gateway
			// pauses this long between streamed chunks (after gateway).
			"chunkdelay": func(ts *testscript.TestScript, neg bool, args []string) {
				g := state(ts).realgw
				if g == nil || len(args) != 1 {
					ts.Fatalf("usage: chunkdelay DURATION, after gateway")
				}
				d, err := time.ParseDuration(args[0])
				ts.Check(err)
				g.Provider.ChunkDelay = d
			},
			// freeport VAR: set VAR to a free loopback port.
			"freeport": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: freeport VAR")
				}
				l, err := net.Listen("tcp", "127.0.0.1:0")
				ts.Check(err)
				ts.Setenv(args[0], strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
				l.Close()
			},
			// waithttp URL: wait up to 30 s until GET URL answers 200.
			"waithttp": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: waithttp URL")
				}
				deadline := time.Now().Add(30 * time.Second)
				for {
					resp, err := http.Get(args[0])
					if err == nil {
						resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							return
						}
					}
					if time.Now().After(deadline) {
						ts.Fatalf("%s did not answer 200 within 30 s (last: %v)", args[0], err)
					}
					time.Sleep(50 * time.Millisecond)
				}
			},
			// signal TERM|INT|HUP TEXT: send the signal to every running background
			// command whose command line contains TEXT (testscript's own kill
			// knows INT and KILL only).
			"signal": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: signal TERM|INT|HUP TEXT")
				}
				sig, ok := map[string]syscall.Signal{"TERM": syscall.SIGTERM, "INT": syscall.SIGINT, "HUP": syscall.SIGHUP}[args[0]]
				if !ok {
					ts.Fatalf("unknown signal %s", args[0])
				}
				sent := 0
				for _, c := range ts.BackgroundCmds() {
					if c.ProcessState == nil && strings.Contains(strings.Join(c.Args, " "), args[1]) {
						ts.Check(c.Process.Signal(sig))
						sent++
					}
				}
				if sent == 0 {
					ts.Fatalf("no running background command contains %q", args[1])
				}
			},
			// hanggateway: a STAND-IN gateway that accepts every request and
			// never answers (a fault the real gateway cannot be made to
			// show): it holds each request until igctl goes away. Requests
			// are logged for waitrequest; sets $HANG_URL.
			"hanggateway": func(ts *testscript.TestScript, neg bool, args []string) {
				st := state(ts)
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					st.logRequest(r)
					<-r.Context().Done()
				}))
				ts.Defer(func() { srv.CloseClientConnections(); srv.Close() })
				ts.Setenv("HANG_URL", srv.URL)
			},
			// slowproxy DELAY: a STAND-IN slow network in front of the real
			// Keycloak: each request waits DELAY before it is passed on (and
			// is dropped when the client goes away first), so a signal can
			// land in the middle of a run of admin requests. Requests are
			// logged for waitrequest; sets $SLOW_KC_URL. Keycloak builds
			// its URLs from the Host header, which is passed on.
			"slowproxy": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: slowproxy DELAY")
				}
				d, err := time.ParseDuration(args[0])
				ts.Check(err)
				target, err := neturl.Parse(ts.Getenv("KC_URL"))
				ts.Check(err)
				rp := httputil.NewSingleHostReverseProxy(target)
				st := state(ts)
				srv := httptest.NewServer(wholeBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					st.logRequest(r)
					select {
					case <-time.After(d):
						rp.ServeHTTP(w, r)
					case <-r.Context().Done():
					}
				})))
				ts.Defer(func() { srv.CloseClientConnections(); srv.Close() })
				ts.Setenv("SLOW_KC_URL", srv.URL)
			},
			// waitrequest REGEXP: wait up to 30 s until hanggateway or
			// slowproxy has received a request whose "METHOD PATH" matches
			// REGEXP: the client is then waiting for its answer. That
			// request and those before it are forgotten: the next
			// waitrequest waits for a new one.
			"waitrequest": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 || neg {
					ts.Fatalf("usage: waitrequest REGEXP")
				}
				re, err := regexp.Compile(args[0])
				ts.Check(err)
				st := state(ts)
				for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
					st.reqMu.Lock()
					i := slices.IndexFunc(st.requests, re.MatchString)
					log := strings.Join(st.requests, "\n")
					if i >= 0 {
						st.requests = st.requests[i+1:]
					}
					st.reqMu.Unlock()
					if i >= 0 {
						return
					}
					if time.Now().After(deadline) {
						ts.Fatalf("no request matching %q within 30 s; received:\n%s", args[0], log)
					}
				}
			},
			// waitmatch FILE REGEXP: wait up to 30 s until FILE has a line
			// matching REGEXP (a background command's redirected stderr).
			"waitmatch": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 || neg {
					ts.Fatalf("usage: waitmatch FILE REGEXP")
				}
				re, err := regexp.Compile("(?m)" + args[1])
				ts.Check(err)
				for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
					data, _ := os.ReadFile(ts.MkAbs(args[0]))
					if re.Match(data) {
						return
					}
					if time.Now().After(deadline) {
						ts.Fatalf("%s has no line matching %q within 30 s:\n%s", args[0], args[1], data)
					}
				}
			},
			// interrupt INT|TERM TEXT: send the signal to the one running
			// background command whose command line contains TEXT, and note
			// when, for interrupted.
			"interrupt": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 || neg {
					ts.Fatalf("usage: interrupt INT|TERM TEXT")
				}
				sig, ok := map[string]syscall.Signal{"TERM": syscall.SIGTERM, "INT": syscall.SIGINT}[args[0]]
				if !ok {
					ts.Fatalf("unknown signal %s", args[0])
				}
				var target *exec.Cmd
				for _, c := range ts.BackgroundCmds() {
					if strings.Contains(strings.Join(c.Args, " "), args[1]) {
						if target != nil {
							ts.Fatalf("more than one background command contains %q", args[1])
						}
						target = c
					}
				}
				if target == nil {
					ts.Fatalf("no background command contains %q", args[1])
				}
				st := state(ts)
				st.interrupted, st.interruptedAt = target, time.Now()
				ts.Check(target.Process.Signal(sig))
			},
			// interrupted CODE: after wait, the command interrupt signalled
			// exited by itself with status CODE (a process the signal killed
			// has none) within a second of the signal.
			"interrupted": func(ts *testscript.TestScript, neg bool, args []string) {
				st := state(ts)
				if len(args) != 1 || neg || st.interrupted == nil {
					ts.Fatalf("usage: interrupted CODE, after interrupt and wait")
				}
				took := time.Since(st.interruptedAt)
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				ps := st.interrupted.ProcessState
				if ps == nil {
					ts.Fatalf("the interrupted command is still running: wait for it first")
				}
				fmt.Fprintf(ts.Stdout(), "ended %s after the signal: %s\n", took.Round(time.Millisecond), ps)
				if !ps.Exited() || ps.ExitCode() != want {
					ts.Fatalf("the interrupted command ended with %s, want exit status %d", ps, want)
				}
				if took > time.Second {
					ts.Fatalf("the interrupted command ended %s after the signal, want within 1s", took.Round(time.Millisecond))
				}
			},
			// slowupstream N: a STAND-IN upstream for igctl proxy whose chat
			// completion streams N chunks 200 ms apart, as long as a drain
			// test needs (the real gateway's streams end when its provider's
			// do); /health answers 200. Sets $SLOW_URL.
			"slowupstream": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: slowupstream N")
				}
				n, err := strconv.Atoi(args[0])
				ts.Check(err)
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/health" {
						io.WriteString(w, `{"message":"OK"}`)
						return
					}
					w.Header().Set("Content-Type", "text/event-stream")
					for i := 0; i < n; i++ {
						if _, err := fmt.Fprintf(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%d \"}}]}\n\n", i); err != nil {
							return
						}
						w.(http.Flusher).Flush()
						select {
						case <-r.Context().Done():
							return
						case <-time.After(200 * time.Millisecond):
						}
					}
				}))
				ts.Defer(srv.Close)
				ts.Setenv("SLOW_URL", srv.URL)
			},
			// recorder: a pass-through in front of the real gateway (after
			// gateway) that writes, for every answer, the status and the
			// Authorization header the gateway saw ("-" when absent) to
			// $WORK/upstream.log; sets $RECORDER_URL. It has its own connection
			// pool: http.DefaultTransport is shared by every script of this
			// process, and an httptest.Server closing at the end of another
			// script closes its idle connections, which can cut a stream that
			// was just given one.
			"recorder": func(ts *testscript.TestScript, neg bool, args []string) {
				g := state(ts).realgw
				if g == nil {
					ts.Fatalf("usage: recorder, after gateway")
				}
				target, err := neturl.Parse(g.URL)
				ts.Check(err)
				logf, err := os.OpenFile(ts.MkAbs("upstream.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
				ts.Check(err)
				ts.Defer(func() { logf.Close() })
				var mu sync.Mutex
				rp := httputil.NewSingleHostReverseProxy(target)
				tr := http.DefaultTransport.(*http.Transport).Clone()
				ts.Defer(tr.CloseIdleConnections)
				rp.Transport = tr
				rp.FlushInterval = -1
				rp.ModifyResponse = func(r *http.Response) error {
					a := r.Request.Header.Get("Authorization")
					if a == "" {
						a = "-"
					}
					mu.Lock()
					fmt.Fprintf(logf, "%d %s\n", r.StatusCode, a)
					mu.Unlock()
					return nil
				}
				srv := httptest.NewUnstartedServer(wholeBody(rp))
				srv.Start()
				ts.Defer(srv.Close)
				ts.Setenv("RECORDER_URL", srv.URL)
			},
			// waitfile FILE: wait up to 30 s until FILE exists.
			"waitfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: waitfile FILE")
				}
				for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
					if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
						return
					}
					if time.Now().After(deadline) {
						ts.Fatalf("%s did not appear within 30 s", args[0])
					}
				}
			},
			// mincount N REGEXP FILE: at least N lines of FILE match REGEXP.
			"mincount": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: mincount N REGEXP FILE")
				}
				n, err := strconv.Atoi(args[0])
				ts.Check(err)
				re, err := regexp.Compile(args[1])
				ts.Check(err)
				got := 0
				for _, l := range strings.Split(ts.ReadFile(args[2]), "\n") {
					if re.MatchString(l) {
						got++
					}
				}
				fmt.Fprintf(ts.Stdout(), "%d lines match %s\n", got, args[1])
				if got < n {
					ts.Fatalf("%s: %d lines match %q, want at least %d", args[2], got, args[1], n)
				}
			},
			// keylessflood HOST:PORT N KEYFILE: see cmdKeylessFlood.
			"keylessflood": cmdKeylessFlood,
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

// peerEnv reads [-envfile FILE] and KEY=VALUE arguments into the
// environment of a real peer, as a container's env_file would pass the
// file's variables; it returns the arguments it did not understand.
func peerEnv(ts *testscript.TestScript, args []string) (env, rest []string) {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-envfile" && i+1 < len(args):
			i++
			data, err := os.ReadFile(ts.MkAbs(args[i]))
			ts.Check(err)
			env = append(env, envmap.Parse(data).Environ()...)
		case strings.Contains(a, "=") && !strings.HasPrefix(a, "-"):
			env = append(env, a)
		default:
			rest = append(rest, a)
		}
	}
	return env, rest
}

// scriptState is per script: testscript runs scripts in parallel.
type scriptState struct {
	tokenCalls   atomic.Int64
	realgw       *testenv.RealGateway
	fault        atomic.Value // faultproxy's mode
	unauthorized atomic.Int64 // 401s the real gateway answered
	authorized   atomic.Int64 // 2xx to requests with a token
	ci           *testenv.CIIssuer

	reqMu    sync.Mutex
	requests []string // "METHOD PATH" that hanggateway or slowproxy received

	interrupted   *exec.Cmd // the command interrupt signalled, and when
	interruptedAt time.Time
}

func (s *scriptState) logRequest(r *http.Request) {
	s.reqMu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	s.reqMu.Unlock()
}

func state(ts *testscript.TestScript) *scriptState { return ts.Value("state").(*scriptState) }

// wholeBody wraps a test's reverse proxy so that it reads the whole request
// body before forwarding it, as igctl's proxy does for bodies it can keep.
// Forwarding the server's own request body is not safe: Go's HTTP/1.1
// server reads away and closes a request body the handler has not consumed
// as soon as the handler writes its response header (net/http's server.go,
// "We do this by default because there are a number of clients..."), and
// httputil.ReverseProxy writes that header when the upstream answers,
// while its transport may still be about to make its last read of the body,
// the check for EOF after Content-Length bytes (net/http's transfer.go,
// writeBody). When the upstream answers first (a CPU-starved test process
// makes that likely), the read fails with "http: invalid Read on closed
// Body", the transport closes the upstream connection, and the answer
// breaks off after its first bytes: the streaming scripts' intermittent
// "broke off" failures. (Full duplex mode avoids the close but lets the
// transport read the connection while the server's own background read
// runs: "invalid concurrent Body.Read call".) A body read into memory
// first is at EOF for the server and the transport reads only the copy.
func wholeBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
				return
			}
			r.Body.Close()
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		}
		h.ServeHTTP(w, r)
	})
}

func forwardProxy() http.Handler {
	resolve := func(hostport string) string {
		host, port, _ := net.SplitHostPort(hostport)
		if strings.HasSuffix(host, ".test") {
			host = "127.0.0.1"
		}
		return net.JoinHostPort(host, port)
	}
	plain := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.Out.URL.Host = resolve(pr.In.URL.Host)
		pr.Out.Host = pr.In.Host // Keycloak builds iss from the Host header
	}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			wholeBody(plain).ServeHTTP(w, r)
			return
		}
		upstream, err := net.Dial("tcp", resolve(r.Host))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		client, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		client.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		go func() { io.Copy(upstream, client); upstream.Close() }()
		io.Copy(client, upstream)
		client.Close()
	})
}

func octal(m os.FileMode) string {
	const digits = "01234567"
	return string([]byte{'0', digits[(m>>6)&7], digits[(m>>3)&7], digits[m&7]})
}
