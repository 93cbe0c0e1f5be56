package keycloak

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"

	"github.com/inference-gateway/igctl/internal/fault"
)

// roleMappings gives userID the realm roles and client roles (by client id)
// it lacks. Mappings are only ever added, never removed.
func (r *run) roleMappings(realm, userID, who string, realmRoles []string, clientRoles map[string][]string, pending bool) error {
	rp := "/" + esc(realm)
	type target struct {
		label, mappingPath, rolePath string
		roles                        []string
		pending                      bool // nothing to read: the client does not exist yet (dry run)
	}
	var targets []target
	if len(realmRoles) > 0 {
		targets = append(targets, target{"realm", "/role-mappings/realm", rp + "/roles/", realmRoles, pending})
	}
	clientIDs := make([]string, 0, len(clientRoles))
	for id := range clientRoles {
		clientIDs = append(clientIDs, id)
	}
	sort.Strings(clientIDs)
	for _, id := range clientIDs {
		uuid, tpending := "", pending
		if !pending {
			var list []roleRep
			if _, err := r.get(rp+"/clients?clientId="+url.QueryEscape(id), &list); err != nil {
				return err
			}
			switch {
			case len(list) > 0:
				uuid = list[0].ID
			case r.opts.DryRun:
				tpending = true // the spec creates it (resolveRefs made sure)
			default:
				// resolveRefs saw it: it went away during this run
				return fault.New(BadSpec, fmt.Errorf("realm %s: role mapping for %s names client %q, which does not exist", realm, who, id))
			}
		}
		targets = append(targets, target{id, "/role-mappings/clients/" + esc(uuid), rp + "/clients/" + esc(uuid) + "/roles/", clientRoles[id], tpending})
	}
	for _, t := range targets {
		mp := rp + "/users/" + esc(userID) + t.mappingPath
		have := map[string]bool{}
		if !t.pending {
			var mapped []roleRep
			if _, err := r.get(mp, &mapped); err != nil {
				return err
			}
			for _, m := range mapped {
				have[m.Name] = true
			}
		}
		var add []roleRep
		for _, role := range t.roles {
			name := who + " → " + t.label + ":" + role
			if have[role] {
				r.record(Change{Kind: "role-mapping", Realm: realm, Name: name, Action: Unchanged})
				continue
			}
			if !t.pending {
				var rep roleRep
				if ok, err := r.get(t.rolePath+esc(role), &rep); err != nil {
					return err
				} else if ok {
					add = append(add, rep)
				} else if !r.opts.DryRun {
					return fault.New(BadSpec, fmt.Errorf("realm %s: role %s:%s does not exist", realm, t.label, role))
				}
			}
			r.record(Change{Kind: "role-mapping", Realm: realm, Name: name, Action: Created})
		}
		if len(add) > 0 {
			if err := r.addMappings(mp, add); err != nil {
				return err
			}
		}
	}
	return nil
}

// addMappings POSTs role mappings. Two runs adding the same mapping at once
// make Keycloak answer 400 "Could not add user role or group mappings!", and
// under concurrent admin writes its role cache can fail the call with a 500
// (a NullPointerException in its log): the mappings are read again and only
// the ones still missing are sent again.
func (r *run) addMappings(mp string, add []roleRep) error {
	for attempt := 1; ; attempt++ {
		_, err := r.write(http.MethodPost, mp, add, nil)
		var apiErr *APIError
		serverFailed := errors.As(err, &apiErr) && apiErr.Status >= 500
		if err == nil || !(lostRace(err) || serverFailed) {
			return err
		}
		var mapped []roleRep
		if _, rerr := r.get(mp, &mapped); rerr != nil {
			return rerr
		}
		have := map[string]bool{}
		for _, m := range mapped {
			have[m.ID] = true
		}
		var missing []roleRep
		for _, a := range add {
			if !have[a.ID] {
				missing = append(missing, a)
			}
		}
		if len(missing) == 0 {
			return nil // a concurrent run added them
		}
		if attempt >= raceRetries {
			return err
		}
		if perr := r.pause(attempt); perr != nil {
			return perr
		}
		add = missing
	}
}
