package cmdutil

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/token"
)

// GatewayExpect is what the gateway will require of a token, from the
// profile: the gateway's own issuer and client id where igctl was told them
// (keycloak bootstrap, login --from-env, doctor --gateway-env, config set),
// else the profile's own, marked as assumed so messages say so.
func GatewayExpect(p *config.Profile) token.Expect {
	var e token.Expect
	if p == nil {
		return e
	}
	e.Issuer, e.ClientID = p.GatewayIssuer, p.GatewayClientID
	e.IssuerFrom, e.ClientIDFrom = "the gateway's AUTH_OIDC_ISSUER", "the gateway's AUTH_OIDC_CLIENT_ID"
	if e.Issuer == "" && p.Issuer != "" {
		e.Issuer, e.IssuerFrom = p.Issuer, "the profile's issuer (igctl assumes the gateway's AUTH_OIDC_ISSUER is the same; it was not told)"
		e.IssuerAssumed = true
	}
	if e.ClientID == "" && p.ClientID != "" {
		e.ClientID, e.ClientIDFrom = p.ClientID, "the profile's client id (igctl assumes it is the gateway's AUTH_OIDC_CLIENT_ID; it was not told)"
		e.ClientIDAssumed = true
	}
	return e
}

// KnowsGateway reports whether the profile records the gateway's own settings.
func KnowsGateway(p *config.Profile) bool {
	return p != nil && p.GatewayIssuer != "" && p.GatewayClientID != ""
}

// tellGatewayHint is how a user tells igctl what the gateway expects.
const tellGatewayHint = "tell igctl what the gateway expects: `igctl doctor --gateway-env FILE` with the .env the gateway runs from, or `igctl config set gateway_issuer URL` and `igctl config set gateway_client_id ID`"

// Diagnose checks tok the way the gateway will at now, with the signature
// against the expected issuer's keys (fetched with hc) unless hc is nil.
func Diagnose(ctx context.Context, hc *http.Client, tok string, want token.Expect, now time.Time) *token.Diagnosis {
	var verify func(issuer, raw string) error
	if hc != nil {
		verify = func(issuer, raw string) error { return token.VerifySignature(ctx, hc, issuer, raw) }
	}
	return token.Diagnose(tok, want, now, verify)
}

// FreshEnvTokenHint is the fix for an IGCTL_TOKEN that expired or is about to.
const FreshEnvTokenHint = "put a fresh token in IGCTL_TOKEN (`igctl token` in a session without it), or unset IGCTL_TOKEN to use the profile, which igctl refreshes"

// GatewayAuthOffFix is the fix for a gateway that serves requests without a token.
const GatewayAuthOffFix = "start the gateway with AUTH_ENABLED=true: the old names AUTH_ENABLE and ENABLE_AUTH are ignored since v0.41.0, and an unset AUTH_ENABLED means off (`igctl env check --for gateway FILE` finds the old names; `igctl doctor --gateway-env FILE` names the cause)"

// Explanation is a diagnosis in words: the one cause and the one fix.
type Explanation struct {
	Cause string
	Fix   string
}

// Explain renders the first finding of d with the fix that works for it.
// fromEnv says the token came from IGCTL_TOKEN (which igctl cannot
// refresh); prof may be nil. canPrompt says the user reading the fix is
// on a terminal where login can ask for a secret; without one, a printed
// login line names where its secret comes from.
func Explain(d *token.Diagnosis, fromEnv bool, prof *config.Profile, canPrompt bool) Explanation {
	first := d.First()
	if first == nil {
		return explainClean(d, prof)
	}
	e := Explanation{Cause: first.Detail}
	if fromEnv {
		e.Cause += " (the token is IGCTL_TOKEN's)"
	}
	login := "`igctl login`"
	switch first.Cause {
	case token.CauseMalformed:
		e.Fix = "the gateway accepts only JWT access tokens from its issuer"
	case token.CauseIssuer:
		e.Fix = issuerFix(first, fromEnv, prof, canPrompt)
	case token.CauseAudience:
		e.Fix = audienceFix(first)
	case token.CauseExpired:
		if fromEnv {
			e.Cause = first.Detail + "; it came from IGCTL_TOKEN, which igctl cannot refresh"
			e.Fix = FreshEnvTokenHint
		} else {
			e.Fix = "`igctl token --force-refresh` gets a new one (" + login + " when the refresh is refused); if a fresh token is already expired, sync the clocks (NTP)"
		}
	case token.CauseNotYetValid:
		e.Fix = "sync the clocks (NTP): the gateway compares nbf with its own clock"
	case token.CauseSignature:
		e.Fix = "the realm was re-created or its keys rotated after this token was issued: " + login + " for a token signed with the current keys"
		if first.TokenIssuer != first.WantIssuer {
			// another realm's keys signed it: its issuer is what to fix
			fix := issuerFix(first, fromEnv, prof, canPrompt)
			if first.IssuerTrap == "" {
				fix = strings.TrimPrefix(fix, anotherIssuer)
			}
			e.Fix = "the token comes from another issuer or realm, whose keys the gateway does not trust: " + fix
		} else if fromEnv {
			e.Fix = "the realm was re-created or its keys rotated after IGCTL_TOKEN was issued: put a fresh token in it"
		}
	}
	if first.Assumed {
		e.Fix += "; " + tellGatewayHint
	}
	return e
}

func issuerFix(f *token.Finding, fromEnv bool, prof *config.Profile, canPrompt bool) string {
	relogin := "log in through the gateway's issuer: " + issuerRelogin(f.WantIssuer, prof, canPrompt)
	if fromEnv {
		relogin = fmt.Sprintf("get IGCTL_TOKEN from %s, the issuer the gateway uses", f.WantIssuer)
	}
	switch f.IssuerTrap {
	case "trailing-slash":
		return "only a trailing slash differs, and the comparison is byte for byte: " + relogin
	case "loopback-alias":
		return fmt.Sprintf("the localhost vs 127.0.0.1 trap: Keycloak writes into iss the host name the client used to reach it, so a token fetched through %s is not one a gateway configured with %s accepts; %s",
			hostOf(f.TokenIssuer), hostOf(f.WantIssuer), relogin)
	case "host":
		return fmt.Sprintf("Keycloak writes into iss the host name the client used to reach it: the gateway reaches it as %s (a container or cluster name?), this machine as %s. Log in through the gateway's URL (make %s resolve here), or give Keycloak one fixed hostname (KC_HOSTNAME) so every client sees the same iss",
			hostOf(f.WantIssuer), hostOf(f.TokenIssuer), hostOf(f.WantIssuer))
	case "scheme":
		return "http and https differ: " + relogin
	case "port":
		return fmt.Sprintf("only the port differs (%s vs %s: a proxy or a port mapping?); Keycloak writes into iss the host and port the client used: %s", hostOf(f.TokenIssuer), hostOf(f.WantIssuer), relogin)
	}
	return anotherIssuer + relogin
}

// issuerRelogin is the command line that logs prof in through issuer, as
// it works where the user is. The secret kept with the token belongs to
// the old issuer and is never sent to another, so without a terminal to
// prompt on, login must be told where the secret comes from.
func issuerRelogin(issuer string, prof *config.Profile, canPrompt bool) string {
	plain := fmt.Sprintf("`igctl config set issuer %s` then `igctl login`", issuer)
	if canPrompt || prof == nil {
		return plain
	}
	password := ""
	switch prof.Grant {
	case token.GrantAuthCode, token.GrantDevice:
		return plain // a person's public client: no secret to give
	case token.GrantPassword:
		password = " --password-stdin"
	}
	if prof.FromEnv != "" {
		// the --issuer flag wins over the file's issuer
		return fmt.Sprintf("`igctl login --from-env %s --issuer %s%s`", ShellQuote(prof.FromEnv), issuer, password)
	}
	if password != "" {
		return fmt.Sprintf("`igctl config set issuer %s` then `igctl login --password-stdin` with the password on stdin (and the client secret in IGCTL_CLIENT_SECRET when the client is confidential)", issuer)
	}
	return fmt.Sprintf("`igctl config set issuer %s` then `igctl login --client-secret-stdin` with the client secret on stdin", issuer)
}

const anotherIssuer = "the token comes from another issuer or realm: "

func audienceFix(f *token.Finding) string {
	mapper := fmt.Sprintf("an audience mapper (oidc-audience-mapper, Included Client Audience %q, added to access tokens)", f.WantClient)
	switch {
	case f.IssuedTo == "":
		return "give the client that issues these tokens " + mapper
	case f.IssuedTo == f.WantClient:
		return fmt.Sprintf("client %s issues tokens without its own id in aud: give it %s (`igctl keycloak bootstrap` adds it)", f.IssuedTo, mapper)
	}
	return fmt.Sprintf("the token was issued to client %s: give client %s %s, so its tokens carry %s; changing the gateway's client id instead would lock out %s's own tokens",
		f.IssuedTo, f.IssuedTo, mapper, f.WantClient, f.WantClient)
}

func explainClean(d *token.Diagnosis, prof *config.Profile) Explanation {
	e := Explanation{}
	if KnowsGateway(prof) && len(d.Unchecked) == 0 {
		e.Cause = fmt.Sprintf("the token passes every check igctl makes as the gateway would (iss %s, aud contains %s, not expired, signature against the issuer's current keys)", prof.GatewayIssuer, prof.GatewayClientID)
		e.Fix = "so the gateway runs with other settings than igctl was told: compare its AUTH_OIDC_ISSUER and AUTH_OIDC_CLIENT_ID with the .env it really runs from (`igctl doctor --gateway-env FILE`), and restart it if the realm was re-created while it ran"
		return e
	}
	e.Cause = "the token passes the checks igctl could make"
	var not []string
	not = append(not, d.Unchecked...)
	if !KnowsGateway(prof) {
		not = append(not, "whether iss and aud match the gateway's own AUTH_OIDC_ISSUER and AUTH_OIDC_CLIENT_ID (igctl was not told them)")
	}
	e.Cause += "; it could not check " + strings.Join(not, "; ")
	e.Fix = tellGatewayHint
	return e
}

func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return u
}
