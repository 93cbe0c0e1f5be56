package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteNewFileGetsPerm(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := Write(p, []byte("secret"), 0o600, true); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	b, _ := os.ReadFile(p)
	if string(b) != "secret" {
		t.Fatalf("content %q", b)
	}
}

func TestWriteKeepsExistingMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("old"), 0o640)
	os.Chmod(p, 0o640)
	if err := Write(p, []byte("new"), 0o600, true); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want 0640 kept", st.Mode())
	}
	if err := Write(p, []byte("newer"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	st, _ = os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600 forced", st.Mode())
	}
}

func TestFailedWriteLeavesOldFileAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("keep me"), 0o600)
	// A non-empty directory where the file should go: the temporary file is
	// created and written, and only the final rename fails, so the clean-up
	// is what keeps the directory tidy.
	target := filepath.Join(dir, "target")
	os.MkdirAll(filepath.Join(target, "inside"), 0o700)
	if err := Write(target, []byte("x"), 0o600, false); err == nil {
		t.Fatal("renaming over a non-empty directory should fail")
	}
	b, _ := os.ReadFile(p)
	if string(b) != "keep me" {
		t.Fatalf("old file changed: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(entries) != 2 {
		t.Fatalf("temp files left behind: %v", names)
	}
}
