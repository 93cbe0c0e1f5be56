package token

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/testenv"
)

func bigBundle(size int) *Bundle {
	return &Bundle{
		Issuer: "http://127.0.0.1:18080/realms/r", ClientID: "c", Grant: "password",
		AccessToken: strings.Repeat("A", size), RefreshToken: "refresh-" + strings.Repeat("r", 500),
		ClientSecret: "s3cret", Expiry: time.Now().Add(time.Minute).UTC().Round(time.Second),
	}
}

// Against the real Secret Service (gnome-keyring under dbus-run-session).
func TestKeyringStoreRealSecretService(t *testing.T) {
	testenv.SecretService(t)
	dir := t.TempDir()
	s, err := OpenStore(StoreOptions{Kind: "keyring", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind() != "keyring" {
		t.Fatalf("kind %s", s.Kind())
	}
	profile := testenv.UniqueName("store-test")
	want := bigBundle(20 * 1024) // beyond every OS keyring's per-item limit
	if err := s.Save(profile, want); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Delete(profile) })

	// The keyring holds only the 256-bit key, never the token.
	key, err := keyringGet(keyringUser(profile))
	if err != nil {
		t.Fatalf("keyring entry missing: %v", err)
	}
	if len(key) > 64 || strings.Contains(key, "AAAA") {
		t.Fatalf("keyring entry should be a small key, got %d bytes", len(key))
	}
	// The file on disk is sealed and 0600.
	sealedPath := s.(*keyringStore).name(profile, ".enc")
	raw, _ := os.ReadFile(sealedPath)
	if strings.Contains(string(raw), "s3cret") || strings.Contains(string(raw), "AAAA") {
		t.Fatal("sealed file holds plaintext")
	}
	if st, _ := os.Stat(sealedPath); st.Mode().Perm() != 0o600 {
		t.Fatalf("sealed file mode %v", st.Mode())
	}

	// A fresh store (as a second process would open) reads it back.
	s2, _ := OpenStore(StoreOptions{Kind: "keyring", Dir: dir})
	got, err := s2.Load(profile)
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != want.AccessToken || got.ClientSecret != want.ClientSecret || !got.Expiry.Equal(want.Expiry) {
		t.Fatal("bundle did not round-trip")
	}

	if err := s2.Delete(profile); err != nil {
		t.Fatal(err)
	}
	if _, err := keyringGet(keyringUser(profile)); !errors.Is(err, errKeyringNotFound) {
		t.Fatalf("keyring entry still there after delete: %v", err)
	}
	if _, err := s2.Load(profile); !errors.Is(err, ErrNotFound) {
		t.Fatalf("load after delete: %v", err)
	}
}

func TestSealedFileDoesNotOpenUnderAnotherProfile(t *testing.T) {
	key := make([]byte, 32)
	sealed, _ := seal(key, []byte("x"), "a")
	if _, err := open(key, sealed, "b"); err == nil {
		t.Fatal("a sealed bundle opened under another profile name")
	}
	if p, err := open(key, sealed, "a"); err != nil || string(p) != "x" {
		t.Fatal("seal/open round trip failed")
	}
}

func TestAutoFallsBackToFileWithoutDBus(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{} // no DBUS_SESSION_BUS_ADDRESS
	var warnings []string
	s, err := OpenStore(StoreOptions{Dir: dir, Getenv: func(k string) string { return env[k] },
		Warn: func(key, msg string) { warnings = append(warnings, msg) }})
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind() != "file" || len(warnings) != 1 || !strings.Contains(warnings[0], "D-Bus") {
		t.Fatalf("kind %s warnings %q", s.Kind(), warnings)
	}
	if err := s.Save("p", bigBundle(100)); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "tokens", "*.json"))
	if len(matches) != 1 {
		t.Fatalf("token files: %v", matches)
	}
	st, _ := os.Stat(matches[0])
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("fallback file mode %v", st.Mode())
	}
	dst, _ := os.Stat(filepath.Join(dir, "tokens"))
	if dst.Mode().Perm() != 0o700 {
		t.Fatalf("token dir mode %v", dst.Mode())
	}

	env["IGCTL_REQUIRE_SECURE_STORAGE"] = "1"
	_, err = OpenStore(StoreOptions{Dir: dir, Getenv: func(k string) string { return env[k] }})
	if fault.KindOf(err) != StorageRequired {
		t.Fatalf("require secure: got %v (kind %q), want %q", err, fault.KindOf(err), StorageRequired)
	}
}

func TestProfileNamesCannotEscapeTheDirectory(t *testing.T) {
	f := fileBase{dir: "/x/tokens"}
	if p := f.name("../../etc/passwd", ".json"); filepath.Dir(p) != "/x/tokens" {
		t.Fatalf("escaped: %s", p)
	}
}
