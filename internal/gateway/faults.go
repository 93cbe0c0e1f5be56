package gateway

import "github.com/inference-gateway/igctl/internal/fault"

// The kinds of failure this package returns (besides ErrUnauthorized and
// *APIError, the gateway's own answers); internal/cli/cmdutil/exits.go gives
// each its exit code and hint. Facts.URL is the URL asked.
const (
	// BadURL: the gateway URL cannot make a request.
	BadURL fault.Kind = "gateway/bad-url"
	// Unreachable: no answer (connection, DNS, TLS, timeout).
	Unreachable fault.Kind = "gateway/unreachable"
	// ReadFailed: the answer broke off while it was read.
	ReadFailed fault.Kind = "gateway/read-failed"
	// TooLarge: the answer is larger than igctl reads.
	TooLarge fault.Kind = "gateway/too-large"
	// NotFound: 404 or 405, or an answer that is not the API's (a page of
	// HTML): the URL is not the gateway's base URL.
	NotFound fault.Kind = "gateway/not-found"
	// Failing: 5xx or 429, the gateway (or what is behind it) failing (*APIError).
	Failing fault.Kind = "gateway/failing"
	// Refused: any other 4xx the gateway gave, with its reason (*APIError).
	Refused fault.Kind = "gateway/refused"
)
