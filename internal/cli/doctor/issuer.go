package doctor

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/token"
)

// checkIssuer fetches the discovery document directly (to see TLS errors,
// the exact issuer string and the server's Date header).
func checkIssuer(ctx context.Context, r *report, hc *http.Client, issuer string, now func() time.Time) (bool, *offset) {
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	https := strings.HasPrefix(issuer, "https://")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		r.add("discovery", Fail, err.Error(), "the issuer must be an absolute URL", cmdutil.BadConfig)
		return false, nil
	}
	sent := now()
	resp, err := hc.Do(req)
	if err != nil {
		if https && cmdutil.CertificateFailure(err) {
			r.add("discovery", Fail, "cannot reach "+u, "", cmdutil.Network)
			fix := cmdutil.TLSFix(err)
			var host x509.HostnameError
			if !errors.As(err, &host) { // a misnamed certificate keeps TLSFix's own fix
				fix = "trust the issuer's CA: --ca-file PEM (remembered by login) or SSL_CERT_FILE"
			}
			r.add("tls", Fail, err.Error(), fix, cmdutil.Network)
		} else {
			r.add("discovery", Fail, err.Error(), "check the issuer URL and that Keycloak runs (HTTPS_PROXY/NO_PROXY are honoured)", cmdutil.Network)
			r.add("tls", Skip, "not reached", "", "")
		}
		r.add("issuer", Skip, "no discovery document", "", "")
		return false, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode >= 500:
		r.add("discovery", Fail, fmt.Sprintf("%s: HTTP %d", u, resp.StatusCode), "the issuer failed on its side (its log says why): retry when it is back", cmdutil.Network)
	case resp.StatusCode != 200:
		r.add("discovery", Fail, fmt.Sprintf("%s: HTTP %d", u, resp.StatusCode), "is the realm name right? Keycloak issuers look like https://HOST/realms/REALM", cmdutil.BadConfig)
	default:
		r.add("discovery", OK, u, "", "")
	}
	if https {
		r.add("tls", OK, "certificate trusted", "", "")
	} else {
		r.add("tls", Skip, "plain HTTP issuer", "", "")
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	issuerOK := false
	if resp.StatusCode == 200 && json.Unmarshal(body, &doc) == nil {
		if doc.Issuer == issuer {
			r.add("issuer", OK, "the discovery document says exactly "+issuer, "", "")
			issuerOK = true
		} else {
			fix := "set the profile's issuer (and the gateway's AUTH_OIDC_ISSUER) to " + doc.Issuer
			if strings.TrimRight(issuer, "/") == strings.TrimRight(doc.Issuer, "/") {
				fix = "remove the trailing slash: the gateway compares byte for byte"
			}
			r.add("issuer", Fail, fmt.Sprintf("configured %q, the server says %q", issuer, doc.Issuer), fix, cmdutil.BadConfig)
		}
	} else {
		r.add("issuer", Skip, "no discovery document", "", "")
	}
	return issuerOK && resp.StatusCode == 200, dateOffset(dateHeader(resp), sent, now(), "the issuer's Date header")
}

// offset is a measured server-minus-local clock difference and its source.
type offset struct {
	seconds float64
	source  string
}

func dateHeader(resp *http.Response) time.Time {
	d, _ := http.ParseTime(resp.Header.Get("Date"))
	return d
}

// dateOffset compares a server's Date (whole seconds; zero when it sent
// none) with the middle of the request on the local clock.
func dateOffset(d, sent, received time.Time, source string) *offset {
	if d.IsZero() {
		return nil
	}
	// Date is truncated to the second: its true value is on average 0.5 s later.
	local := sent.Add(received.Sub(sent) / 2)
	return &offset{d.Add(500 * time.Millisecond).Sub(local).Seconds(), source}
}

// checkClock reports the first offset measured: the issuer's Date header
// (Keycloak itself sends none; a proxy in front usually does), the gateway's
// Date header, or the stored token's iat against the local time it arrived.
func checkClock(r *report, issuerOff, gatewayOff *offset, s *cmdutil.Session) {
	off := issuerOff
	if off == nil {
		off = gatewayOff
	}
	if off == nil && s.Manager != nil {
		if b, err := s.Manager.Store.Load(s.Name); err == nil {
			if c, err := token.Decode(b.AccessToken); err == nil && c.IssuedAt != nil && !b.ObtainedAt.IsZero() {
				off = &offset{time.Unix(*c.IssuedAt, 0).Sub(b.ObtainedAt).Seconds(), "the token's iat at receipt"}
			}
		}
	}
	if off == nil {
		r.add("clock", Skip, "nothing to measure the offset against", "", "")
		return
	}
	detail := fmt.Sprintf("server clock %+.0fs from local (%s)", math.Round(off.seconds)+0, off.source)
	switch a := math.Abs(off.seconds); {
	case a <= 5:
		r.add("clock", OK, detail, "", "")
	case a <= 60:
		r.add("clock", Warn, detail, "sync the clocks (NTP): tokens are checked against them", "")
	default:
		r.add("clock", Fail, detail, "sync the clocks (NTP): with this offset fresh tokens look expired or not yet valid", cmdutil.AuthFailed)
	}
}
