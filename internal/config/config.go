// Package config owns config.yaml: the named profiles (issuer, client, grant,
// gateway) and which one is current. It holds no secrets; those live in the
// token store.
//
// config.yaml is kept like a small database, not a file that is overwritten:
//
//   - Save is a read-modify-write under an exclusive lock (config.yaml.lock,
//     waited for at most LockTimeout) that re-reads the file and applies only
//     what this process changed since Load, field by field, so concurrent
//     igctl processes do not lose each other's updates.
//   - Save edits the YAML node tree: comments, key order and keys igctl does
//     not own survive a write (blank lines do not: yaml.v3 drops them).
//   - A symlinked config.yaml is written through to its target.
//   - Keys: igctl owns current_profile and profiles at the top level and the
//     settings in Keys inside a profile. A key of anyone else must start with
//     "x-" (at the top level or inside a profile) and is kept as it is. Any
//     other key is taken for a misspelling of one of igctl's (current-profile,
//     issuerr) and is a configuration error naming the file, the line, the
//     key and the closest known key; it is never deleted silently.
package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/inference-gateway/igctl/internal/atomicfile"
	"github.com/inference-gateway/igctl/internal/fault"
)

// FileName is the config file inside the config directory.
const FileName = "config.yaml"

// DefaultProfile is used when nothing names a profile.
const DefaultProfile = "default"

// Profile is one gateway/issuer/client combination.
type Profile struct {
	Issuer     string `yaml:"issuer,omitempty"`
	ClientID   string `yaml:"client_id,omitempty"`
	Grant      string `yaml:"grant,omitempty"`
	Username   string `yaml:"username,omitempty"`
	Scope      string `yaml:"scope,omitempty"`
	GatewayURL string `yaml:"gateway_url,omitempty"`
	CAFile     string `yaml:"ca_file,omitempty"`
	// ClientAssertion is where the client-credentials grant gets the CI
	// platform's token that stands in for a client secret (github-actions,
	// file:PATH, env:VAR): a source, never a token. ClientAssertionAudience
	// is the aud asked of GitHub when it is not the issuer.
	ClientAssertion         string `yaml:"client_assertion,omitempty"`
	ClientAssertionAudience string `yaml:"client_assertion_audience,omitempty"`
	// What the gateway itself expects of a token (its AUTH_OIDC_ISSUER and
	// AUTH_OIDC_CLIENT_ID), which may differ from the client igctl logs in
	// with. Empty when igctl was not told.
	GatewayIssuer   string `yaml:"gateway_issuer,omitempty"`
	GatewayClientID string `yaml:"gateway_client_id,omitempty"`
	// FromEnv is the absolute path of the .env the last login read its
	// issuer, client id and client secret from (login --from-env), so a
	// printed fix can name the same source; "" when it used flags.
	FromEnv string `yaml:"from_env,omitempty"`
	// LoggedOut is when `igctl logout` removed the profile's credentials
	// (RFC 3339), "" once it logs in again: a profile logged out on purpose
	// is not an unusable one. igctl keeps it; `config set` does not set it.
	LoggedOut string `yaml:"logged_out,omitempty"`
}

// Config is the whole file.
type Config struct {
	CurrentProfile string              `yaml:"current_profile,omitempty"`
	Profiles       map[string]*Profile `yaml:"profiles,omitempty"`

	path string
	// What Load (or the last Save) found in the file: Save writes only
	// the differences between these and the fields above.
	snapCurrent  string
	snapProfiles map[string]Profile
}

// Dir returns the config directory: override, else $IGCTL_CONFIG_DIR, else
// $XDG_CONFIG_HOME/igctl, else ~/.config/igctl.
func Dir(override string, getenv func(string) string) string {
	if override != "" {
		return override
	}
	if d := getenv("IGCTL_CONFIG_DIR"); d != "" {
		return d
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "igctl")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".config", "igctl")
	}
	return ".igctl"
}

// Load reads dir/config.yaml. A missing file is an empty config; a file that
// cannot be read or parsed, or that holds a key igctl owns but does not know
// (a misspelling such as issuerr), is a configuration error naming the file
// and line. Load takes no lock: writes replace the file atomically, so a
// reader always sees one whole version. It remembers what it read, so that
// Save can apply only this process's changes.
func Load(dir string) (*Config, error) {
	path := filepath.Join(dir, FileName)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fault.New(Unreadable, fmt.Errorf("reading config %s: %w", path, err), fault.Facts{Path: path})
	}
	doc, err := parse(path, data)
	if err != nil {
		return nil, err
	}
	c := &Config{Profiles: map[string]*Profile{}, path: path}
	c.adopt(doc)
	return c, nil
}

// Path is the file this config was loaded from.
func (c *Config) Path() string { return c.path }

// Save applies what this process changed since Load (or since its last Save)
// to config.yaml: current_profile, and profiles added, removed or changed,
// field by field. It holds an exclusive lock on config.yaml.lock (beside
// the file a symlinked config.yaml points to) while it re-reads the file,
// edits its YAML node tree (comments, order and x- keys survive) and
// replaces it atomically with mode 0600, so concurrent igctl processes
// writing different profiles or fields never lose each other's updates; for
// the same field the last writer wins. Afterwards c holds the merged file.
// A file that has become unparsable is left untouched.
//
// A Config is not safe for concurrent use by several goroutines; give each
// its own Load.
func (c *Config) Save() error { return c.SaveContext(context.Background()) }

// SaveContext is Save whose wait for the lock also ends with ctx (a
// signal, the command's deadline); the file is then left as it was.
func (c *Config) SaveContext(ctx context.Context) error {
	target, err := resolveLinks(c.path)
	if err != nil {
		return fault.New(Unreadable, fmt.Errorf("resolving config %s: %w", c.path, err), fault.Facts{Path: c.path})
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return fault.New(Unreadable, err, fault.Facts{Path: target})
	}
	unlock, err := lockFile(ctx, target+".lock")
	if err != nil {
		return err
	}
	defer unlock()
	data, err := os.ReadFile(target)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fault.New(Unreadable, fmt.Errorf("reading config %s: %w", c.path, err), fault.Facts{Path: c.path})
	}
	doc, err := parse(c.path, data)
	if err != nil {
		return err
	}
	if c.applyTo(doc) {
		out, err := doc.encode()
		if err != nil {
			return err
		}
		// Never write what the next command cannot read (an edit that
		// left an alias without its anchor, say): the file stays as it was.
		if _, err := parse(c.path, out); err != nil {
			return fault.New(Invalid, fmt.Errorf("config %s: igctl's edit would leave it unreadable (%v); nothing was written", c.path, err), fault.Facts{Path: c.path})
		}
		if err := atomicfile.Write(target, out, 0o600, false); err != nil {
			return fault.New(Unreadable, fmt.Errorf("writing config %s: %w", c.path, err), fault.Facts{Path: c.path})
		}
	}
	c.adopt(doc)
	return nil
}

// applyTo makes this process's changes (c against its snapshot) in doc and
// reports whether the file changed.
func (c *Config) applyTo(doc *document) bool {
	changed := false
	if c.CurrentProfile != c.snapCurrent {
		changed = doc.setCurrent(c.CurrentProfile) || changed
	}
	for name := range c.snapProfiles {
		if _, ok := c.Profiles[name]; !ok {
			changed = doc.deleteProfile(name) || changed
		}
	}
	for _, name := range c.Names() {
		p := c.Profiles[name]
		if p == nil {
			p = &Profile{}
		}
		old, had := c.snapProfiles[name]
		if !had {
			changed = doc.ensureProfile(name) || changed
		}
		for _, key := range append(Keys[:len(Keys):len(Keys)], stateKeys...) {
			v, _ := p.field(key)
			was, _ := old.field(key)
			if *v != *was {
				changed = doc.setField(name, key, *v) || changed
			}
		}
	}
	return changed
}

// adopt makes c the config in doc, keeping the *Profile pointers callers may
// hold, and records it as the snapshot the next Save diffs against.
func (c *Config) adopt(doc *document) {
	for name, p := range doc.profiles {
		if mine := c.Profiles[name]; mine != nil {
			*mine = *p
		} else {
			cp := *p
			c.Profiles[name] = &cp
		}
	}
	for name := range c.Profiles {
		if _, ok := doc.profiles[name]; !ok {
			delete(c.Profiles, name)
		}
	}
	c.CurrentProfile = doc.current
	c.snapCurrent = doc.current
	c.snapProfiles = make(map[string]Profile, len(doc.profiles))
	for name, p := range doc.profiles {
		c.snapProfiles[name] = *p
	}
}

// Names lists the profile names, sorted.
func (c *Config) Names() []string {
	names := make([]string, 0, len(c.Profiles))
	for n := range c.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Resolve picks the active profile name: explicit (flag or IGCTL_PROFILE),
// else current_profile, else "default".
func (c *Config) Resolve(explicit string) string {
	if explicit != "" {
		return explicit
	}
	if c.CurrentProfile != "" {
		return c.CurrentProfile
	}
	return DefaultProfile
}

// Get returns the named profile or a configuration error.
func (c *Config) Get(name string) (*Profile, error) {
	p, ok := c.Profiles[name]
	if !ok {
		return nil, fault.New(NoSuchProfile, &UnknownProfileError{Name: name, Known: c.Names()},
			fault.Facts{Profile: name, Path: c.path})
	}
	return p, nil
}

// Ensure returns the named profile, creating an empty one if needed.
func (c *Config) Ensure(name string) *Profile {
	p, ok := c.Profiles[name]
	if !ok {
		p = &Profile{}
		c.Profiles[name] = p
	}
	return p
}

// Keys are the settable profile fields, in display order.
var Keys = []string{"issuer", "client_id", "grant", "username", "scope", "gateway_url", "ca_file", "gateway_issuer", "gateway_client_id"}

// stateKeys are profile fields igctl records itself: kept in config.yaml,
// never set by `config set`.
// The client assertion's source is recorded by `igctl login
// --client-assertion`, which checks it.
var stateKeys = []string{"logged_out", "client_assertion", "client_assertion_audience"}

// field points at the setting named key, the spelling of config.yaml
// (client_id) or of the command line (client-id).
func (p *Profile) field(key string) (*string, bool) {
	switch strings.ReplaceAll(key, "-", "_") {
	case "issuer":
		return &p.Issuer, true
	case "client_id":
		return &p.ClientID, true
	case "grant":
		return &p.Grant, true
	case "username":
		return &p.Username, true
	case "scope":
		return &p.Scope, true
	case "gateway_url":
		return &p.GatewayURL, true
	case "ca_file":
		return &p.CAFile, true
	case "gateway_issuer":
		return &p.GatewayIssuer, true
	case "gateway_client_id":
		return &p.GatewayClientID, true
	case "logged_out":
		return &p.LoggedOut, true
	case "client_assertion":
		return &p.ClientAssertion, true
	case "client_assertion_audience":
		return &p.ClientAssertionAudience, true
	}
	return nil, false
}

// Set assigns one field by key (issuer, client_id or client-id, ...).
func (p *Profile) Set(key, value string) error {
	f, ok := p.field(key)
	if !ok || slices.Contains(stateKeys, strings.ReplaceAll(key, "-", "_")) {
		return fault.Errorf(UnknownSetting, "unknown setting %q", key)
	}
	switch k := strings.ReplaceAll(key, "-", "_"); {
	case k == "grant" && value != "" && value != "password" && value != "client-credentials" && value != "authcode" && value != "device":
		return fault.Errorf(BadGrant, `grant must be "authcode", "device", "password" or "client-credentials"`)
	case (k == "issuer" || k == "gateway_url" || k == "gateway_issuer") && value != "":
		if err := CheckURL(value); err != nil {
			return fault.Errorf(BadURL, "%s %q: %v", k, ShowURL(value), err)
		}
	}
	*f = value
	return nil
}
