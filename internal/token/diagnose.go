package token

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Cause names why a verifier that works like the gateway's (go-oidc with
// the gateway's AUTH_OIDC_ISSUER and AUTH_OIDC_CLIENT_ID) rejects a token.
type Cause string

// Causes, named as the gateway's log names them.
const (
	CauseMalformed   Cause = "malformed"     // oidc: malformed jwt
	CauseIssuer      Cause = "issuer"        // oidc: id token issued by a different provider
	CauseAudience    Cause = "audience"      // oidc: expected audience "X" got [...]
	CauseExpired     Cause = "expired"       // oidc: token is expired
	CauseNotYetValid Cause = "not_yet_valid" // oidc: current time ... before the nbf
	CauseSignature   Cause = "signature"     // oidc: failed to verify signature
)

// Finding is one reason the gateway would refuse the token, with the facts.
type Finding struct {
	Cause  Cause  `json:"cause"`
	Detail string `json:"detail"`
	// Issuer: the token's iss and the issuer the gateway expects.
	TokenIssuer string `json:"token_issuer,omitempty"`
	WantIssuer  string `json:"want_issuer,omitempty"`
	// IssuerTrap names a known way two issuer strings for one realm differ:
	// "trailing-slash", "loopback-alias" (localhost vs 127.0.0.1 vs [::1]),
	// "host" (another host name for the same path, e.g. a container name),
	// "port" (the same host, another port: a proxy or a port mapping),
	// "scheme" (http vs https); "" for an unrelated issuer.
	IssuerTrap string `json:"issuer_trap,omitempty"`
	// Audience: what aud holds, the client id it lacks, and the client the
	// token was issued to (azp), which is where the audience mapper belongs.
	Audience   []string `json:"audience,omitempty"`
	WantClient string   `json:"want_client,omitempty"`
	IssuedTo   string   `json:"issued_to,omitempty"`
	// Expired: how long ago.
	ExpiredFor time.Duration `json:"-"`
	// Assumed: the expectation that failed is the profile's own, standing
	// in for a gateway setting igctl was not told.
	Assumed bool `json:"assumed,omitempty"`
}

// Diagnosis is the gateway's-eye view of a token: the findings in the
// order the gateway's verifier checks them (signature, iss, aud, exp: the
// first is the one its log names), and what could not be checked because igctl does not know it.
type Diagnosis struct {
	Claims    *Claims   `json:"-"`
	Findings  []Finding `json:"findings"`
	Unchecked []string  `json:"unchecked,omitempty"`
}

// First is the finding the gateway reports, or nil.
func (d *Diagnosis) First() *Finding {
	if len(d.Findings) == 0 {
		return nil
	}
	return &d.Findings[0]
}

// Diagnose checks raw as the gateway's go-oidc verifier does, in its order:
// parse, the signature against the keys of the gateway's issuer (verify,
// when not nil, checks it against want.Issuer's keys), then iss, aud, exp
// (and nbf). The first finding is the one the gateway's log names; the
// later ones are what it would name once the first is fixed. Empty
// expectations are reported as unchecked rather than guessed.
func Diagnose(raw string, want Expect, now time.Time, verify func(issuer, raw string) error) *Diagnosis {
	d := &Diagnosis{}
	c, err := Decode(raw)
	if err != nil {
		d.Findings = append(d.Findings, Finding{Cause: CauseMalformed, Detail: err.Error()})
		return d
	}
	d.Claims = c
	// The gateway verifies the signature before it reads a claim, with the
	// keys its own issuer publishes, whatever the token's iss says: a token
	// from another realm fails here, not at the issuer check.
	switch {
	case verify == nil:
		d.Unchecked = append(d.Unchecked, "signature: not checked")
	case want.Issuer == "":
		d.Unchecked = append(d.Unchecked, "signature: the gateway's issuer, whose keys it trusts, is unknown")
	default:
		switch err := verify(want.Issuer, raw); {
		case err == nil:
		case IsSignatureError(err):
			f := Finding{Cause: CauseSignature, Assumed: want.IssuerAssumed,
				Detail: fmt.Sprintf("the signature does not verify against the current keys of %s, %s: %v", want.issuerFrom(), want.Issuer, err)}
			if c.Issuer != want.Issuer {
				// a token from another realm or server: name the issuer too
				f.TokenIssuer, f.WantIssuer, f.IssuerTrap = c.Issuer, want.Issuer, IssuerTrap(c.Issuer, want.Issuer)
				f.Detail += fmt.Sprintf("; the token comes from another issuer, %q", c.Issuer)
			}
			d.Findings = append(d.Findings, f)
		default:
			// discovery or the key set could not be fetched: that says
			// nothing about the token
			d.Unchecked = append(d.Unchecked, fmt.Sprintf("signature: the keys of %s could not be fetched (%v)", want.Issuer, err))
		}
	}
	if want.Issuer == "" {
		d.Unchecked = append(d.Unchecked, "iss: the gateway's issuer (AUTH_OIDC_ISSUER) is unknown")
	} else if c.Issuer != want.Issuer {
		f := Finding{Cause: CauseIssuer, TokenIssuer: c.Issuer, WantIssuer: want.Issuer, IssuerTrap: IssuerTrap(c.Issuer, want.Issuer), Assumed: want.IssuerAssumed}
		f.Detail = fmt.Sprintf("the token's iss %q differs from %s, %q (compared byte for byte)", c.Issuer, want.issuerFrom(), want.Issuer)
		d.Findings = append(d.Findings, f)
	}
	if want.ClientID == "" {
		d.Unchecked = append(d.Unchecked, "aud: the gateway's client id (AUTH_OIDC_CLIENT_ID) is unknown")
	} else if !c.Audience.Contains(want.ClientID) {
		d.Findings = append(d.Findings, Finding{Cause: CauseAudience, Audience: []string(c.Audience), WantClient: want.ClientID, IssuedTo: c.AZP, Assumed: want.ClientIDAssumed,
			Detail: fmt.Sprintf("aud %v lacks %q, %s", []string(c.Audience), want.ClientID, want.clientIDFrom())})
	}
	switch {
	case c.Expiry == nil:
		d.Findings = append(d.Findings, Finding{Cause: CauseExpired, Detail: "the token has no exp claim"})
	case time.Unix(*c.Expiry, 0).Before(now):
		exp := time.Unix(*c.Expiry, 0)
		d.Findings = append(d.Findings, Finding{Cause: CauseExpired, ExpiredFor: now.Sub(exp),
			Detail: fmt.Sprintf("the token expired %s ago (at %s)", now.Sub(exp).Round(time.Second), exp.UTC().Format(time.RFC3339))})
	}
	if c.NotBefore != nil && *c.NotBefore != 0 {
		if nbf := time.Unix(*c.NotBefore, 0); nbf.After(now.Add(Skew)) {
			d.Findings = append(d.Findings, Finding{Cause: CauseNotYetValid,
				Detail: fmt.Sprintf("the token is not valid before %s, %s from now by the local clock", nbf.UTC().Format(time.RFC3339), nbf.Sub(now).Round(time.Second))})
		}
	}
	return d
}

// IsSignatureError tells a signature that does not verify against the
// issuer's keys from a failure to fetch them. It reads the message because
// there is nothing else to read: go-oidc formats both failures into a new
// error with %v, so neither a type nor a wrapped cause survives.
func IsSignatureError(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	// go-oidc also says "failed to verify signature: fetching keys ..." when
	// the key set cannot be fetched: that is not the token's fault
	return strings.Contains(msg, "failed to verify signature") && !strings.Contains(msg, "fetching keys")
}

// IssuerTrap classifies how two issuer URLs differ (see Finding.IssuerTrap).
func IssuerTrap(got, want string) string {
	if strings.TrimRight(got, "/") == strings.TrimRight(want, "/") {
		return "trailing-slash"
	}
	g, err1 := url.Parse(got)
	w, err2 := url.Parse(want)
	if err1 != nil || err2 != nil || g.Path != w.Path {
		return ""
	}
	if g.Scheme != w.Scheme {
		if g.Host == w.Host {
			return "scheme"
		}
		return ""
	}
	switch {
	case g.Hostname() == w.Hostname():
		return "port"
	case g.Port() == w.Port() && isLoopbackName(g.Hostname()) && isLoopbackName(w.Hostname()):
		return "loopback-alias"
	}
	return "host"
}

func isLoopbackName(h string) bool {
	switch h {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return strings.HasPrefix(h, "127.")
}
