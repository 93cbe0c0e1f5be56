package envmap

import (
	"strings"
	"sync"
)

// Kind says how faithful a translation is.
type Kind string

// Kinds of mapping.
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
