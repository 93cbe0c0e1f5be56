package envmap

import (
	"strings"
	"testing"
)

func findings(t *testing.T, src, product, ver string) string {
	t.Helper()
	fs, err := Check(Parse([]byte(src)), CheckOptions{Product: product, Version: ver})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(string(f.Severity) + ": " + f.Msg + " | " + f.Fix + "\n")
	}
	return b.String()
}

func TestCheckTraps(t *testing.T) {
	got := findings(t, "AUTH_ENABLE=true\nAUTH_OIDC_ISSUER=http://keycloak:8080/realms/r/\nAUTH_OIDC_ISSUER=http://localhost:8080/realms/r\nnot a line\n", Gateway, "")
	for _, want := range []string{
		"error: AUTH_ENABLE is ignored by gateway v0.48.2 (it was read up to v0.40.0): the old name leaves AUTH_ENABLED silently OFF (its default) | rename it to AUTH_ENABLED",
		"ends with a slash",
		"remove the trailing slash: http://keycloak:8080/realms/r",
		"set again (first on line 2)",
		"note: the issuer's host is localhost",
		"not a KEY=VALUE line",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	// For an old gateway, AUTH_ENABLE is right and AUTH_ENABLED is the trap.
	if got := findings(t, "AUTH_ENABLE=true\n", Gateway, "v0.23.1"); got != "" {
		t.Errorf("v0.23.1 reads AUTH_ENABLE: %s", got)
	}
	if got := findings(t, "AUTH_ENABLED=true\n", Gateway, "v0.23.1"); !strings.Contains(got, "ignored by gateway v0.23.1, which reads AUTH_ENABLE") {
		t.Errorf("AUTH_ENABLED on v0.23.1: %q", got)
	}
	// The ADK needs its client secret when auth is on.
	if got := findings(t, "AUTH_ENABLED=yes\nAUTH_ISSUER_URL=https://kc.example.com/realms/r\nAUTH_CLIENT_ID=c\n", ADK, ""); !strings.Contains(got, "AUTH_CLIENT_SECRET is missing") {
		t.Errorf("ADK secret: %q", got)
	}
	if got := findings(t, "AUTH_ENABLED=true\nAUTH_ISSUER_URL=https://kc.example.com/realms/r\nAUTH_CLIENT_SECRET=x\n", ADK, ""); got != "" {
		t.Errorf("a clean ADK file has findings: %s", got)
	}
}

func TestDetectProduct(t *testing.T) {
	if p := DetectProduct(Parse([]byte("AUTH_ISSUER_URL=x\nA2A_SERVER_PORT=1\n"))); p != ADK {
		t.Fatal(p)
	}
	if p := DetectProduct(Parse([]byte("AUTH_OIDC_ISSUER=x\n"))); p != Gateway {
		t.Fatal(p)
	}
}

func check(t *testing.T, src string, o CheckOptions) []Finding {
	t.Helper()
	fs, err := Check(Parse([]byte(src)), o)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestCheckRenameTable(t *testing.T) {
	got := findings(t, "MCP_POLLING_ENABLE=false\nENABLE_AUTH=true\nTLS_ENABLE=1\n", Gateway, "")
	for _, want := range []string{
		"error: MCP_POLLING_ENABLE is ignored by gateway v0.48.2 (it was read up to v0.40.0): the old name leaves MCP_POLLING_ENABLED silently ON (its default)",
		"error: ENABLE_AUTH is ignored by gateway v0.48.2 (it was read up to v0.14.0): the old name leaves AUTH_ENABLED silently OFF",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "TLS_ENABLE") {
		t.Errorf("TLS_ENABLE is an ADK name: %s", got)
	}
	if got := findings(t, "ENABLE_AUTH=true\n", Gateway, "v0.14.0"); got != "" {
		t.Errorf("v0.14.0 reads ENABLE_AUTH: %s", got)
	}
	if got := findings(t, "AUTH_ENABLE=true\n", Gateway, "v0.14.0"); !strings.Contains(got, "which reads ENABLE_AUTH") {
		t.Errorf("v0.14.0 does not read AUTH_ENABLE: %s", got)
	}
	if got := findings(t, "METRICS_ENABLE=true\n", ADK, ""); !strings.Contains(got, "METRICS_ENABLED silently following TELEMETRY_ENABLED") {
		t.Errorf("ADK METRICS_ENABLE: %s", got)
	}
}

func TestCheckBooleans(t *testing.T) {
	for _, tc := range []struct {
		src, product, want string
	}{
		{"AUTH_ENABLED=yes", Gateway, `error: AUTH_ENABLED=yes: the gateway refuses to start (AUTH_ENABLED: strconv.ParseBool: parsing "yes": invalid syntax)`},
		{"MCP_EXPOSE=on", Gateway, "error: MCP_EXPOSE=on: the gateway refuses to start"},
		{"AUTH_ENABLED=t", Gateway, ""},
		{"AUTH_ENABLED=TRUE", Gateway, ""},
		{"MCP_POLLING_ENABLED=", Gateway, "warning: MCP_POLLING_ENABLED is empty: the gateway reads that as OFF"},
		{"AUTH_ENABLED=", Gateway, ""},
		{"AUTH_ENABLED=t\nAUTH_CLIENT_SECRET=x", ADK, "warning: AUTH_ENABLED=t is read as OFF by the adk"},
		{"TLS_ENABLED=F", ADK, ""}, // OFF, as meant
		{"TLS_ENABLED=T", ADK, "warning: TLS_ENABLED=T is read as OFF"},
		{"AUTH_ENABLED=TRUE\nAUTH_CLIENT_SECRET=x", ADK, ""},
		{"A2A_MCP_ENABLED=enabled", ADK, "warning: A2A_MCP_ENABLED=enabled is read as OFF"},
		{"A2A_MCP_ENABLED=tru", ADK, "warning: A2A_MCP_ENABLED=tru is not a boolean spelling; the adk reads it as OFF"},
		{"AGENT_CLIENT_TOOLS_CREATE_ARTIFACT=TRUE", ADK, "warning: AGENT_CLIENT_TOOLS_CREATE_ARTIFACT=TRUE is read as OFF"},
		{"DEBUG=false", ADK, ""},
		{"DEBUG=no", ADK, "warning: DEBUG=no is read as ON"},
		{"SERVER_DISABLE_HEALTHCHECK_LOG=", ADK, "warning: SERVER_DISABLE_HEALTHCHECK_LOG is empty"},
	} {
		got := findings(t, tc.src+"\n", tc.product, "")
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s (%s): want %q, got %q", tc.src, tc.product, tc.want, got)
		}
	}
}

func TestCheckIssuerSeverities(t *testing.T) {
	sev := func(fs []Finding) string {
		var s []string
		for _, f := range fs {
			s = append(s, string(f.Severity))
		}
		return strings.Join(s, ",")
	}
	// What igctl keycloak bootstrap --write-env writes for a local Keycloak: only notes.
	adk := "AUTH_ENABLED=true\nAUTH_ISSUER_URL=http://localhost:8080/realms/r/\nAUTH_CLIENT_ID=c\nAUTH_CLIENT_SECRET=s\n"
	fs := check(t, adk, CheckOptions{Product: ADK})
	if sev(fs) != "note,note" {
		t.Fatalf("ADK, local: %+v", fs)
	}
	for _, f := range fs {
		if f.Failing() {
			t.Fatalf("a note fails the check: %+v", f)
		}
	}
	if !strings.Contains(fs[0].Msg, "harmless for the ADK") {
		t.Fatalf("trailing slash note: %+v", fs[0])
	}
	if got := sev(check(t, adk, CheckOptions{Product: ADK, Deploy: DeployCluster})); got != "note,warning" {
		t.Fatalf("ADK, cluster: %s", got)
	}
	gw := "AUTH_OIDC_ISSUER=http://127.0.0.1:8080/realms/r/\n"
	if got := sev(check(t, gw, CheckOptions{Product: Gateway})); got != "error,note" {
		t.Fatalf("gateway, local: %s", got)
	}
	if got := sev(check(t, gw, CheckOptions{Product: Gateway, Deploy: DeployContainer})); got != "error,warning" {
		t.Fatalf("gateway, container: %s", got)
	}
	if got := sev(check(t, "AUTH_ISSUER_URL=https://kc.example.com/realms/r//\n", CheckOptions{Product: ADK})); got != "error" {
		t.Fatalf("two slashes: %s", got)
	}
}
