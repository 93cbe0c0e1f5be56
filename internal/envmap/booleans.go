package envmap

import (
	"fmt"
	"slices"
	"strings"
)

// BoolReader is how one product parses one kind of boolean variable.
type BoolReader struct {
	Name        string   // for messages
	True, False []string // spellings it recognises (compared after Fold/Trim)
	Fold, Trim  bool     // case-insensitive; surrounding whitespace ignored
	// Other is what any other value does: "reject" (a start-up error), "on" or "off".
	Other string
}

// The readers, from the sources.
var (
	// gateway: go-envconfig skips an empty value (the field keeps its zero
	// value, false: the default applies only when the variable is unset) and
	// otherwise calls strconv.ParseBool, whose error stops the gateway at start.
	goParseBool = &BoolReader{Name: "strconv.ParseBool",
		True: []string{"1", "t", "T", "TRUE", "true", "True"}, False: []string{"", "0", "f", "F", "FALSE", "false", "False"}, Other: "reject"}
	// ADK: auth, telemetry, metrics, TLS and MCP (for MCP only the true set
	// matters: anything else is off).
	adkTruthy = &BoolReader{Name: "the ADK's parseBool (1/true/yes/on, any case)",
		True: []string{"1", "true", "yes", "on"}, False: []string{"", "0", "false", "no", "off"}, Fold: true, Trim: true, Other: "off"}
	// ADK (AGENT_CLIENT_TOOLS_CREATE_ARTIFACT): exactly "true" or "1".
	adkExact = &BoolReader{Name: `the ADK's raw === "true" || raw === "1"`,
		True: []string{"true", "1"}, False: []string{"", "false", "0"}, Other: "off"}
	// ADK (DEBUG): anything but "", "false" and "0" turns debug on.
	adkDebug = &BoolReader{Name: `the ADK's DEBUG check (anything but "", "false" or "0" is on)`,
		True: []string{"true", "1"}, False: []string{"", "false", "0"}, Other: "on"}
	// ADK (SERVER_DISABLE_HEALTHCHECK_LOG): off only for ""/false/0/no/off (any case).
	adkOffList = &BoolReader{Name: `the ADK's off-list (""/false/0/no/off, any case, else on)`,
		True: []string{"true", "1", "yes", "on"}, False: []string{"", "false", "0", "no", "off"}, Fold: true, Trim: true, Other: "on"}
)

// BoolVar is a boolean variable of a product (newest name) and its default.
type BoolVar struct {
	Reader  *BoolReader
	Default bool
}

// Booleans lists each product's boolean variables (newest names).
// Gateway v0.48.2: every bool field of its configuration; ADK 0.16.0: every
// boolean its environment loaders read.
var Booleans = map[string]map[string]BoolVar{
	Gateway: {
		"ENABLE_VISION":                  {goParseBool, false},
		"ENABLE_IMAGES":                  {goParseBool, false},
		"TELEMETRY_ENABLED":              {goParseBool, false},
		"TELEMETRY_METRICS_PUSH_ENABLED": {goParseBool, false},
		"TELEMETRY_TRACING_ENABLED":      {goParseBool, false},
		"MCP_ENABLED":                    {goParseBool, false},
		"MCP_EXPOSE":                     {goParseBool, false},
		"MCP_ENABLE_RECONNECT":           {goParseBool, true},
		"MCP_POLLING_ENABLED":            {goParseBool, true},
		"MCP_DISABLE_HEALTHCHECK_LOGS":   {goParseBool, true},
		"AUTH_ENABLED":                   {goParseBool, false},
		"GUARDRAILS_ENABLED":             {goParseBool, false},
		"ROUTING_ENABLED":                {goParseBool, false},
		"CLIENT_DISABLE_COMPRESSION":     {goParseBool, true},
	},
	ADK: {
		"AUTH_ENABLED":                       {adkTruthy, false},
		"TELEMETRY_ENABLED":                  {adkTruthy, false},
		"METRICS_ENABLED":                    {adkTruthy, false},
		"A2A_MCP_ENABLED":                    {adkTruthy, false},
		"TLS_ENABLED":                        {adkTruthy, false},
		"TLS_CLIENT_AUTH":                    {adkTruthy, false},
		"CLIENT_TLS_INSECURE_SKIP_VERIFY":    {adkTruthy, false},
		"AGENT_CLIENT_TOOLS_CREATE_ARTIFACT": {adkExact, false},
		"DEBUG":                              {adkDebug, false},
		"SERVER_DISABLE_HEALTHCHECK_LOG":     {adkOffList, true},
	},
}

// boolVar returns product's boolean variable for key (old names included).
func boolVar(product, key string) (BoolVar, bool) {
	b, ok := Booleans[product][canonicalName(product, key)]
	return b, ok
}

func (r *BoolReader) norm(v string) string {
	if r.Trim {
		v = strings.TrimSpace(v)
	}
	if r.Fold {
		v = strings.ToLower(v)
	}
	return v
}

// Read returns what r makes of v: on, and whether v is one of the spellings
// it recognises. rejected reports a value r refuses (a start-up error).
func (r *BoolReader) Read(v string) (on, recognised, rejected bool) {
	n := r.norm(v)
	switch {
	case slices.Contains(r.True, n):
		return true, true, false
	case slices.Contains(r.False, n):
		return false, true, false
	}
	switch r.Other {
	case "reject":
		return false, false, true
	case "on":
		return true, false, false
	}
	return false, false, false
}

// intended is what a person most likely means by v, if anything.
func intended(v string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "t", "true", "y", "yes", "on", "enable", "enabled":
		return true, true
	case "", "0", "f", "false", "n", "no", "off", "disable", "disabled":
		return false, true
	}
	return false, false
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}

// parseBoolError is the gateway's start-up error for v, word for word.
func parseBoolError(key, v string) string {
	return fmt.Sprintf("%s: strconv.ParseBool: parsing %q: invalid syntax", key, v)
}

// BoolError is a boolean whose meaning igctl cannot carry over.
type BoolError struct {
	Line       int
	Key, Value string
	Reason     string
}

func (e *BoolError) Error() string {
	return fmt.Sprintf("line %d: %s=%s: %s", e.Line, e.Key, e.Value, e.Reason)
}

// respell returns raw's value written as s, in raw's quoting.
func respell(l *Line, s string) string {
	switch q := l.Quote(); q {
	case Single, Double, Backtick:
		return string(q) + s + string(q)
	}
	return s
}
