package envmap

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/inference-gateway/igctl/internal/fault"
)

// Rename is one variable a product renamed: versions up to LastOld read Old,
// later ones read New and silently ignore Old. To support another rename, add
// a row. The versions are those of the products' configuration code and
// changelogs.
type Rename struct {
	Product  string
	Old, New string
	LastOld  string // the last release reading Old
	Default  string // New's default when Old is ignored: "true", "false", or what it falls back to
}

// Renames is every rename in the products' history that still matters.
var Renames = []Rename{
	// gateway v0.14.0: ENABLE_TELEMETRY -> TELEMETRY_ENABLE (#154)
	{Gateway, "ENABLE_TELEMETRY", "TELEMETRY_ENABLED", "v0.13.0", "false"},
	// gateway v0.14.1: the AUTH_ prefix (#159)
	{Gateway, "ENABLE_AUTH", "AUTH_ENABLED", "v0.14.0", "false"},
	{Gateway, "OIDC_ISSUER_URL", "AUTH_OIDC_ISSUER", "v0.14.0", "http://keycloak:8080/realms/inference-gateway-realm"},
	{Gateway, "OIDC_CLIENT_ID", "AUTH_OIDC_CLIENT_ID", "v0.14.0", "inference-gateway-client"},
	{Gateway, "OIDC_CLIENT_SECRET", "AUTH_OIDC_CLIENT_SECRET", "v0.14.0", ""},
	// gateway v0.41.0: every *_ENABLE -> *_ENABLED, no compatibility (#516, 790ebc8a)
	{Gateway, "AUTH_ENABLE", "AUTH_ENABLED", "v0.40.0", "false"},
	{Gateway, "TELEMETRY_ENABLE", "TELEMETRY_ENABLED", "v0.40.0", "false"},
	{Gateway, "TELEMETRY_METRICS_PUSH_ENABLE", "TELEMETRY_METRICS_PUSH_ENABLED", "v0.40.0", "false"},
	{Gateway, "TELEMETRY_TRACING_ENABLE", "TELEMETRY_TRACING_ENABLED", "v0.40.0", "false"},
	{Gateway, "MCP_ENABLE", "MCP_ENABLED", "v0.40.0", "false"},
	{Gateway, "MCP_POLLING_ENABLE", "MCP_POLLING_ENABLED", "v0.40.0", "true"},
	// ADK 0.15.1: "align enable env vars to *_ENABLED" (#206, 4e20d86)
	{ADK, "AUTH_ENABLE", "AUTH_ENABLED", "0.15.0", "false"},
	{ADK, "TLS_ENABLE", "TLS_ENABLED", "0.15.0", "false"},
	{ADK, "METRICS_ENABLE", "METRICS_ENABLED", "0.15.0", "TELEMETRY_ENABLED"},
}

// Latest is the newest release of each product igctl knows: the target of a
// translation or check without --target-version.
var Latest = map[string]string{Gateway: "v0.48.2", ADK: "0.16.0"}

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

func mustVersion(s string) version {
	v, err := parseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

func (v version) less(o version) bool {
	for i := range v {
		if v[i] != o[i] {
			return v[i] < o[i]
		}
	}
	return false
}

func (v version) String(product string) string {
	s := fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2])
	if product == Gateway {
		return "v" + s
	}
	return s
}

// targetVersion parses ver, or returns product's latest release for "".
func targetVersion(product, ver string) (version, string, error) {
	if strings.TrimSpace(ver) == "" {
		ver = Latest[product]
	}
	v, err := parseVersion(ver)
	return v, v.String(product), fault.New(BadVersion, err)
}

// renameOf returns the row whose old name is key.
func renameOf(product, key string) (Rename, bool) {
	for _, r := range Renames {
		if r.Product == product && r.Old == key {
			return r, true
		}
	}
	return Rename{}, false
}

// canonicalName is the newest name for key (key itself when it is not old).
func canonicalName(product, key string) string {
	if r, ok := renameOf(product, key); ok {
		return r.New
	}
	return key
}

// spellingFor is the name product at v reads for the setting whose newest
// name is name: the old name of the earliest rename v still predates.
func spellingFor(product, name string, v version) (string, *Rename) {
	var best *Rename
	for i, r := range Renames {
		if r.Product != product || r.New != name || mustVersion(r.LastOld).less(v) {
			continue
		}
		if best == nil || mustVersion(r.LastOld).less(mustVersion(best.LastOld)) {
			best = &Renames[i]
		}
	}
	if best == nil {
		return name, nil
	}
	return best.Old, best
}

// ignoredEffect says what happens to the setting when its name is ignored.
func (r Rename) ignoredEffect() string {
	switch r.Default {
	case "true":
		return fmt.Sprintf("the old name leaves %s silently ON (its default)", r.New)
	case "false":
		return fmt.Sprintf("the old name leaves %s silently OFF (its default)", r.New)
	case "":
		return fmt.Sprintf("the old name leaves %s silently unset", r.New)
	}
	if strings.ToUpper(r.Default) == r.Default && !strings.Contains(r.Default, "/") {
		return fmt.Sprintf("the old name leaves %s silently following %s", r.New, r.Default)
	}
	return fmt.Sprintf("the old name leaves %s silently at its default %s", r.New, r.Default)
}

// lastOld is r.LastOld spelled the product's way.
func (r Rename) lastOld() string { return mustVersion(r.LastOld).String(r.Product) }
