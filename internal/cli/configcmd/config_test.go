package configcmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

func factory(dir, profile string) *cmdutil.Factory {
	io, _, _, _ := iostreams.Test()
	f := cmdutil.New(io)
	f.Getenv = func(string) string { return "" }
	f.Globals.ConfigDir = dir
	f.Globals.Profile = profile
	return f
}

func set(f *cmdutil.Factory, key, value string) *SetOptions {
	o := NewSetOptions(f)
	o.Key, o.Value = key, value
	return o
}

func useOpts(f *cmdutil.Factory, name string) *UseOptions {
	o := NewUseOptions(f)
	o.Name = name
	return o
}

// Two igctl processes both load config.yaml before either saves: the one
// that saves last used to write back the file it had loaded, dropping the
// other's change (the lost update). Each must keep the other's now.
func TestInterleavedCommandsKeepBothChanges(t *testing.T) {
	dir := t.TempDir()
	seed := factory(dir, "prod")
	if err := setRun(set(seed, "issuer", "https://kc/realms/r")); err != nil {
		t.Fatal(err)
	}

	setA := factory(dir, "staging")
	setB := factory(dir, "prod")
	use := factory(dir, "")
	for _, f := range []*cmdutil.Factory{setA, setB, use} {
		if _, err := f.Config(); err != nil { // the Load each command does first
			t.Fatal(err)
		}
	}
	if err := setRun(set(setA, "issuer", "https://kc.staging/realms/r")); err != nil {
		t.Fatal(err)
	}
	if err := setRun(set(setB, "client-id", "inference-gateway-client")); err != nil {
		t.Fatal(err)
	}
	if err := useRun(useOpts(use, "prod")); err != nil {
		t.Fatal(err)
	}

	c, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	prod, staging := c.Profiles["prod"], c.Profiles["staging"]
	if prod == nil || staging == nil || prod.Issuer != "https://kc/realms/r" || prod.ClientID != "inference-gateway-client" ||
		staging.Issuer != "https://kc.staging/realms/r" || c.CurrentProfile != "prod" {
		b, _ := os.ReadFile(filepath.Join(dir, config.FileName))
		t.Fatalf("an update was lost:\n%s", b)
	}
}

// Each run function reads config.yaml only through its Config getter: a
// config that cannot be loaded is the command's error as it stands (exit 3),
// with nothing printed and nothing written.
func TestConfigRunsReturnTheConfigGettersError(t *testing.T) {
	dir := t.TempDir()
	f := factory(dir, "")
	bad := cmdutil.Failf(cmdutil.BadConfig, "config.yaml:3: unknown key \"issuerr\"")
	broken := func() (*config.Config, error) { return nil, bad }
	io, _, out, errOut := iostreams.Test()
	list, show, setO, use := NewListOptions(f), NewShowOptions(f), set(f, "issuer", "https://kc/realms/r"), useOpts(f, "prod")
	list.Config, show.Config, setO.Config, use.Config = broken, broken, broken, broken
	list.IO, show.IO, setO.IO, use.IO = io, io, io, io
	for name, run := range map[string]func() error{
		"list": func() error { return listRun(list) }, "show": func() error { return showRun(show) },
		"set": func() error { return setRun(setO) }, "use": func() error { return useRun(use) },
	} {
		if err := run(); !errors.Is(err, bad) || cmdutil.ExitCode(err) != exitcode.Config {
			t.Errorf("%s: err = %v (exit %d), want the getter's error", name, err, cmdutil.ExitCode(err))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, config.FileName)); !os.IsNotExist(err) {
		t.Errorf("config.yaml was written (%v)", err)
	}
	if out.Len()+errOut.Len() != 0 {
		t.Errorf("printed: %q %q", out, errOut)
	}
}

// set and show act on the profile their Profile getter names (--profile /
// IGCTL_PROFILE), not on the current one.
func TestSetAndShowFollowTheProfileGetter(t *testing.T) {
	dir := t.TempDir()
	f := factory(dir, "")
	if err := setRun(set(f, "issuer", "https://kc/realms/prod")); err != nil { // creates "default"
		t.Fatal(err)
	}
	o := set(factory(dir, ""), "issuer", "https://kc/realms/staging")
	o.Profile = func() string { return "staging" }
	if err := setRun(o); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Profiles["staging"] == nil || c.Profiles["staging"].Issuer != "https://kc/realms/staging" || c.Profiles["default"].Issuer != "https://kc/realms/prod" {
		b, _ := os.ReadFile(filepath.Join(dir, config.FileName))
		t.Fatalf("set did not follow the Profile getter:\n%s", b)
	}

	io, _, out, _ := iostreams.Test()
	show := NewShowOptions(factory(dir, ""))
	show.IO, show.Profile = io, func() string { return "staging" }
	if err := showRun(show); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "staging:\n") || !strings.Contains(out.String(), "realms/staging") {
		t.Errorf("show:\n%s", out)
	}
}
