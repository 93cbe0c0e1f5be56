package keycloak

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf16"
)

// Limits measured against Keycloak 26.7 (H2 and the JPA schema of every
// supported database use varchar(255)); beyond them Keycloak answers 400
// "Database operation failed" or 500 unknown_error after the request.
const (
	// Keycloak stores the account console's redirect URI
	// "/realms/<escaped name>/account/*" in a varchar(255).
	maxRealmSegment = 255 - len("/realms/") - len("/account/*")
	maxClientID     = 255
	// The service-account user is "service-account-<clientId>" (username, varchar(255)).
	maxClientIDServiceAccount = 255 - len("service-account-")
	// The audience mapper igctl adds is named "audience <clientId>" (varchar(255)).
	maxClientIDAudienceMapper = 255 - len("audience ")
	minUsername               = 3 // Keycloak's user profile: length 3..255
	maxUsername               = 255
	maxRoleName               = 255
)

// realmReserved are the characters Keycloak refuses in a realm name
// (ReservedCharValidator: "Character ':' not allowed.").
const realmReserved = `:/?#@!$&()*+,;=[]\`

// usernameProhibited are the characters of Keycloak's default
// username-prohibited-characters validator, besides whitespace and controls.
const usernameProhibited = `<>&"'$%!#?§,;:*~/\|^=[]{}()` + "`"

// NameError is a name Keycloak refuses, or accepts and then cannot serve
// (a realm called ".." is created but every later request to it is refused
// as a non-normalized path, even its deletion).
type NameError struct {
	Kind string // realm, client, user, role
	Name string
	Rule string
}

func (e *NameError) Error() string {
	name := e.Name
	if len(name) > 40 {
		name = name[:40] + "…"
	}
	return fmt.Sprintf("%s name %q: %s", e.Kind, name, e.Rule)
}

// IssuerURL is the issuer Keycloak puts in iss (and in its discovery
// document) for realm when reached at base: the realm name escaped as a
// path segment, except that Keycloak leaves ' as it is.
func IssuerURL(base, realm string) string {
	return strings.TrimRight(base, "/") + "/realms/" + realmSegment(realm)
}

func realmSegment(realm string) string {
	// The escaped form only contains % as the start of an escape, so "%27"
	// can only be the escape of '.
	return strings.ReplaceAll(url.PathEscape(realm), "%27", "'")
}

func commonRules(kind, name string) *NameError {
	bad := func(rule string) *NameError { return &NameError{Kind: kind, Name: name, Rule: rule} }
	switch {
	case strings.TrimSpace(name) == "":
		return bad("must not be empty")
	case name == "." || name == "..":
		return bad(`"." and ".." are path segments: Keycloak cannot address an object with this name`)
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return bad(fmt.Sprintf("must not contain control characters (found %U)", r))
		}
	}
	return nil
}

// ValidateRealmName applies Keycloak's rules for realm names and refuses the
// names it would accept but could not serve.
func ValidateRealmName(name string) error {
	if e := commonRules("realm", name); e != nil {
		return e
	}
	if i := strings.IndexAny(name, realmReserved); i >= 0 {
		return &NameError{Kind: "realm", Name: name, Rule: fmt.Sprintf("must not contain %q (Keycloak refuses any of %s)", name[i], realmReserved)}
	}
	if n := len(realmSegment(name)); n > maxRealmSegment {
		return &NameError{Kind: "realm", Name: name, Rule: fmt.Sprintf("too long: %d characters once escaped for a URL, Keycloak's limit is %d", n, maxRealmSegment)}
	}
	return nil
}

// ValidateClientID applies Keycloak's limits to a client id. Keycloak
// accepts any character, / included (URLs are common client ids), and igctl
// never puts a client id into a URL path.
func ValidateClientID(id string, serviceAccount, audienceMapper bool) error {
	if e := commonRules("client", id); e != nil {
		return e
	}
	max, why := maxClientID, ""
	if serviceAccount {
		max, why = maxClientIDServiceAccount, ` with a service account (its user is "service-account-<clientId>")`
	} else if audienceMapper {
		max, why = maxClientIDAudienceMapper, ` with the audience mapper (named "audience <clientId>")`
	}
	if n := utf16Len(id); n > max {
		return &NameError{Kind: "client", Name: id, Rule: fmt.Sprintf("too long: %d characters, Keycloak's limit is %d%s", n, max, why)}
	}
	return nil
}

// ValidateUsername applies Keycloak's default user-profile rules for usernames.
func ValidateUsername(name string) error {
	if e := commonRules("user", name); e != nil {
		return e
	}
	if n := utf16Len(name); n < minUsername || n > maxUsername {
		return &NameError{Kind: "user", Name: name, Rule: fmt.Sprintf("must be %d to %d characters long (Keycloak's limit), not %d", minUsername, maxUsername, n)}
	}
	for _, r := range name {
		if strings.ContainsRune(usernameProhibited, r) || unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) {
			return &NameError{Kind: "user", Name: name, Rule: fmt.Sprintf("must not contain %q (Keycloak refuses whitespace and any of %s)", r, usernameProhibited)}
		}
	}
	return nil
}

// ValidateRoleName refuses role names Keycloak would create but not serve.
func ValidateRoleName(name string) error {
	if e := commonRules("role", name); e != nil {
		return e
	}
	if n := utf16Len(name); n > maxRoleName {
		return &NameError{Kind: "role", Name: name, Rule: fmt.Sprintf("too long: %d characters, Keycloak's limit is %d", n, maxRoleName)}
	}
	return nil
}

// utf16Len counts as Java does (String.length), which is what Keycloak's
// length validators and the database columns count.
func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// ValidateNames checks every realm, client, user and role name of the spec
// before any request is sent.
func (s *Spec) ValidateNames() error {
	for _, r := range s.Realms {
		if err := ValidateRealmName(r.Name); err != nil {
			return err
		}
		for _, c := range r.Clients {
			if err := ValidateClientID(c.ClientID, on(c.ServiceAccounts), on(c.AudienceMapper)); err != nil {
				return err
			}
			for _, role := range c.Roles {
				if err := ValidateRoleName(role); err != nil {
					return err
				}
			}
			if err := validateRoleRefs(c.ServiceAccountRealm, c.ServiceAccountRoles); err != nil {
				return err
			}
		}
		for _, u := range r.Users {
			if err := ValidateUsername(u.Username); err != nil {
				return err
			}
			if err := validateRoleRefs(u.RealmRoles, u.ClientRoles); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateRoleRefs(realmRoles []string, clientRoles map[string][]string) error {
	for _, role := range realmRoles {
		if err := ValidateRoleName(role); err != nil {
			return err
		}
	}
	for id, roles := range clientRoles {
		if e := commonRules("client", id); e != nil {
			return e
		}
		for _, role := range roles {
			if err := ValidateRoleName(role); err != nil {
				return err
			}
		}
	}
	return nil
}
