package keycloak

import (
	"context"
	"errors"
	"net/http"
	"net/url"
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
	for i := range spec.Realms {
		spec.Realms[i].normalizeFederated()
	}
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
// own existence check passed but the database insert then collided
// ("Could not create user" is the users endpoint's answer to that).
func lostRace(err error) bool {
	if IsConflict(err) {
		return true
	}
	var e *APIError
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest {
		return false
	}
	return e.Message == "Database operation failed" || e.Message == "Could not create user" ||
		strings.Contains(e.Message, "Could not add user role or group mappings")
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
