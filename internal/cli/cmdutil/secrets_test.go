package cmdutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// --X-file that gives no secret is an error naming why (a device such as
// /dev/null, an empty file, an empty first line, a directory); chmod
// advice is only for a regular file that others can read.
func TestReadSecretFileProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode)
		return p
	}
	spec := SecretSpec{What: "password", Flag: "password", Env: "IGCTL_PASSWORD"}
	for _, tc := range []struct {
		path, wantErr, wantWarn string
	}{
		{"/dev/null", "/dev/null: it is a character device, not a file, and it gave nothing", ""},
		{write("empty", "", 0o600), "the file is empty", ""},
		{write("blank-first", "\nsecret\n", 0o600), "its first line is empty", ""},
		{dir, "it is a directory", ""},
		{write("open", "", 0o644), "the file is empty", "readable by other users"},
	} {
		io, _, _, errOut := iostreams.Test()
		f := New(io)
		f.Getenv = func(string) string { return "" }
		s, err := f.ReadSecret(SecretFlags{File: tc.path}, spec)
		if s != "" || ExitCode(err) != exitcode.Config || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: %q, %v (exit %d); want exit 3 with %q", tc.path, s, err, ExitCode(err), tc.wantErr)
		}
		if hint := HintOf(err); !strings.Contains(hint, "--password-stdin") {
			t.Errorf("%s: hint %q", tc.path, hint)
		}
		if tc.wantWarn == "" && strings.Contains(errOut.String(), "chmod") {
			t.Errorf("%s: chmod advice for what chmod does not fix: %q", tc.path, errOut)
		}
		if tc.wantWarn != "" && !strings.Contains(errOut.String(), tc.wantWarn) {
			t.Errorf("%s: no warning %q: %q", tc.path, tc.wantWarn, errOut)
		}
	}

	// a file that holds the secret still works
	io, _, _, _ := iostreams.Test()
	f := New(io)
	if s, err := f.ReadSecret(SecretFlags{File: write("ok", "s3cret\n", 0o600)}, spec); s != "s3cret" || err != nil {
		t.Errorf("ok file: %q, %v", s, err)
	}
}

// The keyring fallback warning is held until FlushStoreWarnings (the root
// command calls it once a command succeeded), so a failure that follows
// opening the store is not preceded by it; flushed, it appears once.
func TestStoreFallbackWarningHeld(t *testing.T) {
	io, _, _, errOut := iostreams.Test()
	f := New(io)
	f.Getenv = func(string) string { return "" } // no D-Bus session bus: the keyring is not tried
	f.Globals.ConfigDir = t.TempDir()
	f.ReportStore = true
	for range 2 {
		st, err := f.TokenStore()
		if err != nil {
			t.Fatal(err)
		}
		if st.Kind() != "file" {
			t.Skipf("the keyring was usable here (%s store): no fallback to warn about", st.Kind())
		}
	}
	if errOut.Len() != 0 {
		t.Fatalf("warned on opening the store, before the command's outcome: %q", errOut)
	}
	f.FlushStoreWarnings()
	f.FlushStoreWarnings()
	if got := strings.Count(errOut.String(), "warning: OS keyring not available"); got != 1 {
		t.Fatalf("after the flush: %d warnings in %q, want 1", got, errOut)
	}

	// a command that does not report where tokens are kept never warns
	io, _, _, errOut = iostreams.Test()
	f = New(io)
	f.Getenv = func(string) string { return "" }
	f.Globals.ConfigDir = t.TempDir()
	if _, err := f.TokenStore(); err != nil {
		t.Fatal(err)
	}
	f.FlushStoreWarnings()
	if errOut.Len() != 0 {
		t.Errorf("warned without ReportStore: %q", errOut)
	}
}
