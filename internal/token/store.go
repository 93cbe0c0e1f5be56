package token

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"github.com/inference-gateway/igctl/internal/atomicfile"
	"github.com/inference-gateway/igctl/internal/exitcode"
)

// Bundle is everything igctl keeps for one profile between runs. It holds
// secrets and is only ever written encrypted (keyring store) or to a 0600
// file (file store).
type Bundle struct {
	Issuer       string    `json:"issuer"`
	ClientID     string    `json:"client_id"`
	Grant        string    `json:"grant"`
	Username     string    `json:"username,omitempty"`
	Scope        string    `json:"scope,omitempty"`
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	IDToken      string    `json:"id_token,omitempty"`
	ClientSecret string    `json:"client_secret,omitempty"`
	Expiry       time.Time `json:"expiry"`
	// RefreshExpiry is zero when the issuer did not say (refresh_expires_in).
	RefreshExpiry time.Time `json:"refresh_expiry,omitzero"`
	ObtainedAt    time.Time `json:"obtained_at"`
	// Endpoints found by discovery at login, so refreshing and revoking never
	// need discovery again.
	TokenEndpoint      string `json:"token_endpoint"`
	RevocationEndpoint string `json:"revocation_endpoint,omitempty"`
}

// ErrNotFound means nothing is stored for the profile.
var ErrNotFound = errors.New("no stored token")

// Store keeps bundles by profile name.
type Store interface {
	Kind() string // "keyring", "file" or "none"
	Load(profile string) (*Bundle, error)
	Save(profile string, b *Bundle) error
	Delete(profile string) error
	// Lock takes the per-profile file lock that serialises read-refresh-write
	// across igctl processes, waiting until ctx is done. The returned
	// function releases it.
	Lock(ctx context.Context, profile string) (func(), error)
	// Writable checks, before a token is minted, that one can be stored.
	Writable() error
	// Probe checks that the store works now (a keyring round trip), for
	// doctor; nil for stores that need nothing beyond files.
	Probe(profile string) error
}

// StoreOptions selects and configures a store.
type StoreOptions struct {
	Kind          string // auto|keyring|file|none; "" means $IGCTL_TOKEN_STORE or auto
	Dir           string // directory for token files and locks (0700)
	Getenv        func(string) string
	Warn          func(key, msg string) // one warning per key per process
	RequireSecure bool                  // IGCTL_REQUIRE_SECURE_STORAGE=1
	// KeyringTimeout bounds each keyring call (default 3 s).
	KeyringTimeout time.Duration
}

// OpenStore returns the store to use. auto prefers the OS keyring and falls
// back to a 0600 file with one warning, or fails with exit 7 when secure
// storage is required.
func OpenStore(o StoreOptions) (Store, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	kind := o.Kind
	if kind == "" {
		kind = getenv("IGCTL_TOKEN_STORE")
	}
	if kind == "" {
		kind = "auto"
	}
	require := o.RequireSecure || getenv("IGCTL_REQUIRE_SECURE_STORAGE") == "1"
	if o.KeyringTimeout > 0 {
		keyringTimeout = o.KeyringTimeout
	}
	files := fileBase{dir: filepath.Join(o.Dir, "tokens")}
	switch kind {
	case "none":
		return noneStore{files}, nil
	case "file":
		if require {
			return nil, storageRequired("--token-store=file was chosen")
		}
		return &fileStore{files}, nil
	case "keyring", "auto":
		ok, why := keyringUsable(getenv)
		if !ok {
			if kind == "keyring" || require {
				return nil, storageRequired(why)
			}
			warnFallback(o.Warn, why, files.dir)
			return &fileStore{files}, nil
		}
		kr := &keyringStore{files}
		if kind == "keyring" {
			return kr, nil
		}
		// No probe here: a probe is a Secret Service round trip on every
		// start. The first real operation tells whether the keyring works.
		return &autoStore{kr: kr, file: &fileStore{files}, warn: o.Warn, require: require}, nil
	default:
		return nil, exitcode.New(exitcode.Usage, fmt.Sprintf("unknown token store %q (want auto, keyring, file or none)", kind))
	}
}

func warnFallback(warn func(key, msg string), why, dir string) {
	if warn != nil {
		warn("token-store-fallback", fmt.Sprintf("OS keyring not available (%s); storing tokens in 0600 files under %s", why, dir))
	}
}

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
func (s *autoStore) Probe(profile string) error { return s.kr.Probe(profile) }

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
	s.fromFile = err == nil
	return b, err
}

// keyringOutage is a sealed bundle whose key is out of reach.
func keyringOutage(profile string, err error) error {
	return exitcode.Wrap(exitcode.Storage, fmt.Errorf("the token of profile %q is sealed with a key kept in the OS keyring, which is locked or unreachable (%w)", profile, err),
		"unlock the keyring (log in to the desktop session, or start gnome-keyring with --unlock), then retry; or `igctl login` again to store a new token")
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
	if err := s.kr.Delete(profile); err != nil {
		return s.fallback(err)
	}
	return nil
}

func storageRequired(why string) error {
	return exitcode.Wrap(exitcode.Storage, fmt.Errorf("secure token storage is required but the OS keyring is unavailable: %s", why),
		"start a Secret Service (e.g. gnome-keyring) in a D-Bus session, or unset IGCTL_REQUIRE_SECURE_STORAGE to allow a 0600 file")
}

// fileBase names the per-profile files. Names are hashed so a profile name
// can never escape the directory.
type fileBase struct{ dir string }

func (f fileBase) name(profile, ext string) string {
	sum := sha256.Sum256([]byte(profile))
	return filepath.Join(f.dir, hex.EncodeToString(sum[:8])+ext)
}

func (f fileBase) mkdir() error { return os.MkdirAll(f.dir, 0o700) }

func (f fileBase) Lock(ctx context.Context, profile string) (func(), error) {
	if err := f.mkdir(); err != nil {
		return nil, damaged(profile, f.dir, err)
	}
	path := f.name(profile, ".lock")
	l := flock.New(path)
	ok, err := l.TryLockContext(ctx, 20*time.Millisecond)
	switch {
	case err == nil && ok:
		return func() { l.Unlock() }, nil
	case ctx.Err() != nil:
		return nil, exitcode.Wrap(exitcode.Network, fmt.Errorf("gave up waiting for another igctl process that holds %s (refreshing profile %q): %w", path, profile, ctx.Err()),
			"the other process is probably waiting on a slow identity provider; --timeout bounds the wait")
	}
	return nil, damaged(profile, path, fmt.Errorf("locking: %v", err))
}

func (fileBase) Probe(string) error { return nil }

func (f fileBase) Writable() error {
	err := f.mkdir()
	var tmp *os.File
	if err == nil {
		tmp, err = os.CreateTemp(f.dir, ".probe-*")
	}
	if err != nil {
		return exitcode.Wrap(exitcode.Config, fmt.Errorf("the token directory %s is not writable: %v", f.dir, err), "fix its owner or mode, or choose another --config-dir")
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

func (f fileBase) read(profile, ext string) ([]byte, error) {
	b, err := os.ReadFile(f.name(profile, ext))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, damaged(profile, f.name(profile, ext), err)
	}
	return b, nil
}

// damaged is a token file igctl cannot use: a configuration error naming
// the file, whose fix is a new login.
func damaged(profile, path string, err error) error {
	return exitcode.Wrap(exitcode.Config, fmt.Errorf("the token file of profile %q, %s, cannot be used: %v", profile, path, err),
		"`igctl login` replaces it (check the file's owner and mode if it cannot be read)")
}

func (f fileBase) write(profile, ext string, data []byte) error {
	if err := f.mkdir(); err != nil {
		return err
	}
	return atomicfile.Write(f.name(profile, ext), data, 0o600, false)
}

func (f fileBase) remove(profile, ext string) error {
	err := os.Remove(f.name(profile, ext))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// fileStore keeps the bundle as JSON in a 0600 file.
type fileStore struct{ fileBase }

func (*fileStore) Kind() string { return "file" }

func (s *fileStore) Load(profile string) (*Bundle, error) {
	data, err := s.read(profile, ".json")
	if err != nil {
		return nil, err
	}
	var b Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, damaged(profile, s.name(profile, ".json"), fmt.Errorf("not a token bundle: %w", err))
	}
	return &b, nil
}

func (s *fileStore) Save(profile string, b *Bundle) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return s.write(profile, ".json", data)
}

func (s *fileStore) Delete(profile string) error { return s.remove(profile, ".json") }

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
	sealed, err := s.read(profile, ".enc")
	if err != nil {
		return nil, err
	}
	keyB64, err := keyringGet(keyringUser(profile))
	if errors.Is(err, errKeyringNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, keyringOutage(profile, err)
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
		return exitcode.Wrap(exitcode.Storage, err, "")
	}
	if len(key) != 32 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		if err := keyringSet(keyringUser(profile), base64.StdEncoding.EncodeToString(key)); err != nil {
			return exitcode.Wrap(exitcode.Storage, err, "")
		}
	}
	sealed, err := seal(key, plain, profile)
	if err != nil {
		return err
	}
	return s.write(profile, ".enc", sealed)
}

func (s *keyringStore) Delete(profile string) error {
	if err := keyringDelete(keyringUser(profile)); err != nil && !errors.Is(err, errKeyringNotFound) {
		return exitcode.Wrap(exitcode.Storage, err, "")
	}
	return s.remove(profile, ".enc")
}

// noneStore keeps nothing: every `igctl token` needs IGCTL_TOKEN or a fresh login.
type noneStore struct{ fileBase }

func (noneStore) Kind() string                 { return "none" }
func (noneStore) Load(string) (*Bundle, error) { return nil, ErrNotFound }
func (noneStore) Save(string, *Bundle) error   { return nil }
func (noneStore) Delete(string) error          { return nil }
func (noneStore) Writable() error              { return nil }

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

// refreshFailure is the outcome of a refresh that failed, kept briefly
// beside the lock so that processes that waited for that refresh report it
// instead of each asking a failing identity provider again.
type refreshFailure struct {
	At      time.Time `json:"at"`
	Code    int       `json:"code"`
	Message string    `json:"message"`
	Hint    string    `json:"hint,omitempty"`
	// Token identifies the access token the refresh was meant to replace
	// (a hash, never the token).
	Token string `json:"token"`
}

func tokenID(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return hex.EncodeToString(sum[:8])
}

func (f fileBase) recordFailure(profile string, rf refreshFailure) {
	if data, err := json.Marshal(rf); err == nil {
		f.write(profile, ".fail", data)
	}
}

func (f fileBase) lastFailure(profile string) *refreshFailure {
	data, err := os.ReadFile(f.name(profile, ".fail"))
	if err != nil {
		return nil
	}
	var rf refreshFailure
	if json.Unmarshal(data, &rf) != nil {
		return nil
	}
	return &rf
}

func (f fileBase) clearFailure(profile string) { f.remove(profile, ".fail") }

// failureMemo is what every store has through fileBase.
type failureMemo interface {
	recordFailure(profile string, rf refreshFailure)
	lastFailure(profile string) *refreshFailure
	clearFailure(profile string)
}
