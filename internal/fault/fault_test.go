package fault

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

type httpErr struct{}

func (*httpErr) Error() string { return http.StatusText(500) }

func TestIsNetwork(t *testing.T) {
	_, refused := (&net.Dialer{Timeout: time.Second}).Dial("tcp", "127.0.0.1:1")
	if refused == nil {
		t.Fatal("expected a refused connection on port 1")
	}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"plain", errors.New("boom"), false},
		{"refused", refused, true},
		{"unknown CA", fmt.Errorf("get: %w", x509.UnknownAuthorityError{}), true},
		{"http status text", &httpErr{}, false},
	}
	for _, c := range cases {
		if got := IsNetwork(c.err); got != c.want {
			t.Errorf("%s: IsNetwork(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}

func TestKindAndFacts(t *testing.T) {
	if New("x/y", nil) != nil {
		t.Fatal("New(kind, nil) must stay nil")
	}
	inner := New("token/not-logged-in", errors.New("no token"), Facts{Profile: "ci"})
	outer := fmt.Errorf("models: %w", Errorf("cli/auth", "gateway said 401: %w", inner))
	if KindOf(outer) != "cli/auth" {
		t.Errorf("outermost kind: %q", KindOf(outer))
	}
	if e := Of(inner); e == nil || e.Facts.Profile != "ci" {
		t.Errorf("facts lost: %+v", e)
	}
	if KindOf(errors.New("plain")) != "" {
		t.Error("a plain error has no kind")
	}
}
