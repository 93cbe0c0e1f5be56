package token

import (
	"errors"
	"os"
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/testenv"
)

// envWith is the process environment with the given variables set ("" to
// unset), as a Getenv for OpenStore.
func envWith(vars map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
}

// A token sealed by the real Secret Service, read in a shell without a
// D-Bus session bus: it is the keyring store's token whose keyring is out
// of reach, not a file-store token and not "not logged in", for every
// profile read in the run; and the probe doctor runs says the keyring is
// out of reach instead of passing the file store off as the truth.
func TestAutoStoreSealedTokenWithoutBus(t *testing.T) {
	testenv.SecretService(t)
	dir := t.TempDir()
	a, b := testenv.UniqueName("sealed-a"), testenv.UniqueName("sealed-b")
	s, err := OpenStore(StoreOptions{Kind: "auto", Dir: dir, Getenv: envWith(nil)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{a, b} {
		if err := s.Save(p, bigBundle(100)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { keyringDelete(keyringUser(p)) })
	}
	if s.Kind() != "keyring" {
		t.Fatalf("saved with the keyring working, kind %q", s.Kind())
	}

	var warnings []string
	nobus, err := OpenStore(StoreOptions{Kind: "auto", Dir: dir, Getenv: envWith(map[string]string{"DBUS_SESSION_BUS_ADDRESS": ""}),
		Warn: func(_, msg string) { warnings = append(warnings, msg) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{a, b} {
		_, err := nobus.Load(p)
		if fault.KindOf(err) != KeyringLocked || !errors.Is(err, ErrKeyringUnavailable) {
			t.Fatalf("load %s without a bus: %v (kind %q), want %q", p, err, fault.KindOf(err), KeyringLocked)
		}
		if nobus.Kind() != "keyring" {
			t.Fatalf("load %s without a bus: kind %q, want keyring (the token is sealed by the keyring)", p, nobus.Kind())
		}
	}
	if err := nobus.Probe(a); !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("probe of a sealed token without a bus: %v, want the keyring's outage", err)
	}
	if nobus.Kind() != "keyring" {
		t.Fatalf("after the probe: kind %q, want keyring", nobus.Kind())
	}
	// a profile with nothing sealed: the file store is what this shell has
	if err := nobus.Probe(testenv.UniqueName("nothing")); err != nil {
		t.Fatalf("probe of a profile with nothing sealed, without a bus: %v", err)
	}
	if len(warnings) != 1 {
		t.Fatalf("warnings %q, want the one fallback warning of opening without a bus", warnings)
	}
}

// IGCTL_REQUIRE_SECURE_STORAGE=1 with the real keyring working: a token
// found in a 0600 file (stored earlier without a keyring) is refused with
// exit 7's kind, as a login would be, not served; a new login stores it
// sealed and removes the file, and that token is served.
func TestAutoStoreRequireSecureRefusesFileToken(t *testing.T) {
	testenv.SecretService(t)
	dir := t.TempDir()
	p := testenv.UniqueName("plain")
	t.Cleanup(func() { keyringDelete(keyringUser(p)) })
	plain, err := OpenStore(StoreOptions{Kind: "file", Dir: dir, Getenv: envWith(map[string]string{"IGCTL_REQUIRE_SECURE_STORAGE": ""})})
	if err != nil {
		t.Fatal(err)
	}
	want := bigBundle(100)
	if err := plain.Save(p, want); err != nil {
		t.Fatal(err)
	}

	secure, err := OpenStore(StoreOptions{Kind: "auto", Dir: dir, Getenv: envWith(map[string]string{"IGCTL_REQUIRE_SECURE_STORAGE": "1"})})
	if err != nil {
		t.Fatal(err)
	}
	b, err := secure.Load(p)
	if fault.KindOf(err) != InsecureFile || b != nil {
		t.Fatalf("a 0600-file token under IGCTL_REQUIRE_SECURE_STORAGE=1: bundle %v, err %v (kind %q), want %q", b != nil, err, fault.KindOf(err), InsecureFile)
	}
	if fault.Of(err).Facts.Profile != p {
		t.Errorf("facts %+v", fault.Of(err).Facts)
	}

	if err := secure.Save(p, want); err != nil {
		t.Fatal(err)
	}
	if secure.Kind() != "keyring" {
		t.Fatalf("saved under IGCTL_REQUIRE_SECURE_STORAGE=1: kind %q", secure.Kind())
	}
	if _, err := os.Stat(secure.(*autoStore).file.name(p, ".json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the 0600 file is still there after a sealed save: %v", err)
	}
	got, err := secure.Load(p)
	if err != nil || got.AccessToken != want.AccessToken {
		t.Fatalf("the sealed token: %v", err)
	}
}
