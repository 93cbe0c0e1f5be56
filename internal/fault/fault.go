// Package fault is how igctl's packages say what went wrong: a Kind (what
// sort of failure) and the Facts (which profile, issuer, file, URL, OAuth
// error), never an exit code. Domain packages (token, config, keycloak,
// envmap, gateway, proxy) never name an igctl command or flag in what they
// return either; internal/cli/cmdutil/exits.go is the one table that turns a
// Kind and its Facts into an exit code and a hint.
package fault

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"
)

// Kind names a sort of failure. Each package declares the kinds it returns
// as constants "package/what", so a kind says where it was understood.
type Kind string

// Facts are what a hint may need to say what to do. Every field is optional.
type Facts struct {
	Profile    string
	Issuer     string
	ClientID   string
	Grant      string
	URL        string
	Path       string
	Flag       string        // the flag or setting the failure is about
	OAuthError string        // an OAuth error code (invalid_grant, …)
	Wait       time.Duration // how long igctl waited
}

// Error is a failure with its Kind and Facts.
type Error struct {
	Kind  Kind
	Err   error
	Facts Facts
	// Hint is for command packages (internal/cli/...), which know the
	// command line; a domain package leaves it empty and the table
	// supplies the hint from Kind and Facts.
	Hint string
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error of kind with err as its message and cause.
// A nil err stays nil.
func New(kind Kind, err error, facts ...Facts) error {
	if err == nil {
		return nil
	}
	e := &Error{Kind: kind, Err: err}
	if len(facts) > 0 {
		e.Facts = facts[0]
	}
	return e
}

// Errorf is New with a formatted message (%w wraps as in fmt.Errorf).
func Errorf(kind Kind, format string, a ...any) error {
	return &Error{Kind: kind, Err: fmt.Errorf(format, a...)}
}

// Of returns the outermost *Error in err's chain, or nil.
func Of(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// KindOf returns the kind of the outermost *Error in err's chain, or "".
func KindOf(err error) Kind {
	if e := Of(err); e != nil {
		return e.Kind
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
