package config

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/inference-gateway/igctl/internal/fault"
)

// TestMain lets a test re-execute this binary as a config writer, so that
// concurrency is tested between processes, not only goroutines.
func TestMain(m *testing.M) {
	if dir := os.Getenv("IGCTL_CONFIG_TEST_WRITER"); dir != "" {
		// The writers are judged on losing nothing, not on speed: under
		// the race detector on a busy machine eight of them can queue for
		// the lock longer than a command would wait for it.
		LockTimeout = 2 * time.Minute
		if err := writeOne(dir, os.Args[1], os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// writeOne is one writer as igctl's commands are: Load, change, Save.
// profile "@current" sets current_profile to value.
func writeOne(dir, profile, key, value string) error {
	c, err := Load(dir)
	if err != nil {
		return err
	}
	if profile == "@current" {
		c.CurrentProfile = value
	} else if err := c.Ensure(profile).Set(key, value); err != nil {
		return err
	}
	return c.Save()
}

// writers is one trial: different profiles, different fields of one
// profile, and current_profile, all at once.
func writers(n int) [][3]string {
	var w [][3]string
	for k := range n {
		w = append(w, [3]string{fmt.Sprintf("p%d", k), "issuer", fmt.Sprintf("https://kc%d/realms/r", k)})
	}
	for _, key := range []string{"client_id", "scope", "username", "gateway_url"} {
		w = append(w, [3]string{"shared", key, "http://v-" + strings.ReplaceAll(key, "_", "-")})
	}
	return append(w, [3]string{"@current", "", "shared"})
}

// checkNothingLost reports what of writers(n) is missing from dir.
func checkNothingLost(t *testing.T, dir string, n int) int {
	t.Helper()
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	for _, w := range writers(n) {
		var got string
		if w[0] == "@current" {
			got = c.CurrentProfile
		} else if p, ok := c.Profiles[w[0]]; ok {
			f, _ := p.field(w[1])
			got = *f
		}
		if got != w[2] {
			t.Errorf("lost %s %s=%q (file has %q)", w[0], w[1], w[2], got)
			lost++
		}
	}
	return lost
}

func TestConcurrentGoroutinesLoseNothing(t *testing.T) {
	const n, trials = 8, 10
	for trial := range trials {
		dir := t.TempDir()
		// a file with a comment and a key of someone else's, which must survive too
		os.WriteFile(filepath.Join(dir, FileName), []byte("# mine\nx-owner: ops\n"), 0o600)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, w := range writers(n) {
			wg.Go(func() {
				<-start
				if err := writeOne(dir, w[0], w[1], w[2]); err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		if lost := checkNothingLost(t, dir, n); lost > 0 {
			t.Fatalf("trial %d: %d of %d updates lost", trial, lost, len(writers(n)))
		}
		b, _ := os.ReadFile(filepath.Join(dir, FileName))
		if !strings.HasPrefix(string(b), "# mine\n") || !strings.Contains(string(b), "x-owner: ops") {
			t.Fatalf("trial %d: comment or x- key lost:\n%s", trial, b)
		}
	}
}

func TestConcurrentProcessesLoseNothing(t *testing.T) {
	const n, trials = 8, 10
	for trial := range trials {
		dir := t.TempDir()
		var cmds []*exec.Cmd
		for _, w := range writers(n) {
			cmd := exec.Command(os.Args[0], w[0], w[1], w[2])
			cmd.Env = append(os.Environ(), "IGCTL_CONFIG_TEST_WRITER="+dir)
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds = append(cmds, cmd)
		}
		for _, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("trial %d: writer %v: %v", trial, cmd.Args[1:], err)
			}
		}
		if lost := checkNothingLost(t, dir, n); lost > 0 {
			t.Fatalf("trial %d: %d of %d updates lost", trial, lost, len(writers(n)))
		}
	}
}

func TestSaveAppliesOnlyOwnChanges(t *testing.T) {
	dir := t.TempDir()
	seed, _ := Load(dir)
	seed.Ensure("prod").Issuer = "https://old"
	seed.Ensure("gone").Issuer = "https://gone"
	must(t, seed.Save())

	a, _ := Load(dir)
	b, _ := Load(dir)
	held := a.Profiles["prod"] // callers hold profile pointers across Save
	b.Profiles["prod"].ClientID = "from-b"
	b.CurrentProfile = "prod"
	delete(b.Profiles, "gone")
	must(t, b.Save())

	a.Profiles["prod"].Issuer = "https://new"
	must(t, a.Save())

	c, _ := Load(dir)
	p := c.Profiles["prod"]
	if p.Issuer != "https://new" || p.ClientID != "from-b" || c.CurrentProfile != "prod" {
		t.Fatalf("merged prod = %+v current %q", p, c.CurrentProfile)
	}
	if _, ok := c.Profiles["gone"]; ok {
		t.Fatal("a re-created the profile b deleted, though a never touched it")
	}
	// a now holds the merged file, in the same *Profile
	if held != a.Profiles["prod"] || held.ClientID != "from-b" || a.CurrentProfile != "prod" {
		t.Fatalf("a after Save: %+v current %q", held, a.CurrentProfile)
	}
	// a second Save of a with no change leaves the file alone
	st1, _ := os.Stat(filepath.Join(dir, FileName))
	time.Sleep(10 * time.Millisecond)
	must(t, a.Save())
	st2, _ := os.Stat(filepath.Join(dir, FileName))
	if !st1.ModTime().Equal(st2.ModTime()) {
		t.Fatal("a Save without changes rewrote the file")
	}
}

func TestCommentsOrderAndForeignKeysSurvive(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	orig := `# igctl config, edited by hand too
x-team: platform # who owns it
profiles:
  # staging first, on purpose
  staging:
    client_id: s # the staging client
    issuer: https://kc.staging/realms/r
    x-note: keep me
  prod:
    issuer: https://kc/realms/r
current_profile: staging
# the end
`
	must(t, os.WriteFile(path, []byte(orig), 0o644))
	c, err := Load(dir)
	must(t, err)
	c.Profiles["prod"].Scope = "openid"
	c.Profiles["staging"].Issuer = "https://kc2.staging/realms/r"
	c.Ensure("dev").Issuer = "http://localhost"
	c.CurrentProfile = "prod"
	must(t, c.Save())
	want := `# igctl config, edited by hand too
x-team: platform # who owns it
profiles:
  # staging first, on purpose
  staging:
    client_id: s # the staging client
    issuer: https://kc2.staging/realms/r
    x-note: keep me
  prod:
    issuer: https://kc/realms/r
    scope: openid
  dev:
    issuer: http://localhost
current_profile: prod
# the end
`
	got, _ := os.ReadFile(path)
	if string(got) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
}

func TestCommentOnlyFileIsKept(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	must(t, os.WriteFile(path, []byte("# written by our provisioning\n"), 0o600))
	c, err := Load(dir)
	must(t, err)
	c.Ensure("a").Issuer = "https://a"
	must(t, c.Save())
	got, _ := os.ReadFile(path)
	if string(got) != "# written by our provisioning\nprofiles:\n    a:\n        issuer: https://a\n" {
		t.Fatalf("got:\n%s", got)
	}
}

func TestUnknownKeys(t *testing.T) {
	for _, tc := range []struct {
		name, file   string
		line         int
		key, suggest string
		inProfile    string
	}{
		{"top-level misspelt", "current-profile: prod\nprofiles:\n  prod: {}\n", 1, "current-profile", "current_profile", ""},
		{"profile misspelt", "profiles:\n  prod:\n    issuer: a\n    issuerr: b\n", 4, "issuerr", "issuer", "prod"},
		{"command-line spelling in the file", "profiles:\n  prod:\n    client-id: a\n", 3, "client-id", "client_id", "prod"},
		{"nothing close", "colour: blue\n", 1, "colour", "", ""},
		{"merge key", "profiles:\n  a: &b {issuer: x}\n  c:\n    <<: *b\n", 4, "<<", "", "c"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			must(t, os.WriteFile(path, []byte(tc.file), 0o600))
			_, err := Load(dir)
			if fault.KindOf(err) != UnknownKey {
				t.Fatalf("kind %q, want %q: %v", fault.KindOf(err), UnknownKey, err)
			}
			var uk *UnknownKeyError
			if !errorsAs(err, &uk) {
				t.Fatalf("not an UnknownKeyError: %v", err)
			}
			if uk.Path != path || uk.Line != tc.line || uk.Key != tc.key || uk.Suggest != tc.suggest || uk.Profile != tc.inProfile {
				t.Fatalf("got %+v", uk)
			}
			msg := err.Error()
			for _, s := range []string{path, fmt.Sprintf("line %d", tc.line), tc.key, tc.suggest} {
				if !strings.Contains(msg, s) {
					t.Fatalf("error %q lacks %q", msg, s)
				}
			}
		})
	}
}

func TestForeignKeysAreKept(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	must(t, os.WriteFile(path, []byte("x-managed-by: ansible\nprofiles:\n  prod:\n    x-ticket: OPS-1\n    issuer: a\n"), 0o600))
	c, err := Load(dir)
	must(t, err)
	c.Profiles["prod"].Issuer = "b"
	must(t, c.Save())
	got, _ := os.ReadFile(path)
	if string(got) != "x-managed-by: ansible\nprofiles:\n  prod:\n    x-ticket: OPS-1\n    issuer: b\n" {
		t.Fatalf("got:\n%s", got)
	}
}

func TestDuplicateKeysAreErrors(t *testing.T) {
	for _, file := range []string{
		"profiles:\n  a: {}\n  a: {}\n",
		"profiles:\n  a:\n    issuer: x\n    issuer: y\n",
		"current_profile: a\ncurrent_profile: b\n",
	} {
		dir := t.TempDir()
		must(t, os.WriteFile(filepath.Join(dir, FileName), []byte(file), 0o600))
		_, err := Load(dir)
		if fault.KindOf(err) != Invalid || !strings.Contains(err.Error(), "already defined at line") {
			t.Fatalf("%q: %v", file, err)
		}
	}
}

func TestAliasIsCopiedNotEdited(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	must(t, os.WriteFile(path, []byte("profiles:\n  a: &base\n    issuer: x\n  b: *base\n"), 0o600))
	c, err := Load(dir)
	must(t, err)
	if c.Profiles["b"].Issuer != "x" {
		t.Fatalf("alias not followed: %+v", c.Profiles["b"])
	}
	c.Profiles["b"].Issuer = "y"
	must(t, c.Save())
	c2, err := Load(dir)
	must(t, err)
	if c2.Profiles["a"].Issuer != "x" || c2.Profiles["b"].Issuer != "y" {
		t.Fatalf("a=%+v b=%+v", c2.Profiles["a"], c2.Profiles["b"])
	}
}

func TestSymlinkedConfigIsWrittenThrough(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "igctl")
	dots := filepath.Join(root, "dotfiles")
	must(t, os.MkdirAll(dir, 0o700))
	must(t, os.MkdirAll(dots, 0o700))
	target := filepath.Join(dots, "igctl.yaml")
	must(t, os.WriteFile(target, []byte("# tracked in git\nprofiles:\n  a:\n    issuer: x\n"), 0o600))
	link := filepath.Join(dir, FileName)
	must(t, os.Symlink("../dotfiles/igctl.yaml", link))

	c, err := Load(dir)
	must(t, err)
	c.Profiles["a"].Issuer = "y"
	must(t, c.Save())
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("config.yaml is no longer a symlink: %v %v", st, err)
	}
	got, _ := os.ReadFile(target)
	if string(got) != "# tracked in git\nprofiles:\n  a:\n    issuer: y\n" {
		t.Fatalf("target:\n%s", got)
	}
	if st, _ := os.Stat(target); st.Mode().Perm() != 0o600 {
		t.Fatalf("target mode %v", st.Mode().Perm())
	}

	// a dangling link: Save creates the file it names
	must(t, os.Remove(target))
	c, err = Load(dir)
	must(t, err)
	c.Ensure("b").Issuer = "z"
	must(t, c.Save())
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatal("dangling symlink was replaced")
	}
	if got, _ := os.ReadFile(target); !strings.Contains(string(got), "issuer: z") {
		t.Fatalf("target:\n%s", got)
	}
}

func TestSaveNeverOverwritesACorruptFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	c, err := Load(dir)
	must(t, err)
	c.Ensure("a").Issuer = "x"
	bad := "profiles:\n  a:\n   issuer: [oops\n"
	must(t, os.WriteFile(path, []byte(bad), 0o600)) // someone else broke it meanwhile
	err = c.Save()
	if fault.KindOf(err) != Invalid || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "line ") {
		t.Fatalf("want exit 3 naming file and line, got %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != bad {
		t.Fatal("corrupt file was overwritten")
	}
}

func TestLockDeadline(t *testing.T) {
	dir := t.TempDir()
	lockPath := filepath.Join(dir, FileName+".lock")
	held := flock.New(lockPath)
	if ok, err := held.TryLock(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	defer held.Unlock()
	old := LockTimeout
	LockTimeout = 100 * time.Millisecond
	defer func() { LockTimeout = old }()

	c, _ := Load(dir)
	c.Ensure("a").Issuer = "x"
	start := time.Now()
	err := c.Save()
	if fault.KindOf(err) != Locked || !strings.Contains(err.Error(), lockPath) {
		t.Fatalf("want exit 3 naming %s, got %v", lockPath, err)
	}
	var lt *LockTimeoutError
	if !errorsAs(err, &lt) {
		t.Fatalf("not a LockTimeoutError: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("waited %v past a 100ms deadline", d)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !os.IsNotExist(err) {
		t.Fatal("wrote without the lock")
	}
	held.Unlock()
	must(t, c.Save())
}

// TestParseIsLinear compares the time to Load 8 times as many profiles:
// linear parsing takes about 8 times as long, the old quadratic one about 64.
// Times on a shared machine are noisy, so the two sizes are timed in turn
// (a burst of load meets both) and the comparison has three attempts: a
// quadratic parse is over the bound in every one, a burst of load in one.
func TestParseIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and parses a 1.7 MB config")
	}
	const small, factor = 2500, 8
	smallDir, bigDir := writeProfiles(t, small), writeProfiles(t, small*factor)
	var ratios []float64
	for range 3 {
		tSmall, tBig := time.Duration(1<<63-1), time.Duration(1<<63-1)
		for range 5 {
			tSmall = min(tSmall, loadTime(t, smallDir, small))
			tBig = min(tBig, loadTime(t, bigDir, small*factor))
		}
		ratio := float64(tBig) / float64(tSmall)
		t.Logf("Load %d profiles: %v; %d profiles: %v; ratio %.1f (linear ≈ %d, quadratic ≈ %d)",
			small, tSmall, small*factor, tBig, ratio, factor, factor*factor)
		if ratio <= 3*factor {
			return
		}
		ratios = append(ratios, ratio)
	}
	t.Fatalf("parsing %dx the profiles took %.1fx the time in each of 3 attempts: not linear", factor, ratios)
}

// writeProfiles writes a config.yaml with n profiles into a new directory.
func writeProfiles(t *testing.T, n int) string {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("current_profile: p0\nprofiles:\n")
	for i := range n {
		fmt.Fprintf(&b, "    p%d:\n        issuer: https://kc%d.example/realms/r\n        client_id: c%d\n", i, i, i)
	}
	must(t, os.WriteFile(filepath.Join(dir, FileName), []byte(b.String()), 0o600))
	return dir
}

// loadTime is the time one Load of dir takes; it must find n profiles.
func loadTime(t *testing.T, dir string, n int) time.Duration {
	start := time.Now()
	c, err := Load(dir)
	d := time.Since(start)
	must(t, err)
	if len(c.Profiles) != n {
		t.Fatalf("loaded %d profiles, want %d", len(c.Profiles), n)
	}
	return d
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func errorsAs[T error](err error, target *T) bool { return errors.As(err, target) }

// Deleting the profile that holds an anchor others alias keeps the file
// readable: the aliases become copies.
func TestDeletingAnAnchoredProfileKeepsItsAliases(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	must(t, os.WriteFile(path, []byte("profiles:\n  a: &base\n    issuer: https://x\n  b: *base\n"), 0o600))
	c, err := Load(dir)
	must(t, err)
	delete(c.Profiles, "a")
	must(t, c.Save())
	c2, err := Load(dir)
	if err != nil {
		t.Fatalf("the saved file does not load: %v", err)
	}
	if _, ok := c2.Profiles["a"]; ok || c2.Profiles["b"] == nil || c2.Profiles["b"].Issuer != "https://x" {
		t.Fatalf("profiles after the delete: %+v", c2.Profiles)
	}
}

// profiles: *anchor is edited as a copy: deletes, additions and changes land
// in profiles, and the anchored mapping (an x- key igctl keeps) stays as it was.
func TestAliasedProfilesMappingIsEditedAsACopy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	orig := "x-base: &ps\n  a:\n    issuer: https://a\n  b:\n    issuer: https://b\nprofiles: *ps\n"
	must(t, os.WriteFile(path, []byte(orig), 0o600))
	c, err := Load(dir)
	must(t, err)
	delete(c.Profiles, "b")
	c.Profiles["a"].Issuer = "https://a2"
	c.Profiles["new"] = &Profile{Issuer: "https://n"}
	must(t, c.Save())
	c2, err := Load(dir)
	must(t, err)
	if _, ok := c2.Profiles["b"]; ok || c2.Profiles["a"].Issuer != "https://a2" || c2.Profiles["new"] == nil {
		t.Fatalf("profiles: %+v", c2.Profiles)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "x-base: &ps\n  a:\n    issuer: https://a\n  b:\n    issuer: https://b\n") {
		t.Errorf("the anchored x- mapping changed:\n%s", data)
	}
}

// A cancelled command (Ctrl-C) stops waiting for config.yaml's lock at
// once, with the context's error, and writes nothing.
func TestLockWaitEndsWithContext(t *testing.T) {
	dir := t.TempDir()
	held := flock.New(filepath.Join(dir, FileName+".lock"))
	if ok, err := held.TryLock(); !ok || err != nil {
		t.Fatal(ok, err)
	}
	defer held.Unlock()
	c, _ := Load(dir)
	c.Ensure("a").Issuer = "x"
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	err := c.SaveContext(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("waited %v after the cancellation (the lock timeout is %v)", d, LockTimeout)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !os.IsNotExist(err) {
		t.Fatal("wrote without the lock")
	}
}
