package keycloak

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
)

// Roles for a service account a client does not have are refused when the
// spec is read, before a realm or client is written.
func TestSpecRefusesServiceAccountRolesWithoutAServiceAccount(t *testing.T) {
	for _, client := range []string{
		"public: true\n        serviceAccountRoles:\n          gw: [reader]",
		"serviceAccounts: false\n        serviceAccountRealmRoles: [offline_access]",
	} {
		path := filepath.Join(t.TempDir(), "spec.yaml")
		spec := "realms:\n  - name: r\n    clients:\n      - clientId: c\n        " + client + "\n"
		if err := os.WriteFile(path, []byte(spec), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := LoadSpec(path, func(string) (string, bool) { return "", false })
		if fault.KindOf(err) != BadSpec || !strings.Contains(err.Error(), "no service account") {
			t.Errorf("%s: %v", client, err)
		}
	}
}
