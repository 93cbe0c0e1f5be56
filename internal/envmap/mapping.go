package envmap

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Kind says how faithful a translation is.
type Kind string

// Kinds of mapping (see ../shared/reference/gateway-adk-config.md §3.1).
const (
	Exact       Kind = "exact"       // same meaning, different (or the same) name
	Approximate Kind = "approximate" // related setting, different semantics or defaults
	Convention  Kind = "convention"  // the ADK library does not read it; its examples do
)

// Mapping pairs a Go gateway variable (>= v0.41.0 names) with the TypeScript
// ADK's (>= 0.15.1). To support another variable, add a row.
type Mapping struct {
	Gateway string
	ADK     string
	Kind    Kind
	Note    string // printed on stderr when an approximate/convention row is used
}

// Table is every pair the reference lists.
var Table = []Mapping{
	{"AUTH_ENABLED", "AUTH_ENABLED", Exact, ""},
	{"AUTH_OIDC_ISSUER", "AUTH_ISSUER_URL", Exact, ""},
	{"AUTH_OIDC_CLIENT_ID", "AUTH_CLIENT_ID", Exact, ""},
	{"AUTH_OIDC_CLIENT_SECRET", "AUTH_CLIENT_SECRET", Exact, ""},
	{"SERVER_TLS_CERT_PATH", "TLS_CERT_PATH", Exact, "the ADK serves TLS only with TLS_ENABLED=true"},
	{"SERVER_TLS_KEY_PATH", "TLS_KEY_PATH", Exact, "the ADK serves TLS only with TLS_ENABLED=true"},
	{"TELEMETRY_ENABLED", "TELEMETRY_ENABLED", Approximate, "same name, different meaning: gateway = Prometheus metrics on TELEMETRY_METRICS_PORT; ADK = OpenTelemetry SDK (and the metrics server fallback)"},
	{"TELEMETRY_TRACING_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", Approximate, "OTLP endpoint: the gateway's default is http://localhost:4318, the ADK has none"},
	{"TELEMETRY_METRICS_PORT", "OTEL_EXPORTER_PROMETHEUS_PORT", Approximate, "the ADK uses it only with OTEL_METRICS_EXPORTER=prometheus (its own metrics server is METRICS_PORT, default 9090)"},
	{"MCP_ENABLED", "A2A_MCP_ENABLED", Approximate, "MCP: the gateway injects tools into completions; an ADK agent is an MCP client itself, with other defaults"},
	{"MCP_SERVERS", "A2A_MCP_SERVERS", Approximate, "MCP server lists have the same csv form but a different role"},
	{"MCP_DIAL_TIMEOUT", "A2A_MCP_DIAL_TIMEOUT", Approximate, "MCP dial timeout defaults differ (gateway 3s, ADK 30s)"},
	{"MCP_MAX_RETRIES", "A2A_MCP_MAX_RETRIES", Approximate, "MCP retries: gateway default 3, ADK 0 = forever"},
	{"MCP_RETRY_INTERVAL", "A2A_MCP_RETRY_INTERVAL", Approximate, "MCP retry interval defaults differ (gateway 5s, ADK 2s)"},
	{"MCP_REQUEST_TIMEOUT", "A2A_MCP_CALL_TIMEOUT", Approximate, "MCP request/call timeout defaults differ (gateway 5s, ADK 30s)"},
	{"SERVER_HOST", "A2A_SERVER_HOST", Convention, "server host/port: the ADK library reads neither; A2A_SERVER_* is its examples' convention"},
	{"SERVER_PORT", "A2A_SERVER_PORT", Convention, "server host/port: the ADK library reads neither; A2A_SERVER_* is its examples' convention"},
}

// DerivedBaseURL is the ADK example convention for where the agent finds the
// gateway: http://SERVER_HOST:SERVER_PORT/v1, derived, never a rename.
const DerivedBaseURL = "A2A_AGENT_CLIENT_BASE_URL"

// derivedMarker tags the line igctl adds, so the reverse translation drops
// exactly that line and a round trip is the identity.
const derivedMarker = "# derived by igctl from SERVER_HOST/SERVER_PORT"

// Products.
const (
	Gateway = "gateway"
	ADK     = "adk"
)

// renamedEnable lists the _ENABLE -> _ENABLED renames per product
// (gateway v0.41.0, ADK 0.15.1). Old names are silently ignored by new versions.
var renamedEnable = map[string][]string{
	Gateway: {"AUTH_ENABLE", "TELEMETRY_ENABLE", "MCP_ENABLE", "MCP_POLLING_ENABLE"},
	ADK:     {"AUTH_ENABLE", "TLS_ENABLE", "METRICS_ENABLE"},
}

// firstNewNames is the first version of each product reading the _ENABLED names.
var firstNewNames = map[string]version{Gateway: {0, 41, 0}, ADK: {0, 15, 1}}

type version [3]int

func parseVersion(s string) (version, error) {
	var v version
	parts := strings.Split(strings.TrimPrefix(strings.TrimSpace(s), "v"), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return v, fmt.Errorf("version %q: want X.Y or X.Y.Z", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(strings.SplitN(p, "-", 2)[0])
		if err != nil || n < 0 {
			return v, fmt.Errorf("version %q: %q is not a number", s, p)
		}
		v[i] = n
	}
	return v, nil
}

func (v version) less(o version) bool {
	for i := range v {
		if v[i] != o[i] {
			return v[i] < o[i]
		}
	}
	return false
}

// UsesOldEnableNames reports whether product at version reads the _ENABLE
// spellings (and ignores _ENABLED).
func UsesOldEnableNames(product, ver string) (bool, error) {
	v, err := parseVersion(ver)
	if err != nil {
		return false, err
	}
	return v.less(firstNewNames[product]), nil
}

// canonicalEnable maps an old _ENABLE name to its _ENABLED name.
func canonicalEnable(product, key string) (string, bool) {
	for _, old := range renamedEnable[product] {
		if key == old {
			return old + "D", true
		}
	}
	return "", false
}

// index maps each product's names to their rows, built on first use.
var index = sync.OnceValue(func() map[string]map[string]Mapping {
	idx := map[string]map[string]Mapping{Gateway: {}, ADK: {}}
	for _, m := range Table {
		idx[Gateway][m.Gateway] = m
		idx[ADK][m.ADK] = m
	}
	return idx
})

// lookup returns the row for key in the from-product's naming.
func lookup(from, key string) (Mapping, bool) {
	m, ok := index()[from][key]
	return m, ok
}

func (m Mapping) name(product string) string {
	if product == Gateway {
		return m.Gateway
	}
	return m.ADK
}

// secretWords mark a key whose value must be masked and goes to a Secret.
var secretWords = []string{"SECRET", "PASSWORD", "PASSWD", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "PASSPHRASE", "CREDENTIAL"}

// IsSecret reports whether key looks like it holds a secret.
func IsSecret(key string) bool {
	k := strings.ToUpper(key)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
