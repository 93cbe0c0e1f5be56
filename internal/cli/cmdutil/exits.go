package cmdutil

import (
	"context"
	"errors"
	"strings"

	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/proxy"
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
var configRows = map[fault.Kind]row{}

// Section: internal/keycloak.
var keycloakRows = map[fault.Kind]row{}

// Section: internal/envmap.
var envmapRows = map[fault.Kind]row{}

// Section: internal/gateway and internal/proxy.
var gatewayRows = map[fault.Kind]row{
	// internal/proxy
	// What the proxy tells the operator while it serves (igctl proxy
	// prints the hint under the warning).
	proxy.NoToken: {Code: exitcode.Auth},
	proxy.Unreachable: {Code: exitcode.Network, Hint: func(*fault.Error) string {
		return "check --gateway and that the gateway runs; --timeout bounds the connection and the wait for the response headers"
	}},
	proxy.Rejected: {Code: exitcode.Auth},
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

// Class is the command-level kind (one of cliRows) that exits as err
// does: for a command that reports a failure in its own words, or reacts
// to a class of failure (storage, network) whichever package understood it.
func Class(err error) fault.Kind {
	if err == nil {
		return ""
	}
	code := ExitCode(err)
	for k, r := range cliRows {
		if r.Code == code {
			return k
		}
	}
	return Bug
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
