package proxycmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// --print-key-path names the file the proxy reads its key from: under the
// config directory actually in use, for the active profile, and absolute,
// so $(cat "$(igctl proxy --print-key-path)") works from any directory.
func TestPrintKeyPath(t *testing.T) {
	dir := t.TempDir()
	run := func(profile, keyFile string) (stdout, stderr string, err error) {
		io, _, out, errOut := iostreams.Test()
		o := &Options{Deps: Deps{IO: io}, ConfigDir: func() string { return dir },
			ProfileName: func() (string, error) { return profile, nil }, KeyFile: keyFile, PrintKeyPath: true}
		err = proxyRun(context.Background(), o)
		return out.String(), errOut.String(), err
	}

	out, errOut, err := run("staging", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "proxy", "staging.key") + "\n"; out != want {
		t.Fatalf("stdout %q, want %q", out, want)
	}
	if !strings.Contains(errOut, "no key there yet") {
		t.Errorf("no note on stderr that the key does not exist yet: %q", errOut)
	}

	// once the key exists: the same path, no note
	os.MkdirAll(filepath.Join(dir, "proxy"), 0o700)
	os.WriteFile(filepath.Join(dir, "proxy", "staging.key"), []byte("k\n"), 0o600)
	if out, errOut, _ = run("staging", ""); out != filepath.Join(dir, "proxy", "staging.key")+"\n" || errOut != "" {
		t.Errorf("existing key: stdout %q stderr %q", out, errOut)
	}

	// --key-file wins, made absolute
	t.Chdir(dir)
	if out, _, _ = run("staging", "k.key"); out != filepath.Join(dir, "k.key")+"\n" {
		t.Errorf("--key-file k.key: stdout %q", out)
	}

	// --no-key has no key file to name
	io, _, _, _ := iostreams.Test()
	o := &Options{Deps: Deps{IO: io}, ConfigDir: func() string { return dir }, NoKey: true, PrintKeyPath: true,
		ProfileName: func() (string, error) { return "default", nil }}
	if err := proxyRun(context.Background(), o); cmdutil.ExitCode(err) != exitcode.Usage {
		t.Errorf("--print-key-path --no-key: want exit 2, got %v", err)
	}
}
