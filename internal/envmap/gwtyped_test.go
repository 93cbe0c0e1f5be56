package envmap

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
)

// gatewaySrc is the real gateway's source, as scripts/peers.sh builds it.
const gatewaySrc = "../../third_party/peers/inference-gateway-0.48.2-src.tar.gz"

// gatewayField is one environment variable of the gateway's config struct.
type gatewayField struct {
	Name, Type, Default string
}

// gatewayConfigFields reads the gateway's config struct (config/config.go
// and providers/client/config.go of the source archive) the way
// go-envconfig walks it: a tagged struct field adds its prefix= to its
// fields, an untagged struct field is walked without one, and untagged
// fields of other types are not read from the environment.
func gatewayConfigFields(t *testing.T) []gatewayField {
	t.Helper()
	f, err := os.Open(gatewaySrc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	structs := map[string]*ast.StructType{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(h.Name, "/config/config.go") && !strings.HasSuffix(h.Name, "/providers/client/config.go") {
			continue
		}
		src, _ := io.ReadAll(tr)
		file, err := goparser.ParseFile(token.NewFileSet(), h.Name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				if st, ok := ts.Type.(*ast.StructType); ok {
					structs[ts.Name.Name] = st
				}
			}
			return true
		})
	}
	root := structs["Config"]
	if root == nil || structs["ClientConfig"] == nil {
		t.Fatalf("%s: no Config or ClientConfig struct", gatewaySrc)
	}
	var out []gatewayField
	var walk func(st *ast.StructType, prefix string)
	walk = func(st *ast.StructType, prefix string) {
		for _, fl := range st.Fields.List {
			tag := ""
			if fl.Tag != nil {
				s, _ := strconv.Unquote(fl.Tag.Value)
				tag = reflect.StructTag(s).Get("env")
			}
			typ := fl.Type
			if star, ok := typ.(*ast.StarExpr); ok {
				typ = star.X
			}
			name := ""
			switch x := typ.(type) {
			case *ast.Ident:
				name = x.Name
			case *ast.SelectorExpr:
				name = x.X.(*ast.Ident).Name + "." + x.Sel.Name
			}
			key, opts, _ := strings.Cut(tag, ",")
			key, opts = strings.TrimSpace(key), strings.TrimSpace(opts)
			short := name[strings.LastIndex(name, ".")+1:]
			if nested, ok := structs[short]; ok && name != "time.Duration" {
				p := prefix
				if v, ok := strings.CutPrefix(opts, "prefix="); ok {
					p += v
				}
				walk(nested, p)
				continue
			}
			if tag == "" {
				continue
			}
			def := ""
			if v, ok := strings.CutPrefix(opts, "default="); ok {
				def = v
			}
			out = append(out, gatewayField{Name: prefix + key, Type: name, Default: def})
		}
	}
	walk(root, "")
	if len(out) < 40 {
		t.Fatalf("only %d fields read from the gateway's config struct: %+v", len(out), out)
	}
	return out
}

// Every typed setting of the gateway's config struct is in igctl's tables
// with the kind and default the struct gives it (a setting the gateway adds
// shows up here), and every row of the tables is a setting of the struct.
func TestGatewayTypedMatchesConfigStruct(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range gatewayConfigFields(t) {
		seen[f.Name] = true
		typed, isTyped := GatewayTyped[f.Name]
		switch {
		case f.Type == "time.Duration":
			if typed != (TypedVar{KindDuration, f.Default}) {
				t.Errorf("%s: time.Duration, default %s; GatewayTyped has %+v", f.Name, f.Default, typed)
			}
		case f.Type == "int":
			if typed != (TypedVar{KindInt, f.Default}) {
				t.Errorf("%s: int, default %s; GatewayTyped has %+v", f.Name, f.Default, typed)
			}
		case f.Type == "bool":
			b, ok := Booleans[Gateway][f.Name]
			if !ok || b.Reader != goParseBool || b.Default != (f.Default == "true") {
				t.Errorf("%s: bool, default %q; Booleans has %+v (present %v)", f.Name, f.Default, b, ok)
			}
		case f.Type == "string" && strings.HasSuffix(f.Name, "PORT"):
			if typed != (TypedVar{KindPort, f.Default}) {
				t.Errorf("%s: a port (string), default %s; GatewayTyped has %+v", f.Name, f.Default, typed)
			}
		case f.Type == "string" && f.Name == "AUTH_OIDC_ISSUER":
			// checked by the issuer rule
		case f.Type == "string" && (strings.HasSuffix(f.Name, "_URL") || strings.HasSuffix(f.Name, "_ENDPOINT")):
			if typed != (TypedVar{KindURL, f.Default}) {
				t.Errorf("%s: a URL (string), default %q; GatewayTyped has %+v", f.Name, f.Default, typed)
			}
		case f.Type == "string" && f.Name == "MCP_SERVERS":
			if typed != (TypedVar{KindURLList, f.Default}) {
				t.Errorf("%s: comma-separated URLs; GatewayTyped has %+v", f.Name, typed)
			}
		case f.Type == "string":
			if isTyped {
				t.Errorf("%s is a plain string in the gateway; GatewayTyped has %+v", f.Name, typed)
			}
		default:
			t.Errorf("%s: type %s is not checked by igctl: add its kind to GatewayTyped and CheckGatewayValue", f.Name, f.Type)
		}
	}
	for k := range GatewayTyped {
		if !seen[k] {
			t.Errorf("GatewayTyped has %s, which the gateway's config struct does not read", k)
		}
	}
	for k := range Booleans[Gateway] {
		if !seen[k] {
			t.Errorf("Booleans has %s, which the gateway's config struct does not read", k)
		}
	}
}

// Values per kind, with what the gateway does with each: its loader's
// error for a refusal (empty when it starts).
var typedSamples = map[string][]struct {
	v       string
	sev     Severity // "" when the gateway reads the value as meant
	message string   // in the finding
}{
	KindDuration: {
		{"45s", "", ""}, {"1m30s", "", ""}, {"0", "", ""}, {"250ms", "", ""},
		{"45", SevError, `time: missing unit in duration "45"`},
		{"10sec", SevError, `time: unknown unit "sec" in duration "10sec"`},
		{"5 s", SevError, `time: unknown unit " s" in duration "5 s"`},
		{"", SevWarning, "reads that as 0"},
	},
	KindInt: {
		{"100", "", ""}, {"0x10", "", ""}, {"-1", "", ""},
		{"10MB", SevError, `strconv.ParseInt: parsing "10MB": invalid syntax`},
		{"1.5", SevError, `strconv.ParseInt: parsing "1.5": invalid syntax`},
		{"", SevWarning, "reads that as 0"},
	},
	KindPort: {
		{"8080", "", ""}, {"9464", "", ""},
		{"abc", SevError, "not a port"},
		{"70000", SevError, "not a port"},
		{"", SevWarning, "random port"},
	},
	KindURL: {
		{"http://127.0.0.1:4318", "", ""}, {"https://guard.example/v1", "", ""},
		{"guard.example/v1", SevWarning, "is not an absolute URL"},
		{"ftp://guard.example", SevWarning, "is not an http(s) URL"},
	},
	KindURLList: {
		{"http://a:8081/mcp,http://b:8082/mcp", "", ""}, {"", "", ""},
		{"http://a:8081/mcp,b:8082", SevWarning, "is not an"},
	},
}

// Every typed setting, every kind of value: env check's finding, and
// whether a translation into gateway naming (and so --to k8s and --to
// operator) refuses it (exit 3) — only a value the gateway would refuse.
func TestGatewayTypedValues(t *testing.T) {
	for key, tv := range GatewayTyped {
		samples := typedSamples[tv.Kind]
		if len(samples) == 0 {
			t.Fatalf("no samples for kind %s (%s)", tv.Kind, key)
		}
		for _, s := range samples {
			f := Parse([]byte(key + "=" + s.v + "\n"))
			findings, err := Check(f, CheckOptions{Product: Gateway})
			if err != nil {
				t.Fatal(err)
			}
			var got *Finding
			for i := range findings {
				if findings[i].Key == key {
					got = &findings[i]
				}
			}
			switch {
			case s.sev == "" && got != nil:
				t.Errorf("%s=%s: unexpected finding %+v", key, s.v, *got)
			case s.sev != "" && got == nil:
				t.Errorf("%s=%s: no finding, want %s %q", key, s.v, s.sev, s.message)
			case s.sev != "" && (got.Severity != s.sev || !strings.Contains(got.Msg, s.message) || got.Line != 1 || got.Fix == ""):
				t.Errorf("%s=%s: finding %+v, want %s containing %q", key, s.v, *got, s.sev, s.message)
			}
			_, err = Translate(f, Options{From: Gateway, To: Gateway})
			if refuse := s.sev == SevError; refuse != (err != nil) {
				t.Errorf("%s=%s: translate error %v, want refusal %v", key, s.v, err, refuse)
			} else if refuse && (fault.KindOf(err) != BadValue || !strings.Contains(err.Error(), "line 1: "+key+"="+s.v) || !strings.Contains(err.Error(), s.message)) {
				t.Errorf("%s=%s: translate error %v (kind %s)", key, s.v, err, fault.KindOf(err))
			}
		}
	}
	// old names are checked too, and a reference is left to whoever expands it
	for _, line := range []string{"SERVER_READ_TIMEOUT=${READ}", "SERVER_READ_TIMEOUT=$READ"} {
		if p := CheckGatewayValue("SERVER_READ_TIMEOUT", strings.TrimPrefix(line, "SERVER_READ_TIMEOUT=")); p != nil {
			t.Errorf("%s: %+v", line, *p)
		}
	}
	if p := CheckGatewayValue("OPENAI_API_URL", ""); p == nil || p.Severity != SevWarning {
		t.Errorf("empty provider URL (replaces the provider's default): %+v", p)
	}
	if p := CheckGatewayValue("ALLOWED_MODELS", "45"); p != nil {
		t.Errorf("a plain string: %+v", *p)
	}
}

// --to operator: a duration the gateway refuses never reaches the Gateway
// resource (the operator passes it on verbatim), from Operator itself too.
func TestOperatorRefusesBadDurations(t *testing.T) {
	for _, fd := range operatorFields {
		tv, ok := GatewayTyped[fd.Key]
		if !ok || tv.Kind != KindDuration {
			continue
		}
		if fd.Type != "duration" {
			t.Errorf("%s → spec.%s is typed %q, want duration", fd.Key, fd.Path, fd.Type)
			continue
		}
		_, err := Operator(Parse([]byte(fd.Key+"=45\n")), Manifest{Name: "ig"})
		if fault.KindOf(err) != BadValue || !strings.Contains(err.Error(), `time: missing unit in duration "45"`) {
			t.Errorf("%s=45: %v", fd.Key, err)
		}
		res, err := Operator(Parse([]byte(fd.Key+"=45s\n")), Manifest{Name: "ig"})
		if err != nil || !strings.Contains(string(res.YAML), ": 45s\n") {
			t.Errorf("%s=45s: %v\n%s", fd.Key, err, res.YAML)
		}
	}
}

// From the ADK, an MCP duration without a unit is milliseconds: it reaches
// the gateway spelt with ms, with a note.
func TestTranslateADKMillisecondsToGateway(t *testing.T) {
	res, err := Translate(Parse([]byte("A2A_MCP_DIAL_TIMEOUT=5000\nA2A_MCP_CALL_TIMEOUT='3s'\n")), Options{From: ADK, To: Gateway})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.File.String(); got != "MCP_DIAL_TIMEOUT=5000ms\nMCP_REQUEST_TIMEOUT='3s'\n" {
		t.Errorf("got %q", got)
	}
	noted := false
	for _, n := range res.Notes {
		noted = noted || strings.Contains(n.Msg, "milliseconds for the ADK")
	}
	if !noted {
		t.Errorf("no note: %+v", res.Notes)
	}
}
