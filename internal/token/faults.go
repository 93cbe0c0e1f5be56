package token

import "github.com/inference-gateway/igctl/internal/fault"

// The kinds of failure this package returns. Each says what went wrong,
// with the Facts a hint needs; the exit code and the hint are decided in
// internal/cli/cmdutil/exits.go (section tokenRows).
const (
	// Discovery (Facts.Issuer: the issuer asked).

	// IssuerMismatch: the discovery document names another issuer
	// (Facts.Issuer the configured one, Facts.URL the advertised one).
	IssuerMismatch fault.Kind = "token/issuer-mismatch"
	// DiscoveryUnreachable: the network or TLS failed.
	DiscoveryUnreachable fault.Kind = "token/discovery-unreachable"
	// DiscoveryNotFound: the server answered 404 (a wrong realm, usually;
	// Facts.OAuthError is RealmMissing when Keycloak said so).
	DiscoveryNotFound fault.Kind = "token/discovery-not-found"
	// DiscoveryFailed: any other failure to fetch or read the document.
	DiscoveryFailed fault.Kind = "token/discovery-failed"

	// Grants at the token endpoint (Facts.Grant, Facts.OAuthError).

	// UnknownGrant: a grant this package does not run non-interactively.
	UnknownGrant fault.Kind = "token/unknown-grant"
	// EndpointUnreachable: the token request failed or the answer was not
	// OAuth JSON at all.
	EndpointUnreachable fault.Kind = "token/endpoint-unreachable"
	// EndpointFailing: an answer without an OAuth error code (HTML, 5xx).
	EndpointFailing fault.Kind = "token/endpoint-failing"
	// BadClient: the client id or secret is wrong (Keycloak also says so
	// as unauthorized_client "Invalid client credentials").
	BadClient fault.Kind = "token/bad-client"
	// GrantNotAllowed: unauthorized_client, the client does not allow the grant.
	GrantNotAllowed fault.Kind = "token/grant-not-allowed"
	// AccountIncomplete: the user has a pending required action or lacks
	// profile fields (Keycloak's "Account is not fully set up").
	AccountIncomplete fault.Kind = "token/account-incomplete"
	// BadUserCredentials: a wrong user name or password.
	BadUserCredentials fault.Kind = "token/bad-user-credentials"
	// GrantRefused: any other OAuth refusal of a grant.
	GrantRefused fault.Kind = "token/grant-refused"

	// Client assertions (federated client authentication; Facts.Flag: the
	// source, Facts.Path its file, Facts.ClientID the client).

	// AssertionSourceMissing: GitHub's ID-token variables are unset (the
	// job lacks `permissions: id-token: write`) or unusable.
	AssertionSourceMissing fault.Kind = "token/assertion-source-missing"
	// AssertionUnreadable: the file or variable cannot be read, is empty,
	// or holds no JWT.
	AssertionUnreadable fault.Kind = "token/assertion-unreadable"
	// AssertionSourceUnreachable: GitHub's ID-token endpoint cannot be reached.
	AssertionSourceUnreachable fault.Kind = "token/assertion-source-unreachable"
	// AssertionSourceFailed: GitHub's ID-token endpoint refused or answered
	// something else than {"value": JWT}.
	AssertionSourceFailed fault.Kind = "token/assertion-source-failed"
	// AssertionRejected: the issuer does not trust the assertion for the
	// client (another iss or sub than the client's trusted identity
	// provider and subject, or a bad signature).
	AssertionRejected fault.Kind = "token/assertion-rejected"
	// AssertionAudience: the assertion's aud is not the realm's issuer.
	AssertionAudience fault.Kind = "token/assertion-audience"
	// AssertionExpired: the assertion expired (or is not valid yet).
	AssertionExpired fault.Kind = "token/assertion-expired"
	// AssertionReused: the source handed out an assertion already used.
	AssertionReused fault.Kind = "token/assertion-reused"

	// Stored tokens (Facts.Profile).

	// NotLoggedIn: no token is stored for the profile.
	NotLoggedIn fault.Kind = "token/not-logged-in"
	// OtherIdentity: the stored token belongs to other profile settings.
	OtherIdentity fault.Kind = "token/other-identity"
	// CannotRefresh: the token expired and nothing can renew it.
	CannotRefresh fault.Kind = "token/cannot-refresh"
	// SessionEnded: the issuer refused the refresh token (Facts.OAuthError).
	SessionEnded fault.Kind = "token/session-ended"
	// NoRefreshToken: Refresh was asked for a bundle it cannot renew.
	NoRefreshToken fault.Kind = "token/no-refresh-token"
	// ShortLived: the issuer's tokens live less than the validity asked for.
	ShortLived fault.Kind = "token/short-lived"

	// Browser and device logins.

	// NoAuthCode: the issuer offers no authorization code grant with PKCE.
	NoAuthCode fault.Kind = "token/no-authcode"
	// BrowserTimeout: no login came back from the browser in time
	// (Facts.Wait: how long igctl waited, 0 when the command's deadline ended it).
	BrowserTimeout fault.Kind = "token/browser-timeout"
	// CallbackListen: the loopback callback server cannot listen.
	CallbackListen fault.Kind = "token/callback-listen"
	// ForeignAnswer: the browser's answer names another issuer (RFC 9207).
	ForeignAnswer fault.Kind = "token/foreign-answer"
	// EmptyAnswer: the browser's answer has neither a code nor an error.
	EmptyAnswer fault.Kind = "token/empty-answer"
	// BrowserRefused: the authorization endpoint refused (Facts.OAuthError).
	BrowserRefused fault.Kind = "token/browser-refused"
	// AuthRequestRefused: the authorization endpoint answered the browser
	// login's request with an error page before any login (Facts.OAuthError:
	// the page's message, e.g. "Invalid parameter: redirect_uri"; Facts.URL:
	// the loopback redirect URI).
	AuthRequestRefused fault.Kind = "token/auth-request-refused"
	// NoDevice: the issuer offers no device authorization grant.
	NoDevice fault.Kind = "token/no-device"
	// DeviceAnswerIncomplete: the device endpoint's answer lacks a code or URI.
	DeviceAnswerIncomplete fault.Kind = "token/device-answer-incomplete"
	// DeviceRefused: the device endpoint refused to start (Facts.ClientID,
	// Facts.OAuthError).
	DeviceRefused fault.Kind = "token/device-refused"
	// DeviceDenied: the person denied the device login.
	DeviceDenied fault.Kind = "token/device-denied"
	// DeviceCodeExpired: the user code expired before it was approved.
	DeviceCodeExpired fault.Kind = "token/device-code-expired"
	// DeviceTimeout: nobody approved the device login in time.
	DeviceTimeout fault.Kind = "token/device-timeout"
	// NoIDToken: an interactive grant came back without an ID token
	// (Facts.ClientID).
	NoIDToken fault.Kind = "token/no-id-token"
	// BadIDToken: the ID token does not verify, or does not belong to this
	// login or access token.
	BadIDToken fault.Kind = "token/bad-id-token"

	// Token storage (Facts.Profile, Facts.Path).

	// UnknownStore: a token store name this package does not know.
	UnknownStore fault.Kind = "token/unknown-store"
	// StorageRequired: secure storage is required and no keyring works.
	StorageRequired fault.Kind = "token/storage-required"
	// KeyringLocked: a sealed token's key is in a keyring that is locked
	// or unreachable now.
	KeyringLocked fault.Kind = "token/keyring-locked"
	// InsecureFile: secure storage is required and the profile's token is
	// in a 0600 file (stored earlier without a keyring), not sealed.
	InsecureFile fault.Kind = "token/insecure-file"
	// KeyringFailed: the keyring failed while writing or deleting a key.
	KeyringFailed fault.Kind = "token/keyring-failed"
	// LockTimeout: another process held the profile's lock until the
	// deadline.
	LockTimeout fault.Kind = "token/lock-timeout"
	// DirNotWritable: the token directory cannot be written.
	DirNotWritable fault.Kind = "token/dir-not-writable"
	// Damaged: a token file that cannot be used.
	Damaged fault.Kind = "token/damaged"

	// RevokeUnreachable: the revocation request failed on the network.
	RevokeUnreachable fault.Kind = "token/revoke-unreachable"
)

// RealmMissing is Keycloak's error for every endpoint of a realm it does not
// have (HTTP 404, {"error":"Realm does not exist"}): a mistyped realm, or one
// lost when a Keycloak with an in-memory database restarted. Failures that
// come from such an answer carry it as Facts.OAuthError.
const RealmMissing = "Realm does not exist"
