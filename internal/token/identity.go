package token

import (
	"fmt"

	"github.com/inference-gateway/igctl/internal/fault"
)

// Identity is who a stored token was issued to: a bundle only ever serves
// the profile settings it was obtained with, so a changed issuer or client
// never gets a foreign token.
type Identity struct {
	Issuer, ClientID, Grant, Username string
}

// Identity of the bundle.
func (b *Bundle) Identity() Identity {
	return Identity{Issuer: b.Issuer, ClientID: b.ClientID, Grant: b.Grant, Username: b.Username}
}

// ErrOtherIdentity is returned (wrapped, of kind OtherIdentity) for a stored token that was
// issued to another issuer, client, grant or user than the profile names.
type ErrOtherIdentity struct {
	Profile   string
	Got, Want Identity
	Field     string
}

func (e *ErrOtherIdentity) Error() string {
	var got, want string
	switch e.Field {
	case "issuer":
		got, want = e.Got.Issuer, e.Want.Issuer
	case "client id":
		got, want = e.Got.ClientID, e.Want.ClientID
	case "grant":
		got, want = e.Got.Grant, e.Want.Grant
	default:
		got, want = e.Got.Username, e.Want.Username
	}
	return fmt.Sprintf("profile %q is not logged in for this %s: its stored token was issued for %s %q, the profile now says %q", e.Profile, e.Field, e.Field, got, want)
}

// CheckIdentity reports the first field where the bundle's identity differs from
// want; empty fields of want are not compared.
func (b *Bundle) CheckIdentity(profile string, want Identity) error {
	got := b.Identity()
	field := ""
	switch {
	case want.Issuer != "" && got.Issuer != want.Issuer:
		field = "issuer"
	case want.ClientID != "" && got.ClientID != want.ClientID:
		field = "client id"
	case want.Grant != "" && got.Grant != want.Grant:
		field = "grant"
	case want.Grant == GrantPassword && want.Username != "" && got.Username != want.Username:
		field = "user"
	default:
		return nil
	}
	return fault.New(OtherIdentity, &ErrOtherIdentity{Profile: profile, Got: got, Want: want, Field: field},
		fault.Facts{Profile: profile, Issuer: want.Issuer, ClientID: want.ClientID, Grant: want.Grant})
}
