// Package exitcode owns igctl's exit-code table (README "Exit codes") and the
// typed error that carries a code from the place a failure is understood to
// the one place (cli.Main) that turns it into the process status.
package exitcode

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
)

// Code is a process exit status with a documented meaning.
type Code int

// The table in DESIGN.md and README.md. Scripts depend on these numbers.
const (
	OK         Code = 0 // success
	Unexpected Code = 1 // unexpected error
	Usage      Code = 2 // bad flag or argument
	Config     Code = 3 // unknown profile, unreadable config or .env
	Auth       Code = 4 // not logged in, refresh failed, 401 from the gateway
	IdPRefused Code = 5 // invalid_grant, unauthorized_client, invalid_client
	Network    Code = 6 // network or TLS failure
	Storage    Code = 7 // secure token storage required but unavailable
	Drift      Code = 8 // --dry-run or --check found something to change
)

// Error is an error with an exit code and an optional one-line hint telling
// the user what to do about it.
type Error struct {
	Code Code
	Err  error
	Hint string
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error with the given code and message.
func New(code Code, msg string) error {
	return &Error{Code: code, Err: errors.New(msg)}
}

// Wrap attaches a code (and optionally a hint) to err. A nil err stays nil.
func Wrap(code Code, err error, hint string) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err, Hint: hint}
}

// Of returns the exit code for err: the code of the outermost *Error in its
// chain, otherwise Network for transport and TLS failures, otherwise Unexpected.
func Of(err error) Code {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if IsNetwork(err) {
		return Network
	}
	return Unexpected
}

// HintOf returns the first hint found in err's chain, or "".
func HintOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Hint != "" {
			return e.Hint
		}
		err = e.Err
	}
	return ""
}

// IsNetwork reports whether err comes from the network or TLS layer
// (connection refused, DNS, timeouts, untrusted certificates).
func IsNetwork(err error) bool {
	var (
		opErr    *net.OpError
		dnsErr   *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		certErr  x509.CertificateInvalidError
		verifErr *tls.CertificateVerificationError
		recErr   tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &opErr), errors.As(err, &dnsErr), errors.As(err, &unknown),
		errors.As(err, &hostErr), errors.As(err, &certErr), errors.As(err, &verifErr),
		errors.As(err, &recErr):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}
