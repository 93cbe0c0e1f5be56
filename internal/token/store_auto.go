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
// session without a keyring) are still found, except when secure storage is
// required: then such a token is refused (exit 7), as a login would be.
type autoStore struct {
	kr      *keyringStore
	file    *fileStore
	warn    func(key, msg string)
	require bool
	// down says why the keyring is out of reach in this run: no D-Bus
	// session bus (set when the store opens), or the first keyring call
	// that failed. Once set, the keyring is not asked again: a hung one
	// costs its timeout once per run, not once per question.
	down error
	// noBus: down was known when the store opened (no D-Bus session bus).
	noBus bool
	// warned: the fallback warning was given.
	warned bool
	// at is the store the last Load found a bundle in, or the last Save
	// put one in ("keyring" for a sealed bundle whose keyring is out of
	// reach); "" before either.
	at string
}

// Kind is where the last Load found a bundle (a sealed one whose keyring
// is locked counts as the keyring's), else where tokens go now.
func (s *autoStore) Kind() string {
	if s.at != "" {
		return s.at
	}
	if s.down != nil {
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

// Probe asks the keyring, unless it already failed in this run (then that
// failure is the answer, without a second wait). A failure is reported,
// not fallen back from. Without a D-Bus session bus there is no keyring to
// ask: the file store is what the session has, unless the profile's token
// is sealed with a key the keyring holds. Kind then says where the
// profile's token is, when it has one.
func (s *autoStore) Probe(profile string) error {
	switch {
	case s.sealed(profile):
		s.at = s.kr.Kind()
	case fileExists(s.file.name(profile, ".json")):
		s.at = s.file.Kind()
	}
	if s.down != nil {
		if s.noBus && !s.sealed(profile) {
			return nil
		}
		return s.down
	}
	err := s.kr.Probe(profile)
	if errors.Is(err, ErrKeyringUnavailable) {
		s.down = err
	}
	return err
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// sealed reports whether the profile has a bundle sealed with a key kept
// in the keyring.
func (s *autoStore) sealed(profile string) bool { return fileExists(s.kr.name(profile, ".enc")) }

// fallback decides what a keyring failure while saving means: the file
// store (with one warning), or exit 7.
func (s *autoStore) fallback(err error) error {
	if !errors.Is(err, ErrKeyringUnavailable) {
		return err
	}
	if s.require {
		return storageRequired(err.Error())
	}
	s.down = err
	if !s.warned {
		s.warned = true
		warnFallback(s.warn, err.Error(), s.file.dir)
	}
	return nil
}

// Load reads the sealed bundle, else the 0600 file. A keyring that fails
// while reading stores nothing, so it brings no "storing tokens in 0600
// files" warning: the sealed bundle it cannot open is reported as what it
// is, a token kept by a keyring that is locked or unreachable.
func (s *autoStore) Load(profile string) (*Bundle, error) {
	s.at = ""
	if s.down == nil {
		b, err := s.kr.load(profile)
		switch {
		case errors.Is(err, ErrNotFound):
			// not in the keyring store: perhaps saved to a file without a keyring
		case errors.Is(err, ErrKeyringUnavailable):
			// a sealed bundle whose key is out of reach: reported below
			// (exit 7 whether or not secure storage is required)
			s.down = err
		case err == nil:
			s.at = s.kr.Kind()
			return b, nil
		default:
			return nil, err
		}
	}
	b, err := s.file.Load(profile)
	if errors.Is(err, ErrNotFound) && s.down != nil && s.sealed(profile) {
		// The token is there, sealed with a key the keyring holds: say so,
		// rather than "not logged in".
		s.at = s.kr.Kind()
		return nil, keyringOutage(profile, s.down)
	}
	if err != nil {
		return nil, err
	}
	s.at = s.file.Kind()
	if s.require {
		return nil, fault.New(InsecureFile, fmt.Errorf("the token of profile %q is kept in a 0600 file (%s), not by the OS keyring, and IGCTL_REQUIRE_SECURE_STORAGE=1 refuses it",
			profile, s.file.name(profile, ".json")), fault.Facts{Profile: profile, Path: s.file.name(profile, ".json")})
	}
	return b, nil
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
	if s.down == nil {
		err := s.kr.Save(profile, b)
		if err == nil {
			s.at = s.kr.Kind()
			// no plaintext copy may linger from a session without a keyring
			return s.file.Delete(profile)
		}
		if err := s.fallback(err); err != nil {
			return err
		}
	} else if err := s.fallback(s.down); err != nil {
		return err
	}
	if err := s.file.Save(profile, b); err != nil {
		return err
	}
	s.at = s.file.Kind()
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
	if s.noBus {
		return nil // no keyring to ask (and no D-Bus to start one)
	}
	var err error
	if s.down != nil {
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
