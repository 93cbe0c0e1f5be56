package token

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name igctl's entries carry in the OS keyring.
const KeyringService = "igctl"

// keyringTimeout bounds every keyring call: a locked or hung Secret Service
// must not hang a CI job. On a terminal OpenStore allows longer, for an
// unlock prompt.
var keyringTimeout = 3 * time.Second

var (
	errKeyringNotFound = errors.New("not found in keyring")
	// ErrKeyringUnavailable says the OS keyring cannot be used here.
	ErrKeyringUnavailable = errors.New("OS keyring unavailable")
	// ErrKeyringTimeout says the OS keyring did not answer in time (it
	// hangs, or waits on an unlock prompt); it comes with
	// ErrKeyringUnavailable.
	ErrKeyringTimeout = errors.New("timed out")
)

// keyringUsable reports whether trying the keyring makes sense at all. On
// Linux without a D-Bus session bus, godbus would try to auto-launch a bus
// daemon that outlives igctl, so igctl does not even try.
func keyringUsable(getenv func(string) string) (bool, string) {
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" || runtime.GOOS == "openbsd" {
		if getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
			return false, "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset)"
		}
	}
	return true, ""
}

func withTimeout[T any](op string, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		if errors.Is(r.err, keyring.ErrNotFound) {
			return r.v, errKeyringNotFound
		}
		if r.err != nil {
			return r.v, fmt.Errorf("%w: keyring %s: %v", ErrKeyringUnavailable, op, r.err)
		}
		return r.v, nil
	case <-time.After(keyringTimeout):
		var zero T
		return zero, fmt.Errorf("%w: keyring %s %w after %s", ErrKeyringUnavailable, op, ErrKeyringTimeout, keyringTimeout)
	}
}

func keyringGet(user string) (string, error) {
	return withTimeout("read", func() (string, error) {
		if v, ok := keyringReadFast(KeyringService, user); ok {
			return v, nil
		}
		return keyring.Get(KeyringService, user)
	})
}

func keyringSet(user, secret string) error {
	_, err := withTimeout("write", func() (struct{}, error) {
		return struct{}{}, keyring.Set(KeyringService, user, secret)
	})
	return err
}

func keyringDelete(user string) error {
	_, err := withTimeout("delete", func() (struct{}, error) {
		return struct{}{}, keyring.Delete(KeyringService, user)
	})
	return err
}
