package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
)

func TestRoundTripAndMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "igctl")
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Ensure("prod")
	if err := p.Set("client-id", "inference-gateway-client"); err != nil {
		t.Fatal(err)
	}
	p.Set("issuer", "http://127.0.0.1:8080/realms/inference-gateway-realm")
	c.CurrentProfile = "prod"
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config mode %v err %v", st.Mode(), err)
	}
	c2, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c2.Get("prod")
	if err != nil {
		t.Fatal(err)
	}
	if got.ClientID != "inference-gateway-client" || c2.Resolve("") != "prod" {
		t.Fatalf("round trip lost data: %+v current=%q", got, c2.CurrentProfile)
	}
}

func TestCorruptConfigNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	bad := "profiles:\n  prod:\n    issuer: a\n   client_id: [b\n"
	os.WriteFile(path, []byte(bad), 0o600)
	_, err := Load(dir)
	if fault.KindOf(err) != Invalid {
		t.Fatalf("kind %q, want %q (err %v)", fault.KindOf(err), Invalid, err)
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "line ") {
		t.Fatalf("error should name file and line: %v", err)
	}
	b, _ := os.ReadFile(path)
	if string(b) != bad {
		t.Fatal("corrupt file was changed")
	}
}

// A config.yaml with a second YAML document is refused whole, naming the
// line where the second document starts: reading only the first would hide
// its profiles, and a save would drop them. Neither Load nor a Save made
// from a Config loaded before the second document appeared changes the file.
func TestMultiDocumentConfigRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	multi := "current_profile: prod\nprofiles:\n  prod:\n    issuer: https://kc/realms/a\n---\nprofiles:\n  staging:\n    issuer: https://kc/realms/b\n"
	os.WriteFile(path, []byte(multi), 0o600)
	_, err := Load(dir)
	if fault.KindOf(err) != Invalid {
		t.Fatalf("kind %q, want %q (err %v)", fault.KindOf(err), Invalid, err)
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "line 5:") || !strings.Contains(err.Error(), "second YAML document") {
		t.Fatalf("error should name the file and line 5 (the ---): %v", err)
	}

	// a Config loaded while the file had one document does not save over two
	os.WriteFile(path, []byte("profiles:\n  prod:\n    issuer: https://kc/realms/a\n"), 0o600)
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte(multi), 0o600)
	c.Ensure("prod").Set("client-id", "x")
	if err := c.Save(); fault.KindOf(err) != Invalid {
		t.Fatalf("Save over a multi-document file: kind %q, want %q (err %v)", fault.KindOf(err), Invalid, err)
	}
	if b, _ := os.ReadFile(path); string(b) != multi {
		t.Fatalf("multi-document file was changed:\n%s", b)
	}

	// a single document that starts with --- (or ends with ...) is fine
	for _, one := range []string{"---\nprofiles:\n  prod:\n    issuer: https://kc/realms/a\n", "profiles:\n  prod:\n    issuer: https://kc/realms/a\n...\n"} {
		os.WriteFile(path, []byte(one), 0o600)
		c, err := Load(dir)
		if err != nil {
			t.Fatalf("%q: %v", one, err)
		}
		if _, err := c.Get("prod"); err != nil {
			t.Fatalf("%q: %v", one, err)
		}
	}
}

func TestUnknownProfileAndSetting(t *testing.T) {
	c, _ := Load(t.TempDir())
	c.Ensure("a")
	_, err := c.Get("nope")
	var up *UnknownProfileError
	if fault.KindOf(err) != NoSuchProfile || !errors.As(err, &up) || up.Name != "nope" || !slices.Equal(up.Known, []string{"a"}) {
		t.Fatalf("unknown profile: %v", err)
	}
	if err := c.Profiles["a"].Set("colour", "x"); fault.KindOf(err) != UnknownSetting {
		t.Fatalf("unknown key should be an unknown setting, got %v", err)
	}
	if err := c.Profiles["a"].Set("grant", "implicit"); fault.KindOf(err) != BadGrant {
		t.Fatalf("bad grant should be a usage error, got %v", err)
	}
}

func TestDir(t *testing.T) {
	env := map[string]string{"XDG_CONFIG_HOME": "/x"}
	get := func(k string) string { return env[k] }
	if d := Dir("", get); d != "/x/igctl" {
		t.Fatalf("xdg: %s", d)
	}
	env["IGCTL_CONFIG_DIR"] = "/y"
	if d := Dir("", get); d != "/y" {
		t.Fatalf("env: %s", d)
	}
	if d := Dir("/z", get); d != "/z" {
		t.Fatalf("flag: %s", d)
	}
}

// An issuer or gateway URL that is not an absolute http(s) URL is refused when
// it is set; a password in it is not repeated in the message.
func TestSetRefusesBadURLs(t *testing.T) {
	p := &Profile{}
	for _, tc := range []struct{ key, value, want string }{
		{"issuer", "not-a-url", "not an http:// or https:// URL"},
		{"gateway_url", "::bad", "not a URL: missing protocol scheme"},
		{"gateway-issuer", "https:///realms/r", "the URL has no host"},
		{"gateway_url", "ftp://user:hunter2@gw", "not an http:// or https:// URL"},
	} {
		err := p.Set(tc.key, tc.value)
		if fault.KindOf(err) != BadURL || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Set(%s, %s) = %v", tc.key, tc.value, err)
		}
	}
	if *p != (Profile{}) {
		t.Errorf("a refused value was kept: %+v", *p)
	}
	for _, ok := range []string{"http://127.0.0.1:18080/realms/r", "https://kc.example.com/realms/a%20b", ""} {
		if err := p.Set("issuer", ok); err != nil {
			t.Errorf("Set(issuer, %q) = %v", ok, err)
		}
	}
	if got := ShowURL("https://u:secret@x/" + "%zz"); strings.Contains(got, "secret") {
		t.Errorf("ShowURL kept the password of an unparsable URL: %q", got)
	}
}
