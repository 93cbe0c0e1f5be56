package testenv

import (
	"net"
	"net/http"
	"testing"
)

// A port taken between freePort and the gateway's bind (by a process that
// even answers /health) makes the start move to another port, not time out
// or talk to the wrong server.
func TestRealGatewayMovesOffATakenPort(t *testing.T) {
	if _, err := GatewayBinary(); err != nil {
		missing(t, "the real gateway (scripts/peers.sh build)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	other := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("not the gateway")) })}
	go other.Serve(l)
	t.Cleanup(func() { other.Close() })
	taken := l.Addr().(*net.TCPAddr).Port
	calls := 0
	gatewayPort = func() (int, error) {
		calls++
		if calls == 1 {
			return taken, nil
		}
		return freePort()
	}
	t.Cleanup(func() { gatewayPort = freePort })
	g, err := StartRealGateway([]string{"AUTH_ENABLED=false"})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if calls != 2 || g.URL == "http://"+l.Addr().String() {
		t.Fatalf("started on %s after %d port choices (taken: %d)", g.URL, calls, taken)
	}
	resp, err := http.Get(g.URL + "/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/health: %v %v", resp, err)
	}
	resp.Body.Close()
}
