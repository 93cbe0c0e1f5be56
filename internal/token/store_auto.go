package token

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/inference-gateway/igctl/internal/fault"
)

// autoStore uses the keyring store and falls back to the file store the
// first time the keyring fails (one warning), or fails with exit 7 when
// secure storage is required. Tokens stored in files earlier (e.g. from a
// session without a keyring) are still found.
type autoStore struct {
	kr      *keyringStore
	file    *fileStore
	warn    func(key, msg string)
	require bool
	fell    bool
	// noKeyring says why there is no keyring at all in this session (no
	// D-Bus session bus); nil when there may be one.
	noKeyring error
	// fromFile: the last Load found the bundle in the file store.
	fromFile bool
}

// Kind is where tokens go, or where the last Load found one.
func (s *autoStore) Kind() string {
	if s.fell || s.fromFile {
		return s.file.Kind()
	}
	return s.kr.Kind()
}

func (s *autoStore) Lock(ctx context.Context, profile string) (func(), error) {
	return s.kr.Lock(ctx, profile)
}

func (s *autoStore) Writable() error { return s.file.Writable() }

func (s *autoStore) recordFailure(profile string, rf refreshFailure) {
	s.file.recordFailure(profile, rf)
}
func (s *autoStore) lastFailure(profile string) *refreshFailure { return s.file.lastFailure(profile) }
func (s *autoStore) clearFailure(profile string)                { s.file.clearFailure(profile) }

// Probe asks the keyring; a failure is reported, not fallen back from.
func (s *autoStore) Probe(profile string) error {
	if s.noKeyring != nil {
		return nil // a session without a keyring: the file store is what it has
	}
	return s.kr.Probe(profile)
}

// fallback decides what a keyring failure means: the file store, or exit 7.
func (s *autoStore) fallback(err error) error {
	if !errors.Is(err, ErrKeyringUnavailable) {
		return err
	}
	if s.require {
		return storageRequired(err.Error())
	}
	if !s.fell {
		s.fell = true
		warnFallback(s.warn, err.Error(), s.file.dir)
	}
	return nil
}

func (s *autoStore) Load(profile string) (*Bundle, error) {
	s.fromFile = false
	var outage error
	if !s.fell {
		b, err := s.kr.Load(profile)
		switch {
		case errors.Is(err, ErrNotFound):
			// not in the keyring store: perhaps saved to a file without a keyring
		case errors.Is(err, ErrKeyringUnavailable):
			outage = err
			if err := s.fallback(err); err != nil {
				return nil, err
			}
		default:
			return b, err
		}
	}
	b, err := s.file.Load(profile)
	if errors.Is(err, ErrNotFound) && outage != nil {
		// The token is there, sealed with a key the keyring holds: say so,
		// rather than "not logged in".
		return nil, outage
	}
	if errors.Is(err, ErrNotFound) && s.noKeyring != nil {
		if _, serr := os.Stat(s.kr.name(profile, ".enc")); serr == nil {
			return nil, keyringOutage(profile, s.noKeyring)
		}
	}
	s.fromFile = err == nil
	return b, err
}

// keyringOutage is a sealed bundle whose key is out of reach.
func keyringOutage(profile string, err error) error {
	return fault.New(KeyringLocked, fmt.Errorf("the token of profile %q is sealed with a key kept in the OS keyring, which is locked or unreachable (%w)", profile, err),
		fault.Facts{Profile: profile})
}

// Save keeps one authoritative copy per profile: a bundle saved to the
// keyring store removes the file store's copy, and one that falls back to
// the file store removes the sealed copy (whose key may sit in a keyring
// that is only unreachable for now), so a returning keyring can never
// serve an older identity.
func (s *autoStore) Save(profile string, b *Bundle) error {
	if !s.fell {
		err := s.kr.Save(profile, b)
		if err == nil {
			s.fromFile = false
			// no plaintext copy may linger from a session without a keyring
			return s.file.Delete(profile)
		}
		if err := s.fallback(err); err != nil {
			return err
		}
	}
	if err := s.file.Save(profile, b); err != nil {
		return err
	}
	return s.kr.remove(profile, ".enc")
}

func (s *autoStore) Delete(profile string) error {
	if err := s.file.Delete(profile); err != nil {
		return err
	}
	// The sealed file holds the credentials; the keyring only the key that
	// opens it. Deleting the file is what removes them, whether or not the
	// keyring answers: a key left in a locked or hung keyring opens nothing
	// once the file is gone, so the old identity cannot come back with it.
	if err := s.kr.remove(profile, ".enc"); err != nil {
		return err
	}
	if s.noKeyring != nil {
		return nil // no keyring to ask (and no D-Bus to start one)
	}
	var err error
	if s.fell {
		// the keyring failed earlier in this run: no second wait on it
		err = ErrKeyringUnavailable
	} else if err = keyringDelete(keyringUser(profile)); errors.Is(err, errKeyringNotFound) {
		err = nil
	}
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, ErrKeyringUnavailable):
		return fault.New(KeyringFailed, err, fault.Facts{Profile: profile})
	}
	return &KeyLeftError{Profile: profile, Err: err}
}

// KeyLeftError is Delete's answer when the credentials are gone (the sealed
// file is deleted) but the keyring did not answer, so the key that opened
// the file stays in it. The caller says so; the deletion itself succeeded.
type KeyLeftError struct {
	Profile string
	Err     error
}

func (e *KeyLeftError) Error() string {
	return fmt.Sprintf("the sealed token file of profile %s is deleted; the OS keyring did not answer (%v), so the key that opened the file stays there, where it opens nothing", e.Profile, e.Err)
}

func (e *KeyLeftError) Unwrap() error { return e.Err }
