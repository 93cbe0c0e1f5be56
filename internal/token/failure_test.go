package token

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/fault"
)

// A refresh failure another process recorded comes back with its kind and
// facts (so this process decides the exit code and hint as for its own),
// without a request to the identity provider.
func TestRecordedRefreshFailureKeepsKindAndFacts(t *testing.T) {
	now := time.Now()
	store, err := OpenStore(StoreOptions{Kind: "file", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b := &Bundle{Issuer: "https://kc/realms/r", ClientID: "c", Grant: GrantPassword, AccessToken: "old",
		RefreshToken: "r", Expiry: now.Add(-time.Minute)}
	if err := store.Save("p", b); err != nil {
		t.Fatal(err)
	}
	facts := fault.Facts{Issuer: b.Issuer, ClientID: "c", Grant: GrantPassword, OAuthError: "invalid_grant"}
	cause := fault.New(SessionEnded, errors.New("refreshing the token failed: invalid_grant Session not active"), facts)
	memo := store.(failureMemo)
	memo.recordFailure("p", newRefreshFailure(now, fmt.Errorf("wrapped: %w", cause), tokenID("old")))

	m := &Manager{Store: store, Now: func() time.Time { return now.Add(time.Second) },
		HTTP: func() (*http.Client, error) { t.Fatal("asked the identity provider again"); return nil, nil }}
	_, err = m.Get(context.Background(), "p", 0, false)
	e := fault.Of(err)
	if e == nil || e.Kind != SessionEnded || e.Facts != facts || e.Hint != "" {
		t.Fatalf("got %#v, want kind %q with the recorded facts", e, SessionEnded)
	}
	if want := "wrapped: refreshing the token failed: invalid_grant Session not active (a refresh another igctl process just tried)"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}

	// The marker is not where an older igctl looks (".fail"): it would read
	// a marker without an exit code as exit 0.
	if _, err := os.Stat(store.(*fileStore).name("p", ".fail")); !os.IsNotExist(err) {
		t.Errorf("a .fail marker exists (%v): an older igctl would read it as success", err)
	}

	// A marker without a kind or one that does not parse only saves a
	// request: it is ignored.
	for _, old := range []string{
		`{"at":"` + now.Format(time.RFC3339Nano) + `","code":4,"message":"x","hint":"y","token":"` + tokenID("old") + `"}`,
		`not json`,
	} {
		if err := os.WriteFile(store.(*fileStore).name("p", failureSuffix), []byte(old), 0o600); err != nil {
			t.Fatal(err)
		}
		if rf := memo.lastFailure("p"); rf != nil {
			t.Errorf("marker %s was used: %+v", old, rf)
		}
	}
}

// A refresh this process gave up on (Ctrl-C) says nothing about the
// identity provider: no marker is left for other processes to report.
func TestCancelledRefreshLeavesNoMarker(t *testing.T) {
	store, err := OpenStore(StoreOptions{Kind: "file", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b := &Bundle{Issuer: "https://kc/realms/r", ClientID: "c", Grant: GrantPassword, AccessToken: "old",
		RefreshToken: "r", TokenEndpoint: "https://kc/realms/r/protocol/openid-connect/token", Expiry: time.Now().Add(-time.Minute)}
	if err := store.Save("p", b); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hung := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		cancel() // the user presses Ctrl-C while the request is out
		<-r.Context().Done()
		return nil, r.Context().Err()
	})}
	m := &Manager{Store: store, Now: time.Now, HTTP: func() (*http.Client, error) { return hung, nil }}
	if _, err := m.Get(ctx, "p", 0, false); err == nil {
		t.Fatal("a cancelled refresh succeeded")
	}
	if rf := store.(failureMemo).lastFailure("p"); rf != nil {
		t.Errorf("a cancelled refresh left a marker: %+v", rf)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A marker older than FailureReuse, from a refresh this process did not wait
// for, is news no longer: the identity provider is asked again.
func TestStaleRefreshFailureIsNotReused(t *testing.T) {
	now := time.Now()
	store, err := OpenStore(StoreOptions{Kind: "file", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b := &Bundle{Issuer: "https://kc/realms/r", ClientID: "c", Grant: GrantPassword, AccessToken: "old",
		RefreshToken: "r", TokenEndpoint: "https://kc/realms/r/protocol/openid-connect/token", Expiry: now.Add(-time.Minute)}
	if err := store.Save("p", b); err != nil {
		t.Fatal(err)
	}
	cause := fault.New(SessionEnded, errors.New("refreshing the token failed: invalid_grant"), fault.Facts{OAuthError: "invalid_grant"})
	store.(failureMemo).recordFailure("p", newRefreshFailure(now.Add(-FailureReuse-time.Second), cause, tokenID("old")))
	asked := 0
	hc := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		asked++
		return nil, errors.New("the identity provider was asked")
	})}
	m := &Manager{Store: store, Now: func() time.Time { return now }, HTTP: func() (*http.Client, error) { return hc, nil }}
	m.Get(context.Background(), "p", 0, false)
	if asked != 1 {
		t.Errorf("a stale marker was reused: the identity provider was asked %d times", asked)
	}
}
