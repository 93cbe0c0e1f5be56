package envmap

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("%s differs from the golden file (go test -update to accept):\n%s", name, got)
	}
}

func read(t *testing.T, name string) *File {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Parse(b)
}

func TestGoldenGatewayToADKAndBack(t *testing.T) {
	src := read(t, "gateway.env")
	res, err := Translate(src, Options{From: Gateway, To: ADK})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "gateway_to_adk.golden", res.File.String())
	got := res.File
	for key, want := range map[string]string{
		"AUTH_ISSUER_URL":             "http://keycloak:8080/realms/inference-gateway-realm",
		"AUTH_CLIENT_SECRET":          "s3cr3t#value",
		"TLS_CERT_PATH":               "",
		"A2A_SERVER_PORT":             "8080",
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://${A2A_SERVER_HOST}:4318", // reference renamed, not expanded
		"A2A_AGENT_CLIENT_BASE_URL":   "http://127.0.0.1:8080/v1",
		"OPENAI_API_KEY":              "sk-test-123",
		"ALLOWED_MODELS":              "", // unmapped: passes through
	} {
		if v, ok := got.Get(key); !ok || v != want {
			t.Errorf("%s = %q (present %v), want %q", key, v, ok, want)
		}
	}
	for _, gone := range []string{"AUTH_OIDC_ISSUER", "SERVER_TLS_CERT_PATH", "SERVER_HOST"} {
		if _, ok := got.Get(gone); ok {
			t.Errorf("%s should have been renamed", gone)
		}
	}
	if !contains(res.Unmapped, "ALLOWED_MODELS") || contains(res.Unmapped, "OPENAI_API_KEY") {
		t.Errorf("unmapped: %v", res.Unmapped)
	}
	// notes for approximate and convention rows
	var notes []string
	for _, n := range res.Notes {
		notes = append(notes, n.Msg)
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{"TELEMETRY_ENABLED → TELEMETRY_ENABLED is approximate", "SERVER_HOST → A2A_SERVER_HOST is convention"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}

	back, err := Translate(Parse([]byte(got.String())), Options{From: ADK, To: Gateway})
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(filepath.Join("testdata", "gateway.env"))
	if back.File.String() != string(orig) {
		t.Fatalf("gateway → adk → gateway is not the identity:\n%s", back.File.String())
	}
}

func TestGoldenADKToGateway(t *testing.T) {
	res, err := Translate(read(t, "adk.env"), Options{From: ADK, To: Gateway})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "adk_to_gateway.golden", res.File.String())
	if v, _ := res.File.Get("AUTH_OIDC_CLIENT_SECRET"); v != "change me" {
		t.Fatalf("secret value changed: %q", v)
	}
	// the agent's own base URL is not a derived line: it stays
	if v, _ := res.File.Get(DerivedBaseURL); v != "http://inference-gateway:8080/v1" {
		t.Fatalf("base URL: %q", v)
	}
}

func TestCRLFBOMExportQuotesSurvive(t *testing.T) {
	in := "\ufeff# c\r\nexport AUTH_OIDC_ISSUER = 'http://k/realms/r'   # issuer\r\nAUTH_OIDC_CLIENT_ID:\"id\"\r\nKEEP=${AUTH_OIDC_CLIENT_ID} '$AUTH_OIDC_ISSUER'\r\nLIT='${AUTH_OIDC_ISSUER}'"
	res, err := Translate(Parse([]byte(in)), Options{From: Gateway, To: ADK})
	if err != nil {
		t.Fatal(err)
	}
	want := "\ufeff# c\r\nexport AUTH_ISSUER_URL = 'http://k/realms/r'   # issuer\r\nAUTH_CLIENT_ID:\"id\"\r\nKEEP=${AUTH_CLIENT_ID} '$AUTH_ISSUER_URL'\r\nLIT='${AUTH_OIDC_ISSUER}'"
	if got := res.File.String(); got != want {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

func TestEnableSpelling(t *testing.T) {
	old := Parse([]byte("AUTH_ENABLE=true\nMCP_ENABLE=true\n"))
	// Default target = newest release: the legacy name is renamed, with a note
	// (keeping it would leave auth silently OFF in the output).
	res, err := Translate(old, Options{From: Gateway, To: ADK})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := res.File.Get("AUTH_ENABLED"); v != "true" {
		t.Fatalf("AUTH_ENABLE not renamed: %s", res.File)
	}
	if _, ok := res.File.Get("AUTH_ENABLE"); ok {
		t.Fatalf("AUTH_ENABLE kept: %s", res.File)
	}
	if v, _ := res.File.Get("A2A_MCP_ENABLED"); v != "true" {
		t.Fatalf("MCP_ENABLE should map to A2A_MCP_ENABLED: %s", res.File)
	}
	if !hasNote(res, "AUTH_ENABLE renamed to AUTH_ENABLED for adk 0.16.0") || !hasNote(res, "silently OFF") {
		t.Fatalf("no rename note: %+v", res.Notes)
	}
	// An explicit target version picks the name that version reads.
	res, _ = Translate(old, Options{From: Gateway, To: ADK, TargetVersion: "0.16.0"})
	if _, ok := res.File.Get("AUTH_ENABLED"); !ok || hasWarning(res, "ignored") {
		t.Fatalf("0.16.0 should get AUTH_ENABLED without warning: %s %+v", res.File, res.Notes)
	}
	newer := Parse([]byte("AUTH_ENABLED=true\n"))
	res, _ = Translate(newer, Options{From: ADK, To: Gateway, TargetVersion: "v0.23.1"})
	if _, ok := res.File.Get("AUTH_ENABLE"); !ok {
		t.Fatalf("gateway v0.23.1 reads AUTH_ENABLE: %s", res.File)
	}
	res, _ = Translate(newer, Options{From: ADK, To: ADK, TargetVersion: "0.15.0"})
	if _, ok := res.File.Get("AUTH_ENABLE"); !ok {
		t.Fatalf("ADK 0.15.0 reads AUTH_ENABLE: %s", res.File)
	}
	if _, err := Translate(newer, Options{From: ADK, To: Gateway, TargetVersion: "latest"}); fault.KindOf(err) != BadVersion {
		t.Fatalf("bad version: %v", err)
	}
}

func TestRenameTable(t *testing.T) {
	for _, tc := range []struct {
		in, to, ver, want, note string
	}{
		{"ENABLE_AUTH=true", Gateway, "", "AUTH_ENABLED=true", "silently OFF"},
		{"ENABLE_AUTH=true", Gateway, "v0.14.0", "ENABLE_AUTH=true", ""},
		{"AUTH_ENABLE=true", Gateway, "v0.10.0", "ENABLE_AUTH=true", ""},
		{"AUTH_ENABLED=true", Gateway, "v0.14.1", "AUTH_ENABLE=true", ""},
		{"AUTH_ENABLED=true", Gateway, "v0.41.0", "AUTH_ENABLED=true", ""},
		{"MCP_POLLING_ENABLE=false", Gateway, "", "MCP_POLLING_ENABLED=false", "MCP_POLLING_ENABLED silently ON"},
		{"TELEMETRY_METRICS_PUSH_ENABLE=true", Gateway, "", "TELEMETRY_METRICS_PUSH_ENABLED=true", "silently OFF"},
		{"TELEMETRY_TRACING_ENABLE=true", Gateway, "", "TELEMETRY_TRACING_ENABLED=true", "silently OFF"},
		{"ENABLE_TELEMETRY=true", Gateway, "", "TELEMETRY_ENABLED=true", ""},
		{"ENABLE_TELEMETRY=true", Gateway, "v0.20.0", "TELEMETRY_ENABLE=true", ""},
		{"OIDC_ISSUER_URL=http://k/realms/r", Gateway, "", "AUTH_OIDC_ISSUER=http://k/realms/r", "silently at its default http://keycloak"},
	} {
		res, err := Translate(Parse([]byte(tc.in)), Options{From: Gateway, To: tc.to, TargetVersion: tc.ver})
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if got := res.File.String(); got != tc.want {
			t.Errorf("%s → %s %s: got %q, want %q", tc.in, tc.to, tc.ver, got, tc.want)
		}
		if tc.note != "" && !hasNote(res, tc.note) {
			t.Errorf("%s: no note %q in %+v", tc.in, tc.note, res.Notes)
		}
	}
	res, _ := Translate(Parse([]byte("TLS_ENABLE=true\nMETRICS_ENABLE=1\n")), Options{From: ADK, To: ADK})
	if got := res.File.String(); got != "TLS_ENABLED=true\nMETRICS_ENABLED=1\n" {
		t.Fatalf("ADK renames: %q", got)
	}
	if !hasNote(res, "METRICS_ENABLED silently following TELEMETRY_ENABLED") {
		t.Fatalf("METRICS_ENABLE note: %+v", res.Notes)
	}
}

func TestBooleansBetweenReaders(t *testing.T) {
	for _, tc := range []struct {
		from, to, in, want, note string
	}{
		{Gateway, ADK, "AUTH_ENABLED=t", "AUTH_ENABLED=true", "AUTH_ENABLED=t is ON for the gateway; the adk reads it as OFF"},
		{Gateway, ADK, "AUTH_ENABLED=F  # off", "AUTH_ENABLED=false  # off", "the adk reads it the same"},
		{Gateway, ADK, "TELEMETRY_ENABLED='True'", "TELEMETRY_ENABLED='true'", "written as true"},
		{Gateway, ADK, "MCP_ENABLED=1", "A2A_MCP_ENABLED=true", "written as true"},
		{ADK, Gateway, "AUTH_ENABLED=yes", "AUTH_ENABLED=true", "the gateway refuses to start on it"},
		{ADK, Gateway, "AUTH_ENABLED=Off", "AUTH_ENABLED=false", "the gateway refuses to start on it"},
		{ADK, Gateway, "A2A_MCP_ENABLED=ON", "MCP_ENABLED=true", ""},
		{ADK, Gateway, "AUTH_ENABLED=", "AUTH_ENABLED=", ""},                        // empty: OFF for both
		{Gateway, ADK, "ENABLE_VISION=yes", "ENABLE_VISION=yes", ""},                // the ADK does not read it
		{ADK, Gateway, "DEBUG=1", "DEBUG=1", ""},                                    // the gateway does not read it
		{Gateway, Gateway, "AUTH_ENABLED=t", "AUTH_ENABLED=t", ""},                  // same reader: left alone
		{Gateway, ADK, "AUTH_ENABLE=T", "AUTH_ENABLED=true", "AUTH_ENABLE=T is ON"}, // old name, same reader rules
	} {
		res, err := Translate(Parse([]byte(tc.in)), Options{From: tc.from, To: tc.to})
		if err != nil {
			t.Fatalf("%s %s→%s: %v", tc.in, tc.from, tc.to, err)
		}
		if got := res.File.String(); got != tc.want {
			t.Errorf("%s %s→%s: got %q, want %q", tc.in, tc.from, tc.to, got, tc.want)
		}
		if tc.note != "" && !hasNote(res, tc.note) {
			t.Errorf("%s: no note %q in %+v", tc.in, tc.note, res.Notes)
		}
	}
	for _, tc := range []struct{ from, to, in, want string }{
		{Gateway, ADK, "X=1\nAUTH_ENABLED=yes", `line 2: AUTH_ENABLED=yes: the gateway refuses to start on it (AUTH_ENABLED: strconv.ParseBool: parsing "yes": invalid syntax)`},
		{Gateway, ADK, "AUTH_ENABLED=tru", "line 1: AUTH_ENABLED=tru: the gateway refuses"},
		{ADK, Gateway, "AUTH_ENABLED=t", "line 1: AUTH_ENABLED=t: not a boolean spelling the adk recognises"},
		{ADK, Gateway, "TLS_ENABLED=enabled", ""}, // the gateway does not read TLS_ENABLED
		{ADK, Gateway, "A2A_MCP_ENABLED=enabled", "line 1: A2A_MCP_ENABLED=enabled: not a boolean spelling"},
		{Gateway, Gateway, "AUTH_ENABLED=yes", "line 1: AUTH_ENABLED=yes: the gateway refuses"},
	} {
		_, err := Translate(Parse([]byte(tc.in)), Options{From: tc.from, To: tc.to})
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.in, err)
			}
			continue
		}
		if fault.KindOf(err) != BadBoolean || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s→%s: want a bad boolean with %q, got %v", tc.in, tc.from, tc.to, tc.want, err)
		}
	}
}

func TestConflicts(t *testing.T) {
	in := Parse([]byte("AUTH_OIDC_ISSUER=a\nAUTH_ISSUER_URL=b\n"))
	_, err := Translate(in, Options{From: Gateway, To: ADK})
	if fault.KindOf(err) != DuplicateKeys || !strings.Contains(err.Error(), "AUTH_ISSUER_URL (lines 1, 2)") {
		t.Fatalf("collision: %v", err)
	}
	res, _ := Translate(in, Options{From: Gateway, To: ADK, OnConflict: "keep"})
	if v, _ := res.File.Get("AUTH_ISSUER_URL"); v != "a" || len(res.File.Keys()) != 1 {
		t.Fatalf("keep: %s", res.File)
	}
	res, _ = Translate(in, Options{From: Gateway, To: ADK, OnConflict: "overwrite"})
	if v, _ := res.File.Get("AUTH_ISSUER_URL"); v != "b" || len(res.File.Keys()) != 1 {
		t.Fatalf("overwrite: %s", res.File)
	}
}

func TestStrictAndCheckDiffMasksSecrets(t *testing.T) {
	in := Parse([]byte("AUTH_OIDC_CLIENT_SECRET=topsecret\nALLOWED_MODELS=x\n"))
	_, err := Translate(in, Options{From: Gateway, To: ADK, Strict: true})
	if fault.KindOf(err) != Unmapped || err.Error() != "no adk counterpart for ALLOWED_MODELS" {
		t.Fatalf("strict: %v", err)
	}
	res, _ := Translate(in, Options{From: Gateway, To: ADK})
	if !res.Changed() || len(res.Edits) != 1 {
		t.Fatalf("edits: %+v", res.Edits)
	}
	e := res.Edits[0]
	if e.Old != "AUTH_OIDC_CLIENT_SECRET=****" || e.New != "AUTH_CLIENT_SECRET=****" {
		t.Fatalf("diff must mask secrets: %+v", e)
	}
	// Already in the target naming: no edits.
	same, _ := Translate(Parse([]byte("AUTH_CLIENT_SECRET=x\n")), Options{From: ADK, To: ADK})
	if same.Changed() {
		t.Fatalf("identity translation changed something: %+v", same.Edits)
	}
}

func FuzzTranslateKeepsKeys(f *testing.F) {
	f.Add("AUTH_OIDC_ISSUER=x\nFOO=1\n# c\nSERVER_PORT=9\n")
	f.Add("AUTH_ENABLE=1\r\nexport MCP_SERVERS='a,b'")
	f.Fuzz(func(t *testing.T, s string) {
		in := Parse([]byte(s))
		res, err := Translate(in, Options{From: Gateway, To: ADK, OnConflict: "keep"})
		var be *BoolError
		if errors.As(err, &be) {
			return // a boolean whose meaning is unclear: refusing is right
		}
		if err != nil {
			t.Fatal(err)
		}
		// every distinct input key survives under its own or its mapped name
		out := map[string]bool{}
		for _, k := range res.File.Keys() {
			out[k] = true
		}
		for _, k := range in.Keys() {
			name := k
			canon := k
			canon = canonicalName(Gateway, k)
			if m, ok := lookup(Gateway, canon); ok {
				name = m.ADK
			}
			if !out[name] && !out[canonicalName(ADK, name)] {
				t.Fatalf("key %s lost (want %s) in\n%q\n→\n%q", k, name, s, res.File.String())
			}
		}
	})
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func hasNote(r *Result, s string) bool {
	for _, n := range r.Notes {
		if strings.Contains(n.Msg, s) {
			return true
		}
	}
	return false
}

func hasWarning(r *Result, s string) bool {
	for _, n := range r.Notes {
		if n.Warning && strings.Contains(n.Msg, s) {
			return true
		}
	}
	return false
}
