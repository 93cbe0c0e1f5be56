package token

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/inference-gateway/igctl/internal/fault"
)

// keyringStore is envelope encryption: the OS keyring holds only a random
// 256-bit key per profile (a few dozen bytes, far below the 2.5-3 KB limits
// of the Windows and macOS keyrings), and the bundle, however large the
// Keycloak tokens in it, is AES-256-GCM sealed in a 0600 file.
type keyringStore struct{ fileBase }

func (*keyringStore) Kind() string { return "keyring" }

// Probe reads the profile's key: an outage shows, a missing key does not.
func (s *keyringStore) Probe(profile string) error {
	if _, err := keyringGet(keyringUser(profile)); err != nil && !errors.Is(err, errKeyringNotFound) {
		return err
	}
	return nil
}

func keyringUser(profile string) string { return "profile:" + profile }

func (s *keyringStore) Load(profile string) (*Bundle, error) {
	b, err := s.load(profile)
	if errors.Is(err, ErrKeyringUnavailable) {
		return nil, keyringOutage(profile, err)
	}
	return b, err
}

// load is Load with a keyring outage returned as the keyring's own error
// (ErrKeyringUnavailable), for the auto store to remember.
func (s *keyringStore) load(profile string) (*Bundle, error) {
	sealed, err := s.read(profile, ".enc")
	if err != nil {
		return nil, err
	}
	keyB64, err := keyringGet(keyringUser(profile))
	if errors.Is(err, errKeyringNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	key, err := base64.StdEncoding.DecodeString(keyB64)
	if err != nil {
		return nil, damaged(profile, s.name(profile, ".enc"), errors.New("the keyring's entry for it is not a key"))
	}
	plain, err := open(key, sealed, profile)
	if err != nil {
		return nil, damaged(profile, s.name(profile, ".enc"), errors.New("it does not decrypt with the keyring's key (stale or tampered)"))
	}
	var b Bundle
	if err := json.Unmarshal(plain, &b); err != nil {
		return nil, damaged(profile, s.name(profile, ".enc"), fmt.Errorf("not a token bundle: %w", err))
	}
	return &b, nil
}

func (s *keyringStore) Save(profile string, b *Bundle) error {
	plain, err := json.Marshal(b)
	if err != nil {
		return err
	}
	var key []byte
	if keyB64, err := keyringGet(keyringUser(profile)); err == nil {
		key, _ = base64.StdEncoding.DecodeString(keyB64)
	} else if !errors.Is(err, errKeyringNotFound) {
		return fault.New(KeyringFailed, err, fault.Facts{Profile: profile})
	}
	if len(key) != 32 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		if err := keyringSet(keyringUser(profile), base64.StdEncoding.EncodeToString(key)); err != nil {
			return fault.New(KeyringFailed, err, fault.Facts{Profile: profile})
		}
	}
	sealed, err := seal(key, plain, profile)
	if err != nil {
		return err
	}
	return s.write(profile, ".enc", sealed)
}

func (s *keyringStore) Delete(profile string) error {
	// the sealed file first: without it the key opens nothing, so a keyring
	// that fails below cannot leave the credentials behind
	if err := s.remove(profile, ".enc"); err != nil {
		return err
	}
	if err := keyringDelete(keyringUser(profile)); err != nil && !errors.Is(err, errKeyringNotFound) {
		return &KeyLeftError{Profile: profile, Err: err}
	}
	return nil
}

// The profile name is the AEAD's additional data, so a sealed file copied
// onto another profile's name does not open.
func seal(key, plain []byte, profile string) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, plain, []byte(profile)), nil
}

func open(key, sealed []byte, profile string) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize() {
		return nil, errors.New("short ciphertext")
	}
	return gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], []byte(profile))
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
