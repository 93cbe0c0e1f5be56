package token

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/fault"
)

// Endpoints are the parts of the discovery document igctl uses.
type Endpoints struct {
	Issuer             string `json:"issuer"`
	TokenEndpoint      string `json:"token_endpoint"`
	RevocationEndpoint string `json:"revocation_endpoint"`
	JWKSURI            string `json:"jwks_uri"`
}

// Discover fetches {issuer}/.well-known/openid-configuration and checks that
// the document's issuer equals the configured one byte for byte, as the
// gateway does at start-up.
func Discover(ctx context.Context, hc *http.Client, issuer string) (*Endpoints, error) {
	d, err := DiscoverInteractive(ctx, hc, issuer)
	if err != nil {
		return nil, err
	}
	return &d.Endpoints, nil
}

// discoveryError says why discovery at issuer failed: the issuer the
// document names, the network, a missing realm, or the server.
func discoveryError(issuer string, err error) error {
	var mismatch *oidc.IssuerMismatchError
	if errors.As(err, &mismatch) {
		return fault.New(IssuerMismatch, fmt.Errorf("issuer mismatch: configured %q, the server says %q", mismatch.Provided, mismatch.Discovered),
			fault.Facts{Issuer: mismatch.Provided, URL: mismatch.Discovered})
	}
	kind, facts := DiscoveryFailed, fault.Facts{Issuer: issuer}
	switch {
	case fault.IsNetwork(err):
		kind = DiscoveryUnreachable
	case strings.Contains(err.Error(), "404"):
		kind = DiscoveryNotFound
		if strings.Contains(err.Error(), RealmMissing) {
			facts.OAuthError = RealmMissing
		}
	}
	return fault.New(kind, fmt.Errorf("OIDC discovery at %s failed: %w", config.ShowURL(issuer), err), facts)
}
