package envmap

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
)

// crdPath is the operator's Gateway CRD the output must satisfy.
const crdPath = "../../third_party/peers/operator-v0.24.2-gateways-crd.yaml"

func loadCRDSchema(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(crdPath)
	if err != nil {
		t.Fatalf("the operator's CRD is needed for this test: %v", err)
	}
	d := docs(t, b)
	versions := sub(d[0], "spec", "versions").([]any)
	for _, v := range versions {
		vm := v.(map[string]any)
		if vm["name"] == "v1alpha1" {
			return sub(vm, "schema", "openAPIV3Schema").(map[string]any)
		}
	}
	t.Fatal("no v1alpha1 schema in the CRD")
	return nil
}

// validate walks an openAPIV3Schema the way the API server's structural
// validation does for the parts igctl uses: type, properties (unknown fields
// rejected unless additionalProperties or x-kubernetes-preserve-unknown-fields
// allow them), required, enum, pattern, minimum/maximum, items.
func validate(schema map[string]any, v any, path string) []string {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, a...)) }
	if path == ".metadata" {
		return nil // ObjectMeta: the API server checks it, the CRD only says "object"
	}
	if schema["x-kubernetes-int-or-string"] == true {
		switch v.(type) {
		case int, string:
		default:
			bad("want int or string, got %T", v)
		}
		return errs
	}
	switch schema["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			bad("want object, got %T", v)
			return errs
		}
		props, _ := schema["properties"].(map[string]any)
		for _, r := range asList(schema["required"]) {
			if _, ok := m[r.(string)]; !ok {
				bad("required field %q missing", r)
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				errs = append(errs, validate(ps, m[k], path+"."+k)...)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case map[string]any:
				errs = append(errs, validate(ap, m[k], path+"."+k)...)
				continue
			case bool:
				if ap {
					continue
				}
			}
			if schema["x-kubernetes-preserve-unknown-fields"] == true {
				continue
			}
			bad("unknown field %q", k)
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			bad("want array, got %T", v)
			return errs
		}
		items, _ := schema["items"].(map[string]any)
		for i, x := range l {
			errs = append(errs, validate(items, x, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			bad("want string, got %T (%v)", v, v)
			return errs
		}
		if p, ok := schema["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(s) {
			bad("%q does not match %s", s, p)
		}
		if n, ok := schema["maxLength"].(int); ok && len(s) > n {
			bad("longer than %d", n)
		}
	case "integer":
		n, ok := v.(int)
		if !ok {
			bad("want integer, got %T (%v)", v, v)
			return errs
		}
		if lo, ok := schema["minimum"].(int); ok && n < lo {
			bad("%d < minimum %d", n, lo)
		}
		if hi, ok := schema["maximum"].(int); ok && n > hi {
			bad("%d > maximum %d", n, hi)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("want boolean, got %T (%v)", v, v)
		}
	}
	if enum := asList(schema["enum"]); enum != nil {
		found := false
		for _, e := range enum {
			if e == v {
				found = true
			}
		}
		if !found {
			bad("%v is not one of %v", v, enum)
		}
	}
	return errs
}

func asList(v any) []any { l, _ := v.([]any); return l }

func TestValidatorRejectsWhatTheCRDRejects(t *testing.T) {
	schema := loadCRDSchema(t)
	for _, tc := range []struct {
		doc  string
		want string
	}{
		{"spec: {auth: {enabled: true, bogus: 1}}", `unknown field "bogus"`},
		{"spec: {server: {port: \"8080\"}}", "want integer"},
		{"spec: {server: {port: 80}}", "minimum"},
		{"spec: {guardrails: {failMode: closed}}", "not one of"},
		{"spec: {auth: {enabled: \"true\"}}", "want boolean"},
		{"spec: {mcp: {servers: [{url: x}]}}", `required field "name"`},
		{"spec: {gatewayAPI: {httpRoute: {hostnames: [Bad_Host]}}}", "does not match"},
		{"spec: {service: {annotations: {a: b}}}", ""},
	} {
		d := docs(t, []byte(tc.doc))[0]
		errs := strings.Join(validate(schema, d, ""), "\n")
		if (tc.want == "") != (errs == "") || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: want %q, got %q", tc.doc, tc.want, errs)
		}
	}
}

func TestOperatorOutputMatchesTheCRD(t *testing.T) {
	schema := loadCRDSchema(t)
	// Through Translate first, as `igctl env translate --to operator` does.
	res, err := Translate(read(t, "operator_rich.env"), Options{From: Gateway, To: Gateway})
	if err != nil {
		t.Fatal(err)
	}
	or, err := Operator(res.File, Manifest{Name: "ig", Namespace: "ai"})
	if err != nil {
		t.Fatal(err)
	}
	d := docs(t, or.YAML)
	if errs := validate(schema, d[0], ""); len(errs) > 0 {
		t.Fatalf("the Gateway does not match the CRD:\n%s\n%s", strings.Join(errs, "\n"), or.YAML)
	}
	gw := d[0]
	for path, want := range map[string]any{
		"spec.auth.enabled":                            true, // AUTH_ENABLE=t: ParseBool says true
		"spec.auth.oidc.issuerUrl":                     "https://kc.example.com/realms/inference-gateway-realm",
		"spec.auth.oidc.clientSecretRef.name":          "ig-secrets",
		"spec.environment":                             "development",
		"spec.server.host":                             "0.0.0.0",
		"spec.server.port":                             8080,
		"spec.server.timeouts.read":                    "30s",
		"spec.server.timeouts.write":                   "30s",
		"spec.server.timeouts.idle":                    "120s",
		"spec.telemetry.enabled":                       true,
		"spec.telemetry.metrics.port":                  9464,
		"spec.telemetry.traces.exporter.otlp.endpoint": "http://otel-collector:4318",
		"spec.mcp.enabled":                             true,
		"spec.mcp.expose":                              true,
		"spec.mcp.toolMode":                            "direct",
		"spec.mcp.timeouts.client":                     "5s",
		"spec.mcp.timeouts.dial":                       "3s",
		"spec.mcp.timeouts.tlsHandshake":               "3s",
		"spec.mcp.timeouts.responseHeader":             "3s",
		"spec.mcp.timeouts.request":                    "5s",
		"spec.routing.enabled":                         true,
		"spec.guardrails.enabled":                      true,
		"spec.guardrails.failMode":                     "allow",
		"spec.guardrails.externalUrl":                  "http://guard:8181",
		"spec.guardrails.externalTimeout":              "5s",
	} {
		if got := sub(gw, strings.Split(path, ".")...); got != want {
			t.Errorf("%s = %v (%T), want %v", path, got, got, want)
		}
	}
	servers := sub(gw, "spec", "mcp", "servers").([]any)
	var names []string
	for _, s := range servers {
		names = append(names, s.(map[string]any)["name"].(string)+"="+s.(map[string]any)["url"].(string))
	}
	if got := strings.Join(names, " "); got != "mcp-time=http://mcp-time:8081/mcp mcp-search=http://mcp-search:8082/mcp mcp-time-2=http://mcp-time:9000/mcp" {
		t.Errorf("mcp servers: %s", got)
	}
	if strings.Join(or.Dropped, ",") != "ALLOWED_MODELS,ROUTING_CONFIG_PATH" {
		t.Errorf("dropped: %v", or.Dropped)
	}
	notes := strings.Join(or.Notes, "\n")
	for _, want := range []string{"open → allow", "ROUTING_CONFIG_PATH left out", "timeouts.request"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	// The reference .env (every variable with its default) fits too.
	or, err = Operator(read(t, "gateway.env"), Manifest{Name: "ig"})
	if err != nil {
		t.Fatal(err)
	}
	if errs := validate(schema, docs(t, or.YAML)[0], ""); len(errs) > 0 {
		t.Fatalf("gateway.env: %s", strings.Join(errs, "\n"))
	}
	if sub(docs(t, or.YAML)[0], "spec", "telemetry", "traces") != nil {
		t.Errorf("tracing is off in gateway.env: no traces exporter")
	}
}

func TestOperatorRejectsValuesTheCRDWouldNot(t *testing.T) {
	for in, want := range map[string]string{
		"SERVER_PORT=80":                "line 1: SERVER_PORT=80: spec.server.port is an integer from 1024 to 65535",
		"X=1\nSERVER_PORT=http":         "line 2: SERVER_PORT=http",
		"ENVIRONMENT=test":              "spec.environment takes only development, production, staging",
		"GUARDRAILS_FAIL_MODE=deny":     "spec.guardrails.failMode takes only closed, open",
		"MCP_TOOL_MODE=all":             "spec.mcp.toolMode takes only direct, selector",
		"AUTH_ENABLED=yes":              "AUTH_ENABLED=yes: the gateway refuses to start on it",
		"TELEMETRY_TRACING_ENABLED=on":  "TELEMETRY_TRACING_ENABLED=on",
		"TELEMETRY_METRICS_PORT=100000": "spec.telemetry.metrics.port",
	} {
		_, err := Operator(Parse([]byte(in)), Manifest{Name: "ig"})
		if fault.KindOf(err) != BadValue || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want a bad value with %q, got %v", in, want, err)
		}
	}
}

func TestManifestNames(t *testing.T) {
	long := strings.Repeat("a", 64)
	for _, tc := range []struct {
		m        Manifest
		suffixes []string
		want     string
	}{
		{Manifest{Name: "inference-gateway", Namespace: "ai"}, K8sSuffixes, ""},
		{Manifest{Name: "ig.example"}, OperatorSuffixes, ""},
		{Manifest{Name: "Inference_Gateway"}, K8sSuffixes, `--name "Inference_Gateway" is not a valid Kubernetes name: a DNS-1123 subdomain`},
		{Manifest{Name: ""}, K8sSuffixes, "DNS-1123 subdomain"},
		{Manifest{Name: "-ig"}, K8sSuffixes, "DNS-1123 subdomain"},
		{Manifest{Name: long}, K8sSuffixes, "at most 63 characters"},
		{Manifest{Name: "ig", Namespace: "a.b"}, K8sSuffixes, `--namespace "a.b" is not a valid Kubernetes name: a DNS-1123 label`},
		{Manifest{Name: "ig", Namespace: long}, K8sSuffixes, "at most 63 characters (it has 64)"},
		{Manifest{Name: "ig", Namespace: "AI"}, K8sSuffixes, "DNS-1123 label"},
	} {
		err := tc.m.Validate(tc.suffixes...)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: want %q, got %v", tc.m, tc.want, err)
		}
	}
}
