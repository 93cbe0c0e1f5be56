package keycloakcmd

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/testenv"
	"github.com/inference-gateway/igctl/internal/token"
)

func testFactory(env map[string]string) *cmdutil.Factory {
	io, _, _, _ := iostreams.Test()
	f := cmdutil.New(io)
	f.Getenv = func(k string) string { return env[k] }
	return f
}

// Bad names, URLs and waits are usage errors found before any request: the
// run function is never reached.
func TestFlagsRefuseBadNamesURLsAndWaits(t *testing.T) {
	const url = "--url=http://127.0.0.1:9"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{url, "--realm", "a/b"}, `must not contain '/'`},
		{[]string{url, "--realm", ".."}, `"." and ".." are path segments`},
		{[]string{url, "--realm", "."}, `"." and ".." are path segments`},
		{[]string{url, "--realm", ""}, "must not be empty"},
		{[]string{url, "--realm", strings.Repeat("r", 300)}, "too long: 300 characters once escaped for a URL, Keycloak's limit is 237"},
		{[]string{url, "--realm", strings.Repeat("é", 40)}, "too long: 240 characters once escaped"},
		{[]string{url, "--realm", "tab\there"}, "control characters (found U+0009)"},
		{[]string{url, "--realm", "a:b"}, `must not contain ':'`},
		{[]string{url, "--client-id", ""}, "--client-id: client name \"\": must not be empty"},
		{[]string{url, "--client-id", ".."}, `"." and ".." are path segments`},
		{[]string{url, "--client-id", "line\nbreak"}, "control characters (found U+000A)"},
		{[]string{url, "--client-id", strings.Repeat("c", 240)}, "Keycloak's limit is 239 with a service account"},
		{[]string{url, "--username", "ab"}, "must be 3 to 255 characters long"},
		{[]string{url, "--username", "a/b"}, `must not contain '/'`},
		{[]string{url, "--username", "two words"}, `must not contain ' '`},
		{[]string{url, "--username", strings.Repeat("u", 256)}, "must be 3 to 255 characters long (Keycloak's limit), not 256"},
		{[]string{"--url", "::bad", "--wait", "1s"}, "not a URL"},
		{[]string{"--url", "ftp://kc.example"}, "must be an http:// or https:// URL"},
		{[]string{"--url", "localhost:8080"}, "must be an http:// or https:// URL"},
		{[]string{"--url", "http://"}, "with a host"},
		{[]string{url, "--wait", "-1s"}, "--wait must not be negative"},
	} {
		ran := false
		cmd := NewCmdBootstrap(testFactory(nil), func(*BootstrapOptions) error { ran = true; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(&strings.Builder{})
		cmd.SetErr(&strings.Builder{})
		err := cmd.Execute()
		if ran || cmdutil.ExitCode(err) != exitcode.Usage || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: ran=%v err=%v (exit %d), want exit 2 saying %q", tc.args, ran, err, cmdutil.ExitCode(err), tc.want)
		}
	}
	// The names Keycloak accepts, and the guide's defaults, pass.
	for _, args := range [][]string{
		{url},
		{url, "--realm", "team é %'~ 42", "--client-id", "https://gw.example/app", "--username", "jane.doe+ci@example.com"},
		{url, "--realm", strings.Repeat("r", 237), "--client-id", strings.Repeat("c", 239), "--username", strings.Repeat("u", 255)},
		{url, "--wait", "0s"},
	} {
		ran := false
		cmd := NewCmdBootstrap(testFactory(nil), func(*BootstrapOptions) error { ran = true; return nil })
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil || !ran {
			t.Errorf("%q: %v (ran %v)", args, err, ran)
		}
	}
}

// A realm name that needs escaping (space, unicode, %, '): the issuer in the
// .env files and in the profile is byte for byte what Keycloak puts in iss.
func TestWriteEnvAndLoginUseKeycloaksIssuer(t *testing.T) {
	kc := testenv.Keycloak(t)
	realm := testenv.UniqueName("esc") + " é %41 o'k"
	t.Cleanup(func() { kc.AdminE(http.MethodDelete, "/"+url.PathEscape(realm), nil, nil) })
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "upw")
	os.WriteFile(pwFile, []byte("user-pw-"+realm+"\n"), 0o600)
	env := map[string]string{
		"IGCTL_CONFIG_DIR": filepath.Join(dir, "config"), "IGCTL_TOKEN_STORE": "file",
		"KEYCLOAK_ADMIN_PASSWORD": kc.AdminPassword,
	}
	f := testFactory(env)
	gw, adk := filepath.Join(dir, "gw.env"), filepath.Join(dir, "adk.env")
	cmd := NewCmdBootstrap(f, nil)
	cmd.SetArgs([]string{"--url", kc.URL, "--realm", realm, "--admin-user", kc.AdminUser, "--user-password-file", pwFile,
		"--write-env", "gateway=" + gw + ",adk=" + adk, "--login"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}

	// What Keycloak says: its discovery document, and the iss of a token.
	resp, err := http.Get(kc.URL + "/realms/" + url.PathEscape(realm) + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		Issuer string `json:"issuer"`
	}
	json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if disc.Issuer == "" || !strings.Contains(disc.Issuer, "%20%C3%A9%20%2541%20o'k") {
		t.Fatalf("discovery issuer %q: not the escaping this test expects from Keycloak", disc.Issuer)
	}

	gwEnv, _ := os.ReadFile(gw)
	adkEnv, _ := os.ReadFile(adk)
	if got := envValue(gwEnv, "AUTH_OIDC_ISSUER"); got != disc.Issuer {
		t.Errorf("gateway .env AUTH_OIDC_ISSUER = %q, Keycloak's issuer is %q", got, disc.Issuer)
	}
	if got := envValue(adkEnv, "AUTH_ISSUER_URL"); got != disc.Issuer {
		t.Errorf("adk .env AUTH_ISSUER_URL = %q, Keycloak's issuer is %q", got, disc.Issuer)
	}
	cfg, err := config.Load(f.ConfigDir())
	if err != nil {
		t.Fatal(err)
	}
	prof, err := cfg.Get(cfg.CurrentProfile)
	if err != nil {
		t.Fatal(err)
	}
	if prof.Issuer != disc.Issuer || prof.GatewayIssuer != disc.Issuer {
		t.Errorf("profile issuer %q / gateway issuer %q, Keycloak's issuer is %q", prof.Issuer, prof.GatewayIssuer, disc.Issuer)
	}
	store, err := f.TokenStore()
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.Load(cfg.CurrentProfile)
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := token.Decode(b.AccessToken)
	if claims.Issuer != disc.Issuer {
		t.Errorf("token iss %q, discovery issuer %q", claims.Issuer, disc.Issuer)
	}
}

func envValue(data []byte, key string) string {
	v, _ := envmap.Parse(data).Get(key)
	return v
}
