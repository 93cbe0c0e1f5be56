package token

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/testenv"
)

func TestPasswordAndClientCredentialsAgainstKeycloak(t *testing.T) {
	kc := testenv.Keycloak(t)
	r := kc.CreateRealm(t, testenv.RealmSpec{})
	ctx := context.Background()
	hc := http.DefaultClient

	b, err := Login(ctx, hc, LoginRequest{Issuer: r.Issuer, ClientID: r.ClientID, ClientSecret: r.ClientSecret,
		Grant: GrantPassword, Username: r.Username, Password: r.Password})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Decode(b.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if c.Issuer != r.Issuer || !c.Audience.Contains(r.ClientID) || c.Username != r.Username {
		t.Fatalf("password token claims: %+v", c)
	}
	if b.RefreshToken == "" || b.RevocationEndpoint == "" || !strings.HasPrefix(b.TokenEndpoint, r.Issuer) {
		t.Fatalf("bundle lacks refresh token or endpoints: refresh=%t %q %q", b.RefreshToken != "", b.TokenEndpoint, b.RevocationEndpoint)
	}
	if d := time.Until(b.Expiry); d < 4*time.Minute || d > 5*time.Minute {
		t.Fatalf("expiry should be ~300 s from receipt, got %s", d)
	}
	if rep := Inspect(c, Expect{Issuer: r.Issuer, ClientID: r.ClientID, ReceivedAt: b.ObtainedAt}, time.Now()); !rep.OK() {
		t.Fatalf("inspect: %+v", rep.Checks)
	}
	if err := VerifySignature(ctx, hc, r.Issuer, b.AccessToken); err != nil {
		t.Fatalf("signature: %v", err)
	}
	tampered := b.AccessToken[:len(b.AccessToken)-4] + "AAAA"
	if err := VerifySignature(ctx, hc, r.Issuer, tampered); err == nil {
		t.Fatal("a tampered signature verified")
	}

	cc, err := Login(ctx, hc, LoginRequest{Issuer: r.Issuer, ClientID: r.ClientID, ClientSecret: r.ClientSecret, Grant: GrantClientCredentials})
	if err != nil {
		t.Fatal(err)
	}
	ccc, _ := Decode(cc.AccessToken)
	if ccc.Username != "service-account-"+r.ClientID || !ccc.Audience.Contains(r.ClientID) {
		t.Fatalf("client-credentials claims: %+v", ccc)
	}
}

func TestNetworkFailureIsUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	_, err := Login(context.Background(), http.DefaultClient, LoginRequest{Issuer: addr + "/realms/x", ClientID: "c", Grant: GrantClientCredentials, ClientSecret: "s"})
	if fault.KindOf(err) != DiscoveryUnreachable || !strings.Contains(err.Error(), addr) {
		t.Fatalf("got %v (kind %q), want %q naming the URL", err, fault.KindOf(err), DiscoveryUnreachable)
	}
}

// countingProxy sits in front of Keycloak and counts token-endpoint calls.
// Keycloak (dev mode) builds its issuer from the Host header, which the
// proxy passes through, so discovery through the proxy is self-consistent.
func countingProxy(t *testing.T, target string) (*httptest.Server, *atomic.Int64) {
	u, _ := url.Parse(target)
	var n atomic.Int64
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/protocol/openid-connect/token") {
			n.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestManagerCachesRefreshesAndRevokes(t *testing.T) {
	kc := testenv.Keycloak(t)
	r := kc.CreateRealm(t, testenv.RealmSpec{AccessTokenLifespan: 60})
	proxy, calls := countingProxy(t, kc.URL)
	issuer := proxy.URL + "/realms/" + r.Name
	ctx := context.Background()
	hc := http.DefaultClient

	store, _ := OpenStore(StoreOptions{Kind: "file", Dir: t.TempDir()})
	m := &Manager{Store: store, HTTP: func() (*http.Client, error) { return hc, nil }, Now: time.Now}
	b, err := Login(ctx, hc, LoginRequest{Issuer: issuer, ClientID: r.ClientID, ClientSecret: r.ClientSecret, Grant: GrantPassword, Username: r.Username, Password: r.Password})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Save(context.Background(), "p", b); err != nil {
		t.Fatal(err)
	}
	calls.Store(0)

	// Within validity: no request to Keycloak at all.
	got, err := m.Get(ctx, "p", 10*time.Second, false)
	if err != nil || got.Refreshed || got.AccessToken != b.AccessToken || calls.Load() != 0 {
		t.Fatalf("cached get: err=%v refreshed=%v calls=%d", err, got != nil && got.Refreshed, calls.Load())
	}

	// --min-valid longer than what is left: one refresh with the refresh token.
	got, err = m.Get(ctx, "p", 2*time.Minute, false)
	if err == nil || fault.KindOf(err) != ShortLived || !strings.Contains(err.Error(), "--min-valid") {
		t.Fatalf("min-valid beyond token lifetime should explain itself, got %v", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("expected exactly one token call for the refresh, got %d", calls.Load())
	}

	// Logout: revoke the refresh token; it can no longer be used.
	cur, _ := store.Load("p")
	old := *cur
	if ok, err := Revoke(ctx, hc, cur); err != nil || !ok {
		t.Fatalf("revoke: ok=%v err=%v", ok, err)
	}
	err = Refresh(ctx, hc, &old)
	if fault.KindOf(err) != SessionEnded {
		t.Fatalf("refresh with a revoked token: %v (kind %q), want %q", err, fault.KindOf(err), SessionEnded)
	}
}

func TestRefreshAfterRealExpiry(t *testing.T) {
	kc := testenv.Keycloak(t)
	r := kc.CreateRealm(t, testenv.RealmSpec{AccessTokenLifespan: 2})
	ctx := context.Background()
	store, _ := OpenStore(StoreOptions{Kind: "file", Dir: t.TempDir()})
	m := &Manager{Store: store, HTTP: func() (*http.Client, error) { return http.DefaultClient, nil }, Now: time.Now}
	b, err := Login(ctx, http.DefaultClient, LoginRequest{Issuer: r.Issuer, ClientID: r.ClientID, ClientSecret: r.ClientSecret, Grant: GrantPassword, Username: r.Username, Password: r.Password})
	if err != nil {
		t.Fatal(err)
	}
	m.Save(context.Background(), "p", b)
	time.Sleep(time.Until(b.Expiry) + 100*time.Millisecond)
	got, err := m.Get(ctx, "p", 0, false)
	if err != nil || !got.Refreshed || got.AccessToken == b.AccessToken || got.RefreshToken == "" {
		t.Fatalf("refresh after expiry: err=%v", err)
	}
	c, _ := Decode(got.AccessToken)
	if c.Username != r.Username {
		t.Fatalf("refreshed token is for %q", c.Username)
	}
}

func TestClientCredentialsRenewsFromStoredSecret(t *testing.T) {
	kc := testenv.Keycloak(t)
	r := kc.CreateRealm(t, testenv.RealmSpec{})
	ctx := context.Background()
	store, _ := OpenStore(StoreOptions{Kind: "file", Dir: t.TempDir()})
	m := &Manager{Store: store, HTTP: func() (*http.Client, error) { return http.DefaultClient, nil }, Now: time.Now}
	b, err := Login(ctx, http.DefaultClient, LoginRequest{Issuer: r.Issuer, ClientID: r.ClientID, ClientSecret: r.ClientSecret, Grant: GrantClientCredentials})
	if err != nil {
		t.Fatal(err)
	}
	m.Save(context.Background(), "cc", b)
	got, err := m.Get(ctx, "cc", 0, true)
	if err != nil || !got.Refreshed || got.AccessToken == b.AccessToken {
		t.Fatalf("force refresh of client-credentials: %v", err)
	}
}

// Concurrent processes needing a refresh at once: the per-profile lock makes
// exactly one of them refresh, and the others use what it stored.
func TestConcurrentRefreshIsSerialised(t *testing.T) {
	kc := testenv.Keycloak(t)
	r := kc.CreateRealm(t, testenv.RealmSpec{AccessTokenLifespan: 2})
	proxy, calls := countingProxy(t, kc.URL)
	ctx := context.Background()
	dir := t.TempDir()
	b, err := Login(ctx, http.DefaultClient, LoginRequest{Issuer: proxy.URL + "/realms/" + r.Name, ClientID: r.ClientID, ClientSecret: r.ClientSecret, Grant: GrantPassword, Username: r.Username, Password: r.Password})
	if err != nil {
		t.Fatal(err)
	}
	store, _ := OpenStore(StoreOptions{Kind: "file", Dir: dir})
	store.Save("p", b)
	time.Sleep(time.Until(b.Expiry) + 100*time.Millisecond)
	calls.Store(0)
	const n = 6
	tokens := make(chan string, n)
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			// each goroutine opens its own store, as a separate process would
			s, _ := OpenStore(StoreOptions{Kind: "file", Dir: dir})
			m := &Manager{Store: s, HTTP: func() (*http.Client, error) { return http.DefaultClient, nil }, Now: time.Now}
			res, err := m.Get(ctx, "p", 0, false)
			if err != nil {
				errs <- err
				return
			}
			tokens <- res.AccessToken
		}()
	}
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		select {
		case err := <-errs:
			t.Fatal(err)
		case tok := <-tokens:
			seen[tok] = true
		}
	}
	if calls.Load() != 1 || len(seen) != 1 {
		t.Fatalf("%d refresh requests and %d distinct tokens, want 1 and 1", calls.Load(), len(seen))
	}
}
