// Package config owns config.yaml: the named profiles (issuer, client, grant,
// gateway) and which one is current. It holds no secrets; those live in the
// token store.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/inference-gateway/igctl/internal/atomicfile"
	"github.com/inference-gateway/igctl/internal/exitcode"
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
	// What the gateway itself expects of a token (its AUTH_OIDC_ISSUER and
	// AUTH_OIDC_CLIENT_ID), which may differ from the client igctl logs in
	// with. Empty when igctl was not told.
	GatewayIssuer   string `yaml:"gateway_issuer,omitempty"`
	GatewayClientID string `yaml:"gateway_client_id,omitempty"`
}

// Config is the whole file.
type Config struct {
	CurrentProfile string              `yaml:"current_profile,omitempty"`
	Profiles       map[string]*Profile `yaml:"profiles,omitempty"`

	path string
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
// cannot be read or parsed is a configuration error naming the file and line.
func Load(dir string) (*Config, error) {
	path := filepath.Join(dir, FileName)
	c := &Config{Profiles: map[string]*Profile{}, path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Config, fmt.Errorf("reading config %s: %w", path, err), "")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	if err := yaml.Unmarshal(data, c); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		return nil, exitcode.Wrap(exitcode.Config,
			fmt.Errorf("config %s is not valid YAML: %s", path, msg),
			"fix or move the file; igctl will not overwrite it")
	}
	if c.Profiles == nil {
		c.Profiles = map[string]*Profile{}
	}
	for name, p := range c.Profiles {
		if p == nil {
			c.Profiles[name] = &Profile{}
		}
	}
	return c, nil
}

// Path is the file this config was loaded from.
func (c *Config) Path() string { return c.path }

// Save writes the config atomically with mode 0600, creating the directory 0700.
func (c *Config) Save() error {
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return exitcode.Wrap(exitcode.Config, err, "")
	}
	data, err := yaml.Marshal(c)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(c.path, data, 0o600, false); err != nil {
		return exitcode.Wrap(exitcode.Config, fmt.Errorf("writing config %s: %w", c.path, err), "")
	}
	return nil
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
		return nil, exitcode.Wrap(exitcode.Config, fmt.Errorf("unknown profile %q", name),
			knownHint(c.Names()))
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

func knownHint(names []string) string {
	if len(names) == 0 {
		return "no profiles yet: run `igctl login` first"
	}
	return "known profiles: " + strings.Join(names, ", ")
}

// Keys are the settable profile fields, in display order.
var Keys = []string{"issuer", "client_id", "grant", "username", "scope", "gateway_url", "ca_file", "gateway_issuer", "gateway_client_id"}

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
	}
	return nil, false
}

// Set assigns one field by key (issuer, client_id or client-id, ...).
func (p *Profile) Set(key, value string) error {
	f, ok := p.field(key)
	if !ok {
		return exitcode.Wrap(exitcode.Usage, fmt.Errorf("unknown setting %q", key),
			"settings: "+strings.Join(Keys, ", "))
	}
	if strings.ReplaceAll(key, "-", "_") == "grant" && value != "" && value != "password" && value != "client-credentials" {
		return exitcode.New(exitcode.Usage, `grant must be "password" or "client-credentials"`)
	}
	*f = value
	return nil
}
