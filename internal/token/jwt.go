package token

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Claims are the JWT claims the gateway cares about.
type Claims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  Audience `json:"aud"`
	AZP       string   `json:"azp"`
	Expiry    *int64   `json:"exp"`
	NotBefore *int64   `json:"nbf"`
	IssuedAt  *int64   `json:"iat"`
	Scope     string   `json:"scope"`
	Username  string   `json:"preferred_username"`
}

// Audience is aud as a list whether the token has a string or an array.
type Audience []string

// UnmarshalJSON accepts "a" and ["a","b"].
func (a *Audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = Audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}

// ErrNotJWT is returned for a token that is not a JWS compact serialisation.
var ErrNotJWT = errors.New("not a JWT (expected three base64url parts separated by dots)")

// Decode reads the claims of a JWT without checking its signature.
func Decode(raw string) (*Claims, error) {
	parts := strings.Split(strings.TrimSpace(raw), ".")
	if len(parts) != 3 {
		return nil, ErrNotJWT
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, ErrNotJWT
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fmt.Errorf("JWT payload is not valid JSON claims: %w", err)
	}
	return &c, nil
}

// Check is one finding of Inspect.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Report is what `igctl token inspect` prints.
type Report struct {
	Claims   *Claims `json:"claims"`
	Verified bool    `json:"verified"`
	// ClockOffset estimates server clock minus local clock (iat against the
	// local receipt time); nil when unknown.
	ClockOffsetSeconds *float64 `json:"clock_offset_seconds,omitempty"`
	Checks             []Check  `json:"checks"`
}

// OK reports whether every check passed.
func (r *Report) OK() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// Expect is what the gateway will require of the token.
type Expect struct {
	Issuer     string
	ClientID   string
	ReceivedAt time.Time // when igctl got the token; zero if unknown
	// IssuerFrom and ClientIDFrom say where Issuer and ClientID come from
	// ("the gateway's AUTH_OIDC_ISSUER", "the profile's issuer", ...), for
	// messages; empty means the gateway's own setting.
	IssuerFrom, ClientIDFrom string
	// IssuerAssumed and ClientIDAssumed: the value is the profile's own,
	// standing in for a gateway setting igctl was not told.
	IssuerAssumed, ClientIDAssumed bool
}

func (e Expect) issuerFrom() string {
	if e.IssuerFrom == "" {
		return "the issuer the gateway expects"
	}
	return e.IssuerFrom
}

func (e Expect) clientIDFrom() string {
	if e.ClientIDFrom == "" {
		return "the client id the gateway expects"
	}
	return e.ClientIDFrom
}

// Skew is the leeway allowed for nbf and iat, as go-oidc and most verifiers do.
const Skew = 5 * time.Minute

// Inspect checks claims the way the gateway's go-oidc verifier will.
func Inspect(c *Claims, want Expect, now time.Time) *Report {
	r := &Report{Claims: c}
	add := func(name string, ok bool, format string, a ...any) {
		r.Checks = append(r.Checks, Check{name, ok, fmt.Sprintf(format, a...)})
	}
	if c.Expiry == nil {
		add("exp", false, "no exp claim")
	} else {
		exp := time.Unix(*c.Expiry, 0)
		if left := exp.Sub(now); left > 0 {
			add("exp", true, "valid for %s more (until %s)", left.Round(time.Second), exp.UTC().Format(time.RFC3339))
		} else {
			add("exp", false, "expired %s ago (at %s)", (-left).Round(time.Second), exp.UTC().Format(time.RFC3339))
		}
	}
	if c.NotBefore != nil && *c.NotBefore != 0 {
		nbf := time.Unix(*c.NotBefore, 0)
		if nbf.After(now.Add(Skew)) {
			add("nbf", false, "not valid before %s, %s from now: check the clocks", nbf.UTC().Format(time.RFC3339), nbf.Sub(now).Round(time.Second))
		} else {
			add("nbf", true, "%s", nbf.UTC().Format(time.RFC3339))
		}
	}
	if c.IssuedAt != nil {
		iat := time.Unix(*c.IssuedAt, 0)
		ref := now
		if !want.ReceivedAt.IsZero() {
			ref = want.ReceivedAt
			// iat has whole seconds: round, and turn -0 into 0.
			off := math.Round(iat.Sub(want.ReceivedAt).Seconds()) + 0
			r.ClockOffsetSeconds = &off
		}
		if d := iat.Sub(ref); d > Skew {
			add("iat", false, "issued %s in the future of the local clock: the clocks differ by more than %s", d.Round(time.Second), Skew)
		} else if !want.ReceivedAt.IsZero() {
			add("iat", true, "%s (server clock %+.0fs from local)", iat.UTC().Format(time.RFC3339), *r.ClockOffsetSeconds)
		} else {
			add("iat", true, "%s", iat.UTC().Format(time.RFC3339))
		}
	}
	if want.Issuer != "" {
		if c.Issuer == want.Issuer {
			add("iss", true, "%s", c.Issuer)
		} else {
			add("iss", false, "token iss %q differs from %s, %q (compared byte for byte: trailing slash, localhost vs 127.0.0.1, http vs https all count)", c.Issuer, want.issuerFrom(), want.Issuer)
		}
	}
	if want.ClientID != "" {
		if c.Audience.Contains(want.ClientID) {
			add("aud", true, "contains %q", want.ClientID)
		} else {
			add("aud", false, "aud %v lacks %q, %s: the gateway will answer 401; give client %s an audience mapper (oidc-audience-mapper) that adds %s", []string(c.Audience), want.ClientID, want.clientIDFrom(), orUnknown(c.AZP), want.ClientID)
		}
	}
	return r
}

// Contains reports whether id is one of the audiences.
func (a Audience) Contains(id string) bool {
	for _, x := range a {
		if x == id {
			return true
		}
	}
	return false
}

// VerifySignature checks raw against the issuer's JWKS (and its iss), as the
// gateway does. Expiry and audience are left to Inspect, which explains them.
func VerifySignature(ctx context.Context, hc *http.Client, issuer, raw string) error {
	p, err := newProvider(ctx, hc, issuer)
	if err != nil {
		return err
	}
	ctx = oidc.ClientContext(ctx, hc)
	_, err = p.Verifier(&oidc.Config{SkipIssuerCheck: true, SkipClientIDCheck: true, SkipExpiryCheck: true}).Verify(ctx, raw)
	return err
}

func orUnknown(s string) string {
	if s == "" {
		return "(azp unknown)"
	}
	return s
}
