package keycloak

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
)

// Typed views of the admin REST API representations bootstrap reads and
// sends, with Keycloak's JSON names. A view holds only the fields igctl
// manages; Keycloak fills in the rest. In a wanted view a nil field is one
// the spec does not set: it is neither compared nor sent. Fields are
// declared in the order of their JSON names, so that a body lists its keys
// sorted, as it always has.
//
// An update sends only what differs (Keycloak's PUT of a realm, client or
// user changes the fields it is given and keeps the others), except for a
// protocol mapper, whose PUT replaces it: a mapper keeps the representation
// Keycloak sent and goes back whole (see mapperRep).

// realmRep is a RealmRepresentation.
type realmRep struct {
	AccessTokenLifespan *int   `json:"accessTokenLifespan,omitempty"`
	Enabled             *bool  `json:"enabled,omitempty"`
	Realm               string `json:"realm,omitempty"`
}

// diff returns what of want differs from r, as a partial representation to
// PUT, and the differences field by field.
func (r realmRep) diff(want realmRep) (out realmRep, d []Diff) {
	diffField(&d, "accessTokenLifespan", r.AccessTokenLifespan, want.AccessTokenLifespan, &out.AccessTokenLifespan)
	diffField(&d, "enabled", r.Enabled, want.Enabled, &out.Enabled)
	return out, d
}

// clientRep is a ClientRepresentation.
type clientRep struct {
	Attributes                map[string]string `json:"attributes,omitempty"`
	ClientAuthenticatorType   string            `json:"clientAuthenticatorType,omitempty"`
	ClientID                  string            `json:"clientId"`
	DirectAccessGrantsEnabled *bool             `json:"directAccessGrantsEnabled,omitempty"`
	Enabled                   *bool             `json:"enabled,omitempty"`
	ID                        string            `json:"id,omitempty"`
	ImplicitFlowEnabled       *bool             `json:"implicitFlowEnabled,omitempty"`
	Protocol                  string            `json:"protocol,omitempty"`
	PublicClient              *bool             `json:"publicClient,omitempty"`
	RedirectURIs              []string          `json:"redirectUris,omitempty"`
	ServiceAccountsEnabled    *bool             `json:"serviceAccountsEnabled,omitempty"`
	StandardFlowEnabled       *bool             `json:"standardFlowEnabled,omitempty"`
}

// diff is realmRep.diff for a client. The attributes are compared one by
// one; when one differs, the PUT carries all of them (Keycloak's and igctl's).
func (c clientRep) diff(want clientRep) (out clientRep, d []Diff) {
	out.ClientID = want.ClientID
	if want.ClientAuthenticatorType != "" && c.ClientAuthenticatorType != want.ClientAuthenticatorType {
		d = append(d, Diff{Field: "clientAuthenticatorType", From: shown(c.ClientAuthenticatorType, c.ClientAuthenticatorType != ""), To: want.ClientAuthenticatorType})
		out.ClientAuthenticatorType = want.ClientAuthenticatorType
	}
	diffField(&d, "directAccessGrantsEnabled", c.DirectAccessGrantsEnabled, want.DirectAccessGrantsEnabled, &out.DirectAccessGrantsEnabled)
	diffField(&d, "enabled", c.Enabled, want.Enabled, &out.Enabled)
	diffField(&d, "implicitFlowEnabled", c.ImplicitFlowEnabled, want.ImplicitFlowEnabled, &out.ImplicitFlowEnabled)
	diffField(&d, "publicClient", c.PublicClient, want.PublicClient, &out.PublicClient)
	if want.RedirectURIs != nil && (c.RedirectURIs == nil || !slices.Equal(c.RedirectURIs, want.RedirectURIs)) {
		d = append(d, Diff{Field: "redirectUris", From: shown(c.RedirectURIs, c.RedirectURIs != nil), To: fmt.Sprint(want.RedirectURIs)})
		out.RedirectURIs = want.RedirectURIs
	}
	diffField(&d, "serviceAccountsEnabled", c.ServiceAccountsEnabled, want.ServiceAccountsEnabled, &out.ServiceAccountsEnabled)
	diffField(&d, "standardFlowEnabled", c.StandardFlowEnabled, want.StandardFlowEnabled, &out.StandardFlowEnabled)
	if attrs, ad := diffMap("attributes.", c.Attributes, want.Attributes); len(ad) > 0 {
		d = append(d, ad...)
		out.Attributes = attrs
	}
	return out, d
}

// mapperRep is a ProtocolMapperRepresentation. Keycloak's PUT of a mapper
// replaces it, so a mapper read from Keycloak keeps every field it came
// with (raw) and is sent back with the typed fields laid over them.
type mapperRep struct {
	Config         map[string]string `json:"config"`
	ID             string            `json:"id,omitempty"`
	Name           string            `json:"name"`
	Protocol       string            `json:"protocol"`
	ProtocolMapper string            `json:"protocolMapper"`

	raw map[string]json.RawMessage
}

// mapperFields is mapperRep without its methods, for the default encoding.
type mapperFields mapperRep

func (m *mapperRep) UnmarshalJSON(b []byte) error {
	var typed mapperFields
	if err := json.Unmarshal(b, &typed); err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*m = mapperRep(typed)
	m.raw = raw
	return nil
}

func (m mapperRep) MarshalJSON() ([]byte, error) {
	typed, err := json.Marshal(mapperFields(m))
	if err != nil || m.raw == nil {
		return typed, err
	}
	var over map[string]json.RawMessage
	if err := json.Unmarshal(typed, &over); err != nil {
		return nil, err
	}
	all := maps.Clone(m.raw)
	maps.Copy(all, over)
	return json.Marshal(all)
}

// userRep is a UserRepresentation.
type userRep struct {
	Credentials   []credentialRep `json:"credentials,omitempty"`
	Email         *string         `json:"email,omitempty"`
	EmailVerified *bool           `json:"emailVerified,omitempty"`
	Enabled       *bool           `json:"enabled,omitempty"`
	FirstName     *string         `json:"firstName,omitempty"`
	ID            string          `json:"id,omitempty"`
	LastName      *string         `json:"lastName,omitempty"`
	// RequiredActions is sent when not nil, empty included: igctl's users
	// have none.
	RequiredActions []string `json:"requiredActions,omitzero"`
	Username        string   `json:"username,omitempty"`
}

// diff is realmRep.diff for a user; any required action is removed.
func (u userRep) diff(want userRep) (out userRep, d []Diff) {
	diffField(&d, "email", u.Email, want.Email, &out.Email)
	diffField(&d, "emailVerified", u.EmailVerified, want.EmailVerified, &out.EmailVerified)
	diffField(&d, "enabled", u.Enabled, want.Enabled, &out.Enabled)
	diffField(&d, "firstName", u.FirstName, want.FirstName, &out.FirstName)
	diffField(&d, "lastName", u.LastName, want.LastName, &out.LastName)
	if len(u.RequiredActions) > 0 {
		d = append(d, Diff{Field: "requiredActions", From: fmt.Sprint(u.RequiredActions), To: "[]"})
		out.RequiredActions = []string{}
	}
	return out, d
}

// credentialRep is a CredentialRepresentation: a password to set.
type credentialRep struct {
	Temporary bool   `json:"temporary"`
	Type      string `json:"type"`
	Value     string `json:"value"`
}

func passwordCredential(password string) credentialRep {
	return credentialRep{Type: "password", Value: password}
}

// roleRep is a RoleRepresentation as a role mapping names it; a client's
// id and clientId are read into the same shape.
type roleRep struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
}

// secretRep is a client's secret.
type secretRep struct {
	Value string `json:"value"`
}

// diffField compares one managed field: a nil want is not managed. When
// the field differs, the difference is added to d and *out is set to want.
func diffField[T comparable](d *[]Diff, field string, have, want *T, out **T) {
	if want == nil || (have != nil && *have == *want) {
		return
	}
	var h any
	if have != nil {
		h = *have
	}
	*d = append(*d, Diff{Field: field, From: shown(h, have != nil), To: fmt.Sprint(*want)})
	*out = want
}

// diffMap compares the wanted keys of a string map (mapper config, client
// attributes), in key order, with names prefix+key. It returns have with
// the wanted values set, and the differences.
func diffMap(prefix string, have, want map[string]string) (map[string]string, []Diff) {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var d []Diff
	for _, k := range keys {
		h, ok := have[k]
		if ok && h == want[k] {
			continue
		}
		d = append(d, Diff{Field: prefix + k, From: shown(h, ok), To: want[k]})
	}
	if len(d) == 0 {
		return have, nil
	}
	out := maps.Clone(have)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, want)
	return out, d
}

// shown is a value as a plan prints it: "(unset)" when Keycloak has none.
func shown(v any, set bool) string {
	if !set {
		return "(unset)"
	}
	return fmt.Sprint(v)
}

func ptr[T any](v T) *T { return &v }
