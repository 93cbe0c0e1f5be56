package proxy

import "github.com/inference-gateway/igctl/internal/fault"

// What the proxy tells the operator about (see Notice). internal/cli/cmdutil/exits.go
// has the hint for each.
const (
	// NoToken: no token could be had for a request (the cause is wrapped).
	NoToken fault.Kind = "proxy/no-token"
	// Unreachable: the gateway could not be reached or did not answer in time.
	Unreachable fault.Kind = "proxy/gateway-unreachable"
	// Rejected: the gateway answered 401 to the token, after the retry if any.
	Rejected fault.Kind = "proxy/token-rejected"
)

// Notice is what an operator should see. Never a secret.
type Notice struct {
	// Err says what happened, with one of the kinds above.
	Err error
	// Fix is, for a 401, the fix Options.Explain401 gave.
	Fix string
}
