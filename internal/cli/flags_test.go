package cli

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/cli/envcmd"
	"github.com/inference-gateway/igctl/internal/cli/keycloakcmd"
	"github.com/inference-gateway/igctl/internal/cli/login"
	"github.com/inference-gateway/igctl/internal/cli/tokencmd"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// Flag parsing only: each command's runF captures the options it would run with.
func run(t *testing.T, cmd *cobra.Command, args string) error {
	t.Helper()
	cmd.SetArgs(strings.Fields(args))
	cmd.SetOut(&strings.Builder{})
	cmd.SetErr(&strings.Builder{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

func factory() *cmdutil.Factory {
	io, _, _, _ := iostreams.Test()
	f := cmdutil.New(io)
	f.Getenv = func(string) string { return "" }
	return f
}

func TestLoginFlags(t *testing.T) {
	var got *login.Options
	capture := func(o *login.Options) error { got = o; return nil }
	if err := run(t, login.NewCmdLogin(factory(), capture), "--issuer https://kc/realms/r --client-id c --username u --password-file pw --client-secret-stdin --scope openid"); err != nil {
		t.Fatal(err)
	}
	if got.Issuer != "https://kc/realms/r" || got.ClientID != "c" || got.Username != "u" || got.Password.File != "pw" || !got.Secret.Stdin || got.Scope != "openid" {
		t.Fatalf("options: %+v", got)
	}
	for _, bad := range []string{
		"--client-secret-stdin --password-stdin",
		"--grant implicit",
		"--client-secret s3cret", // secrets are never flag values
		"extra-arg",
	} {
		err := run(t, login.NewCmdLogin(factory(), capture), bad)
		if cmdutil.ExitCode(err) != exitcode.Usage && !strings.Contains(err.Error(), "unknown flag") {
			t.Errorf("%q: want a usage error, got %v", bad, err)
		}
	}
}

func TestTokenFlags(t *testing.T) {
	var got *tokencmd.Options
	capture := func(o *tokencmd.Options) error { got = o; return nil }
	if err := run(t, tokencmd.NewCmdToken(factory(), capture), ""); err != nil {
		t.Fatal(err)
	}
	if got.Format != "raw" || got.MinValid != 30*time.Second || got.ForceRefresh {
		t.Fatalf("defaults: %+v", got)
	}
	if err := run(t, tokencmd.NewCmdToken(factory(), capture), "--format curl --min-valid 5m --force-refresh"); err != nil {
		t.Fatal(err)
	}
	if got.Format != "curl" || got.MinValid != 5*time.Minute || !got.ForceRefresh {
		t.Fatalf("options: %+v", got)
	}
	for _, bad := range []string{"--format yaml", "--min-valid -1s"} {
		if err := run(t, tokencmd.NewCmdToken(factory(), capture), bad); cmdutil.ExitCode(err) != exitcode.Usage {
			t.Errorf("%q: want exit 2, got %v", bad, err)
		}
	}
}

func TestTranslateFlags(t *testing.T) {
	var got *envcmd.TranslateOptions
	capture := func(o *envcmd.TranslateOptions) error { got = o; return nil }
	if err := run(t, envcmd.NewCmdTranslate(factory(), capture), "in.env --from adk --to operator --name gw --namespace ai --on-conflict keep --target-version v0.48.2"); err != nil {
		t.Fatal(err)
	}
	// the getters are NewTranslateOptions's (funcs never DeepEqual): compare the flags
	flags := *got
	flags.IO, flags.Verbosef = nil, nil
	want := envcmd.TranslateOptions{Input: "in.env", From: "adk", To: "operator", Name: "gw", Namespace: "ai", OnConflict: "keep", TargetVersion: "v0.48.2"}
	if !reflect.DeepEqual(flags, want) {
		t.Fatalf("options:\n%+v\nwant\n%+v", flags, want)
	}
	for _, bad := range []string{"in.env", "in.env --to yaml", "in.env --from k8s --to adk", "in.env --to adk --check -o out.env", "a b --to adk"} {
		if err := run(t, envcmd.NewCmdTranslate(factory(), capture), bad); cmdutil.ExitCode(err) != exitcode.Usage {
			t.Errorf("%q: want exit 2, got %v", bad, err)
		}
	}
}

func TestBootstrapFlags(t *testing.T) {
	var got *keycloakcmd.BootstrapOptions
	capture := func(o *keycloakcmd.BootstrapOptions) error { got = o; return nil }
	if err := run(t, keycloakcmd.NewCmdBootstrap(factory(), capture), "--url http://kc:8080/ --write-env gateway=g.env,adk=a.env --dry-run"); err != nil {
		t.Fatal(err)
	}
	if got.URL != "http://kc:8080" || got.Realm != "inference-gateway-realm" || got.ClientID != "inference-gateway-client" || got.Username != "user" ||
		got.WriteEnv["gateway"] != "g.env" || got.WriteEnv["adk"] != "a.env" || !got.DryRun || got.AdminUser != "admin" {
		t.Fatalf("options: %+v", got)
	}
	for _, bad := range []string{"", "--url u --write-env k8s=x", "--url u -f s.yaml --realm r", "--url u --admin-password-stdin --user-password-stdin"} {
		if err := run(t, keycloakcmd.NewCmdBootstrap(factory(), capture), bad); cmdutil.ExitCode(err) != exitcode.Usage {
			t.Errorf("%q: want exit 2, got %v", bad, err)
		}
	}
}
