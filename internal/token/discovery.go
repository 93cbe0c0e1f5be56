package token

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

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

// newProvider runs go-oidc's discovery at issuer through hc, keeping the
// HTTP status of the last answer: go-oidc reports a non-200 answer only as
// text, and the status is what tells a missing realm from a failing server.
// The provider keeps the client for its later key fetches.
func newProvider(ctx context.Context, hc *http.Client, issuer string) (*oidc.Provider, error) {
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	rec := &statusRecorder{next: c.Transport}
	if rec.next == nil {
		rec.next = http.DefaultTransport
	}
	c.Transport = rec
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c), issuer)
	if err != nil {
		return nil, discoveryError(issuer, int(rec.status.Load()), err)
	}
	return p, nil
}

// statusRecorder is a transport that remembers the status of the last
// response it passed on.
type statusRecorder struct {
	next   http.RoundTripper
	status atomic.Int32
}

func (s *statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err == nil {
		s.status.Store(int32(resp.StatusCode))
	}
	return resp, err
}

// discoveryError says why discovery at issuer failed: the issuer the
// document names, the network, a missing realm, or the server. status is
// the HTTP status of the discovery answer (0 when none came).
func discoveryError(issuer string, status int, err error) error {
	var mismatch *oidc.IssuerMismatchError
	if errors.As(err, &mismatch) {
		return fault.New(IssuerMismatch, fmt.Errorf("issuer mismatch: configured %q, the server says %q", mismatch.Provided, mismatch.Discovered),
			fault.Facts{Issuer: mismatch.Provided, URL: mismatch.Discovered})
	}
	kind, facts := DiscoveryFailed, fault.Facts{Issuer: issuer}
	switch {
	case fault.IsNetwork(err):
		kind = DiscoveryUnreachable
	case status == http.StatusNotFound:
		kind = DiscoveryNotFound
		// Keycloak's error body reaches here only inside go-oidc's
		// message text, which quotes the body it got.
		if strings.Contains(err.Error(), RealmMissing) {
			facts.OAuthError = RealmMissing
		}
	}
	return fault.New(kind, fmt.Errorf("OIDC discovery at %s failed: %w", config.ShowURL(issuer), err), facts)
}
