package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/token"
)

// checkIssuer fetches the discovery document directly (to see TLS errors,
// the exact issuer string and the server's Date header).
func checkIssuer(ctx context.Context, r *report, hc *http.Client, issuer string, now func() time.Time) (bool, *offset) {
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	https := strings.HasPrefix(issuer, "https://")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		r.add("discovery", Fail, err.Error(), "the issuer must be an absolute URL", exitcode.Config)
		return false, nil
	}
	sent := now()
	resp, err := hc.Do(req)
	if err != nil {
		if https && strings.Contains(err.Error(), "certificate") {
			r.add("discovery", Fail, "cannot reach "+u, "", exitcode.Network)
			r.add("tls", Fail, err.Error(), "trust the issuer's CA: --ca-file PEM (remembered by login) or SSL_CERT_FILE", exitcode.Network)
		} else {
			r.add("discovery", Fail, err.Error(), "check the issuer URL and that Keycloak runs (HTTPS_PROXY/NO_PROXY are honoured)", exitcode.Network)
			r.add("tls", Skip, "not reached", "", 0)
		}
		r.add("issuer", Skip, "no discovery document", "", 0)
		return false, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode >= 500:
		r.add("discovery", Fail, fmt.Sprintf("%s: HTTP %d", u, resp.StatusCode), "the issuer failed on its side (its log says why): retry when it is back", exitcode.Network)
	case resp.StatusCode != 200:
		r.add("discovery", Fail, fmt.Sprintf("%s: HTTP %d", u, resp.StatusCode), "is the realm name right? Keycloak issuers look like https://HOST/realms/REALM", exitcode.Config)
	default:
		r.add("discovery", OK, u, "", 0)
	}
	if https {
		r.add("tls", OK, "certificate trusted", "", 0)
	} else {
		r.add("tls", Skip, "plain HTTP issuer", "", 0)
	}
	var doc struct {
		Issuer string `json:"issuer"`
	}
	issuerOK := false
	if resp.StatusCode == 200 && json.Unmarshal(body, &doc) == nil {
		if doc.Issuer == issuer {
			r.add("issuer", OK, "the discovery document says exactly "+issuer, "", 0)
			issuerOK = true
		} else {
			fix := "set the profile's issuer (and the gateway's AUTH_OIDC_ISSUER) to " + doc.Issuer
			if strings.TrimRight(issuer, "/") == strings.TrimRight(doc.Issuer, "/") {
				fix = "remove the trailing slash: the gateway compares byte for byte"
			}
			r.add("issuer", Fail, fmt.Sprintf("configured %q, the server says %q", issuer, doc.Issuer), fix, exitcode.Config)
		}
	} else {
		r.add("issuer", Skip, "no discovery document", "", 0)
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
		r.add("clock", Skip, "nothing to measure the offset against", "", 0)
		return
	}
	detail := fmt.Sprintf("server clock %+.0fs from local (%s)", math.Round(off.seconds)+0, off.source)
	switch a := math.Abs(off.seconds); {
	case a <= 5:
		r.add("clock", OK, detail, "", 0)
	case a <= 60:
		r.add("clock", Warn, detail, "sync the clocks (NTP): tokens are checked against them", 0)
	default:
		r.add("clock", Fail, detail, "sync the clocks (NTP): with this offset fresh tokens look expired or not yet valid", exitcode.Auth)
	}
}
