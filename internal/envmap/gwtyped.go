package envmap

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/inference-gateway/igctl/internal/fault"
)

// The gateway's typed settings other than booleans (those are in Booleans),
// read as its configuration loader reads them. Gateway v0.48.2 loads its
// environment with github.com/sethvargo/go-envconfig into a struct: a
// time.Duration field goes through time.ParseDuration, an int field through
// strconv.ParseInt(v, 0, 64), and an error from either stops the gateway at
// start ("config load error"). A variable set to the empty string is not
// parsed: the field keeps its zero value, and the default applies only when
// the variable is unset. Ports are strings to the loader, used as the
// listener's port (":"+port), and URLs are strings it calls later.

// Kinds of typed gateway setting.
const (
	KindDuration = "duration" // time.ParseDuration
	KindInt      = "int"      // strconv.ParseInt(v, 0, 64)
	KindPort     = "port"     // a string the gateway listens on
	KindURL      = "url"      // a string the gateway sends requests to
	KindURLList  = "urls"     // comma-separated URLs
)

// TypedVar is a typed gateway setting: its kind and the default the
// gateway uses when it is unset.
type TypedVar struct {
	Kind    string
	Default string
}

// GatewayTyped lists the gateway's duration, integer, port and URL
// settings (v0.48.2: its config.Config and providers/client.ClientConfig);
// the providers' <ID>_API_URL are matched by suffix (gatewayTyped).
var GatewayTyped = map[string]TypedVar{
	"DEBUG_CONTENT_TRUNCATE_WORDS": {KindInt, "10"},
	"DEBUG_MAX_MESSAGES":           {KindInt, "100"},

	"TELEMETRY_METRICS_PORT":          {KindPort, "9464"},
	"TELEMETRY_TRACING_OTLP_ENDPOINT": {KindURL, "http://localhost:4318"},

	"MCP_SERVERS":                 {KindURLList, ""},
	"MCP_CLIENT_TIMEOUT":          {KindDuration, "5s"},
	"MCP_DIAL_TIMEOUT":            {KindDuration, "3s"},
	"MCP_TLS_HANDSHAKE_TIMEOUT":   {KindDuration, "3s"},
	"MCP_RESPONSE_HEADER_TIMEOUT": {KindDuration, "3s"},
	"MCP_EXPECT_CONTINUE_TIMEOUT": {KindDuration, "1s"},
	"MCP_REQUEST_TIMEOUT":         {KindDuration, "5s"},
	"MCP_MAX_RETRIES":             {KindInt, "3"},
	"MCP_RETRY_INTERVAL":          {KindDuration, "5s"},
	"MCP_INITIAL_BACKOFF":         {KindDuration, "1s"},
	"MCP_RECONNECT_INTERVAL":      {KindDuration, "30s"},
	"MCP_POLLING_INTERVAL":        {KindDuration, "30s"},
	"MCP_POLLING_TIMEOUT":         {KindDuration, "5s"},

	"GUARDRAILS_EXTERNAL_URL":     {KindURL, ""},
	"GUARDRAILS_EXTERNAL_TIMEOUT": {KindDuration, "5s"},

	"SERVER_PORT":                  {KindPort, "8080"},
	"SERVER_READ_TIMEOUT":          {KindDuration, "30s"},
	"SERVER_WRITE_TIMEOUT":         {KindDuration, "30s"},
	"SERVER_IDLE_TIMEOUT":          {KindDuration, "120s"},
	"SERVER_MAX_REQUEST_BODY_SIZE": {KindInt, "10485760"},

	"CLIENT_TIMEOUT":                 {KindDuration, "30s"},
	"CLIENT_MAX_IDLE_CONNS":          {KindInt, "20"},
	"CLIENT_MAX_IDLE_CONNS_PER_HOST": {KindInt, "20"},
	"CLIENT_IDLE_CONN_TIMEOUT":       {KindDuration, "30s"},
	"CLIENT_RESPONSE_HEADER_TIMEOUT": {KindDuration, "10s"},
	"CLIENT_EXPECT_CONTINUE_TIMEOUT": {KindDuration, "1s"},
}

// gatewayTyped returns the typed setting key names (old names included).
func gatewayTyped(key string) (TypedVar, bool) {
	key = canonicalName(Gateway, key)
	if t, ok := GatewayTyped[key]; ok {
		return t, true
	}
	// The gateway reads <ID>_API_URL for each provider it knows; an empty
	// value replaces the provider's default URL.
	if strings.HasSuffix(key, "_API_URL") && len(key) > len("_API_URL") {
		return TypedVar{Kind: KindURL, Default: "the provider's own URL"}, true
	}
	return TypedVar{}, false
}

// ValueProblem is what the gateway makes of a typed value it cannot use.
type ValueProblem struct {
	Severity Severity // SevError: the gateway does not start (or cannot listen); SevWarning: it starts, the setting does not work
	Msg, Fix string
	Reason   string // Msg without the KEY=VALUE it starts with (errors only)
}

// unitless: a number without a unit, which time.ParseDuration refuses
// (except 0).
func unitless(v string) bool {
	return strings.Trim(v, "0123456789.") == "" && strings.Trim(v, ".") != ""
}

// CheckGatewayValue reports what is wrong with v as the gateway's key, or
// nil when the gateway reads it as meant (or key is not a typed setting,
// or v refers to another variable, which only the deployment expands).
func CheckGatewayValue(key, v string) *ValueProblem {
	t, ok := gatewayTyped(key)
	if !ok || strings.Contains(v, "$") {
		return nil
	}
	if v == "" {
		switch t.Kind {
		case KindDuration, KindInt:
			return &ValueProblem{Severity: SevWarning, Msg: fmt.Sprintf("%s is empty: the gateway reads that as 0, not its default %s, which applies only when the variable is unset", key, t.Default),
				Fix: "remove the line for the default, or write a value"}
		case KindPort:
			return &ValueProblem{Severity: SevWarning, Msg: fmt.Sprintf("%s is empty: the gateway then listens on a random port, not its default %s, which applies only when the variable is unset", key, t.Default),
				Fix: "remove the line for the default, or write a port number"}
		case KindURL:
			if t.Default == "" {
				return nil // empty is "none"
			}
			return &ValueProblem{Severity: SevWarning, Msg: fmt.Sprintf("%s is empty: the gateway uses the empty URL, not its default (%s), which applies only when the variable is unset", key, t.Default),
				Fix: "remove the line for the default, or write an http(s) URL"}
		}
		return nil
	}
	switch t.Kind {
	case KindDuration:
		if _, err := time.ParseDuration(v); err != nil {
			fix := "write a duration with a unit (ns, us, ms, s, m, h), e.g. 30s or 1m30s"
			if unitless(v) {
				fix = fmt.Sprintf("write %ss for seconds (or another unit: ms, m, h)", v)
			}
			return refusal(key, v, fmt.Sprintf("the gateway refuses to start (%s)", err), fix)
		}
	case KindInt:
		if _, err := strconv.ParseInt(v, 0, 64); err != nil {
			return refusal(key, v, fmt.Sprintf("the gateway refuses to start (%s)", err), "write a whole number, e.g. "+t.Default)
		}
	case KindPort:
		if _, err := strconv.ParseUint(v, 10, 16); err == nil {
			return nil
		}
		// the listener also takes a service name (http, https, ...)
		if _, err := net.LookupPort("tcp", v); err != nil {
			return refusal(key, v, "not a port: the gateway starts, but its listener on it fails (listen tcp: invalid port), so nothing answers there",
				"write a port number from 1 to 65535, e.g. "+t.Default)
		}
	case KindURL:
		if msg := badURL(v); msg != "" {
			return &ValueProblem{Severity: SevWarning, Msg: fmt.Sprintf("%s=%s %s: the gateway starts, but its requests there fail", key, v, msg), Fix: "write an absolute http(s) URL, e.g. https://HOST:PORT/PATH"}
		}
	case KindURLList:
		for _, s := range strings.Split(v, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if msg := badURL(s); msg != "" {
				return &ValueProblem{Severity: SevWarning, Msg: fmt.Sprintf("%s: %s %s: the gateway starts, but cannot reach that server", key, s, msg), Fix: "write comma-separated absolute http(s) URLs"}
			}
		}
	}
	return nil
}

func refusal(key, v, reason, fix string) *ValueProblem {
	return &ValueProblem{Severity: SevError, Msg: fmt.Sprintf("%s=%s: %s", key, v, reason), Fix: fix, Reason: reason}
}

// badURL says why s is not an absolute http(s) URL, or "".
func badURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "is not a URL"
	case u.Scheme == "" || u.Host == "":
		return "is not an absolute URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "is not an http(s) URL"
	}
	return ""
}

// ruleGatewayTyped: a duration, integer, port or URL the gateway cannot use.
func ruleGatewayTyped(c *checkCtx, l *Line) []Finding {
	if c.Product != Gateway || issuerKeys[l.Key] != "" {
		return nil // the issuer has its own rule
	}
	p := CheckGatewayValue(l.Key, l.Value())
	if p == nil {
		return nil
	}
	return finding(l, p.Severity, p.Msg, p.Fix)
}

// translateGatewayValue checks (and where the meaning is certain, respells)
// a value on its way into a gateway file: the ADK reads its MCP durations
// without a unit as milliseconds, which the gateway needs spelt out; any
// other value the gateway would refuse at start stops the translation.
func translateGatewayValue(c, l *Line, o Options, target string, res *Result) error {
	if o.To != Gateway {
		return nil
	}
	v := c.Value()
	if t, ok := gatewayTyped(target); ok && t.Kind == KindDuration && o.From == ADK && v != "" && strings.Trim(v, "0123456789") == "" {
		c.RawValue = respell(l, v+"ms")
		res.Notes = append(res.Notes, Note{Line: l.Num, Msg: fmt.Sprintf("%s=%s is milliseconds for the ADK; the gateway needs a unit: written as %sms", l.Key, v, v)})
		return nil
	}
	p := CheckGatewayValue(target, v)
	if p == nil || p.Severity != SevError {
		return nil
	}
	if l.Key != target {
		return fault.Errorf(BadValue, "line %d: %s becomes the gateway's %s: %s; %s", l.Num, l.Key, target, p.Msg, p.Fix)
	}
	return fault.Errorf(BadValue, "line %d: %s; %s", l.Num, p.Msg, p.Fix)
}
