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
	if len(refs) == 0 {
		return nil
	}

	rp := "/" + esc(spec.Name)
	realmExists, err := r.get(rp, nil)
	if err != nil {
		return err
	}
	specRoles := map[string]map[string]bool{} // clientId -> roles the spec creates
	for _, c := range spec.Clients {
		m := map[string]bool{}
		for _, role := range c.Roles {
			m[role] = true
		}
		specRoles[c.ClientID] = m
	}
	clientUUID := map[string]string{} // clientId -> uuid ("" when it does not exist)
	lookupClient := func(id string) (string, error) {
		if uuid, ok := clientUUID[id]; ok {
			return uuid, nil
		}
		uuid := ""
		if realmExists {
			var list []roleRep
			if _, err := r.get(rp+"/clients?clientId="+url.QueryEscape(id), &list); err != nil {
				return "", err
			}
			for _, c := range list {
				uuid = c.ID
			}
		}
		clientUUID[id] = uuid
		return uuid, nil
	}
	roleExists := func(p string) (bool, error) { return r.get(p, nil) }

	for _, ref := range refs {
		missing := func(what string) error {
			return &RefError{Realm: spec.Name, Who: ref.who, Client: ref.client, Role: ref.role, Missing: what}
		}
		if ref.client == "" {
			if !realmExists {
				if !slices.Contains(builtinRealmRoles(spec.Name), ref.role) {
					return missing("role")
				}
				continue
			}
			ok, err := roleExists(rp + "/roles/" + esc(ref.role))
			if err != nil {
				return err
			}
			if !ok {
				return missing("role")
			}
			continue
		}
		if specRoles[ref.client][ref.role] {
			continue // the spec creates it
		}
		uuid, err := lookupClient(ref.client)
		if err != nil {
			return err
		}
		if uuid == "" {
			_, inSpec := specRoles[ref.client]
			builtin, isBuiltin := builtinClientRoles[ref.client]
			switch {
			case !realmExists && isBuiltin:
				if !slices.Contains(builtin, ref.role) {
					return missing("role")
				}
			case inSpec:
				return missing("role") // a client the spec creates, without this role
			default:
				return missing("client")
			}
			continue
		}
		ok, err := roleExists(rp + "/clients/" + esc(uuid) + "/roles/" + esc(ref.role))
		if err != nil {
			return err
		}
		if !ok {
			return missing("role")
		}
	}
	return nil
}
