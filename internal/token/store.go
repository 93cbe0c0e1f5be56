package token

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/inference-gateway/igctl/internal/fault"
)

// The token stores: this file holds the bundle, the Store interface and
// OpenStore; store_auto.go the keyring with its file fallback,
// store_keyring.go the envelope-encrypted keyring store, store_files.go the
// file layout (names, locks, the 0600 file store's base, refresh-failure
// markers).

// Bundle is everything igctl keeps for one profile between runs. It holds
// secrets and is only ever written encrypted (keyring store) or to a 0600
// file (file store).
type Bundle struct {
	Issuer       string `json:"issuer"`
	ClientID     string `json:"client_id"`
	Grant        string `json:"grant"`
	Username     string `json:"username,omitempty"`
	Scope        string `json:"scope,omitempty"`
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	// ClientAssertion is the source of the client's assertions
	// (github-actions, file:PATH, env:VAR), never an assertion;
	// ClientAssertionAudience the aud asked of GitHub ("" the issuer).
	ClientAssertion         string    `json:"client_assertion,omitempty"`
	ClientAssertionAudience string    `json:"client_assertion_audience,omitempty"`
	Expiry                  time.Time `json:"expiry"`
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
			// the file store, but a token sealed in a session that had a
			// keyring is still recognised (exit 7, not "not logged in")
			return &autoStore{kr: &keyringStore{files}, file: &fileStore{files}, warn: o.Warn, warned: true,
				down: fmt.Errorf("%w: %s", ErrKeyringUnavailable, why), noBus: true}, nil
		}
		kr := &keyringStore{files}
		if kind == "keyring" {
			return kr, nil
		}
		// No probe here: a probe is a Secret Service round trip on every
		// start. The first real operation tells whether the keyring works.
		return &autoStore{kr: kr, file: &fileStore{files}, warn: o.Warn, require: require}, nil
	default:
		return nil, fault.Errorf(UnknownStore, "unknown token store %q (want auto, keyring, file or none)", kind)
	}
}

func warnFallback(warn func(key, msg string), why, dir string) {
	if warn != nil {
		warn("token-store-fallback", fmt.Sprintf("OS keyring not available (%s); storing tokens in 0600 files under %s", why, dir))
	}
}

func storageRequired(why string) error {
	return fault.Errorf(StorageRequired, "secure token storage is required but the OS keyring is unavailable: %s", why)
}

// noneStore keeps nothing: every `igctl token` needs IGCTL_TOKEN or a fresh login.
type noneStore struct{ fileBase }

func (noneStore) Kind() string                 { return "none" }
func (noneStore) Load(string) (*Bundle, error) { return nil, ErrNotFound }
func (noneStore) Save(string, *Bundle) error   { return nil }
func (noneStore) Delete(string) error          { return nil }
func (noneStore) Writable() error              { return nil }
