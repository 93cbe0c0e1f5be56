package keycloak

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/inference-gateway/igctl/internal/fault"
)

// userWant is the user configuration igctl manages.
func userWant(u UserSpec) userRep {
	return userRep{
		Enabled: ptr(true), EmailVerified: ptr(true),
		Email: optional(strings.ToLower(u.Email)), FirstName: optional(u.FirstName), LastName: optional(u.LastName),
	}
}

// optional is a managed string field: "" is one the spec does not set.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// user settles a user, its password and its role mappings.
func (r *run) user(realm string, u UserSpec, pending bool, checker *ClientResult) error {
	up := "/" + esc(realm) + "/users"
	byName := up + "?exact=true&username=" + url.QueryEscape(u.Username)
	want := userWant(u)
	var list []userRep
	if !pending {
		if _, err := r.get(byName, &list); err != nil {
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
		rep := want
		rep.Username, rep.RequiredActions = u.Username, []string{}
		if password != "" {
			rep.Credentials = []credentialRep{passwordCredential(password)}
		}
		loc, other, err := r.create(up, rep, func() (bool, error) {
			_, err := r.get(byName, &list)
			return len(list) > 0, err
		})
		if err != nil {
			return err
		}
		userID := path.Base(loc)
		if other {
			// created by a concurrent run: go on with that one
			userID = list[0].ID
		}
		r.record(Change{Kind: "user", Realm: realm, Name: u.Username, Action: createdBy(other)})
		return r.roleMappings(realm, userID, u.Username, u.RealmRoles, u.ClientRoles, pending || r.opts.DryRun)
	}
	userID := list[0].ID
	changed, diffs := list[0].diff(want)
	action := Unchanged
	if len(diffs) > 0 {
		action = Updated
		if _, err := r.write(http.MethodPut, up+"/"+esc(userID), changed, nil); err != nil {
			return err
		}
	}
	r.record(Change{Kind: "user", Realm: realm, Name: u.Username, Action: action, Diffs: diffs})
	if err := r.password(realm, up+"/"+esc(userID), u, checker); err != nil {
		return err
	}
	return r.roleMappings(realm, userID, u.Username, u.RealmRoles, u.ClientRoles, false)
}

// password settles an existing user's password. It cannot be read back; it
// is checked with one password grant and reset only when Keycloak refuses it.
func (r *run) password(realm, userPath string, u UserSpec, checker *ClientResult) error {
	password := u.Password
	if password == "" && r.opts.UserPassword != nil {
		var err error
		if password, err = r.opts.UserPassword(realm, u.Username, false); err != nil {
			return err
		}
	}
	if password == "" || checker == nil || checker.Secret == "" {
		return nil
	}
	ok, err := r.passwordWorks(checker, u.Username, password)
	if err != nil {
		return err
	}
	action := Unchanged
	var diffs []Diff
	if !ok {
		action, diffs = Updated, []Diff{{Field: "password", From: "(hidden)", To: "(hidden)"}}
		if _, err := r.write(http.MethodPut, userPath+"/reset-password", passwordCredential(password), nil); err != nil {
			return err
		}
	}
	r.record(Change{Kind: "password", Realm: realm, Name: u.Username, Action: action, Diffs: diffs})
	return nil
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
		return false, fault.New(Unreachable, fmt.Errorf("keycloak: checking the password of user %s: %w", username, err), fault.Facts{URL: r.a.BaseURL})
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == 200:
		return true, nil
	case resp.StatusCode >= 500:
		// no verdict either way: not "unchanged"
		return false, fault.New(ServerFailed, fmt.Errorf("keycloak: checking the password of user %s: HTTP %d", username, resp.StatusCode), fault.Facts{URL: r.a.BaseURL})
	}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	json.NewDecoder(resp.Body).Decode(&e)
	return !(e.Error == "invalid_grant" && strings.Contains(e.Description, "Invalid user credentials")), nil
}

// NewUser is a user of the spec that Keycloak does not have yet.
type NewUser struct{ Realm, Username string }

// UsersToCreate lists the users of spec without a password in the spec
// that Keycloak does not have yet (a realm it does not have has none), so
// that the password they need can be asked for before the first write. It
// only reads.
func UsersToCreate(ctx context.Context, a *Admin, spec *Spec) ([]NewUser, error) {
	var out []NewUser
	for _, realm := range spec.Realms {
		for _, u := range realm.Users {
			if u.Password != "" {
				continue
			}
			var list []userRep
			_, err := a.Do(ctx, http.MethodGet, "/"+esc(realm.Name)+"/users?exact=true&username="+url.QueryEscape(u.Username), nil, &list)
			switch {
			case errors.Is(err, ErrNotFound):
			case err != nil:
				return nil, err
			case len(list) > 0:
				continue
			}
			out = append(out, NewUser{Realm: realm.Name, Username: u.Username})
		}
	}
	return out, nil
}
