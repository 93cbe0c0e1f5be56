package config

import (
	"fmt"

	"github.com/inference-gateway/igctl/internal/fault"
)

// The kinds of failure this package returns; internal/cli/cmdutil/exits.go
// gives each its exit code and hint.
const (
	// Unreadable: config.yaml (or its directory) could not be read,
	// resolved, locked or written; Facts.Path names the file.
	Unreadable fault.Kind = "config/unreadable"
	// Invalid: config.yaml is not YAML, or not the shape igctl reads.
	Invalid fault.Kind = "config/invalid"
	// UnknownKey: a key igctl neither owns nor may keep (*UnknownKeyError).
	UnknownKey fault.Kind = "config/unknown-key"
	// Locked: another process held the lock too long (*LockTimeoutError).
	Locked fault.Kind = "config/locked"
	// NoSuchProfile: a profile name the file does not have (*UnknownProfileError).
	NoSuchProfile fault.Kind = "config/unknown-profile"
	// UnknownSetting: a setting name that is not one of Keys.
	UnknownSetting fault.Kind = "config/unknown-setting"
	// BadGrant: a grant that is none of the four igctl knows.
	BadGrant fault.Kind = "config/bad-grant"
	// BadURL: an issuer or gateway URL that is not an absolute http(s) URL.
	BadURL fault.Kind = "config/bad-url"
)

// UnknownProfileError is a profile name config.yaml does not have.
type UnknownProfileError struct {
	Name  string
	Known []string // the profiles it has, sorted
}

func (e *UnknownProfileError) Error() string { return fmt.Sprintf("unknown profile %q", e.Name) }
