package keycloak

import (
	"net/http"
	"net/url"
	"path"
)

// clientWant is the client configuration igctl manages.
func clientWant(c ClientSpec) clientRep {
	if c.Public {
		return clientRep{
			ClientID:                  c.ClientID,
			Enabled:                   ptr(true),
			PublicClient:              ptr(true),
			ServiceAccountsEnabled:    ptr(false),
			DirectAccessGrantsEnabled: ptr(false),
			StandardFlowEnabled:       ptr(true),
			ImplicitFlowEnabled:       ptr(false),
			RedirectURIs:              PublicRedirectURIs,
			Attributes:                publicAttributes,
		}
	}
	rep := clientRep{
		ClientID:                  c.ClientID,
		Enabled:                   ptr(true),
		PublicClient:              ptr(false),
		ServiceAccountsEnabled:    ptr(on(c.ServiceAccounts)),
		DirectAccessGrantsEnabled: ptr(on(c.DirectAccessGrants)),
		StandardFlowEnabled:       ptr(c.StandardFlow != nil && *c.StandardFlow),
	}
	if f := c.federated; f != nil {
		rep.ClientAuthenticatorType = FederatedAuthenticator
		rep.Attributes = map[string]string{"jwt.credential.issuer": f.Alias, "jwt.credential.sub": f.Subject}
	}
	return rep
}

// client settles a client, its secret and what hangs below it.
func (r *run) client(realm string, c ClientSpec, pending bool) (ClientResult, error) {
	res := ClientResult{Realm: realm, ClientID: c.ClientID, Issuer: IssuerURL(r.a.BaseURL, realm)}
	want := clientWant(c)
	base := "/" + esc(realm) + "/clients"
	byID := base + "?clientId=" + url.QueryEscape(c.ClientID)
	var uuid string
	var list []clientRep
	if !pending {
		if _, err := r.get(byID, &list); err != nil {
			return res, err
		}
	}
	isNew := len(list) == 0
	if isNew {
		rep := want
		rep.Protocol = "openid-connect"
		if rep.ClientAuthenticatorType == "" {
			rep.ClientAuthenticatorType = "client-secret"
		}
		loc, other, err := r.create(base, rep, func() (bool, error) {
			_, err := r.get(byID, &list)
			return len(list) > 0, err
		})
		switch {
		case err != nil:
			return res, err
		case other:
			// another run created it meanwhile: carry on with that one
			uuid = list[0].ID
		default:
			uuid = path.Base(loc)
		}
		r.record(Change{Kind: "client", Realm: realm, Name: c.ClientID, Action: createdBy(other)})
	} else {
		uuid = list[0].ID
		changed, diffs := list[0].diff(want)
		action := Unchanged
		if len(diffs) > 0 {
			action = Updated
			if _, err := r.write(http.MethodPut, base+"/"+esc(uuid), changed, nil); err != nil {
				return res, err
			}
		}
		r.record(Change{Kind: "client", Realm: realm, Name: c.ClientID, Action: action, Diffs: diffs})
	}
	childPending := pending || (isNew && r.opts.DryRun)
	cp := base + "/" + esc(uuid)
	// A public client has no secret, nor does a federated one (its
	// credential is the CI platform's token).
	if !c.Public && c.federated == nil {
		secret, err := r.clientSecret(realm, cp, c.ClientID, isNew, childPending)
		if err != nil {
			return res, err
		}
		res.Secret = secret
	}
	return res, r.clientChildren(realm, cp, c, childPending)
}

// clientSecret reads a confidential client's secret back; it is never
// rotated unless asked.
func (r *run) clientSecret(realm, cp, clientID string, isNew, pending bool) (string, error) {
	var secret string
	if !pending {
		var cred secretRep
		if _, err := r.get(cp+"/client-secret", &cred); err != nil {
			return "", err
		}
		secret = cred.Value
	}
	switch {
	case isNew:
		r.record(Change{Kind: "secret", Realm: realm, Name: clientID, Action: Created})
	case r.opts.RotateSecret:
		var cred secretRep
		if _, err := r.write(http.MethodPost, cp+"/client-secret", nil, &cred); err != nil {
			return "", err
		}
		if !r.opts.DryRun {
			secret = cred.Value
		}
		r.record(Change{Kind: "secret", Realm: realm, Name: clientID, Action: Updated, Diffs: []Diff{{Field: "value", From: "(hidden)", To: "(new, hidden)"}}})
	default:
		r.record(Change{Kind: "secret", Realm: realm, Name: clientID, Action: Unchanged})
	}
	return secret, nil
}

// clientChildren settles a client's audience mapper, roles and service-account roles.
func (r *run) clientChildren(realm, cp string, c ClientSpec, childPending bool) error {
	if on(c.AudienceMapper) {
		aud := c.Audience
		if aud == "" {
			aud = c.ClientID
		}
		if err := r.audienceMapper(realm, cp, aud, childPending); err != nil {
			return err
		}
	}
	for _, role := range c.Roles {
		if err := r.clientRole(realm, cp, c.ClientID, role, childPending); err != nil {
			return err
		}
	}
	if len(c.ServiceAccountRoles) > 0 || len(c.ServiceAccountRealm) > 0 {
		userID := ""
		if !childPending {
			var sa roleRep
			if _, err := r.get(cp+"/service-account-user", &sa); err != nil {
				return err
			}
			userID = sa.ID
		}
		if err := r.roleMappings(realm, userID, "service-account-"+c.ClientID, c.ServiceAccountRealm, c.ServiceAccountRoles, childPending); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) clientRole(realm, cp, clientID, role string, pending bool) error {
	exists := false
	if !pending {
		var err error
		if exists, err = r.get(cp+"/roles/"+esc(role), nil); err != nil {
			return err
		}
	}
	action := Unchanged
	if !exists {
		_, other, err := r.create(cp+"/roles", roleRep{Name: role}, func() (bool, error) { return r.get(cp+"/roles/"+esc(role), nil) })
		if err != nil {
			return err
		}
		action = createdBy(other)
	}
	r.record(Change{Kind: "role", Realm: realm, Name: clientID + "/" + role, Action: action})
	return nil
}
