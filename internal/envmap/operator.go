package envmap

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/inference-gateway/igctl/internal/fault"
)

// The operator's Gateway resource (its CRD fields, typed as the schema
// says) and the Secret it references.

// operatorField maps a gateway variable to a field of the operator's Gateway
// CRD (v0.24.2 openAPIV3Schema, under spec). To map another, add a row.
type operatorField struct {
	Key  string
	Path string // dotted, under spec
	Type string // "string", "bool", "duration" (a Go duration), "port" (integer 1024-65535) or "enum"
	// Enum maps the gateway's spelling to the CRD's (type "enum").
	Enum map[string]string
	Note string // printed when the row is used
}

var operatorFields = []operatorField{
	{Key: "AUTH_ENABLED", Path: "auth.enabled", Type: "bool"},
	{Key: "AUTH_OIDC_ISSUER", Path: "auth.oidc.issuerUrl", Type: "string"},
	{Key: "AUTH_OIDC_CLIENT_ID", Path: "auth.oidc.clientId", Type: "string"},
	{Key: "ENVIRONMENT", Path: "environment", Type: "enum", Enum: map[string]string{"development": "development", "staging": "staging", "production": "production"}},
	{Key: "SERVER_HOST", Path: "server.host", Type: "string"},
	{Key: "SERVER_PORT", Path: "server.port", Type: "port"},
	{Key: "SERVER_READ_TIMEOUT", Path: "server.timeouts.read", Type: "duration"},
	{Key: "SERVER_WRITE_TIMEOUT", Path: "server.timeouts.write", Type: "duration"},
	{Key: "SERVER_IDLE_TIMEOUT", Path: "server.timeouts.idle", Type: "duration"},
	{Key: "TELEMETRY_ENABLED", Path: "telemetry.enabled", Type: "bool"},
	{Key: "TELEMETRY_METRICS_PORT", Path: "telemetry.metrics.port", Type: "port"},
	{Key: "MCP_ENABLED", Path: "mcp.enabled", Type: "bool"},
	{Key: "MCP_EXPOSE", Path: "mcp.expose", Type: "bool"},
	{Key: "MCP_TOOL_MODE", Path: "mcp.toolMode", Type: "enum", Enum: map[string]string{"selector": "selector", "direct": "direct"}},
	{Key: "MCP_CLIENT_TIMEOUT", Path: "mcp.timeouts.client", Type: "duration"},
	{Key: "MCP_DIAL_TIMEOUT", Path: "mcp.timeouts.dial", Type: "duration"},
	{Key: "MCP_TLS_HANDSHAKE_TIMEOUT", Path: "mcp.timeouts.tlsHandshake", Type: "duration"},
	{Key: "MCP_RESPONSE_HEADER_TIMEOUT", Path: "mcp.timeouts.responseHeader", Type: "duration"},
	{Key: "MCP_REQUEST_TIMEOUT", Path: "mcp.timeouts.request", Type: "duration",
		Note: "operator v0.24.2 does not pass spec.mcp.timeouts.request on to the gateway (it emits only the client, dial, TLS-handshake and response-header timeouts)"},
	{Key: "ROUTING_ENABLED", Path: "routing.enabled", Type: "bool"},
	{Key: "GUARDRAILS_ENABLED", Path: "guardrails.enabled", Type: "bool"},
	{Key: "GUARDRAILS_FAIL_MODE", Path: "guardrails.failMode", Type: "enum", Enum: map[string]string{"closed": "deny", "open": "allow"},
		Note: "the CRD spells the fail modes deny|allow where the gateway reads closed|open: open → allow (closed is refused above: operator v0.24.2 passes failMode verbatim, and a deployed deny behaves as open)"},
	{Key: "GUARDRAILS_EXTERNAL_URL", Path: "guardrails.externalUrl", Type: "string"},
	{Key: "GUARDRAILS_EXTERNAL_TIMEOUT", Path: "guardrails.externalTimeout", Type: "duration"},
}

// operatorLeftOut explains keys that look mappable but have no field.
var operatorLeftOut = map[string]string{
	"ROUTING_CONFIG_PATH":   "the operator sets it to the file it renders from spec.routing.config or spec.routing.configMapRef",
	"GUARDRAILS_POLICY_DIR": "the operator mounts spec.guardrails.configMapRef there",
	"SERVER_TLS_CERT_PATH":  "spec.server.tls takes Secret references (certificateRef, keyRef), not paths",
	"SERVER_TLS_KEY_PATH":   "spec.server.tls takes Secret references (certificateRef, keyRef), not paths",
}

type secretKeyRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

type envVar struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value,omitempty"`
	ValueFrom *struct {
		SecretKeyRef secretKeyRef `yaml:"secretKeyRef"`
	} `yaml:"valueFrom,omitempty"`
}

type providerSpec struct {
	Name    string   `yaml:"name"`
	Enabled bool     `yaml:"enabled"`
	Env     []envVar `yaml:"env"`
}

type gatewayCR struct {
	APIVersion string         `yaml:"apiVersion"`
	Kind       string         `yaml:"kind"`
	Metadata   objectMeta     `yaml:"metadata"`
	Spec       map[string]any `yaml:"spec"`
}

// setPath sets spec[a][b]... = v, creating the maps on the way.
func setPath(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}

// OperatorResult is the rendered Gateway and Secret, the keys left out and
// notes about the mapping.
type OperatorResult struct {
	YAML    []byte
	Dropped []string // keys with no place in the CRD
	Notes   []string
}

// Operator renders a gateway-named file as the operator's Gateway resource
// plus the Secret it references: every variable with a CRD field goes there,
// typed as the CRD's schema says; the client secret and provider API keys go
// to the Secret.
func Operator(f *File, m Manifest) (*OperatorResult, error) {
	if err := checkUTF8(f); err != nil {
		return nil, err
	}
	r := newOperatorRender(f, m)
	if err := r.refuseFailClosed(); err != nil {
		return nil, err
	}
	if err := r.mapFields(); err != nil {
		return nil, err
	}
	if err := r.mapSpecials(); err != nil {
		return nil, err
	}
	r.mapProviders()
	r.noteLeftOut()
	out, err := encodeAll(r.cr, r.sec)
	r.res.YAML = out
	return r.res, err
}

// operatorRender is one rendering in progress: the file's values, which of
// them have found a place, and the two resources being filled.
type operatorRender struct {
	vals       map[string]string
	lines      map[string]int
	used       map[string]bool
	secretName string
	sec        secret
	spec       map[string]any
	cr         gatewayCR
	res        *OperatorResult
}

func newOperatorRender(f *File, m Manifest) *operatorRender {
	r := &operatorRender{
		vals:       map[string]string{},
		lines:      map[string]int{},
		used:       map[string]bool{},
		secretName: m.Name + "-secrets",
		spec:       map[string]any{},
		res:        &OperatorResult{},
	}
	for _, l := range f.Lines {
		if l.IsAssignment() {
			k := canonicalName(Gateway, l.Key)
			r.vals[k], r.lines[k] = l.Value(), l.Num
		}
	}
	r.sec = secret{APIVersion: "v1", Kind: "Secret", Metadata: m.meta("-secrets"), Type: "Opaque", StringData: map[string]string{}}
	r.cr = gatewayCR{APIVersion: "core.inference-gateway.com/v1alpha1", Kind: "Gateway", Metadata: m.meta(""), Spec: r.spec}
	setPath(r.spec, "auth.provider", "oidc")
	setPath(r.spec, "auth.enabled", false)
	return r
}

// bad refuses the value of k, naming its line; a secret's value is masked.
func (r *operatorRender) bad(k, msg string) error {
	shown := r.vals[k]
	if IsSecret(k) {
		shown = "****"
	}
	return fault.Errorf(BadValue, "line %d: %s=%s: %s", r.lines[k], k, shown, msg)
}

// refuseFailClosed refuses fail-closed guardrails (the gateway's default),
// which cannot be expressed: the operator passes spec.guardrails.failMode
// (deny|allow) to the gateway verbatim, and the gateway blocks only on the
// word "closed", so "deny" runs open. Refuse rather than silently weaken them.
func (r *operatorRender) refuseFailClosed() error {
	if on, _, _ := goParseBool.Read(r.vals["GUARDRAILS_ENABLED"]); on {
		if mode := r.vals["GUARDRAILS_FAIL_MODE"]; mode == "" || mode == "closed" {
			if mode == "" {
				mode = "closed (the gateway's default)"
			}
			return fault.Errorf(FailClosedGuardrails, "GUARDRAILS_FAIL_MODE=%s cannot be kept in a Gateway resource: operator v0.24.2 passes spec.guardrails.failMode (deny|allow) to the gateway verbatim, and the gateway blocks only on \"closed\", so deny would run fail-open", mode)
		}
	}
	return nil
}

// mapFields puts every variable with a row in operatorFields at its CRD
// field, typed as the row says.
func (r *operatorRender) mapFields() error {
	for _, fd := range operatorFields {
		v, ok := r.vals[fd.Key]
		if !ok {
			continue
		}
		r.used[fd.Key] = true
		out, set, err := r.fieldValue(fd, v)
		if err != nil {
			return err
		}
		if !set {
			continue
		}
		setPath(r.spec, fd.Path, out)
		if fd.Note != "" {
			r.res.Notes = append(r.res.Notes, fmt.Sprintf("%s → spec.%s: %s", fd.Key, fd.Path, fd.Note))
		}
	}
	return nil
}

// fieldValue types v as fd's CRD field takes it; set is false where an
// empty value means unset, so the CRD's default applies.
func (r *operatorRender) fieldValue(fd operatorField, v string) (out any, set bool, err error) {
	if v == "" && fd.Type != "bool" {
		return nil, false, nil // empty is unset: the CRD's default applies
	}
	switch fd.Type {
	case "bool":
		on, _, rejected := goParseBool.Read(v)
		if rejected {
			return nil, false, r.bad(fd.Key, "the gateway refuses to start on it (strconv.ParseBool); write true or false")
		}
		return on, true, nil
	case "duration":
		// the operator passes the string on as the gateway's variable,
		// which the gateway parses with time.ParseDuration at start
		if p := CheckGatewayValue(fd.Key, v); p != nil && p.Severity == SevError {
			return nil, false, r.bad(fd.Key, p.Reason+"; "+p.Fix)
		}
		return v, true, nil
	case "port":
		p, err := strconv.Atoi(v)
		if err != nil || p < 1024 || p > 65535 {
			return nil, false, r.bad(fd.Key, fmt.Sprintf("spec.%s is an integer from 1024 to 65535 in the operator's CRD", fd.Path))
		}
		return p, true, nil
	case "enum":
		crd, ok := fd.Enum[v]
		if !ok {
			var allowed []string
			for k := range fd.Enum {
				allowed = append(allowed, k)
			}
			sort.Strings(allowed)
			return nil, false, r.bad(fd.Key, fmt.Sprintf("spec.%s takes only %s", fd.Path, strings.Join(allowed, ", ")))
		}
		return crd, true, nil
	default:
		return v, true, nil
	}
}

// mapSpecials places the variables whose CRD shape is not one field: the
// client secret (into the Secret, by reference), tracing and MCP servers.
func (r *operatorRender) mapSpecials() error {
	if v, ok := r.vals["AUTH_OIDC_CLIENT_SECRET"]; ok {
		r.used["AUTH_OIDC_CLIENT_SECRET"] = true
		r.sec.StringData["AUTH_OIDC_CLIENT_SECRET"] = v
		setPath(r.spec, "auth.oidc.clientSecretRef", map[string]any{"name": r.secretName, "key": "AUTH_OIDC_CLIENT_SECRET"})
	}
	if err := r.mapTracing(); err != nil {
		return err
	}
	if v, ok := r.vals["MCP_SERVERS"]; ok {
		r.used["MCP_SERVERS"] = true
		if servers := mcpServers(v); len(servers) > 0 {
			setPath(r.spec, "mcp.servers", servers)
		}
	}
	return nil
}

// mapTracing relies on the operator emitting TELEMETRY_TRACING_ENABLED=true
// exactly when spec.telemetry.traces.exporter.otlp is set (and telemetry is
// enabled).
func (r *operatorRender) mapTracing() error {
	if v, ok := r.vals["TELEMETRY_TRACING_ENABLED"]; ok {
		r.used["TELEMETRY_TRACING_ENABLED"] = true
		on, _, rejected := goParseBool.Read(v)
		if rejected {
			return r.bad("TELEMETRY_TRACING_ENABLED", "the gateway refuses to start on it (strconv.ParseBool); write true or false")
		}
		if on {
			otlp := map[string]any{}
			if ep := r.vals["TELEMETRY_TRACING_OTLP_ENDPOINT"]; ep != "" {
				otlp["endpoint"] = ep
			}
			setPath(r.spec, "telemetry.traces.exporter.otlp", otlp)
			r.used["TELEMETRY_TRACING_OTLP_ENDPOINT"] = true
		}
	}
	if _, ok := r.vals["TELEMETRY_TRACING_OTLP_ENDPOINT"]; ok && !r.used["TELEMETRY_TRACING_OTLP_ENDPOINT"] {
		r.used["TELEMETRY_TRACING_OTLP_ENDPOINT"] = true
		r.res.Notes = append(r.res.Notes, "TELEMETRY_TRACING_OTLP_ENDPOINT left out: tracing is off, and setting spec.telemetry.traces.exporter.otlp would turn it on")
	}
	return nil
}

// mapProviders lists each provider with <P>_API_URL as a value and
// <P>_API_KEY from the Secret.
func (r *operatorRender) mapProviders() {
	providers := map[string]*providerSpec{}
	var names []string
	for k, v := range r.vals {
		for _, suffix := range []string{"_API_URL", "_API_KEY"} {
			if !strings.HasSuffix(k, suffix) {
				continue
			}
			r.used[k] = true
			p := strings.ToLower(strings.TrimSuffix(k, suffix))
			ps, ok := providers[p]
			if !ok {
				ps = &providerSpec{Name: p, Enabled: true}
				providers[p] = ps
				names = append(names, p)
			}
			ev := envVar{Name: k}
			if suffix == "_API_KEY" {
				if v == "" {
					continue // an empty key adds nothing
				}
				r.sec.StringData[k] = v
				ev.ValueFrom = &struct {
					SecretKeyRef secretKeyRef `yaml:"secretKeyRef"`
				}{secretKeyRef{Name: r.secretName, Key: k}}
			} else {
				ev.Value = v
			}
			ps.Env = append(ps.Env, ev)
		}
	}
	sort.Strings(names)
	var plist []providerSpec
	for _, n := range names {
		ps := providers[n]
		sort.Slice(ps.Env, func(i, j int) bool { return ps.Env[i].Name < ps.Env[j].Name })
		plist = append(plist, *ps)
	}
	if len(plist) > 0 {
		r.spec["providers"] = plist
	}
}

// noteLeftOut lists the keys that found no place, saying why where a key
// looks mappable.
func (r *operatorRender) noteLeftOut() {
	for k := range r.vals {
		if !r.used[k] {
			r.res.Dropped = append(r.res.Dropped, k)
			if why, ok := operatorLeftOut[k]; ok {
				r.res.Notes = append(r.res.Notes, k+" left out: "+why)
			}
		}
	}
	sort.Strings(r.res.Dropped)
	sort.Strings(r.res.Notes)
}

// mcpServers turns the gateway's comma-separated MCP_SERVERS into the CRD's
// [{name, url}] (both required); names come from the URLs' hosts.
func mcpServers(csv string) []map[string]any {
	var out []map[string]any
	seen := map[string]int{}
	for _, s := range strings.Split(csv, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		name := "mcp"
		if u, err := url.Parse(s); err == nil && u.Hostname() != "" {
			name = strings.Trim(nonName().ReplaceAllString(strings.ToLower(u.Hostname()), "-"), "-")
		}
		if name == "" {
			name = "mcp"
		}
		seen[name]++
		if n := seen[name]; n > 1 {
			name = fmt.Sprintf("%s-%d", name, n)
		}
		out = append(out, map[string]any{"name": name, "url": s})
	}
	return out
}
