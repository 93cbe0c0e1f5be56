package execcmd

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/testenv/kcfake"
	"github.com/inference-gateway/igctl/internal/token"
)

func parse(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	io, _, _, _ := iostreams.Test()
	var got *Options
	cmd := NewCmdExec(cmdutil.New(io), func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs(args)
	err := cmd.Execute()
	return got, err
}

func TestFlagsStopAtTheCommand(t *testing.T) {
	o, err := parse(t, "--proxy", "python", "-v", "--proxy")
	if err != nil {
		t.Fatal(err)
	}
	if !o.Proxy || !slices.Equal(o.Argv, []string{"python", "-v", "--proxy"}) {
		t.Fatalf("proxy %v argv %q", o.Proxy, o.Argv)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"--api-key-var", "A-B", "--", "true"}, {"--min-valid", "-1s", "--", "true"}} {
		if _, err := parse(t, args...); cmdutil.ExitCode(err) != exitcode.Usage {
			t.Errorf("%q: %v (exit %d), want a usage error", args, err, cmdutil.ExitCode(err))
		}
	}
}

func TestWithVars(t *testing.T) {
	o := &Options{BaseURLVars: []string{"OPENAI_BASE_URL"}, GatewayURLVars: []string{"INFER_GATEWAY_URL"},
		APIKeyVars: []string{"OPENAI_API_KEY", "INFER_GATEWAY_API_KEY"}}
	env := withVars([]string{"PATH=/bin", "OPENAI_API_KEY=old", "OPENAI_BASE_URL_X=keep"}, o, "http://gw:8080/", "tok")
	want := []string{"PATH=/bin", "OPENAI_BASE_URL_X=keep", "INFER_GATEWAY_URL=http://gw:8080",
		"OPENAI_BASE_URL=http://gw:8080/v1", "OPENAI_API_KEY=tok", "INFER_GATEWAY_API_KEY=tok"}
	if !slices.Equal(env, want) {
		t.Fatalf("got  %q\nwant %q", env, want)
	}
}

// execOpts are the Options NewCmdExec wires to h's Factory, with the
// defaults of its flags, running argv.
func execOpts(h *kcfake.Harness, argv ...string) *Options {
	o := NewOptions(h.F)
	o.Gateway, o.MinValid, o.Argv = "http://127.0.0.1:1", time.Minute, argv
	o.BaseURLVars, o.GatewayURLVars, o.APIKeyVars = []string{"OPENAI_BASE_URL"}, []string{"INFER_GATEWAY_URL"}, []string{"OPENAI_API_KEY", "INFER_GATEWAY_API_KEY"}
	o.Exit = func(code int) { panic(fmt.Sprintf("Exit(%d) not expected", code)) }
	return o
}

// IGCTL_TOKEN goes through the CheckEnvToken getter with --min-valid, and
// its refusal is the command's error: the command never runs (it would
// replace the test process, which then fails with status 97).
func TestExecRunEnvTokenRefused(t *testing.T) {
	h := kcfake.NewHarness(t)
	h.Env["IGCTL_TOKEN"] = "env-token"
	o := execOpts(h, "sh", "-c", "echo 'execRun ran the command despite the refused IGCTL_TOKEN' >&2; exit 97")
	o.MinValid = 5 * time.Minute
	var got []any
	o.CheckEnvToken = func(env string, minValid time.Duration, strict bool) (*token.Claims, error) {
		got = []any{env, minValid, strict}
		return nil, cmdutil.Failf(cmdutil.AuthFailed, "IGCTL_TOKEN is valid for 1m0s more, less than --min-valid 5m0s")
	}
	err := execRun(context.Background(), o)
	if cmdutil.ExitCode(err) != exitcode.Auth || !strings.Contains(err.Error(), "less than --min-valid") {
		t.Fatalf("%v (exit %d)", err, cmdutil.ExitCode(err))
	}
	if fmt.Sprint(got) != "[env-token 5m0s false]" {
		t.Errorf("CheckEnvToken(%v), want (env-token 5m0s false)", got)
	}
}

// --proxy: the command runs with the Environ getter's environment plus the
// proxy's URL and one-time key (the inherited key replaced), and its exit
// status goes to the Exit getter.
func TestExecRunWithProxy(t *testing.T) {
	kc := kcfake.NewKeycloak()
	t.Cleanup(kc.Close)
	h := kcfake.NewHarness(t)
	h.LoggedIn(t, kc, "default", kcfake.Profile(kc, token.GrantPassword))
	o := execOpts(h, "sh", "-c", `printf '%s\n' "$OPENAI_BASE_URL" "$OPENAI_API_KEY" "$INHERITED"; exit 3`)
	o.Proxy = true
	o.Environ = func() []string {
		return []string{"PATH=" + os.Getenv("PATH"), "INHERITED=yes", "OPENAI_API_KEY=inherited"}
	}
	exited := -1
	o.Exit = func(code int) { exited = code }
	if err := execRun(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(h.Out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "http://127.0.0.1:") || !strings.HasSuffix(lines[0], "/v1") ||
		!strings.HasPrefix(lines[1], "igctl-proxy-") || lines[2] != "yes" {
		t.Errorf("the command saw %q", lines)
	}
	if exited != 3 {
		t.Errorf("Exit(%d), want Exit(3)", exited)
	}
}

// A COMMAND that cannot be started is a usage error whose hint names the
// real problem (not on PATH, no such file, not executable), not igctl's
// --help: igctl's own arguments were fine.
func TestExecRunCommandNotFound(t *testing.T) {
	dir := t.TempDir()
	noExec := dir + "/script.sh"
	if err := os.WriteFile(noExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for cmd, want := range map[string]string{
		"no-such-command-igctl": "no-such-command-igctl was not found on PATH",
		dir + "/missing":        "there is no file " + dir + "/missing",
		noExec:                  noExec + " is not executable: chmod +x",
	} {
		io, _, _, _ := iostreams.Test()
		o := NewOptions(cmdutil.New(io))
		o.Argv = []string{cmd}
		err := execRun(context.Background(), o)
		code, msg, hint := cmdutil.Outcome(err, time.Second)
		if code != exitcode.Usage || !strings.Contains(msg, "cannot run "+cmd) || !strings.Contains(hint, want) || strings.Contains(hint, "--help") {
			t.Errorf("%s: exit %d, error %q, hint %q; want exit 2 and a hint with %q", cmd, code, msg, hint, want)
		}
	}
}
