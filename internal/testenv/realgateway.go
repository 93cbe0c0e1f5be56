package testenv

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// RealGateway is the real Inference Gateway (built from its source by
// scripts/peers.sh) running on loopback, with a stand-in provider behind it.
type RealGateway struct {
	URL      string
	Provider *Provider
	*child
}

// GatewayBinary is the path scripts/peers.sh built, from IGCTL_TEST_GATEWAY_BIN.
func GatewayBinary() (string, error) {
	return peerPath("IGCTL_TEST_GATEWAY_BIN", "the real gateway binary")
}

// StartRealGateway starts the gateway with env (KEY=VALUE entries: its
// .env as a container would pass it) on a free loopback port. Its openai
// provider points at a stand-in provider; the keyless providers point at a
// closed port so the model list does not wait on them. It returns when
// /health answers; when the gateway exits first (it exits with status 0
// when OIDC discovery fails or the configuration does not parse) the
// error carries its log, and so does the returned gateway's Log.
func StartRealGateway(env []string) (*RealGateway, error) {
	// freePort's port can be taken by another process before the gateway
	// binds it; the gateway then logs the bind error but keeps running, so
	// that is watched for and the start retried on another port.
	var err error
	for range 5 {
		var g *RealGateway
		g, err = startRealGateway(env, 0, nil)
		if !errors.Is(err, errPortTaken) {
			return g, err
		}
	}
	return nil, err
}

// StartRealGatewayOnPort is StartRealGateway on a given loopback port (the
// demo's gateway, which people reach at a documented address), with the
// gateway's output also copied to log as it comes, when log is not nil; a
// port that is taken is an error.
func StartRealGatewayOnPort(env []string, port int, log io.Writer) (*RealGateway, error) {
	g, err := startRealGateway(env, port, log)
	if errors.Is(err, errPortTaken) {
		return nil, fmt.Errorf("port 127.0.0.1:%d: %w", port, err)
	}
	return g, err
}

var errPortTaken = errors.New("the gateway's port was taken before it bound it")

// gatewayPort picks the gateway's port (a test makes it pick a taken one).
var gatewayPort = freePort

// bindFailed: the gateway's log says its listener could not bind.
func bindFailed(log string) bool { return strings.Contains(log, "address already in use") }

// startRealGateway starts the gateway on port, or on a free port when port
// is 0; its output also goes to log when log is not nil.
func startRealGateway(env []string, port int, log io.Writer) (*RealGateway, error) {
	bin, err := GatewayBinary()
	if err != nil {
		return nil, err
	}
	if port == 0 {
		if port, err = gatewayPort(); err != nil {
			return nil, err
		}
	}
	g := &RealGateway{Provider: StartProvider()}
	g.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
	full := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(),
		"ENVIRONMENT=production",
		"OPENAI_API_URL=" + g.Provider.URL, "OPENAI_API_KEY=stand-in-provider-key",
		"OLLAMA_API_URL=http://127.0.0.1:1/v1", "LLAMACPP_API_URL=http://127.0.0.1:1/v1",
	}
	full = append(full, env...)
	full = append(full, "SERVER_HOST=127.0.0.1", fmt.Sprintf("SERVER_PORT=%d", port))
	if g.child, err = startChild([]string{bin}, full, nil, log); err != nil {
		g.Provider.Close()
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-g.done:
			g.Provider.Close()
			return g, g.exitError("the gateway")
		default:
		}
		if bindFailed(g.Log()) {
			g.Close()
			return nil, errPortTaken
		}
		// /health is believed only once this gateway says it is serving:
		// before that, whatever else holds the port could be answering
		if strings.Contains(g.Log(), "starting inference gateway") {
			if resp, err := http.Get(g.URL + "/health"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					time.Sleep(100 * time.Millisecond) // a bind error is logged right after "starting"
					if bindFailed(g.Log()) {
						g.Close()
						return nil, errPortTaken
					}
					return g, nil
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	g.Close()
	return g, fmt.Errorf("the gateway did not answer /health within 30 s; its log:\n%s", g.Log())
}

// Close stops the gateway and its provider.
func (g *RealGateway) Close() {
	g.child.Close()
	g.Provider.Close()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
