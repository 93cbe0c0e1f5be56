package keycloak

import "github.com/inference-gateway/igctl/internal/fault"

// The failures this package understands. What each means to the user (exit
// code, hint) is decided in internal/cli/cmdutil/exits.go.
const (
	// Keycloak cannot be reached for the admin login.
	LoginUnreachable fault.Kind = "keycloak/login-unreachable"
	// Keycloak refused the admin login (wrong user, password or client secret).
	LoginRefused fault.Kind = "keycloak/login-refused"
	// Keycloak went away during an admin request.
	Unreachable fault.Kind = "keycloak/unreachable"
	// Keycloak answered an admin request with a 5xx: it failed on its side.
	ServerFailed fault.Kind = "keycloak/server-failed"
	// An admin request was answered 401 after a fresh login.
	AdminRefused fault.Kind = "keycloak/admin-refused"
	// An admin request was answered 403: the admin account lacks a role.
	Forbidden fault.Kind = "keycloak/forbidden"
	// The admin login's answer is not Keycloak's (a 404, a page of HTML):
	// the URL is not Keycloak's base URL.
	NotKeycloak fault.Kind = "keycloak/not-keycloak"
	// The spec file cannot be read, parsed or is not valid.
	BadSpec fault.Kind = "keycloak/bad-spec"
	// IssuerUnreachable: a federated issuer's discovery document cannot be
	// fetched (Facts.URL).
	IssuerUnreachable fault.Kind = "keycloak/issuer-unreachable"
	// IssuerDiscovery: a federated issuer answered something else than its
	// discovery document, or one naming another issuer or no keys (Facts.URL).
	IssuerDiscovery fault.Kind = "keycloak/issuer-discovery"
	// The spec uses ${VAR}s that are not defined.
	SpecUndefinedVars fault.Kind = "keycloak/spec-undefined-vars"
)
