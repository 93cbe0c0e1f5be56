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

// A symbolic link is written through: the file it points to gets the data
// (keeping its mode), the link stays a link, and nothing is left beside
// either. Relative links, chains and dangling links behave the same.
func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "gateway.env")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte("old\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	os.Chmod(real, 0o640)
	link := filepath.Join(dir, "link.env")
	if err := os.Symlink(filepath.Join("real", "gateway.env"), link); err != nil {
		t.Fatal(err)
	}
	chain := filepath.Join(dir, "chain.env")
	if err := os.Symlink(link, chain); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, chain} {
		if err := Write(p, []byte("new via "+filepath.Base(p)), 0o600, true); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Lstat(p); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a symlink (%v, %v)", p, st.Mode(), err)
		}
		b, _ := os.ReadFile(real)
		if string(b) != "new via "+filepath.Base(p) {
			t.Fatalf("target holds %q after writing %s", b, p)
		}
		if st, _ := os.Stat(real); st.Mode().Perm() != 0o640 {
			t.Fatalf("target mode %v, want 0640 kept", st.Mode().Perm())
		}
	}
	// a dangling link creates the file it names
	dangling := filepath.Join(dir, "dangling.env")
	if err := os.Symlink("real/new.env", dangling); err != nil {
		t.Fatal(err)
	}
	if err := Write(dangling, []byte("created"), 0o600, true); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "real", "new.env")); err != nil || string(b) != "created" {
		t.Fatalf("dangling link target: %q, %v", b, err)
	}
	if st, _ := os.Lstat(dangling); st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("dangling link replaced by a file")
	}
	for _, d := range []string{dir, filepath.Join(dir, "real")} {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if filepath.Ext(e.Name()) != ".env" && e.Name() != "real" {
				t.Errorf("left behind in %s: %s", d, e.Name())
			}
		}
	}
}
