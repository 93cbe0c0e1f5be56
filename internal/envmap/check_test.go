package envmap

import (
	"strings"
	"testing"
)

func findings(t *testing.T, src, product, ver string) string {
	t.Helper()
	fs, err := Check(Parse([]byte(src)), product, ver)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Msg + " | " + f.Fix + "\n")
	}
	return b.String()
}

func TestCheckTraps(t *testing.T) {
	got := findings(t, "AUTH_ENABLE=true\nAUTH_OIDC_ISSUER=http://keycloak:8080/realms/r/\nAUTH_OIDC_ISSUER=http://localhost:8080/realms/r\nnot a line\n", Gateway, "")
	for _, want := range []string{
		"AUTH_ENABLE is ignored by gateway v0.41.0 and later: the setting is silently OFF | rename it to AUTH_ENABLED",
		"ends with a slash",
		"remove the trailing slash: http://keycloak:8080/realms/r",
		"set again (first on line 2)",
		"host is localhost",
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
