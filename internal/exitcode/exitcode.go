// Package exitcode holds the numbers of igctl's exit-code table (README
// "Exit codes"). Which failure gets which number is decided in one place,
// internal/cli/cmdutil/exits.go; everything else reports a fault.Kind.
package exitcode

// Code is a process exit status with a documented meaning.
type Code int

// The numbers, each with its meaning in short; the README's "Exit codes"
// table gives each meaning in full. Scripts depend on these numbers.
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

	// A command cancelled by SIGINT (Ctrl-C) or SIGTERM exits 130, the
	// status a shell reports after Ctrl-C; the one line on stderr names
	// the signal.
	Interrupted Code = 130 // cancelled by SIGINT or SIGTERM
)
