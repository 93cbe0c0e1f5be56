package doctor

import (
	"fmt"
	"os"
	"strconv"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/envmap"
)

// learnGatewayEnv reads the gateway's .env and records what the gateway
// expects in the profile (in memory only when there is no profile).
func learnGatewayEnv(opts *Options, s *cmdutil.Session) (*config.Profile, error) {
	data, err := os.ReadFile(opts.GatewayEnv)
	if err != nil {
		return nil, cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("--gateway-env: %w", err), "")
	}
	file := envmap.Parse(data)
	iss, _ := file.Get("AUTH_OIDC_ISSUER")
	id, _ := file.Get("AUTH_OIDC_CLIENT_ID")
	if iss == "" || id == "" {
		return nil, cmdutil.Failf(cmdutil.BadConfig, fmt.Sprintf("--gateway-env %s sets no AUTH_OIDC_ISSUER and AUTH_OIDC_CLIENT_ID: is it the gateway's .env (not the ADK's)?", opts.GatewayEnv))
	}
	opts.gatewayEnv = file
	prof := s.Profile
	if prof == nil {
		return &config.Profile{GatewayIssuer: iss, GatewayClientID: id}, nil
	}
	if prof.GatewayIssuer != iss || prof.GatewayClientID != id {
		prof.GatewayIssuer, prof.GatewayClientID = iss, id
		cfg, err := opts.Config()
		if err != nil {
			return nil, err
		}
		if err := cfg.Save(); err != nil {
			return nil, err
		}
		opts.Verbosef("profile %s: the gateway expects iss %s and aud containing %s", s.Name, iss, id)
	}
	return prof, nil
}

// gatewayAuthOffCause names why a gateway runs without authentication,
// from its .env when known. The gateway turns auth on only for
// AUTH_ENABLED read as true by strconv.ParseBool; the older names
// ENABLE_AUTH (up to v0.14.0) and AUTH_ENABLE (v0.14.1 to v0.40.x) are
// ignored since v0.41.0.
func gatewayAuthOffCause(file *envmap.File) string {
	if file == nil {
		return cmdutil.GatewayAuthOffFix
	}
	v, set := file.Get("AUTH_ENABLED")
	for _, old := range []string{"AUTH_ENABLE", "ENABLE_AUTH"} {
		if _, ok := file.Get(old); ok && !set {
			return fmt.Sprintf("the .env sets %s, a name the gateway ignores since v0.41.0: rename it AUTH_ENABLED (`igctl env translate FILE --from gateway --to gateway`), then restart the gateway", old)
		}
	}
	if !set {
		return "the .env does not set AUTH_ENABLED: add AUTH_ENABLED=true and restart the gateway"
	}
	on, err := strconv.ParseBool(v)
	switch {
	case err != nil:
		return fmt.Sprintf("the .env sets AUTH_ENABLED=%s, on which the gateway refuses to start (strconv.ParseBool), so the gateway answering is not running from this file: write AUTH_ENABLED=true and restart it from the file", v)
	case !on:
		return fmt.Sprintf("the .env sets AUTH_ENABLED=%s, which the gateway reads as false: set AUTH_ENABLED=true and restart it", v)
	}
	return "the .env turns authentication on, so the running gateway was not started from it, or not restarted since: restart it with that file"
}
