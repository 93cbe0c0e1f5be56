package envmap

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Severity of a finding: notes are printed but do not fail `env check`.
type Severity string

// Severities.
const (
	SevError   Severity = "error"   // the server refuses to start, or a setting is silently lost
	SevWarning Severity = "warning" // probably not what was meant
	SevNote    Severity = "note"    // harmless here, worth knowing
)

// Finding is one trap found by Check, with the line it is on and a fix.
type Finding struct {
	Line     int      `json:"line"`
	Key      string   `json:"key,omitempty"`
	Severity Severity `json:"severity"`
	Msg      string   `json:"message"`
	Fix      string   `json:"fix"`
}

// Failing reports whether the finding should fail the check.
func (f Finding) Failing() bool { return f.Severity != SevNote }

// Where the server reading the file runs (env check --deploy).
const (
	DeployLocal     = "local"     // on this machine, beside Keycloak
	DeployContainer = "container" // in a container (Compose, docker run)
	DeployCluster   = "cluster"   // in Kubernetes
)

// Deploys lists the --deploy values.
var Deploys = []string{DeployLocal, DeployContainer, DeployCluster}

// CheckOptions say what a file is checked for.
type CheckOptions struct {
	Product string // Gateway or ADK
	Version string // of the product; "" is Latest
	Deploy  string // DeployLocal (""), DeployContainer or DeployCluster
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

// checkCtx is what every rule sees.
type checkCtx struct {
	CheckOptions
	v        version
	vName    string
	explicit bool // --target-version given
	first    map[string]int
}

// lineRule is one trap, run on every assignment. To check for another, add a row.
type lineRule struct {
	name string
	run  func(c *checkCtx, l *Line) []Finding
}

var lineRules = []lineRule{
	{"unterminated-quote", ruleUnterminatedQuote},
	{"duplicate", ruleDuplicate},
	{"legacy-name", ruleLegacyName},
	{"name-too-new", ruleNameTooNew},
	{"boolean", ruleBoolean},
	{"issuer", ruleIssuer},
	{"gateway-typed", ruleGatewayTyped},
}

// Check lints f for the traps in the reference: renamed variables for the
// target version, booleans the reader rejects or reads otherwise than meant,
// the ADK's required client secret, issuer URLs the server will not accept,
// duplicate keys and lines that are not assignments.
func Check(f *File, o CheckOptions) ([]Finding, error) {
	v, vName, err := targetVersion(o.Product, o.Version)
	if err != nil {
		return nil, err
	}
	if o.Deploy == "" {
		o.Deploy = DeployLocal
	}
	c := &checkCtx{CheckOptions: o, v: v, vName: vName, explicit: strings.TrimSpace(o.Version) != "", first: map[string]int{}}
	var out []Finding
	for _, p := range f.Problems() {
		out = append(out, Finding{Line: p.Line, Severity: SevWarning, Msg: p.Msg, Fix: "write KEY=VALUE, or start the line with # to make it a comment"})
	}
	for _, l := range f.Lines {
		if !l.IsAssignment() {
			continue
		}
		for _, r := range lineRules {
			out = append(out, r.run(c, l)...)
		}
	}
	if o.Product == ADK {
		out = append(out, adkSecretRequired(f)...)
	}
	return out, nil
}

// ruleUnterminatedQuote: a value that opens a quote and never closes it.
// godotenv (what Go programs, and compose files, load .env files with)
// refuses the whole file; Node's dotenv keeps the quote as text.
func ruleUnterminatedQuote(c *checkCtx, l *Line) []Finding {
	if l.RawValue == "" || l.Quote() != Unquoted {
		return nil
	}
	switch q := l.RawValue[0]; q {
	case '"', '\'', '`':
		return finding(l, SevError, fmt.Sprintf("%s: the value opens a %c quote that never closes: godotenv refuses the whole file, Node's dotenv keeps the quote as part of the value", l.Key, q),
			fmt.Sprintf("close the quote, or remove it if the %c is not meant to be there", q))
	}
	return nil
}

func finding(l *Line, sev Severity, msg, fix string) []Finding {
	return []Finding{{Line: l.Num, Key: l.Key, Severity: sev, Msg: msg, Fix: fix}}
}

func ruleDuplicate(c *checkCtx, l *Line) []Finding {
	if n, dup := c.first[l.Key]; dup {
		return finding(l, SevWarning, fmt.Sprintf("%s is set again (first on line %d); loaders disagree on which wins", l.Key, n), "keep one assignment")
	}
	c.first[l.Key] = l.Num
	return nil
}

// ruleLegacyName: an old name the target version no longer reads.
func ruleLegacyName(c *checkCtx, l *Line) []Finding {
	r, ok := renameOf(c.Product, l.Key)
	if !ok {
		return nil
	}
	want, _ := spellingFor(c.Product, r.New, c.v)
	if want == l.Key {
		return nil
	}
	if !mustVersion(r.LastOld).less(c.v) {
		// an older version still, which reads an even older name
		return finding(l, SevError, fmt.Sprintf("%s is ignored by %s %s, which reads %s", l.Key, c.Product, c.vName, want),
			fmt.Sprintf("rename it to %s, or upgrade to a release after %s", want, r.lastOld()))
	}
	fix := "rename it to " + want
	if !c.explicit {
		fix += fmt.Sprintf(" (or pass --target-version if you run %s %s or older)", c.Product, r.lastOld())
	}
	return finding(l, SevError, fmt.Sprintf("%s is ignored by %s %s (it was read up to %s): %s", l.Key, c.Product, c.vName, r.lastOld(), r.ignoredEffect()), fix)
}

// ruleNameTooNew: a new name on a version that still reads an old one.
func ruleNameTooNew(c *checkCtx, l *Line) []Finding {
	if canonicalName(c.Product, l.Key) != l.Key {
		return nil
	}
	want, r := spellingFor(c.Product, l.Key, c.v)
	if r == nil {
		return nil
	}
	return finding(l, SevError, fmt.Sprintf("%s is ignored by %s %s, which reads %s", l.Key, c.Product, c.vName, want),
		fmt.Sprintf("rename it to %s, or upgrade to a release after %s", want, r.lastOld()))
}

// ruleBoolean: a value the product rejects, reads otherwise than meant, or
// an empty value that is not the default.
func ruleBoolean(c *checkCtx, l *Line) []Finding {
	b, ok := boolVar(c.Product, l.Key)
	if !ok {
		return nil
	}
	v := l.Value()
	on, recognised, rejected := b.Reader.Read(v)
	switch {
	case rejected:
		return finding(l, SevError, fmt.Sprintf("%s=%s: the %s refuses to start (%s)", l.Key, v, c.Product, parseBoolError(l.Key, v)),
			"write true or false")
	case v == "" && b.Default:
		return finding(l, SevWarning, fmt.Sprintf("%s is empty: the %s reads that as OFF; its default, ON, applies only when the variable is unset", l.Key, c.Product),
			"remove the line for the default, or write true or false")
	}
	if meant, ok := intended(v); ok && meant != on {
		return finding(l, SevWarning, fmt.Sprintf("%s=%s is read as %s by the %s (%s), though it probably means %s", l.Key, v, onOff(on), c.Product, b.Reader.Name, onOff(meant)),
			fmt.Sprintf("write %t", meant))
	} else if !ok && !recognised {
		return finding(l, SevWarning, fmt.Sprintf("%s=%s is not a boolean spelling; the %s reads it as %s (%s)", l.Key, v, c.Product, onOff(on), b.Reader.Name),
			"write true or false")
	}
	return nil
}

func adkSecretRequired(f *File) []Finding {
	var enabled *Line
	for _, x := range f.Lines {
		if x.Key == "AUTH_ENABLED" {
			enabled = x
		}
	}
	if enabled == nil {
		return nil
	}
	if on, _, _ := Booleans[ADK]["AUTH_ENABLED"].Reader.Read(enabled.Value()); !on {
		return nil
	}
	if s, _ := f.Get("AUTH_CLIENT_SECRET"); s != "" {
		return nil
	}
	return finding(enabled, SevError, "AUTH_ENABLED is on but AUTH_CLIENT_SECRET is missing or empty: the ADK (>= 0.15.1) refuses to start",
		"set AUTH_CLIENT_SECRET to the client's secret (igctl keycloak bootstrap --write-env adk=FILE writes it)")
}

var issuerKeys = map[string]string{"AUTH_OIDC_ISSUER": Gateway, "OIDC_ISSUER_URL": Gateway, "AUTH_ISSUER_URL": ADK}

func ruleIssuer(c *checkCtx, l *Line) []Finding {
	if _, ok := issuerKeys[l.Key]; !ok {
		return nil
	}
	v := l.Value()
	if strings.Contains(v, "${") || strings.HasPrefix(v, "$") {
		return nil // a reference: nothing to check statically
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return finding(l, SevError, fmt.Sprintf("%s=%q is not an absolute URL", l.Key, v), "use https://HOST/realms/REALM")
	}
	var out []Finding
	switch {
	case strings.HasSuffix(v, "/") && (c.Product == Gateway || strings.HasSuffix(v, "//")):
		out = append(out, finding(l, SevError, "the issuer ends with a slash; Keycloak's iss does not, and the gateway compares it byte for byte",
			"remove the trailing slash: "+strings.TrimRight(v, "/"))...)
	case strings.HasSuffix(v, "/"):
		// The ADK strips one slash before discovery and verifies iss
		// against the discovery document's issuer.
		out = append(out, finding(l, SevNote, "the issuer ends with a slash: harmless for the ADK (it strips one before discovery and checks iss against the discovery document), but the gateway would reject it",
			"remove the trailing slash if this value is shared with the gateway: "+strings.TrimRight(v, "/"))...)
	}
	out = append(out, issuerHost(c, l, u.Hostname())...)
	if !strings.Contains(u.Path, "/realms/") {
		out = append(out, finding(l, SevWarning, "the issuer has no /realms/NAME path", "Keycloak issuers look like https://HOST/realms/REALM")...)
	}
	return out
}

func issuerHost(c *checkCtx, l *Line, h string) []Finding {
	if h == "0.0.0.0" || h == "::" {
		return finding(l, SevWarning, fmt.Sprintf("the issuer's host is %s, a listen address: no client reaches Keycloak there, and Keycloak puts the host clients use into iss", h),
			"use a host name both the server and its clients reach (e.g. keycloak:8080 in Compose), and the same in igctl login")
	}
	ip := net.ParseIP(h)
	if h != "localhost" && !strings.HasSuffix(h, ".localhost") && (ip == nil || !ip.IsLoopback()) {
		return nil
	}
	if c.Deploy == DeployLocal {
		return finding(l, SevNote, fmt.Sprintf("the issuer's host is %s: fine while the %s runs on this machine beside Keycloak; in a container or cluster it is the container itself", h, c.Product),
			"if the server runs in a container or cluster, check with --deploy container|cluster")
	}
	return finding(l, SevWarning, fmt.Sprintf("the issuer's host is %s: with --deploy %s that is the server's own container, not Keycloak, and Keycloak puts the host clients use into iss", h, c.Deploy),
		"use a host name both the server and its clients reach (e.g. keycloak:8080 in Compose, the Service's DNS name in a cluster), and the same in igctl login")
}
