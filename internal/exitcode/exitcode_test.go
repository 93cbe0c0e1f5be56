package exitcode

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestOf(t *testing.T) {
	_, refused := (&net.Dialer{Timeout: time.Second}).Dial("tcp", "127.0.0.1:1")
	if refused == nil {
		t.Fatal("expected a refused connection on port 1")
	}
	cases := []struct {
		name string
		err  error
		want Code
	}{
		{"nil", nil, OK},
		{"plain", errors.New("boom"), Unexpected},
		{"typed", New(Config, "no profile"), Config},
		{"wrapped typed", fmt.Errorf("login: %w", Wrap(IdPRefused, errors.New("invalid_grant"), "")), IdPRefused},
		{"outermost wins", Wrap(Auth, Wrap(IdPRefused, errors.New("x"), ""), ""), Auth},
		{"refused", refused, Network},
		{"unknown CA", fmt.Errorf("get: %w", x509.UnknownAuthorityError{}), Network},
		{"http client error", &httpErr{}, Unexpected},
	}
	for _, c := range cases {
		if got := Of(c.err); got != c.want {
			t.Errorf("%s: Of(%v) = %d, want %d", c.name, c.err, got, c.want)
		}
	}
}

type httpErr struct{}

func (*httpErr) Error() string { return http.StatusText(500) }

func TestHintOf(t *testing.T) {
	err := fmt.Errorf("outer: %w", Wrap(IdPRefused, Wrap(IdPRefused, errors.New("x"), "inner hint"), ""))
	if got := HintOf(err); got != "inner hint" {
		t.Fatalf("HintOf = %q, want the inner hint", got)
	}
	if got := HintOf(errors.New("x")); got != "" {
		t.Fatalf("HintOf(plain) = %q", got)
	}
}

// The numbers are a public contract: a change here breaks users' scripts.
func TestCodesMatchDesign(t *testing.T) {
	want := map[Code]int{OK: 0, Unexpected: 1, Usage: 2, Config: 3, Auth: 4, IdPRefused: 5, Network: 6, Storage: 7, Drift: 8}
	for c, n := range want {
		if int(c) != n {
			t.Errorf("code %d should be %d", c, n)
		}
	}
}
