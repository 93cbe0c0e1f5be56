package execcmd

import (
	"context"
	"slices"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/iostreams"
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
