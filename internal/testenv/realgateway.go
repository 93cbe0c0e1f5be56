package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// RealGateway is the real Inference Gateway (built from its source by
// scripts/peers.sh) running on loopback, with a stand-in provider behind it.
type RealGateway struct {
	URL      string
	Provider *Provider
	cmd      *exec.Cmd
	out      *syncBuffer
	done     chan struct{}
}

// GatewayBinary is the path scripts/peers.sh built, from IGCTL_TEST_GATEWAY_BIN.
func GatewayBinary() (string, error) {
	bin := os.Getenv("IGCTL_TEST_GATEWAY_BIN")
	if bin == "" {
		return "", errors.New("IGCTL_TEST_GATEWAY_BIN is unset: run `scripts/peers.sh build` and `eval \"$(scripts/peers.sh env)\"` (make test does both)")
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("the real gateway binary: %w", err)
	}
	return bin, nil
}

// StartRealGateway starts the gateway with env (KEY=VALUE entries: its
// .env as a container would pass it) on a free loopback port. Its openai
// provider points at a stand-in provider; the keyless providers point at a
// closed port so the model list does not wait on them. It returns when
// /health answers, or an error carrying the gateway's log when it exits
// first (the gateway exits with status 0 when OIDC discovery fails or the
// configuration does not parse).
func StartRealGateway(env []string) (*RealGateway, error) {
	bin, err := GatewayBinary()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	g := &RealGateway{Provider: StartProvider(), out: &syncBuffer{}, done: make(chan struct{})}
	g.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
	full := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(),
		"ENVIRONMENT=production",
		"OPENAI_API_URL=" + g.Provider.URL, "OPENAI_API_KEY=stand-in-provider-key",
		"OLLAMA_API_URL=http://127.0.0.1:1/v1", "LLAMACPP_API_URL=http://127.0.0.1:1/v1",
	}
	full = append(full, env...)
	full = append(full, "SERVER_HOST=127.0.0.1", fmt.Sprintf("SERVER_PORT=%d", port))
	g.cmd = exec.Command(bin)
	g.cmd.Env = full
	g.cmd.Stdout, g.cmd.Stderr = g.out, g.out
	g.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := g.cmd.Start(); err != nil {
		g.Provider.Close()
		return nil, fmt.Errorf("starting the gateway: %w", err)
	}
	go func() { g.cmd.Wait(); close(g.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-g.done:
			g.Provider.Close()
			return g, fmt.Errorf("the gateway exited (status %d) before serving; its log:\n%s", g.cmd.ProcessState.ExitCode(), g.Log())
		default:
		}
		if resp, err := http.Get(g.URL + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return g, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	g.Close()
	return nil, fmt.Errorf("the gateway did not answer /health within 30 s; its log:\n%s", g.Log())
}

// Log is everything the gateway printed so far.
func (g *RealGateway) Log() string { return g.out.String() }

// Close stops the gateway and its provider.
func (g *RealGateway) Close() {
	select {
	case <-g.done:
	default:
		syscall.Kill(-g.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-g.done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-g.cmd.Process.Pid, syscall.SIGKILL)
			<-g.done
		}
	}
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

// syncBuffer collects a child's output while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Clone(b.buf.String())
}
