package cmdutil

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/gateway"
	"github.com/inference-gateway/igctl/internal/keycloak"
	"github.com/inference-gateway/igctl/internal/proxy"
	"github.com/inference-gateway/igctl/internal/token"
)

// This file is the one place where igctl decides exit codes: every failure
// reaches the user as a fault.Kind (with its Facts), and the table below
// turns it into an exit code of the README's table and, where the place
// that failed could not know the command line, a hint.

// row is what a kind means to the user.
type row struct {
	Code exitcode.Code
	// Hint, when set, says what to do; it may read the facts and the error.
	Hint func(e *fault.Error) string
}

// Kinds for failures understood in a command package. A command sets the
// hint itself when it has one (it knows the command line).
const (
	Usage      fault.Kind = "cli/usage"       // bad flag, argument or combination
	BadConfig  fault.Kind = "cli/config"      // unknown profile, unusable file or setting
	AuthFailed fault.Kind = "cli/auth"        // no usable token, or the gateway said 401
	Refused    fault.Kind = "cli/idp-refused" // the identity provider refused a grant
	Network    fault.Kind = "cli/network"     // a peer unreachable, failing, or too slow
	NoStorage  fault.Kind = "cli/storage"     // secure token storage unavailable
	Drift      fault.Kind = "cli/drift"       // --dry-run / --check found a change
	Bug        fault.Kind = "cli/unexpected"  // igctl cannot explain it
)

var cliRows = map[fault.Kind]row{
	Usage:      {Code: exitcode.Usage},
	BadConfig:  {Code: exitcode.Config},
	AuthFailed: {Code: exitcode.Auth},
	Refused:    {Code: exitcode.IdPRefused},
	Network:    {Code: exitcode.Network},
	NoStorage:  {Code: exitcode.Storage},
	Drift:      {Code: exitcode.Drift},
	Bug:        {Code: exitcode.Unexpected},
}

// Section: internal/token.
var tokenRows = map[fault.Kind]row{
	token.IssuerMismatch: {Code: exitcode.Config, Hint: func(e *fault.Error) string {
		if e.Facts.URL == "" {
			return ""
		}
		if strings.TrimRight(e.Facts.Issuer, "/") == strings.TrimRight(e.Facts.URL, "/") {
			return "remove the trailing slash: the gateway compares the issuer byte for byte"
		}
		return "use exactly the issuer the server advertises: " + e.Facts.URL
	}},
	token.DiscoveryUnreachable: {Code: exitcode.Network, Hint: tokenTLSHint},
	token.DiscoveryNotFound:    {Code: exitcode.Config, Hint: realmMissingOr("is the realm name right? Keycloak issuers look like https://HOST/realms/REALM")},
	token.DiscoveryFailed:      {Code: exitcode.Network},

	token.UnknownGrant:        {Code: exitcode.Usage},
	token.EndpointUnreachable: {Code: exitcode.Network, Hint: tokenTLSHint},
	token.EndpointFailing:     {Code: exitcode.Network, Hint: say("the identity provider (or a proxy in front of it) is failing: retry later, or check its logs")},
	token.BadClient:           {Code: exitcode.IdPRefused, Hint: say("wrong client secret or client id (or the client is public and must not send a secret)")},
	token.GrantNotAllowed: {Code: exitcode.IdPRefused, Hint: func(e *fault.Error) string {
		switch e.Facts.Grant {
		case token.GrantPassword:
			return "the client does not allow the password grant: turn on \"Direct access grants\" (directAccessGrantsEnabled) for the client in Keycloak"
		case token.GrantClientCredentials:
			return "the client has no service account: turn on \"Service accounts roles\" (serviceAccountsEnabled) for the client in Keycloak"
		}
		return ""
	}},
	token.AccountIncomplete:  {Code: exitcode.IdPRefused, Hint: say("the user must have email, first and last name and no pending required action (e.g. a temporary password); `igctl keycloak bootstrap` sets users up fully")},
	token.BadUserCredentials: {Code: exitcode.IdPRefused, Hint: say("wrong username or password (repeated failures can lock the account by brute-force protection)")},
	token.GrantRefused: {Code: exitcode.IdPRefused, Hint: func(e *fault.Error) string {
		if h := realmMissingHint(e); h != "" {
			return h
		}
		if e.Facts.OAuthError == "invalid_scope" {
			return "a requested scope is not available to this client"
		}
		return ""
	}},

	token.AssertionSourceMissing:     {Code: exitcode.Config, Hint: say("in GitHub Actions, give the job `permissions: id-token: write` (GitHub then sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN); elsewhere use --client-assertion file:PATH or env:VAR")},
	token.AssertionUnreadable:        {Code: exitcode.Config, Hint: assertionUnreadableHint},
	token.AssertionSourceUnreachable: {Code: exitcode.Network, Hint: say("GitHub's ID-token endpoint cannot be reached from this runner (HTTPS_PROXY/NO_PROXY are honoured)")},
	token.AssertionSourceFailed:      {Code: exitcode.IdPRefused, Hint: say("the job's ID-token request was refused: it needs `permissions: id-token: write`, and the request token is only valid during the job")},
	token.AssertionRejected:          {Code: exitcode.IdPRefused, Hint: assertionTrustHint},
	token.AssertionAudience: {Code: exitcode.IdPRefused, Hint: func(e *fault.Error) string {
		return "have the CI platform issue the token for aud " + e.Facts.Issuer + " (GitLab: id_tokens aud:, Kubernetes: the projected token's audience:; with github-actions igctl asks for it unless --client-assertion-audience says otherwise)"
	}},
	token.AssertionExpired: {Code: exitcode.IdPRefused, Hint: say("the CI platform's token expired before igctl used it: a file source must be kept fresh (a Kubernetes projected token is rewritten by the kubelet); check the clock too")},
	token.AssertionReused: {Code: exitcode.IdPRefused, Hint: func(e *fault.Error) string {
		return "a file or env source must hold a new token for every token request (Keycloak refuses a second use); or let the identity provider accept reuse with `igctl keycloak bootstrap --federated-allow-reuse`"
	}},

	token.NotLoggedIn:    {Code: exitcode.Auth, Hint: say("run `igctl login`")},
	token.OtherIdentity:  {Code: exitcode.Auth, Hint: say("run `igctl login` for the profile's new settings")},
	token.CannotRefresh:  {Code: exitcode.Auth, Hint: say("run `igctl login` again")},
	token.SessionEnded:   {Code: exitcode.Auth, Hint: realmMissingOr("the session ended at the identity provider: run `igctl login` again")},
	token.NoRefreshToken: {Code: exitcode.Auth, Hint: say("run `igctl login` again")},
	token.ShortLived:     {Code: exitcode.Auth},

	token.NoAuthCode:     {Code: exitcode.Config, Hint: say("log in with --device, or with --grant password")},
	token.BrowserTimeout: {Code: exitcode.Network, Hint: say(tokenWaitHint)},
	token.CallbackListen: {Code: exitcode.Network},
	token.ForeignAnswer:  {Code: exitcode.Auth},
	token.EmptyAnswer:    {Code: exitcode.IdPRefused},
	// The identity provider refused the authorization request itself (its
	// client settings, not igctl's configuration): 5, like unauthorized_client.
	token.AuthRequestRefused: {Code: exitcode.IdPRefused, Hint: authRequestRefusedHint},
	token.BrowserRefused: {Code: exitcode.IdPRefused, Hint: func(e *fault.Error) string {
		switch e.Facts.OAuthError {
		case "access_denied":
			return "the login was cancelled or refused in the browser: run the login again"
		case "unauthorized_client":
			return "the client does not allow browser logins: turn on \"Standard flow\" for it, or use the public client `igctl keycloak bootstrap --public-client` creates"
		case "invalid_request", "invalid_scope":
			return "the client's settings refuse this login (PKCE S256, redirect URI http://127.0.0.1/*, scopes): `igctl keycloak bootstrap --public-client` creates a client that accepts it"
		}
		return ""
	}},
	token.NoDevice:               {Code: exitcode.Config, Hint: say("log in with --web, or with --grant password")},
	token.DeviceAnswerIncomplete: {Code: exitcode.Network},
	token.DeviceRefused: {Code: exitcode.IdPRefused, Hint: func(e *fault.Error) string {
		switch e.Facts.OAuthError {
		case "unauthorized_client", "unsupported_grant_type":
			return "client " + e.Facts.ClientID + " does not allow the device grant: turn on \"OAuth 2.0 Device Authorization Grant\" for it, or use the public client `igctl keycloak bootstrap --public-client` creates"
		case "invalid_client":
			return "wrong client id or secret (a confidential client needs --client-secret-file; a public one none)"
		}
		return ""
	}},
	token.DeviceDenied:      {Code: exitcode.IdPRefused, Hint: say(tokenDeviceAgain + " and approve the request")},
	token.DeviceCodeExpired: {Code: exitcode.Auth, Hint: say(tokenDeviceAgain + " and approve it before the code expires")},
	token.DeviceTimeout:     {Code: exitcode.Network, Hint: say(tokenDeviceAgain + "; --wait sets how long igctl waits for you (the code itself may live longer)")},
	token.NoIDToken: {Code: exitcode.IdPRefused, Hint: func(e *fault.Error) string {
		return "the openid scope must be allowed for client " + e.Facts.ClientID
	}},
	token.BadIDToken: {Code: exitcode.Auth},

	token.UnknownStore:    {Code: exitcode.Usage},
	token.StorageRequired: {Code: exitcode.Storage, Hint: say("start a Secret Service (e.g. gnome-keyring) in a D-Bus session, or unset IGCTL_REQUIRE_SECURE_STORAGE to allow a 0600 file")},
	token.KeyringLocked:   {Code: exitcode.Storage, Hint: say("unlock the keyring (log in to the desktop session, or start gnome-keyring with --unlock), then retry; or `igctl login` again to store a new token")},
	token.KeyringFailed:   {Code: exitcode.Storage},
	token.InsecureFile:    {Code: exitcode.Storage, Hint: say("run `igctl login` where the OS keyring works: the new token is sealed with a key the keyring keeps, and the 0600 file is deleted; or unset IGCTL_REQUIRE_SECURE_STORAGE to accept the file")},
	token.LockTimeout:     {Code: exitcode.Network, Hint: say("the other process is probably waiting on a slow identity provider; --timeout bounds the wait")},
	token.DirNotWritable:  {Code: exitcode.Config, Hint: say("fix its owner or mode, or choose another --config-dir")},
	token.Damaged:         {Code: exitcode.Config, Hint: say("`igctl login` replaces it (check the file's owner and mode if it cannot be read)")},

	token.RevokeUnreachable: {Code: exitcode.Network},
}

// assertionUnreadableHint says where the assertion of a file or env
// source should have come from.
func assertionUnreadableHint(e *fault.Error) string {
	if e.Facts.Path != "" {
		return "the file must hold the CI platform's token (a Kubernetes projected service-account token, or a GitLab id_tokens value written to it) readable by this user"
	}
	return "the variable must hold the CI platform's token (GitLab CI: an id_tokens: entry of the job sets it)"
}

// assertionTrustHint says what Keycloak compares an assertion with.
func assertionTrustHint(e *fault.Error) string {
	_, cmd := bootstrapFor(e.Facts.Issuer)
	if cmd == "" {
		cmd = "igctl keycloak bootstrap"
	}
	return "Keycloak accepts the assertion only when its iss is the issuer of the identity provider client " + e.Facts.ClientID +
		" trusts and its sub is exactly the client's subject: `" + cmd + " --dry-run --federated-client " + ShellQuote(e.Facts.ClientID) +
		" --federated-issuer ISSUER --federated-subject SUBJECT` shows what differs"
}

// say is a hint that needs no facts.
func say(hint string) func(*fault.Error) string {
	return func(*fault.Error) string { return hint }
}

// realmMissingOr is realmMissingHint when the identity provider said the
// realm does not exist, else the fixed hint.
func realmMissingOr(hint string) func(*fault.Error) string {
	return func(e *fault.Error) string {
		if h := realmMissingHint(e); h != "" {
			return h
		}
		return hint
	}
}

// realmMissingHint says how to create the realm again when Keycloak
// answered that it does not exist (with the realm and Keycloak's URL
// from the issuer, when it is a Keycloak issuer), "" otherwise.
func realmMissingHint(e *fault.Error) string {
	if e.Facts.OAuthError != token.RealmMissing {
		return ""
	}
	realm, create := "the realm", "`igctl keycloak bootstrap` (--url, --realm)"
	if name, cmd := bootstrapFor(e.Facts.Issuer); cmd != "" {
		realm, create = "realm "+name, "`"+cmd+"`"
	}
	return realm + " does not exist in Keycloak: if the realm name is right (a dev Keycloak with an in-memory database loses its realms when it restarts), " +
		"create it with " + create + ", then run `igctl login` again"
}

// bootstrapFor is the realm of a Keycloak issuer (https://HOST/realms/R)
// and the `igctl keycloak bootstrap` command line for it, or "", "" when
// issuer is not one.
func bootstrapFor(issuer string) (realm, cmd string) {
	base, name, ok := strings.Cut(issuer, "/realms/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", ""
	}
	cmd = "igctl keycloak bootstrap --url " + ShellQuote(base)
	if name != keycloak.DefaultRealm {
		cmd += " --realm " + ShellQuote(name)
	}
	return name, cmd
}

// authRequestRefusedHint says how to give igctl a client that accepts its
// browser login, for the refusal Keycloak's error page named.
func authRequestRefusedHint(e *fault.Error) string {
	_, cmd := bootstrapFor(e.Facts.Issuer)
	if cmd == "" {
		cmd = "igctl keycloak bootstrap"
	}
	public := "`" + cmd + " --public-client igctl` creates a public client for browser logins (then --client-id igctl)"
	c := e.Facts.ClientID
	switch msg := strings.ToLower(e.Facts.OAuthError); {
	case strings.Contains(msg, "redirect_uri"):
		return "client " + c + " does not accept igctl's loopback redirect (" + e.Facts.URL + "): " + public +
			"; or add http://127.0.0.1/* to the Valid redirect URIs of client " + c + " (with the standard flow on)"
	case strings.Contains(msg, "client not found"):
		return "there is no client " + c + " in the realm: `" + cmd + " --public-client " + ShellQuote(c) + "` creates it for browser logins"
	}
	return "client " + c + " does not allow this browser login (the standard flow with PKCE S256 on a loopback redirect): " + public
}

// tokenTLSHint is the hint for an issuer that cannot be reached: its CA
// when the failure is about a certificate, otherwise the URL and proxies.
func tokenTLSHint(e *fault.Error) string {
	if fix := TLSFix(e); fix != "" {
		return fix
	}
	return "check the issuer URL and that the server is reachable (HTTPS_PROXY/NO_PROXY are honoured)"
}

// TLSFix says what fixes a failed TLS verification in err, or "" when err
// is no certificate failure. A certificate that does not name the host
// asked for is not fixed by trusting a CA: the name in the URL must be one
// the certificate lists. Go checks the name before the chain, so whether
// the CA is trusted is not known then, and the hint says so.
func TLSFix(err error) string {
	if err == nil {
		return ""
	}
	var host x509.HostnameError
	if errors.As(err, &host) {
		listed := host.Certificate.DNSNames
		for _, ip := range host.Certificate.IPAddresses {
			listed = append(listed, ip.String())
		}
		return fmt.Sprintf("the server's certificate does not name %s (it names %s): use a host name the certificate lists in the URL, or have a certificate issued for %s; a CA file (--ca-file) cannot fix a name that does not match (whether the CA is trusted is checked only once the name matches)",
			host.Host, strings.Join(listed, ", "), host.Host)
	}
	if CertificateFailure(err) {
		return tlsTrustCAFix
	}
	// A failure another igctl process recorded arrives as its message
	// only: its x509 error's type did not cross over, so the text of Go's
	// x509 messages is all there is to tell a name from a CA.
	var rec *token.RecordedError
	if !errors.As(err, &rec) {
		return ""
	}
	switch msg := rec.Message; {
	case strings.Contains(msg, "x509: certificate is valid for") || strings.Contains(msg, "x509: certificate is not valid for any names"):
		return "the server's certificate does not name the host in the URL: use a host name the certificate lists, or have a certificate issued for it; a CA file (--ca-file) cannot fix a name that does not match (whether the CA is trusted is checked only once the name matches)"
	case strings.Contains(msg, "certificate"):
		return tlsTrustCAFix
	}
	return ""
}

const tlsTrustCAFix = "trust the server's CA with --ca-file PEM (or SSL_CERT_FILE)"

// CertificateFailure reports whether err is the server's certificate
// failing verification: an untrusted, expired or misnamed certificate.
func CertificateFailure(err error) bool {
	var (
		verifErr *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		host     x509.HostnameError
		roots    x509.SystemRootsError
	)
	return errors.As(err, &verifErr) || errors.As(err, &unknown) || errors.As(err, &invalid) ||
		errors.As(err, &host) || errors.As(err, &roots)
}

const (
	tokenWaitHint = "finish the login in the browser within --wait; if the browser showed \"Invalid parameter: redirect_uri\", the client must allow " +
		"http://127.0.0.1/* as a redirect URI with the standard flow on (`igctl keycloak bootstrap --public-client` sets this up)"
	tokenDeviceAgain = "run `igctl login --device` again"
)

// Section: internal/config.
var configRows = map[fault.Kind]row{
	config.Unreadable:     {Code: exitcode.Config},
	config.Invalid:        {Code: exitcode.Config, Hint: func(*fault.Error) string { return "fix or move the file; igctl will not overwrite it" }},
	config.UnknownKey:     {Code: exitcode.Config, Hint: configUnknownKeyHint},
	config.Locked:         {Code: exitcode.Config, Hint: say("another igctl is writing the config; try again (a lock ends with the process that holds it)")},
	config.NoSuchProfile:  {Code: exitcode.Config, Hint: configKnownProfilesHint},
	config.UnknownSetting: {Code: exitcode.Usage, Hint: func(*fault.Error) string { return "settings: " + strings.Join(config.Keys, ", ") }},
	config.BadGrant:       {Code: exitcode.Usage},
	config.BadURL:         {Code: exitcode.Usage},
}

// configUnknownKeyHint says how to fix a key config.yaml may not hold: the
// rename when it is close to one of igctl's, otherwise the x- rule and the
// keys igctl has there.
func configUnknownKeyHint(e *fault.Error) string {
	var u *config.UnknownKeyError
	if !errors.As(e.Err, &u) {
		return ""
	}
	switch {
	case u.Key == "<<":
		return "YAML merge keys (<<) are not supported in config.yaml; write the settings out"
	case u.Suggest != "":
		return fmt.Sprintf("rename %s to %s in the file (keys igctl does not own must start with %s)", u.Key, u.Suggest, config.ForeignPrefix)
	}
	return "igctl keeps keys it does not own only when they start with " + config.ForeignPrefix +
		"; igctl's keys here: " + strings.Join(u.Known, ", ")
}

// configKnownProfilesHint lists the profiles there are, or says how to make one.
func configKnownProfilesHint(e *fault.Error) string {
	var u *config.UnknownProfileError
	if !errors.As(e.Err, &u) {
		return ""
	}
	if len(u.Known) == 0 {
		return "no profiles yet: run `igctl login` first"
	}
	return "known profiles: " + strings.Join(u.Known, ", ")
}

// Section: internal/keycloak.
var keycloakRows = map[fault.Kind]row{
	keycloak.LoginUnreachable: {Code: exitcode.Network, Hint: func(e *fault.Error) string {
		if fix := TLSFix(e); fix != "" {
			return fix
		}
		return "is Keycloak running? try --wait 2m"
	}},
	keycloak.NotKeycloak: {Code: exitcode.Config,
		Hint: say("is --url Keycloak's base URL (http://HOST:PORT, without /realms/… or /admin)?")},
	keycloak.LoginRefused: {Code: exitcode.Auth,
		Hint: say("check the admin user and password (--admin-user, --admin-password-stdin or KEYCLOAK_ADMIN_PASSWORD)")},
	keycloak.Unreachable: {Code: exitcode.Network, Hint: say("re-run when Keycloak is back: bootstrap converges")},
	keycloak.ServerFailed: {Code: exitcode.Network,
		Hint: say("Keycloak failed on its side (its log says why): re-run when it is back; bootstrap converges")},
	keycloak.AdminRefused: {Code: exitcode.Auth, Hint: say("the admin credentials were refused")},
	keycloak.Forbidden: {Code: exitcode.Auth,
		Hint: say("the admin account lacks a role for this (it needs realm-admin in master, or the create-realm/manage-* roles)")},
	keycloak.BadSpec:           {Code: exitcode.Config},
	keycloak.IssuerUnreachable: {Code: exitcode.Network, Hint: say("--federated-issuer must be reachable from here: igctl reads its discovery document for the keys Keycloak checks assertions with")},
	keycloak.IssuerDiscovery:   {Code: exitcode.Config, Hint: say("--federated-issuer is the exact iss of the CI platform's tokens, e.g. https://token.actions.githubusercontent.com")},
	keycloak.SpecUndefinedVars: {Code: exitcode.Config, Hint: say("export them, or remove the references")},
}

// Section: internal/envmap.
var envmapRows = map[fault.Kind]row{
	envmap.BadProduct:           {Code: exitcode.Usage},
	envmap.BadVersion:           {Code: exitcode.Usage},
	envmap.DuplicateKeys:        {Code: exitcode.Config, Hint: say("choose with --on-conflict keep (first wins) or overwrite (last wins)")},
	envmap.Unmapped:             {Code: exitcode.Drift},
	envmap.BadBoolean:           {Code: exitcode.Config, Hint: func(*fault.Error) string { return "write true or false" }},
	envmap.NotUTF8:              {Code: exitcode.Config, Hint: say("fix the file's encoding (it may be Latin-1), or put binary data in a Secret's data field by hand")},
	envmap.BadValue:             {Code: exitcode.Config},
	envmap.FailClosedGuardrails: {Code: exitcode.Config, Hint: say("deploy this file with --to k8s (a ConfigMap keeps closed), or set GUARDRAILS_FAIL_MODE=open to accept fail-open explicitly")},
}

// Section: internal/gateway and internal/proxy.
var gatewayRows = map[fault.Kind]row{
	gateway.BadURL:      {Code: exitcode.Usage},
	gateway.Unreachable: {Code: exitcode.Network, Hint: say("check --gateway / IGCTL_GATEWAY_URL and that the gateway runs")},
	gateway.ReadFailed:  {Code: exitcode.Network},
	gateway.TooLarge:    {Code: exitcode.Unexpected},
	gateway.NotFound:    {Code: exitcode.Config, Hint: gatewayNotFoundHint},
	gateway.Failing:     {Code: exitcode.Network, Hint: say("the gateway failed on its side (its log says why); retry when it is back")},
	gateway.Refused:     {Code: exitcode.Unexpected},

	// internal/proxy
	// What the proxy tells the operator while it serves (igctl proxy
	// prints the hint under the warning).
	proxy.NoToken:     {Code: exitcode.Auth},
	proxy.Unreachable: {Code: exitcode.Network, Hint: say("check --gateway and that the gateway runs; --timeout bounds the connection and the wait for the response headers")},
	proxy.Rejected:    {Code: exitcode.Auth},
}

// gatewayNotFoundHint says which URL to give instead of one that is not the
// gateway's base URL: the same URL without /v1 when it ends so.
func gatewayNotFoundHint(e *fault.Error) string {
	fix := "pass --gateway, or `igctl config set gateway_url URL`"
	if u, err := url.Parse(e.Facts.URL); err == nil {
		if p := strings.TrimRight(u.Path, "/"); p == "/v1" || strings.HasSuffix(p, "/v1") {
			u.Path = strings.TrimSuffix(p, "/v1")
			u.RawPath = ""
			return "use the gateway's base URL without /v1, " + u.Redacted() + ": " + fix
		}
	}
	return "is " + e.Facts.URL + " the gateway's base URL (without /v1)? " + fix
}

// table is every section in one map; a kind declared twice is a bug caught
// by TestExitTableKindsUnique.
var table = func() map[fault.Kind]row {
	t := map[fault.Kind]row{}
	for _, sec := range []map[fault.Kind]row{cliRows, tokenRows, configRows, keycloakRows, envmapRows, gatewayRows} {
		for k, r := range sec {
			t[k] = r
		}
	}
	return t
}()

// Fail returns err as a failure of kind with a hint for the user. It is for
// command packages; a nil err stays nil.
func Fail(kind fault.Kind, err error, hint string) error {
	if err == nil {
		return nil
	}
	return &fault.Error{Kind: kind, Err: err, Hint: hint}
}

// Failf is Fail with a message and no hint.
func Failf(kind fault.Kind, msg string) error {
	return &fault.Error{Kind: kind, Err: errors.New(msg)}
}

// ExitCode is the process status for err.
func ExitCode(err error) exitcode.Code {
	code, _ := Classify(err)
	return code
}

// Class is the command-level kind (one of cliRows) that exits as err
// does: for a command that reports a failure in its own words, or reacts
// to a class of failure (storage, network) whichever package understood it.
func Class(err error) fault.Kind {
	if err == nil {
		return ""
	}
	code := ExitCode(err)
	for k, r := range cliRows {
		if r.Code == code {
			return k
		}
	}
	return Bug
}

// HintOf is the hint shown under err, or "".
func HintOf(err error) string {
	_, hint := Classify(err)
	return hint
}

// Classify turns err into an exit code and a hint: the outermost kind in
// err's chain decides the code; the hint is the first one found walking
// the chain from the outside in, a command's own or its kind's row. An error
// without a kind is a network failure when it comes from the transport, a
// usage error when cobra refused the command line, otherwise unexpected.
func Classify(err error) (exitcode.Code, string) {
	if err == nil {
		return exitcode.OK, ""
	}
	code, found := exitcode.Unexpected, false
	if e := fault.Of(err); e != nil {
		if r, ok := table[e.Kind]; ok {
			code, found = r.Code, true
		}
	}
	if !found {
		switch {
		case fault.IsNetwork(err), errors.Is(err, context.DeadlineExceeded):
			code = exitcode.Network
		case isCobraUsage(err):
			code = exitcode.Usage
		}
	}
	return code, hintOf(err)
}

func hintOf(err error) string {
	for cur := err; cur != nil; {
		e := fault.Of(cur)
		if e == nil {
			return ""
		}
		if e.Hint != "" {
			return e.Hint
		}
		if r, ok := table[e.Kind]; ok && r.Hint != nil {
			if h := r.Hint(e); h != "" {
				return h
			}
		}
		cur = e.Err
	}
	return ""
}

// Outcome is what the process reports for err (nil: success): its exit
// code, the error line and the hint line (either may be empty). timeout is
// --timeout, named when it is what ran out.
func Outcome(err error, timeout time.Duration) (code exitcode.Code, msg, hint string) {
	if err == nil {
		return exitcode.OK, "", ""
	}
	code, hint = Classify(err)
	msg = err.Error()
	if errors.Is(err, context.DeadlineExceeded) && fault.Of(err) == nil {
		msg = fmt.Sprintf("%s (--timeout %s)", msg, timeout)
	}
	if hint == "" && code == exitcode.Usage {
		hint = "see `igctl --help`"
	}
	return code, msg, hint
}

// InterruptedCode is the exit status of a command cancelled by SIGINT
// (Ctrl-C) or SIGTERM alike; the message names the signal.
func InterruptedCode() exitcode.Code { return exitcode.Interrupted }

// PanicCode is the exit status of a panic: a bug in igctl.
func PanicCode() exitcode.Code { return table[Bug].Code }

// cobra reports unknown commands and flags as plain errors; they are usage errors.
// Their text is matched because cobra builds them with fmt.Errorf and no
// type (an unknown command, a required flag not set); pflag's own parse
// errors come through the root's flag-error function, already a Usage
// failure, and the flag prefixes here only catch one that did not.
func isCobraUsage(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown shorthand flag") ||
		strings.HasPrefix(msg, "unknown flag") || strings.Contains(msg, "required flag(s)")
}
