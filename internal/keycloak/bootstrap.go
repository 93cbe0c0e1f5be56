package keycloak

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"
)

// Actions reported per object.
const (
	Created   = "created"
	Updated   = "updated"
	Unchanged = "unchanged"
)

// Diff is one field that differs; secrets show as "(hidden)".
type Diff struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// Change is what happened (or, with DryRun, would happen) to one object.
type Change struct {
	Kind   string `json:"kind"` // realm, client, secret, mapper, role, role-mapping, user, password
	Realm  string `json:"realm"`
	Name   string `json:"name"`
	Action string `json:"action"`
	Diffs  []Diff `json:"changes,omitempty"`
}

// ClientResult is what a bootstrap yields for a client.
type ClientResult struct {
	Realm, ClientID, Issuer string
	Secret                  string // empty in a dry run for a client not yet created
}

// Result of a bootstrap.
type Result struct {
	Objects []Change
	Clients []ClientResult
	// Writes is the number of non-GET requests sent.
	Writes int
}

// Changed reports whether anything was (or would be) created or updated.
func (r *Result) Changed() bool {
	for _, c := range r.Objects {
		if c.Action != Unchanged {
			return true
		}
	}
	return false
}

// Options steer a bootstrap.
type Options struct {
	DryRun       bool
	RotateSecret bool
	// UserPassword returns the password for a user: needed is true when the
	// user does not exist yet (a password is required); otherwise "" means
	// "leave the password alone".
	UserPassword func(realm, username string, needed bool) (string, error)
	// Progress, if set, is told about each object as it is settled.
	Progress func(Change)
}

type run struct {
	a    *Admin
	ctx  context.Context
	opts Options
	res  *Result
}

// Bootstrap makes Keycloak match spec: each object is looked up by its
// natural key, created when missing and updated only where it differs.
func Bootstrap(ctx context.Context, a *Admin, spec *Spec, opts Options) (*Result, error) {
	r := &run{a: a, ctx: ctx, opts: opts, res: &Result{}}
	writes0 := a.Writes
	defer func() { r.res.Writes = a.Writes - writes0 }()
	if err := spec.ValidateNames(); err != nil {
		return r.res, err
	}
	// Every reference is resolved before the first write, so that neither a
	// plan nor a real run stops half-way on a role that cannot exist.
	for _, realm := range spec.Realms {
		if err := r.resolveRefs(realm); err != nil {
			return r.res, err
		}
	}
	for _, realm := range spec.Realms {
		if err := r.realm(realm); err != nil {
			return r.res, err
		}
	}
	return r.res, nil
}

// raceRetries bounds how often a create that lost a race is re-read and sent again.
const raceRetries = 5

// lostRace reports an answer Keycloak gives when a concurrent request
// created the same object first: 409, or one of the 400s it sends when its
// own existence check passed but the database insert then collided.
func lostRace(err error) bool {
	if IsConflict(err) {
		return true
	}
	var e *APIError
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest {
		return false
	}
	return e.Message == "Database operation failed" || strings.Contains(e.Message, "Could not add user role or group mappings")
}

// create POSTs a new object. When the create loses a race, found re-reads:
// if the object is there now, someone else created it (byOther) and the run
// goes on with it; if not, the create is sent again, a bounded number of times.
func (r *run) create(p string, rep any, found func() (bool, error)) (loc string, byOther bool, err error) {
	for attempt := 1; ; attempt++ {
		loc, err := r.write(http.MethodPost, p, rep, nil)
		if err == nil || !lostRace(err) {
			return loc, false, err
		}
		ok, ferr := found()
		if ferr != nil {
			return "", false, ferr
		}
		if ok {
			return "", true, nil
		}
		if attempt >= raceRetries {
			return "", false, err
		}
		if err := r.pause(attempt); err != nil {
			return "", false, err
		}
	}
}

// pause waits a little longer after each lost race, so that the winner's
// transaction is visible before the next read.
func (r *run) pause(attempt int) error {
	select {
	case <-r.ctx.Done():
		return r.ctx.Err()
	case <-time.After(time.Duration(attempt) * 150 * time.Millisecond):
		return nil
	}
}

// createdBy is the action for an object this run set out to create.
func createdBy(other bool) string {
	if other {
		return Unchanged // a concurrent run created it
	}
	return Created
}

func (r *run) record(c Change) {
	r.res.Objects = append(r.res.Objects, c)
	if r.opts.Progress != nil {
		r.opts.Progress(c)
	}
}

// write sends a non-GET request unless this is a dry run.
func (r *run) write(method, p string, in, out any) (string, error) {
	if r.opts.DryRun {
		return "", nil
	}
	return r.a.Do(r.ctx, method, p, in, out)
}

func (r *run) get(p string, out any) (bool, error) {
	_, err := r.a.Do(r.ctx, http.MethodGet, p, nil, out)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

func esc(s string) string { return url.PathEscape(s) }

// diffFields compares wanted scalar fields with a representation.
func diffFields(have map[string]any, want map[string]any) (map[string]any, []Diff) {
	changed := map[string]any{}
	var diffs []Diff
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h, w := have[k], want[k]
		if fmt.Sprint(h) != fmt.Sprint(w) {
			changed[k] = w
			from := "(unset)"
			if h != nil {
				from = fmt.Sprint(h)
			}
			diffs = append(diffs, Diff{Field: k, From: from, To: fmt.Sprint(w)})
		}
	}
	return changed, diffs
}

func (r *run) realm(spec RealmSpec) error {
	p := "/" + esc(spec.Name)
	want := map[string]any{"enabled": true}
	if spec.AccessTokenLifespan > 0 {
		want["accessTokenLifespan"] = float64(spec.AccessTokenLifespan)
	}
	var have map[string]any
	exists, err := r.get(p, &have)
	if err != nil {
		return err
	}
	isNew := !exists
	if !exists {
		rep := map[string]any{"realm": spec.Name}
		for k, v := range want {
			rep[k] = v
		}
		_, other, err := r.create("", rep, func() (bool, error) { return r.get(p, nil) })
		if err != nil {
			return err
		}
		r.record(Change{Kind: "realm", Realm: spec.Name, Name: spec.Name, Action: createdBy(other)})
	} else if changed, diffs := diffFields(have, want); len(diffs) > 0 {
		if _, err := r.write(http.MethodPut, p, changed, nil); err != nil {
			return err
		}
		r.record(Change{Kind: "realm", Realm: spec.Name, Name: spec.Name, Action: Updated, Diffs: diffs})
	} else {
		r.record(Change{Kind: "realm", Realm: spec.Name, Name: spec.Name, Action: Unchanged})
	}
	// In a dry run, nothing below a realm that does not exist can be read.
	pending := isNew && r.opts.DryRun
	clients := map[string]string{} // clientId -> uuid
	var checker *ClientResult
	for _, c := range spec.Clients {
		cr, uuid, err := r.client(spec.Name, c, pending)
		if err != nil {
			return err
		}
		clients[c.ClientID] = uuid
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

// clientWant is the client configuration igctl manages.
func clientWant(c ClientSpec) map[string]any {
	if c.Public {
		return map[string]any{
			"enabled":                   true,
			"publicClient":              true,
			"serviceAccountsEnabled":    false,
			"directAccessGrantsEnabled": false,
			"standardFlowEnabled":       true,
			"implicitFlowEnabled":       false,
			"redirectUris":              PublicRedirectURIs,
		}
	}
	return map[string]any{
		"enabled":                   true,
		"publicClient":              false,
		"serviceAccountsEnabled":    on(c.ServiceAccounts),
		"directAccessGrantsEnabled": on(c.DirectAccessGrants),
		"standardFlowEnabled":       c.StandardFlow != nil && *c.StandardFlow,
	}
}

func (r *run) client(realm string, c ClientSpec, pending bool) (ClientResult, string, error) {
	res := ClientResult{Realm: realm, ClientID: c.ClientID, Issuer: IssuerURL(r.a.BaseURL, realm)}
	want := clientWant(c)
	base := "/" + esc(realm) + "/clients"
	var uuid string
	var list []map[string]any
	if !pending {
		if _, err := r.get(base+"?clientId="+url.QueryEscape(c.ClientID), &list); err != nil {
			return res, "", err
		}
	}
	isNew := len(list) == 0
	if isNew {
		rep := map[string]any{"clientId": c.ClientID, "protocol": "openid-connect", "clientAuthenticatorType": "client-secret"}
		for k, v := range want {
			rep[k] = v
		}
		if c.Public {
			rep["attributes"] = publicAttributes
		}
		loc, other, err := r.create(base, rep, func() (bool, error) {
			_, err := r.get(base+"?clientId="+url.QueryEscape(c.ClientID), &list)
			return len(list) > 0, err
		})
		switch {
		case err != nil:
			return res, "", err
		case other:
			// another run created it meanwhile: carry on with that one
			uuid, _ = list[0]["id"].(string)
		default:
			uuid = path.Base(loc)
		}
		r.record(Change{Kind: "client", Realm: realm, Name: c.ClientID, Action: createdBy(other)})
	} else {
		uuid, _ = list[0]["id"].(string)
		changed, diffs := diffFields(list[0], want)
		if c.Public {
			attrs, _ := list[0]["attributes"].(map[string]any)
			if attrs == nil {
				attrs = map[string]any{}
			}
			keys := make([]string, 0, len(publicAttributes))
			for k := range publicAttributes {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if v := publicAttributes[k]; attrs[k] != v {
					from := "(unset)"
					if attrs[k] != nil {
						from = fmt.Sprint(attrs[k])
					}
					diffs = append(diffs, Diff{Field: "attributes." + k, From: from, To: v})
					attrs[k] = v
					changed["attributes"] = attrs
				}
			}
		}
		action := Unchanged
		if len(diffs) > 0 {
			action = Updated
			changed["clientId"] = c.ClientID
			if _, err := r.write(http.MethodPut, base+"/"+esc(uuid), changed, nil); err != nil {
				return res, "", err
			}
		}
		r.record(Change{Kind: "client", Realm: realm, Name: c.ClientID, Action: action, Diffs: diffs})
	}
	childPending := pending || (isNew && r.opts.DryRun)
	cp := base + "/" + esc(uuid)

	// The secret: read back, never rotated unless asked. A public client has none.
	if c.Public {
		return res, uuid, r.clientChildren(realm, cp, c, childPending)
	}
	if !childPending {
		var cred struct {
			Value string `json:"value"`
		}
		if _, err := r.get(cp+"/client-secret", &cred); err != nil {
			return res, "", err
		}
		res.Secret = cred.Value
	}
	switch {
	case isNew:
		r.record(Change{Kind: "secret", Realm: realm, Name: c.ClientID, Action: Created})
	case r.opts.RotateSecret:
		var cred struct {
			Value string `json:"value"`
		}
		if _, err := r.write(http.MethodPost, cp+"/client-secret", nil, &cred); err != nil {
			return res, "", err
		}
		if !r.opts.DryRun {
			res.Secret = cred.Value
		}
		r.record(Change{Kind: "secret", Realm: realm, Name: c.ClientID, Action: Updated, Diffs: []Diff{{Field: "value", From: "(hidden)", To: "(new, hidden)"}}})
	default:
		r.record(Change{Kind: "secret", Realm: realm, Name: c.ClientID, Action: Unchanged})
	}

	return res, uuid, r.clientChildren(realm, cp, c, childPending)
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
			var sa struct {
				ID string `json:"id"`
			}
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

func (r *run) audienceMapper(realm, cp, clientID string, pending bool) error {
	name := "audience " + clientID
	want := map[string]any{
		"included.client.audience":  clientID,
		"access.token.claim":        "true",
		"introspection.token.claim": "true",
	}
	var mappers []map[string]any
	if !pending {
		if _, err := r.get(cp+"/protocol-mappers/models", &mappers); err != nil {
			return err
		}
	}
	var found map[string]any
	for _, m := range mappers {
		cfg, _ := m["config"].(map[string]any)
		// One made by hand (any name) that already does the job counts.
		if m["protocolMapper"] == "oidc-audience-mapper" && cfg["included.client.audience"] == clientID {
			found = m
			break
		}
	}
	if found == nil {
		rep := map[string]any{"name": name, "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper", "config": want}
		_, other, err := r.create(cp+"/protocol-mappers/models", rep, func() (bool, error) {
			var now []map[string]any
			if _, err := r.get(cp+"/protocol-mappers/models", &now); err != nil {
				return false, err
			}
			for _, m := range now {
				if m["name"] == name {
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
	cfg, _ := found["config"].(map[string]any)
	changed, diffs := diffFields(cfg, want)
	if len(diffs) == 0 {
		r.record(Change{Kind: "mapper", Realm: realm, Name: fmt.Sprint(found["name"]), Action: Unchanged})
		return nil
	}
	for k, v := range changed {
		cfg[k] = v
	}
	id, _ := found["id"].(string)
	if _, err := r.write(http.MethodPut, cp+"/protocol-mappers/models/"+esc(id), found, nil); err != nil {
		return err
	}
	r.record(Change{Kind: "mapper", Realm: realm, Name: fmt.Sprint(found["name"]), Action: Updated, Diffs: diffs})
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
		_, other, err := r.create(cp+"/roles", map[string]any{"name": role}, func() (bool, error) { return r.get(cp+"/roles/"+esc(role), nil) })
		if err != nil {
			return err
		}
		action = createdBy(other)
	}
	r.record(Change{Kind: "role", Realm: realm, Name: clientID + "/" + role, Action: action})
	return nil
}

type roleRep struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

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
				return fmt.Errorf("realm %s: role mapping for %s names client %q, which does not exist", realm, who, id)
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
					return fmt.Errorf("realm %s: role %s:%s does not exist", realm, t.label, role)
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

func (r *run) user(realm string, u UserSpec, pending bool, checker *ClientResult) error {
	up := "/" + esc(realm) + "/users"
	want := map[string]any{
		"enabled": true, "emailVerified": true,
		"email": strings.ToLower(u.Email), "firstName": u.FirstName, "lastName": u.LastName,
	}
	var list []map[string]any
	if !pending {
		if _, err := r.get(up+"?exact=true&username="+url.QueryEscape(u.Username), &list); err != nil {
			return err
		}
	}
	password := u.Password
	if len(list) == 0 {
		if password == "" && r.opts.UserPassword != nil {
			var err error
			if password, err = r.opts.UserPassword(realm, u.Username, true); err != nil {
				return err
			}
		}
		rep := map[string]any{"username": u.Username, "requiredActions": []string{}}
		for k, v := range want {
			rep[k] = v
		}
		if password != "" {
			rep["credentials"] = []map[string]any{{"type": "password", "value": password, "temporary": false}}
		}
		loc, other, err := r.create(up, rep, func() (bool, error) {
			_, err := r.get(up+"?exact=true&username="+url.QueryEscape(u.Username), &list)
			return len(list) > 0, err
		})
		if err != nil {
			return err
		}
		userID := path.Base(loc)
		if other {
			// created by a concurrent run: go on with that one
			userID, _ = list[0]["id"].(string)
		}
		r.record(Change{Kind: "user", Realm: realm, Name: u.Username, Action: createdBy(other)})
		return r.roleMappings(realm, userID, u.Username, u.RealmRoles, u.ClientRoles, pending || r.opts.DryRun)
	}
	have := list[0]
	userID, _ := have["id"].(string)
	changed, diffs := diffFields(have, want)
	if ra, _ := have["requiredActions"].([]any); len(ra) > 0 {
		changed["requiredActions"] = []string{}
		diffs = append(diffs, Diff{Field: "requiredActions", From: fmt.Sprint(ra), To: "[]"})
	}
	action := Unchanged
	if len(diffs) > 0 {
		action = Updated
		if _, err := r.write(http.MethodPut, up+"/"+esc(userID), changed, nil); err != nil {
			return err
		}
	}
	r.record(Change{Kind: "user", Realm: realm, Name: u.Username, Action: action, Diffs: diffs})

	// The password cannot be read back; it is checked with one password
	// grant and reset only when Keycloak refuses it.
	if password == "" && r.opts.UserPassword != nil {
		var err error
		if password, err = r.opts.UserPassword(realm, u.Username, false); err != nil {
			return err
		}
	}
	if password != "" && checker != nil && checker.Secret != "" {
		ok, err := r.passwordWorks(checker, u.Username, password)
		if err != nil {
			return err
		}
		pa := Unchanged
		var pd []Diff
		if !ok {
			pa, pd = Updated, []Diff{{Field: "password", From: "(hidden)", To: "(hidden)"}}
			cred := map[string]any{"type": "password", "value": password, "temporary": false}
			if _, err := r.write(http.MethodPut, up+"/"+esc(userID)+"/reset-password", cred, nil); err != nil {
				return err
			}
		}
		r.record(Change{Kind: "password", Realm: realm, Name: u.Username, Action: pa, Diffs: pd})
	}
	return r.roleMappings(realm, userID, u.Username, u.RealmRoles, u.ClientRoles, false)
}

// passwordWorks tries the password grant once. "Account is not fully set up"
// comes after the credentials were accepted, so it counts as working.
func (r *run) passwordWorks(c *ClientResult, username, password string) (bool, error) {
	form := url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}}
	req, err := http.NewRequestWithContext(r.ctx, http.MethodPost, c.Issuer+"/protocol/openid-connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.ClientID), url.QueryEscape(c.Secret))
	resp, err := r.a.HTTP.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == 200 {
		return true, nil
	}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	json.NewDecoder(resp.Body).Decode(&e)
	return !(e.Error == "invalid_grant" && strings.Contains(e.Description, "Invalid user credentials")), nil
}
