package envmap

import (
	"fmt"
	"net/url"
	"strings"
)

// Finding is one trap found by Check, with the line it is on and a fix.
type Finding struct {
	Line int    `json:"line"`
	Key  string `json:"key,omitempty"`
	Msg  string `json:"message"`
	Fix  string `json:"fix"`
}

// DetectProduct guesses whose .env this is from its names.
func DetectProduct(f *File) string {
	score := 0
	for _, k := range f.Keys() {
		if m, ok := lookup(Gateway, k); ok && m.Gateway != m.ADK {
			score++
		}
		if m, ok := lookup(ADK, k); ok && m.Gateway != m.ADK {
			score--
		}
		if strings.HasPrefix(k, "A2A_") {
			score--
		}
	}
	if score < 0 {
		return ADK
	}
	return Gateway
}

// Check lints f for product (gateway or adk) at version (may be "") for the
// traps in the reference: the _ENABLE/_ENABLED rename, the ADK's required
// client secret, issuer URLs the server will not accept, duplicate keys and
// lines that are not assignments.
func Check(f *File, product, ver string) ([]Finding, error) {
	var out []Finding
	add := func(l *Line, msg, fix string) {
		out = append(out, Finding{Line: l.Num, Key: l.Key, Msg: msg, Fix: fix})
	}
	old, known := false, ver != ""
	if known {
		var err error
		if old, err = UsesOldEnableNames(product, ver); err != nil {
			return nil, err
		}
	}
	for _, p := range f.Problems() {
		out = append(out, Finding{Line: p.Line, Msg: p.Msg, Fix: "write KEY=VALUE, or start the line with # to make it a comment"})
	}
	first := map[string]int{}
	for _, l := range f.Lines {
		if !l.IsAssignment() {
			continue
		}
		if n, dup := first[l.Key]; dup {
			add(l, fmt.Sprintf("%s is set again (first on line %d); loaders disagree on which wins", l.Key, n), "keep one assignment")
		} else {
			first[l.Key] = l.Num
		}
		if isOldName(product, l.Key) && (!known || !old) {
			target := product + " " + firstNewNames[product].String(product) + " and later"
			if known {
				target = product + " " + ver
			}
			add(l, fmt.Sprintf("%s is ignored by %s: the setting is silently OFF", l.Key, target),
				fmt.Sprintf("rename it to %sD (or pass --target-version if you run an older %s)", l.Key, product))
		}
		if strings.HasSuffix(l.Key, "_ENABLED") && isOldName(product, strings.TrimSuffix(l.Key, "D")) && known && old {
			add(l, fmt.Sprintf("%s is ignored by %s %s, which reads %s", l.Key, product, ver, strings.TrimSuffix(l.Key, "D")),
				fmt.Sprintf("rename it to %s, or upgrade to %s", strings.TrimSuffix(l.Key, "D"), firstNewNames[product].String(product)))
		}
		if l.Key == "AUTH_OIDC_ISSUER" || l.Key == "AUTH_ISSUER_URL" {
			out = append(out, checkIssuer(l)...)
		}
	}
	if product == ADK {
		if v, ok := f.Get("AUTH_ENABLED"); ok && truthy(v) {
			if s, _ := f.Get("AUTH_CLIENT_SECRET"); s == "" {
				l := f.Lines[0]
				for _, x := range f.Lines {
					if x.Key == "AUTH_ENABLED" {
						l = x
					}
				}
				add(l, "AUTH_ENABLED is on but AUTH_CLIENT_SECRET is missing or empty: the ADK (>= 0.15.1) refuses to start",
					"set AUTH_CLIENT_SECRET to the client's secret (igctl keycloak bootstrap --write-env adk=FILE writes it)")
			}
		}
	}
	return out, nil
}

func checkIssuer(l *Line) []Finding {
	v := l.Value()
	var out []Finding
	if strings.Contains(v, "${") || strings.HasPrefix(v, "$") {
		return nil // a reference: nothing to check statically
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return []Finding{{Line: l.Num, Key: l.Key, Msg: fmt.Sprintf("%s=%q is not an absolute URL", l.Key, v), Fix: "use https://HOST/realms/REALM"}}
	}
	if strings.HasSuffix(v, "/") {
		out = append(out, Finding{Line: l.Num, Key: l.Key, Msg: "the issuer ends with a slash; Keycloak's iss does not, and the comparison is byte for byte",
			Fix: "remove the trailing slash: " + strings.TrimRight(v, "/")})
	}
	switch h := u.Hostname(); h {
	case "localhost", "127.0.0.1", "::1", "0.0.0.0":
		out = append(out, Finding{Line: l.Num, Key: l.Key,
			Msg: fmt.Sprintf("the issuer's host is %s: inside a container that is the container itself, and Keycloak puts the host clients use into iss", h),
			Fix: "use a host name both the server and its clients reach (e.g. keycloak:8080 in Compose), and the same in igctl login"})
	}
	if !strings.Contains(u.Path, "/realms/") {
		out = append(out, Finding{Line: l.Num, Key: l.Key, Msg: "the issuer has no /realms/NAME path", Fix: "Keycloak issuers look like https://HOST/realms/REALM"})
	}
	return out
}
