package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/gateway"
	"github.com/inference-gateway/igctl/internal/keycloak"
)

// This file is the one place where igctl decides exit codes: every failure
// reaches the user as a fault.Kind (with its Facts), and the table below
// turns it into an exit code of the README's table and, where the place
// that failed could not know the command line, a hint.

// row is what a kind means to the user.
type row struct {
	Code exitcode.Code
	// Hint, when set, says what to do; it may read the facts and the error.
	Hint func(e *fault.Error) string
}

// Kinds for failures understood in a command package. A command sets the
// hint itself when it has one (it knows the command line).
const (
	Usage      fault.Kind = "cli/usage"       // bad flag, argument or combination
	BadConfig  fault.Kind = "cli/config"      // unknown profile, unusable file or setting
	AuthFailed fault.Kind = "cli/auth"        // no usable token, or the gateway said 401
	Refused    fault.Kind = "cli/idp-refused" // the identity provider refused a grant
	Network    fault.Kind = "cli/network"     // a peer unreachable, failing, or too slow
	NoStorage  fault.Kind = "cli/storage"     // secure token storage unavailable
	Drift      fault.Kind = "cli/drift"       // --dry-run / --check found a change
	Bug        fault.Kind = "cli/unexpected"  // igctl cannot explain it
)

var cliRows = map[fault.Kind]row{
	Usage:      {Code: exitcode.Usage},
	BadConfig:  {Code: exitcode.Config},
	AuthFailed: {Code: exitcode.Auth},
	Refused:    {Code: exitcode.IdPRefused},
	Network:    {Code: exitcode.Network},
	NoStorage:  {Code: exitcode.Storage},
	Drift:      {Code: exitcode.Drift},
	Bug:        {Code: exitcode.Unexpected},
}

// Section: internal/token.
var tokenRows = map[fault.Kind]row{}

// Section: internal/config.
var configRows = map[fault.Kind]row{
	config.Unreadable: {Code: exitcode.Config},
	config.Invalid:    {Code: exitcode.Config, Hint: func(*fault.Error) string { return "fix or move the file; igctl will not overwrite it" }},
	config.UnknownKey: {Code: exitcode.Config, Hint: configUnknownKeyHint},
	config.Locked: {Code: exitcode.Config, Hint: func(*fault.Error) string {
		return "another igctl is writing the config; try again (a lock ends with the process that holds it)"
	}},
	config.NoSuchProfile:  {Code: exitcode.Config, Hint: configKnownProfilesHint},
	config.UnknownSetting: {Code: exitcode.Usage, Hint: func(*fault.Error) string { return "settings: " + strings.Join(config.Keys, ", ") }},
	config.BadGrant:       {Code: exitcode.Usage},
}

// configUnknownKeyHint says how to fix a key config.yaml may not hold: the
// rename when it is close to one of igctl's, otherwise the x- rule and the
// keys igctl has there.
func configUnknownKeyHint(e *fault.Error) string {
	var u *config.UnknownKeyError
	if !errors.As(e.Err, &u) {
		return ""
	}
	switch {
	case u.Key == "<<":
		return "YAML merge keys (<<) are not supported in config.yaml; write the settings out"
	case u.Suggest != "":
		return fmt.Sprintf("rename %s to %s in the file (keys igctl does not own must start with %s)", u.Key, u.Suggest, config.ForeignPrefix)
	}
	return "igctl keeps keys it does not own only when they start with " + config.ForeignPrefix +
		"; igctl's keys here: " + strings.Join(u.Known, ", ")
}

// configKnownProfilesHint lists the profiles there are, or says how to make one.
func configKnownProfilesHint(e *fault.Error) string {
	var u *config.UnknownProfileError
	if !errors.As(e.Err, &u) {
		return ""
	}
	if len(u.Known) == 0 {
		return "no profiles yet: run `igctl login` first"
	}
	return "known profiles: " + strings.Join(u.Known, ", ")
}

// Section: internal/keycloak.
var keycloakRows = map[fault.Kind]row{
	keycloak.LoginUnreachable: {Code: exitcode.Network, Hint: keycloakHint("is Keycloak running? try --wait 2m")},
	keycloak.LoginRefused: {Code: exitcode.Auth,
		Hint: keycloakHint("check the admin user and password (--admin-user, --admin-password-stdin or KEYCLOAK_ADMIN_PASSWORD)")},
	keycloak.Unreachable: {Code: exitcode.Network, Hint: keycloakHint("re-run when Keycloak is back: bootstrap converges")},
	keycloak.ServerFailed: {Code: exitcode.Network,
		Hint: keycloakHint("Keycloak failed on its side (its log says why): re-run when it is back; bootstrap converges")},
	keycloak.AdminRefused: {Code: exitcode.Auth, Hint: keycloakHint("the admin credentials were refused")},
	keycloak.Forbidden: {Code: exitcode.Auth,
		Hint: keycloakHint("the admin account lacks a role for this (it needs realm-admin in master, or the create-realm/manage-* roles)")},
	keycloak.BadSpec:           {Code: exitcode.Config},
	keycloak.SpecUndefinedVars: {Code: exitcode.Config, Hint: keycloakHint("export them, or remove the references")},
}

// keycloakHint is a row's hint that needs no facts.
func keycloakHint(h string) func(*fault.Error) string {
	return func(*fault.Error) string { return h }
}

// Section: internal/envmap.
var envmapRows = map[fault.Kind]row{
	envmap.BadProduct: {Code: exitcode.Usage},
	envmap.BadVersion: {Code: exitcode.Usage},
	envmap.DuplicateKeys: {Code: exitcode.Config, Hint: func(*fault.Error) string {
		return "choose with --on-conflict keep (first wins) or overwrite (last wins)"
	}},
	envmap.Unmapped:   {Code: exitcode.Drift},
	envmap.BadBoolean: {Code: exitcode.Config, Hint: func(*fault.Error) string { return "write true or false" }},
	envmap.NotUTF8: {Code: exitcode.Config, Hint: func(*fault.Error) string {
		return "fix the file's encoding (it may be Latin-1), or put binary data in a Secret's data field by hand"
	}},
	envmap.BadValue: {Code: exitcode.Config},
	envmap.FailClosedGuardrails: {Code: exitcode.Config, Hint: func(*fault.Error) string {
		return "deploy this file with --to k8s (a ConfigMap keeps closed), or set GUARDRAILS_FAIL_MODE=open to accept fail-open explicitly"
	}},
}

// Section: internal/gateway and internal/proxy.
var gatewayRows = map[fault.Kind]row{
	gateway.BadURL: {Code: exitcode.Usage},
	gateway.Unreachable: {Code: exitcode.Network, Hint: func(*fault.Error) string {
		return "check --gateway / IGCTL_GATEWAY_URL and that the gateway runs"
	}},
	gateway.ReadFailed: {Code: exitcode.Network},
	gateway.TooLarge:   {Code: exitcode.Unexpected},
}

// table is every section in one map; a kind declared twice is a bug caught
// by TestExitTableKindsUnique.
var table = func() map[fault.Kind]row {
	t := map[fault.Kind]row{}
	for _, sec := range []map[fault.Kind]row{cliRows, tokenRows, configRows, keycloakRows, envmapRows, gatewayRows} {
		for k, r := range sec {
			t[k] = r
		}
	}
	return t
}()

// Fail returns err as a failure of kind with a hint for the user. It is for
// command packages; a nil err stays nil.
func Fail(kind fault.Kind, err error, hint string) error {
	if err == nil {
		return nil
	}
	return &fault.Error{Kind: kind, Err: err, Hint: hint}
}

// Failf is Fail with a message and no hint.
func Failf(kind fault.Kind, msg string) error {
	return &fault.Error{Kind: kind, Err: errors.New(msg)}
}

// ExitCode is the process status for err.
func ExitCode(err error) exitcode.Code {
	code, _ := Classify(err)
	return code
}

// HintOf is the hint shown under err, or "".
func HintOf(err error) string {
	_, hint := Classify(err)
	return hint
}

// Classify turns err into an exit code and a hint: the outermost kind in
// err's chain decides the code; the hint is the first a command gave,
// otherwise the first the table has for a kind in the chain. An error
// without a kind is a network failure when it comes from the transport, a
// usage error when cobra refused the command line, otherwise unexpected.
func Classify(err error) (exitcode.Code, string) {
	if err == nil {
		return exitcode.OK, ""
	}
	code, found := exitcode.Unexpected, false
	if e := fault.Of(err); e != nil {
		if r, ok := table[e.Kind]; ok {
			code, found = r.Code, true
		}
	}
	var legacy *exitcode.Error
	if !found && errors.As(err, &legacy) {
		code, found = legacy.Code, true
	}
	if !found {
		switch {
		case fault.IsNetwork(err), errors.Is(err, context.DeadlineExceeded):
			code = exitcode.Network
		case isCobraUsage(err):
			code = exitcode.Usage
		}
	}
	return code, hintOf(err)
}

func hintOf(err error) string {
	var fallback string
	for cur := err; cur != nil; {
		e := fault.Of(cur)
		if e == nil {
			break
		}
		if e.Hint != "" {
			return e.Hint
		}
		if r, ok := table[e.Kind]; ok && r.Hint != nil && fallback == "" {
			fallback = r.Hint(e)
		}
		cur = e.Err
	}
	if fallback == "" {
		fallback = exitcode.HintOf(err)
	}
	return fallback
}

// cobra reports unknown commands and flags as plain errors; they are usage errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown shorthand flag") ||
		strings.HasPrefix(msg, "unknown flag") || strings.Contains(msg, "required flag(s)")
}
