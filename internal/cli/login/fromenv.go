package login

import (
	"fmt"
	"os"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/envmap"
)

func readAuthEnv(path string) (envmap.Auth, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return envmap.Auth{}, cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("reading %s: %w", path, err), "")
	}
	auth, ok := envmap.ReadAuth(envmap.Parse(data))
	if !ok {
		return envmap.Auth{}, cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("%s sets no issuer or client id", path),
			"expected AUTH_OIDC_ISSUER/AUTH_OIDC_CLIENT_ID (gateway) or AUTH_ISSUER_URL/AUTH_CLIENT_ID (ADK)")
	}
	if err := config.CheckURL(auth.Issuer); err != nil {
		return envmap.Auth{}, cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("%s: the issuer %q: %v", path, config.ShowURL(auth.Issuer), err),
			"the issuer is the realm's URL, e.g. https://kc.example.com/realms/inference-gateway-realm")
	}
	return auth, nil
}
