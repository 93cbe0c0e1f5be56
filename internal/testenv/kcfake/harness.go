package kcfake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/token"
)

// Harness is a cmdutil.Factory built for a test, as cli/cli's tests build
// theirs: test streams, an environment from a map (config in a temporary
// directory, the 0600 file token store, never the OS keyring), and a clock
// that a test may move.
type Harness struct {
	F           *cmdutil.Factory
	Out, ErrOut *bytes.Buffer
	In          *bytes.Buffer
	Env         map[string]string
	Dir         string
	// Clock is what F.Now returns; zero means the real time.
	Clock time.Time
}

// NewHarness returns a harness with IGCTL_CONFIG_DIR=t.TempDir() and
// IGCTL_TOKEN_STORE=file.
func NewHarness(t testing.TB) *Harness {
	t.Helper()
	io, in, out, errOut := iostreams.Test()
	h := &Harness{Out: out, ErrOut: errOut, In: in, Dir: t.TempDir()}
	h.Env = map[string]string{"IGCTL_CONFIG_DIR": h.Dir, "IGCTL_TOKEN_STORE": "file"}
	h.F = cmdutil.New(io)
	h.F.Getenv = func(k string) string { return h.Env[k] }
	h.F.Now = func() time.Time {
		if h.Clock.IsZero() {
			return time.Now()
		}
		return h.Clock
	}
	h.F.Globals.Timeout = 10 * time.Second
	return h
}

// Fresh returns a new harness on the same directory and environment (a
// second igctl process): its Factory loads config.yaml anew.
func (h *Harness) Fresh(t testing.TB) *Harness {
	t.Helper()
	n := NewHarness(t)
	n.Dir, n.Env, n.Clock = h.Dir, h.Env, h.Clock
	return n
}

// Later moves the clock d past the real time.
func (h *Harness) Later(d time.Duration) { h.Clock = time.Now().Add(d) }

// Profile is the config.yaml profile a test logs in with.
func Profile(kc *Keycloak, grant string) config.Profile {
	p := config.Profile{Issuer: kc.Issuer, ClientID: kc.ClientID, Grant: grant}
	if grant == token.GrantPassword {
		p.Username = kc.Username
	}
	return p
}

// LoggedIn saves prof as profile name (made current) and stores a token
// obtained from kc with the profile's grant, as `igctl login` leaves them.
// It returns the stored bundle.
func (h *Harness) LoggedIn(t testing.TB, kc *Keycloak, name string, prof config.Profile) *token.Bundle {
	t.Helper()
	f := h.Fresh(t).F // its own Factory: the harness's loads config.yaml when the test runs
	cfg, err := f.Config()
	if err != nil {
		t.Fatal(err)
	}
	*cfg.Ensure(name) = prof
	if cfg.CurrentProfile == "" {
		cfg.CurrentProfile = name
	}
	if err := cfg.Save(); err != nil {
		t.Fatal(err)
	}
	b, err := token.Login(context.Background(), http.DefaultClient, token.LoginRequest{
		Issuer: prof.Issuer, ClientID: prof.ClientID, ClientSecret: kc.ClientSecret, Grant: prof.Grant,
		Username: prof.Username, Password: kc.Password, Scope: prof.Scope,
	})
	if err != nil {
		t.Fatal(err)
	}
	store, err := f.TokenStore()
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Save(name, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TokenFile is the file store's file for profile (names are hashed).
func (h *Harness) TokenFile(profile string) string {
	sum := sha256.Sum256([]byte(profile))
	return filepath.Join(h.Dir, "tokens", hex.EncodeToString(sum[:8])+".json")
}

// Damage overwrites profile's token file with data.
func (h *Harness) Damage(t testing.TB, profile string, data string) string {
	t.Helper()
	p := h.TokenFile(profile)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Stored loads profile's bundle from the file store (nil when none).
func (h *Harness) Stored(t testing.TB, profile string) *token.Bundle {
	t.Helper()
	store, err := h.Fresh(t).F.TokenStore()
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.Load(profile)
	if err != nil {
		return nil
	}
	return b
}

// ClosedURL returns the URL of a server that no longer listens: a gateway
// or issuer that is down.
func ClosedURL() string {
	s := httptest.NewServer(http.NotFoundHandler())
	u := s.URL
	s.Close()
	return u
}

// Edit changes profile's stored bundle in place (e.g. to make its access
// token expire without moving the clock, which the refresh would not see:
// expiry is counted from receipt on the real clock).
func (h *Harness) Edit(t testing.TB, profile string, edit func(b *token.Bundle)) {
	t.Helper()
	store, err := h.Fresh(t).F.TokenStore()
	if err != nil {
		t.Fatal(err)
	}
	b, err := store.Load(profile)
	if err != nil {
		t.Fatal(err)
	}
	edit(b)
	if err := store.Save(profile, b); err != nil {
		t.Fatal(err)
	}
}
