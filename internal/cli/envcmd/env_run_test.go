package envcmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
)

const gatewayEnv = `# Inference Gateway
ENVIRONMENT=production
AUTH_OIDC_ISSUER=http://keycloak:8080/realms/igw
AUTH_OIDC_CLIENT_ID=inference-gateway-client
AUTH_OIDC_CLIENT_SECRET=s3cret
SERVER_HOST=127.0.0.1
SERVER_PORT=9090
ALLOWED_MODELS=openai/gpt-4o
`

// writeEnv puts content in a file of the test's own directory.
func writeEnv(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// translateOpts is NewTranslateOptions on h's Factory with the flags of o.
func translateOpts(h *kcfake.Harness, o TranslateOptions) *TranslateOptions {
	w := NewTranslateOptions(h.F)
	o.IO, o.Verbosef = w.IO, w.Verbosef
	return &o
}

// checkOpts is NewCheckOptions on h's Factory with the flags of o.
func checkOpts(h *kcfake.Harness, o CheckOptions) *CheckOptions {
	o.IO = NewCheckOptions(h.F).IO
	return &o
}

// wantExit fails unless err reaches the user as exit code want.
func wantExit(t *testing.T, err error, want exitcode.Code) {
	t.Helper()
	if got := cmdutil.ExitCode(err); got != want {
		t.Fatalf("exit %d, want %d: %v", got, want, err)
	}
}

func TestTranslateRunGatewayToADKOnStdout(t *testing.T) {
	h := kcfake.NewHarness(t)
	in := writeEnv(t, "gateway.env", gatewayEnv)
	err := translateRun(translateOpts(h, TranslateOptions{Input: in, From: "gateway", To: "adk"}))
	if err != nil {
		t.Fatal(err)
	}
	out := h.Out.String()
	for _, want := range []string{
		"# Inference Gateway\n",
		"AUTH_ISSUER_URL=http://keycloak:8080/realms/igw\n",
		"AUTH_CLIENT_ID=inference-gateway-client\n",
		"AUTH_CLIENT_SECRET=s3cret\n",
		"A2A_AGENT_CLIENT_BASE_URL=http://127.0.0.1:9090/v1",
		"ALLOWED_MODELS=openai/gpt-4o\n", // no counterpart: passes through
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "AUTH_OIDC_") {
		t.Errorf("gateway names left in the output:\n%s", out)
	}
	if !strings.Contains(h.ErrOut.String(), "keys have no adk counterpart and pass through unchanged") {
		t.Errorf("stderr lacks the unmapped note:\n%s", h.ErrOut)
	}
}

func TestTranslateRunToFile(t *testing.T) {
	h := kcfake.NewHarness(t)
	in := writeEnv(t, "gateway.env", gatewayEnv)
	outPath := filepath.Join(t.TempDir(), "adk.env")
	if err := translateRun(translateOpts(h, TranslateOptions{Input: in, From: "gateway", To: "adk", Output: outPath})); err != nil {
		t.Fatal(err)
	}
	if h.Out.Len() != 0 {
		t.Errorf("-o FILE wrote to stdout too:\n%s", h.Out)
	}
	b, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "AUTH_ISSUER_URL=http://keycloak:8080/realms/igw\n") {
		t.Errorf("file:\n%s", b)
	}
	if st, _ := os.Stat(outPath); st.Mode().Perm() != 0o600 {
		t.Errorf("a new file is %v, want 0600", st.Mode().Perm())
	}
	if !strings.Contains(h.ErrOut.String(), "wrote "+outPath) {
		t.Errorf("stderr:\n%s", h.ErrOut)
	}
}

// -o into a directory that does not exist: exit 3 naming the directory,
// nothing on stdout, nothing created.
func TestTranslateRunToMissingDirectory(t *testing.T) {
	h := kcfake.NewHarness(t)
	in := writeEnv(t, "gateway.env", gatewayEnv)
	dir := filepath.Join(t.TempDir(), "no", "such")
	err := translateRun(translateOpts(h, TranslateOptions{Input: in, From: "gateway", To: "adk", Output: filepath.Join(dir, "adk.env")}))
	wantExit(t, err, exitcode.Config)
	if !strings.Contains(err.Error(), "writing "+filepath.Join(dir, "adk.env")) || !strings.Contains(err.Error(), "the directory "+dir+" does not exist") {
		t.Errorf("err = %v", err)
	}
	if h.Out.Len() != 0 {
		t.Errorf("stdout:\n%s", h.Out)
	}
	if _, err := os.Stat(filepath.Dir(dir)); !os.IsNotExist(err) {
		t.Errorf("a directory was created: %v", err)
	}
}

func TestTranslateRunMissingInput(t *testing.T) {
	h := kcfake.NewHarness(t)
	missing := filepath.Join(t.TempDir(), "missing.env")
	err := translateRun(translateOpts(h, TranslateOptions{Input: missing, From: "gateway", To: "adk"}))
	wantExit(t, err, exitcode.Config)
	if !strings.Contains(err.Error(), "reading "+missing) {
		t.Errorf("err = %v", err)
	}
}

// --strict: keys with no counterpart are drift (exit 8), named in the
// error with the flag that made them fail; nothing is written.
func TestTranslateRunStrictDrift(t *testing.T) {
	h := kcfake.NewHarness(t)
	in := writeEnv(t, "gateway.env", gatewayEnv)
	outPath := filepath.Join(t.TempDir(), "adk.env")
	err := translateRun(translateOpts(h, TranslateOptions{Input: in, From: "gateway", To: "adk", Strict: true, Output: outPath}))
	wantExit(t, err, exitcode.Drift)
	if err.Error() != "--strict: no adk counterpart for ENVIRONMENT, ALLOWED_MODELS" {
		t.Errorf("err = %q", err)
	}
	if _, statErr := os.Stat(outPath); !os.IsNotExist(statErr) {
		t.Errorf("--strict failed but wrote %s", outPath)
	}
	// a file whose every key maps passes --strict
	h = kcfake.NewHarness(t)
	in = writeEnv(t, "mapped.env", "AUTH_OIDC_ISSUER=http://kc/realms/r\n")
	if err := translateRun(translateOpts(h, TranslateOptions{Input: in, From: "gateway", To: "adk", Strict: true})); err != nil {
		t.Fatalf("all keys mapped: %v", err)
	}
}

// --to operator --strict: a key with no field in the Gateway resource would
// be left out of the manifest, so it is drift (exit 8) like an unmapped key
// for --to adk, named in the error; nothing is written.
func TestTranslateRunOperatorStrictDrift(t *testing.T) {
	h := kcfake.NewHarness(t)
	in := writeEnv(t, "gateway.env", gatewayEnv)
	outPath := filepath.Join(t.TempDir(), "gateway.yaml")
	err := translateRun(translateOpts(h, TranslateOptions{Input: in, From: "gateway", To: "operator", Strict: true, Output: outPath, Name: "ig"}))
	wantExit(t, err, exitcode.Drift)
	if err.Error() != "--strict: no field in the Gateway resource for ALLOWED_MODELS" {
		t.Errorf("err = %q", err)
	}
	if _, statErr := os.Stat(outPath); !os.IsNotExist(statErr) {
		t.Errorf("--strict failed but wrote %s", outPath)
	}
	// without --strict the key is left out with a warning, and exit 0
	h = kcfake.NewHarness(t)
	if err := translateRun(translateOpts(h, TranslateOptions{Input: in, From: "gateway", To: "operator", Output: outPath, Name: "ig"})); err != nil {
		t.Fatalf("without --strict: %v", err)
	}
	// every key with a field passes --strict
	h = kcfake.NewHarness(t)
	in = writeEnv(t, "mapped.env", "AUTH_ENABLED=true\nAUTH_OIDC_ISSUER=http://kc/realms/r\nAUTH_OIDC_CLIENT_SECRET=s\n")
	if err := translateRun(translateOpts(h, TranslateOptions{Input: in, From: "gateway", To: "operator", Strict: true, Name: "ig"})); err != nil {
		t.Fatalf("all keys have a field: %v", err)
	}
}

// --check: exit 8 with a diff that masks secrets; exit 0 once in the target naming.
func TestTranslateRunCheck(t *testing.T) {
	h := kcfake.NewHarness(t)
	in := writeEnv(t, "gateway.env", gatewayEnv)
	err := translateRun(translateOpts(h, TranslateOptions{Input: in, From: "gateway", To: "adk", Check: true}))
	wantExit(t, err, exitcode.Drift)
	out := h.Out.String()
	if !strings.Contains(out, "-AUTH_OIDC_CLIENT_SECRET=****\n") || !strings.Contains(out, "+AUTH_CLIENT_SECRET=****\n") || strings.Contains(out, "s3cret") {
		t.Errorf("diff:\n%s", out)
	}
	h = kcfake.NewHarness(t)
	in = writeEnv(t, "adk.env", "AUTH_ISSUER_URL=http://kc/realms/r\n")
	if err := translateRun(translateOpts(h, TranslateOptions{Input: in, From: "adk", To: "adk", Check: true})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.ErrOut.String(), "already in adk naming") {
		t.Errorf("stderr:\n%s", h.ErrOut)
	}
}

// A translation failure found by envmap reaches the user with envmap's code
// and the hint of the exits table.
func TestTranslateRunConflictHint(t *testing.T) {
	h := kcfake.NewHarness(t)
	in := writeEnv(t, "dup.env", "AUTH_OIDC_ISSUER=a\nAUTH_ISSUER_URL=b\n")
	err := translateRun(translateOpts(h, TranslateOptions{Input: in, From: "gateway", To: "adk"}))
	wantExit(t, err, exitcode.Config)
	if hint := cmdutil.HintOf(err); !strings.Contains(hint, "--on-conflict keep") {
		t.Errorf("hint = %q", hint)
	}
}

func TestTranslateRunStdin(t *testing.T) {
	h := kcfake.NewHarness(t)
	h.In.WriteString(gatewayEnv)
	if err := translateRun(translateOpts(h, TranslateOptions{Input: "-", To: "adk"})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.Out.String(), "AUTH_CLIENT_ID=inference-gateway-client\n") {
		t.Errorf("stdout:\n%s", h.Out)
	}
}

func TestCheckRunFailingValue(t *testing.T) {
	h := kcfake.NewHarness(t)
	in := writeEnv(t, "gw.env", "AUTH_ENABLED=yes\n")
	err := checkRun(checkOpts(h, CheckOptions{Input: in, For: "gateway", Deploy: "local"}))
	wantExit(t, err, exitcode.Drift)
	if !strings.Contains(err.Error(), "1 finding in "+in+" (checked as gateway)") {
		t.Errorf("err = %v", err)
	}
	out := h.Out.String()
	if !strings.Contains(out, in+":1: error: ") || !strings.Contains(out, "AUTH_ENABLED") || !strings.Contains(out, "    fix: ") {
		t.Errorf("stdout:\n%s", out)
	}
}

func TestCheckRunJSONAndClean(t *testing.T) {
	h := kcfake.NewHarness(t)
	in := writeEnv(t, "gw.env", "AUTH_ENABLED=yes\nSERVER_PORT=8080\n")
	err := checkRun(checkOpts(h, CheckOptions{Input: in, For: "gateway", Deploy: "local", JSON: true}))
	wantExit(t, err, exitcode.Drift)
	var got struct {
		File     string
		Product  string
		Findings []struct {
			Line     int
			Severity string
		}
	}
	if err := json.Unmarshal(h.Out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, h.Out)
	}
	if got.File != in || got.Product != "gateway" || len(got.Findings) != 1 || got.Findings[0].Line != 1 || got.Findings[0].Severity != "error" {
		t.Errorf("json: %+v", got)
	}

	h = kcfake.NewHarness(t)
	in = writeEnv(t, "clean.env", "AUTH_ENABLED=true\n")
	if err := checkRun(checkOpts(h, CheckOptions{Input: in, For: "gateway", Deploy: "local"})); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.ErrOut.String(), "no findings (checked as gateway)") {
		t.Errorf("stderr:\n%s", h.ErrOut)
	}
}

func TestCheckRunBadVersionIsUsage(t *testing.T) {
	h := kcfake.NewHarness(t)
	in := writeEnv(t, "gw.env", "AUTH_ENABLED=true\n")
	err := checkRun(checkOpts(h, CheckOptions{Input: in, For: "gateway", Deploy: "local", TargetVersion: "latest"}))
	wantExit(t, err, exitcode.Usage)
}

// execute runs cmd with args as the command line would.
func execute(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetOut(new(strings.Builder))
	cmd.SetErr(new(strings.Builder))
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.Execute()
}

// Bad --from / --to (and the other flags) are usage errors, refused before
// anything runs.
func TestTranslateBadFlagsAreUsage(t *testing.T) {
	in := writeEnv(t, "gateway.env", gatewayEnv)
	for _, args := range [][]string{
		{in, "--from", "k8s", "--to", "adk"},
		{in, "--from", "operator", "--to", "gateway"},
		{in, "--to", "yaml"},
		{in}, // --to is required
		{in, "--to", "adk", "--on-conflict", "merge"},
		{in, "--to", "adk", "--check", "-o", "out.env"},
		{in, "--to", "k8s", "--name", "Not_A_Name"},
	} {
		h := kcfake.NewHarness(t)
		ran := false
		err := execute(NewCmdTranslate(h.F, func(*TranslateOptions) error { ran = true; return nil }), args...)
		if ran || cmdutil.ExitCode(err) != exitcode.Usage {
			t.Errorf("%q: ran=%v err=%v (exit %d), want exit 2", args, ran, err, cmdutil.ExitCode(err))
		}
	}
	// the same command line with good flags runs
	h := kcfake.NewHarness(t)
	if err := execute(NewCmdTranslate(h.F, nil), in, "--from", "gateway", "--to", "adk"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.Out.String(), "AUTH_ISSUER_URL=") {
		t.Errorf("stdout:\n%s", h.Out)
	}
}

func TestCheckBadFlagsAreUsage(t *testing.T) {
	in := writeEnv(t, "gw.env", "AUTH_ENABLED=true\n")
	for _, args := range [][]string{
		{in, "--for", "k8s"},
		{in, "--deploy", "k8s"},
		{}, // FILE is required
	} {
		h := kcfake.NewHarness(t)
		ran := false
		err := execute(NewCmdCheck(h.F, func(*CheckOptions) error { ran = true; return nil }), args...)
		if ran || cmdutil.ExitCode(err) != exitcode.Usage {
			t.Errorf("%q: ran=%v err=%v (exit %d), want exit 2", args, ran, err, cmdutil.ExitCode(err))
		}
	}
}

// translateRun says what it guessed and what passes through on the -v
// channel it is given (Verbosef), and nowhere else.
func TestTranslateRunVerboseGoesToVerbosef(t *testing.T) {
	h := kcfake.NewHarness(t)
	in := writeEnv(t, "gateway.env", gatewayEnv)
	o := translateOpts(h, TranslateOptions{Input: in, To: "adk"})
	var said []string
	o.Verbosef = func(format string, a ...any) { said = append(said, fmt.Sprintf(format, a...)) }
	if err := translateRun(o); err != nil {
		t.Fatal(err)
	}
	if want := []string{"input looks like a gateway .env", "unmapped: ENVIRONMENT, ALLOWED_MODELS"}; !slices.Equal(said, want) {
		t.Errorf("Verbosef got %q, want %q", said, want)
	}
	if strings.Contains(h.ErrOut.String(), "input looks like") {
		t.Errorf("a -v line reached stderr without -v:\n%s", h.ErrOut)
	}
}

// With no FILE, both commands read stdin unless the IO they are given has
// a terminal there: then it is a usage error (exit 2), and stdin is not read.
func TestEnvRunsRefuseATerminalStdin(t *testing.T) {
	h := kcfake.NewHarness(t)
	h.In.WriteString(gatewayEnv)
	tty, in, _, _ := iostreams.Test()
	in.WriteString(gatewayEnv)
	tty.SetTTY(true, false, false)
	tr := translateOpts(h, TranslateOptions{To: "adk"})
	ch := checkOpts(h, CheckOptions{Deploy: "local"})
	tr.IO, ch.IO = tty, tty
	for name, err := range map[string]error{"translate": translateRun(tr), "check": checkRun(ch)} {
		if cmdutil.ExitCode(err) != exitcode.Usage || !strings.Contains(err.Error(), "give a .env file, or - to read stdin") {
			t.Errorf("%s: err = %v (exit %d)", name, err, cmdutil.ExitCode(err))
		}
	}
	if in.Len() != len(gatewayEnv) {
		t.Error("stdin was read from a terminal")
	}
	// the same runs on the Factory's piped stdin read it
	if err := translateRun(translateOpts(h, TranslateOptions{To: "adk"})); err != nil || !strings.Contains(h.Out.String(), "AUTH_CLIENT_ID=") {
		t.Errorf("piped stdin: %v\n%s", err, h.Out)
	}
}
