package proxycmd

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// closedWithin reports whether the proxy closes c (a read sees EOF or a
// reset) within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// A connection that sends no request headers is closed after the header
// timeout, and a keep-alive connection left idle after the idle timeout,
// so that no client holds the proxy's file descriptors forever. The
// timeouts are 10 s and 90 s; the test shortens them.
func TestProxyClosesSilentAndIdleConnections(t *testing.T) {
	if headerTimeout != 10*time.Second || idleTimeout != 90*time.Second {
		t.Fatalf("header timeout %s, idle timeout %s; want 10s and 90s", headerTimeout, idleTimeout)
	}
	headerTimeout, idleTimeout = 300*time.Millisecond, 600*time.Millisecond
	t.Cleanup(func() { headerTimeout, idleTimeout = 10*time.Second, 90*time.Second })

	fx := proxyFixture(t)
	err := serve(t, fx.h, nil, func(local string) {
		addr := strings.TrimPrefix(local, "http://")
		data, err := os.ReadFile(filepath.Join(fx.h.Dir, "proxy", "default.key"))
		if err != nil {
			t.Error(err)
			return
		}
		key := strings.TrimSpace(string(data))

		silent, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer silent.Close()
		idle, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer idle.Close()
		io.WriteString(idle, "GET /v1/models HTTP/1.1\r\nHost: "+addr+"\r\nAuthorization: Bearer "+key+"\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(idle), nil)
		if err != nil {
			t.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != 200 || resp.Close {
			t.Errorf("keyed request: %d, Connection: close %v", resp.StatusCode, resp.Close)
		}
		if !closedWithin(silent, 3*time.Second) {
			t.Error("a connection that sent no request was not closed after the header timeout")
		}
		if !closedWithin(idle, 3*time.Second) {
			t.Error("an idle keep-alive connection was not closed after the idle timeout")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}
