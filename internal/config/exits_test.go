package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/exitcode"
)

// What the user sees of each config failure: the exit code and the hint
// that cmdutil's table gives its kind.
func TestConfigFailuresExitAndHint(t *testing.T) {
	load := func(t *testing.T, file string) error {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, config.FileName), []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := config.Load(dir)
		return err
	}
	empty, _ := config.Load(t.TempDir())
	one, _ := config.Load(t.TempDir())
	one.Ensure("a")
	one.Ensure("b")
	_, noneYet := empty.Get("prod")
	_, unknown := one.Get("prod")
	for _, tc := range []struct {
		name string
		err  error
		code exitcode.Code
		hint string // "" means no hint at all
	}{
		{"not YAML", load(t, "profiles: [oops\n"), exitcode.Config, "fix or move the file; igctl will not overwrite it"},
		{"wrong shape", load(t, "- a\n"), exitcode.Config, "fix or move the file; igctl will not overwrite it"},
		{"misspelt key", load(t, "profiles:\n  p:\n    issuerr: x\n"), exitcode.Config, "rename issuerr to issuer in the file (keys igctl does not own must start with x-)"},
		{"foreign key", load(t, "colour: blue\n"), exitcode.Config, "igctl keeps keys it does not own only when they start with x-; igctl's keys here: current_profile, profiles"},
		{"merge key", load(t, "profiles:\n  a: &b {issuer: x}\n  c:\n    <<: *b\n"), exitcode.Config, "YAML merge keys (<<) are not supported in config.yaml; write the settings out"},
		{"no profiles yet", noneYet, exitcode.Config, "no profiles yet: run `igctl login` first"},
		{"unknown profile", unknown, exitcode.Config, "known profiles: a, b"},
		{"unknown setting", (&config.Profile{}).Set("colour", "x"), exitcode.Usage, "settings: " + strings.Join(config.Keys, ", ")},
		{"bad grant", (&config.Profile{}).Set("grant", "implicit"), exitcode.Usage, ""},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if code, hint := cmdutil.Classify(tc.err); code != tc.code || hint != tc.hint {
			t.Errorf("%s: exit %d hint %q, want exit %d hint %q (%v)", tc.name, code, hint, tc.code, tc.hint, tc.err)
		}
	}
}

func TestConfigLockedExitAndHint(t *testing.T) {
	dir := t.TempDir()
	held := flock.New(filepath.Join(dir, config.FileName+".lock"))
	if ok, err := held.TryLock(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	defer held.Unlock()
	old := config.LockTimeout
	config.LockTimeout = 50 * time.Millisecond
	defer func() { config.LockTimeout = old }()
	c, _ := config.Load(dir)
	c.Ensure("a").Issuer = "x"
	err := c.Save()
	code, hint := cmdutil.Classify(err)
	if code != exitcode.Config || hint != "another igctl is writing the config; try again (a lock ends with the process that holds it)" {
		t.Fatalf("exit %d hint %q: %v", code, hint, err)
	}
	// Unreadable: a config directory that is a file.
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o600)
	_, err = config.Load(file)
	if code, hint := cmdutil.Classify(err); code != exitcode.Config || hint != "" || !strings.Contains(err.Error(), file) {
		t.Fatalf("unreadable: exit %d hint %q: %v", code, hint, err)
	}
}
