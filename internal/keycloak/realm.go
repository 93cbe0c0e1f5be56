package keycloak

import "net/http"

// realm settles a realm's settings, then its clients and users.
func (r *run) realm(spec RealmSpec) error {
	p := "/" + esc(spec.Name)
	want := realmRep{Enabled: ptr(true)}
	if spec.AccessTokenLifespan > 0 {
		want.AccessTokenLifespan = ptr(spec.AccessTokenLifespan)
	}
	var have realmRep
	exists, err := r.get(p, &have)
	if err != nil {
		return err
	}
	isNew := !exists
	if !exists {
		rep := want
		rep.Realm = spec.Name
		_, other, err := r.create("", rep, func() (bool, error) { return r.get(p, nil) })
		if err != nil {
			return err
		}
		r.record(Change{Kind: "realm", Realm: spec.Name, Name: spec.Name, Action: createdBy(other)})
	} else if changed, diffs := have.diff(want); len(diffs) > 0 {
		if _, err := r.write(http.MethodPut, p, changed, nil); err != nil {
			return err
		}
		r.record(Change{Kind: "realm", Realm: spec.Name, Name: spec.Name, Action: Updated, Diffs: diffs})
	} else {
		r.record(Change{Kind: "realm", Realm: spec.Name, Name: spec.Name, Action: Unchanged})
	}
	// In a dry run, nothing below a realm that does not exist can be read.
	pending := isNew && r.opts.DryRun
	// The providers first: a federated client names one.
	clients := spec.Clients
	for _, f := range spec.Federated {
		if err := r.identityProvider(spec.Name, f, pending); err != nil {
			return err
		}
		clients = append(clients[:len(clients):len(clients)], f.federatedClient())
	}
	var checker *ClientResult
	for _, c := range clients {
		cr, err := r.client(spec.Name, c, pending)
		if err != nil {
			return err
		}
		r.res.Clients = append(r.res.Clients, cr)
		if checker == nil && !c.Public && on(c.DirectAccessGrants) {
			checker = &cr // a copy: r.res.Clients may be reallocated by later appends
		}
	}
	for _, u := range spec.Users {
		if err := r.user(spec.Name, u, pending, checker); err != nil {
			return err
		}
	}
	return nil
}
