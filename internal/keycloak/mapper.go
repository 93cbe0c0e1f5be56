package keycloak

import "net/http"

// audienceMapperType is the protocol mapper that adds a client id to aud.
const audienceMapperType = "oidc-audience-mapper"

// audienceMapper makes the client's tokens carry clientID in aud.
func (r *run) audienceMapper(realm, cp, clientID string, pending bool) error {
	name := "audience " + clientID
	models := cp + "/protocol-mappers/models"
	want := map[string]string{
		"included.client.audience":  clientID,
		"access.token.claim":        "true",
		"introspection.token.claim": "true",
	}
	var mappers []mapperRep
	if !pending {
		if _, err := r.get(models, &mappers); err != nil {
			return err
		}
	}
	var found *mapperRep
	for i, m := range mappers {
		// One made by hand (any name) that already does the job counts.
		if m.ProtocolMapper == audienceMapperType && m.Config["included.client.audience"] == clientID {
			found = &mappers[i]
			break
		}
	}
	if found == nil {
		rep := mapperRep{Name: name, Protocol: "openid-connect", ProtocolMapper: audienceMapperType, Config: want}
		_, other, err := r.create(models, rep, func() (bool, error) {
			var now []mapperRep
			if _, err := r.get(models, &now); err != nil {
				return false, err
			}
			for _, m := range now {
				if m.Name == name {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return err
		}
		r.record(Change{Kind: "mapper", Realm: realm, Name: name, Action: createdBy(other)})
		return nil
	}
	cfg, diffs := diffMap("", found.Config, want)
	if len(diffs) == 0 {
		r.record(Change{Kind: "mapper", Realm: realm, Name: found.Name, Action: Unchanged})
		return nil
	}
	found.Config = cfg
	if _, err := r.write(http.MethodPut, models+"/"+esc(found.ID), found, nil); err != nil {
		return err
	}
	r.record(Change{Kind: "mapper", Realm: realm, Name: found.Name, Action: Updated, Diffs: diffs})
	return nil
}
