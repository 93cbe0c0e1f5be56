package keycloak

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// RefError is a role mapping in the spec that names a client or a role that
// neither exists in Keycloak nor is created by the spec.
type RefError struct {
	Realm, Who string
	Client     string // "" for a realm role
	Role       string
	Missing    string // "client" or "role"
}

func (e *RefError) Error() string {
	target := "realm role " + e.Role
	if e.Client != "" {
		target = fmt.Sprintf("role %s of client %s", e.Role, e.Client)
	}
	if e.Missing == "client" {
		return fmt.Sprintf("realm %s: %s is given %s, but client %q does not exist and the spec does not create it", e.Realm, e.Who, target, e.Client)
	}
	return fmt.Sprintf("realm %s: %s is given %s, which does not exist and the spec does not create it", e.Realm, e.Who, target)
}

// builtinClientRoles are the clients and client roles Keycloak 26.7 creates
// with every realm: what a spec may name in a realm that does not exist yet.
// TestBuiltinsMatchKeycloak compares them with a fresh realm.
var builtinClientRoles = map[string][]string{
	"account": {"delete-account", "manage-account", "manage-account-links", "manage-consent",
		"view-applications", "view-consent", "view-groups", "view-profile"},
	"account-console":        nil,
	"admin-cli":              nil,
	"broker":                 {"read-token"},
	"security-admin-console": nil,
	"realm-management": {"create-client", "impersonation", "manage-authorization", "manage-clients",
		"manage-events", "manage-identity-providers", "manage-organizations", "manage-realm", "manage-users",
		"query-clients", "query-groups", "query-organizations", "query-realms", "query-users", "realm-admin",
		"view-authorization", "view-clients", "view-events", "view-identity-providers", "view-organizations",
		"view-realm", "view-users"},
}

// builtinRealmRoles are the realm roles of a new realm.
func builtinRealmRoles(realm string) []string {
	return []string{"default-roles-" + strings.ToLower(realm), "offline_access", "uma_authorization"}
}

type roleRef struct {
	who, client, role string
}

// resolveRefs checks, with reads only, that every role mapping of the spec
// names a client and a role that exist or that the spec creates.
func (r *run) resolveRefs(spec RealmSpec) error {
	refs := specRoleRefs(spec)
	if len(refs) == 0 {
		return nil
	}
	rv := &refResolver{r: r, spec: spec, rp: "/" + esc(spec.Name), specRoles: map[string]map[string]bool{}, clientUUID: map[string]string{}}
	var err error
	if rv.realmExists, err = r.get(rv.rp, nil); err != nil {
		return err
	}
	for _, c := range spec.Clients {
		m := map[string]bool{}
		for _, role := range c.Roles {
			m[role] = true
		}
		rv.specRoles[c.ClientID] = m
	}
	for _, ref := range refs {
		var err error
		if ref.client == "" {
			err = rv.checkRealmRole(ref)
		} else {
			err = rv.checkClientRole(ref)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// specRoleRefs lists every role the spec gives a service account or a user,
// in the spec's order (client roles by client id).
func specRoleRefs(spec RealmSpec) []roleRef {
	var refs []roleRef
	add := func(who string, realmRoles []string, clientRoles map[string][]string) {
		for _, role := range realmRoles {
			refs = append(refs, roleRef{who: who, role: role})
		}
		ids := make([]string, 0, len(clientRoles))
		for id := range clientRoles {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			for _, role := range clientRoles[id] {
				refs = append(refs, roleRef{who: who, client: id, role: role})
			}
		}
	}
	for _, c := range spec.Clients {
		add("service-account-"+c.ClientID, c.ServiceAccountRealm, c.ServiceAccountRoles)
	}
	for _, u := range spec.Users {
		add("user "+u.Username, u.RealmRoles, u.ClientRoles)
	}
	return refs
}

// refResolver answers, for one realm, whether a referenced role exists in
// Keycloak or is created by the spec; client lookups are remembered.
type refResolver struct {
	r           *run
	spec        RealmSpec
	rp          string // the realm's admin path
	realmExists bool
	specRoles   map[string]map[string]bool // clientId -> roles the spec creates
	clientUUID  map[string]string          // clientId -> uuid ("" when it does not exist)
}

func (rv *refResolver) missing(ref roleRef, what string) error {
	return &RefError{Realm: rv.spec.Name, Who: ref.who, Client: ref.client, Role: ref.role, Missing: what}
}

// checkRealmRole: in a realm still to be created only the built-in realm
// roles exist.
func (rv *refResolver) checkRealmRole(ref roleRef) error {
	if !rv.realmExists {
		if !slices.Contains(builtinRealmRoles(rv.spec.Name), ref.role) {
			return rv.missing(ref, "role")
		}
		return nil
	}
	ok, err := rv.r.get(rv.rp+"/roles/"+esc(ref.role), nil)
	if err != nil {
		return err
	}
	if !ok {
		return rv.missing(ref, "role")
	}
	return nil
}

// checkClientRole: a client role exists when the spec creates it, when
// Keycloak has it, or when the realm is new and it is one Keycloak creates
// with every realm.
func (rv *refResolver) checkClientRole(ref roleRef) error {
	if rv.specRoles[ref.client][ref.role] {
		return nil // the spec creates it
	}
	uuid, err := rv.lookupClient(ref.client)
	if err != nil {
		return err
	}
	if uuid == "" {
		_, inSpec := rv.specRoles[ref.client]
		builtin, isBuiltin := builtinClientRoles[ref.client]
		switch {
		case !rv.realmExists && isBuiltin:
			if !slices.Contains(builtin, ref.role) {
				return rv.missing(ref, "role")
			}
		case inSpec:
			return rv.missing(ref, "role") // a client the spec creates, without this role
		default:
			return rv.missing(ref, "client")
		}
		return nil
	}
	ok, err := rv.r.get(rv.rp+"/clients/"+esc(uuid)+"/roles/"+esc(ref.role), nil)
	if err != nil {
		return err
	}
	if !ok {
		return rv.missing(ref, "role")
	}
	return nil
}

// lookupClient finds a client's uuid by its clientId, once per client.
func (rv *refResolver) lookupClient(id string) (string, error) {
	if uuid, ok := rv.clientUUID[id]; ok {
		return uuid, nil
	}
	uuid := ""
	if rv.realmExists {
		var list []roleRep
		if _, err := rv.r.get(rv.rp+"/clients?clientId="+url.QueryEscape(id), &list); err != nil {
			return "", err
		}
		for _, c := range list {
			uuid = c.ID
		}
	}
	rv.clientUUID[id] = uuid
	return uuid, nil
}
