// Package demotest runs scripts/demo.sh (what `make demo` runs) as a person
// would on a fresh machine, with its own Keycloak, gateway and demo
// directory on private ports, then runs exactly the lines the demo tells
// people to try, stops the demo, and runs it again on the data it kept.
package demotest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/testenv"
	"github.com/inference-gateway/igctl/internal/testenv/browser"
)

// tryPrefix starts every line the demo prints for people to try.
const tryPrefix = "  $ "

// demo is one private demo: its directory, ports and environment.
type demo struct {
	t                     *testing.T
	repo, dir             string
	kcPort, gwPort, proxy int
	env                   []string
}

// cleared are variables of the outer environment that would change what
// the demo's lines do (IGCTL_TOKEN wins over every profile, for one).
var cleared = []string{"IGCTL_CONFIG_DIR", "IGCTL_PROFILE", "IGCTL_TOKEN", "IGCTL_TOKEN_STORE", "IGCTL_GATEWAY_URL",
	"IGCTL_BROWSER", "BROWSER", "IGCTL_KC_DB_DIR", "IGCTL_DEMO_DIR", "XDG_CONFIG_HOME"}

func newDemo(t *testing.T) *demo {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	d := &demo{t: t, repo: repo, dir: filepath.Join(tmp, "demo")}
	ports := freePorts(t, 5)
	d.kcPort, d.gwPort, d.proxy = ports[0], ports[1], ports[4]
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(cleared, name) && !strings.HasPrefix(name, "IGCTL_KC_") && !strings.HasPrefix(name, "IGCTL_DEMO_") {
			d.env = append(d.env, kv)
		}
	}
	d.env = append(d.env, "NO_COLOR=1", "IGCTL_DEMO_DIR="+d.dir,
		fmt.Sprintf("IGCTL_KC_PORT=%d", ports[0]), fmt.Sprintf("IGCTL_DEMO_GATEWAY_PORT=%d", ports[1]),
		fmt.Sprintf("IGCTL_KC_MGMT_PORT=%d", ports[2]), fmt.Sprintf("IGCTL_KC_HTTPS_PORT=%d", ports[3]),
		fmt.Sprintf("IGCTL_DEMO_PROXY_PORT=%d", ports[4]),
		// the Keycloak distribution is shared; this Keycloak's pid, log and TLS files are not
		"IGCTL_KC_STATE="+filepath.Join(tmp, "kcstate"))
	return d
}

// script runs scripts/demo.sh with args and returns its combined output.
func (d *demo) script(timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(d.repo, "scripts/demo.sh"), args...)
	cmd.Dir, cmd.Env = d.repo, d.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	return out.String(), err
}

// run is `make demo`: it must succeed, and it returns its output.
func (d *demo) run(round string) string {
	t := d.t
	t0 := time.Now()
	out, err := d.script(8*time.Minute, "run")
	if err != nil {
		t.Fatalf("%s: scripts/demo.sh failed (%v); its output:\n%s", round, err, out)
	}
	t.Logf("%s: scripts/demo.sh took %s", round, time.Since(t0).Round(time.Second))
	return out
}

// stop is `make demo-stop`.
func (d *demo) stop() (string, error) { return d.script(2*time.Minute, "stop") }

// tryLines are the lines after "== try" that start with tryPrefix.
func tryLines(t *testing.T, out string) []string {
	_, block, ok := strings.Cut(out, "\n== try")
	if !ok {
		t.Fatalf("the demo printed no \"== try\" block; its output:\n%s", out)
	}
	var lines []string
	for l := range strings.SplitSeq(block, "\n") {
		if cmd, ok := strings.CutPrefix(l, tryPrefix); ok {
			lines = append(lines, cmd)
		}
	}
	return lines
}

// shell runs one try line as a person's bash would after the export line.
type shell struct {
	d       *demo
	exports string
	workdir string
}

func (s *shell) command(line string, extra ...string) *exec.Cmd {
	cmd := exec.Command("bash", "-c", "set -euo pipefail\n"+s.exports+"\n"+line)
	cmd.Dir = s.workdir
	cmd.Env = append(append([]string{}, s.d.env...), extra...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// oneShot runs line to its end: it must exit 0; it returns stdout.
func (s *shell) oneShot(line string, extra ...string) string {
	t := s.d.t
	cmd := s.command(line, extra...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("try line failed (%v):\n  $ %s\nstdout:\n%s\nstderr:\n%s", err, line, stdout.String(), stderr.String())
		}
	case <-time.After(3 * time.Minute):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatalf("try line still running after 3m:\n  $ %s\nstderr:\n%s", line, stderr.String())
	}
	t.Logf("ok: $ %s", line)
	return stdout.String()
}

// TestDemoLeavesAWorldToUse: after scripts/demo.sh, every line it prints
// under "== try" works as printed, from another directory: one-shot lines
// exit 0; the proxy line serves while the OpenAI SDK line (the real SDK)
// gets the stand-in provider's answer through it, and stops with exit 0
// on SIGTERM; the --web and --device logins are completed by a real
// Chromium on Keycloak's pages as the demo's user. Then `demo.sh stop`
// leaves nothing listening, and a second run finds the realm it made (the
// file database kept it), the browser login's session still refreshes, and
// the profiles still work.
func TestDemoLeavesAWorldToUse(t *testing.T) {
	if !testenv.Required() {
		t.Skip("runs its own Keycloak, gateway and Chromium: set IGCTL_TEST_REQUIRE_INTEGRATION=1 (make test does)")
	}
	d := newDemo(t)
	var demoOut string
	t.Cleanup(func() {
		if out, err := d.stop(); err != nil {
			t.Errorf("scripts/demo.sh stop: %v\n%s", err, out)
		}
		if t.Failed() && demoOut != "" {
			t.Logf("the demo's last output:\n%s", demoOut)
		}
	})
	demoOut = d.run("first run")

	lines := tryLines(t, demoOut)
	file, err := os.ReadFile(filepath.Join(d.dir, "try.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if fileLines := tryLines(t, "\n== try\n"+string(file)); strings.Join(fileLines, "\n") != strings.Join(lines, "\n") {
		t.Errorf("try.txt differs from the printed lines:\nprinted:\n%s\ntry.txt:\n%s", strings.Join(lines, "\n"), file)
	}
	if len(lines) < 8 || !strings.HasPrefix(lines[0], "export ") {
		t.Fatalf("want an export line and the commands to try, got:\n%s", strings.Join(lines, "\n"))
	}
	for _, want := range []string{"igctl status", "token", "models", "igctl doctor", "igctl proxy", "OPENAI_API_KEY=", "login --web", "login --device"} {
		if !strings.Contains(strings.Join(lines, "\n"), want) {
			t.Errorf("no try line with %q", want)
		}
	}

	sh := &shell{d: d, exports: lines[0], workdir: t.TempDir()}
	password, err := os.ReadFile(filepath.Join(d.dir, "user-password"))
	if err != nil {
		t.Fatal(err)
	}
	acct := browser.Account{Username: "user", Password: strings.TrimSpace(string(password))}
	var b *browser.Browser
	var proxy *exec.Cmd
	var proxyErr bytes.Buffer
	for i, line := range lines[1:] {
		switch {
		case strings.Contains(line, "igctl proxy"):
			// exec: SIGTERM goes to igctl itself, as Ctrl-C or kill would
			proxy = sh.command("exec " + line)
			proxy.Stdout, proxy.Stderr = &proxyErr, &proxyErr
			if err := proxy.Start(); err != nil {
				t.Fatal(err)
			}
			pid := proxy.Process.Pid
			t.Cleanup(func() { syscall.Kill(-pid, syscall.SIGKILL) }) // a no-op when it stopped as it should
			waitHealthy(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", d.proxy), &proxyErr)
			t.Logf("ok: $ %s (serving)", line)
			continue
		case strings.Contains(line, "login --web"), strings.Contains(line, "login --device"):
			if b == nil {
				if b, err = browser.Start(); err != nil {
					t.Fatalf("a headless Chromium is needed (scripts/deps.sh installs Debian's chromium): %v", err)
				}
				t.Cleanup(b.Close)
			}
			browserLogin(t, sh, b, acct, line, i)
		default:
			out := sh.oneShot(line)
			if strings.Contains(line, "OPENAI_API_KEY") && !strings.Contains(out, "quick brown fox") {
				t.Errorf("the OpenAI SDK line printed %q, want the stand-in provider's answer", out)
			}
			if strings.Contains(line, "/v1/models") && !strings.Contains(out, "openai/gpt-4o") {
				t.Errorf("the curl line printed %q, want the gateway's model list", out)
			}
		}
		if proxy != nil {
			// a background line serves the line after it, then stops on SIGTERM with exit 0
			syscall.Kill(proxy.Process.Pid, syscall.SIGTERM)
			if err := waitExit(proxy, 40*time.Second); err != nil {
				t.Errorf("the proxy line did not exit 0 on SIGTERM: %v\n%s", err, proxyErr.String())
			}
			proxy = nil
		}
	}

	status := sh.oneShot("igctl status")
	for _, want := range []string{`(?m)^\s+web\s+http`, `(?m)^\s+device\s+http`} {
		if !regexp.MustCompile(want).MatchString(status) {
			t.Errorf("igctl status after the browser logins does not match %s:\n%s", want, status)
		}
	}

	// make demo-stop: nothing of the demo's listens afterwards
	if out, err := d.stop(); err != nil {
		t.Fatalf("scripts/demo.sh stop: %v\n%s", err, out)
	}
	for _, port := range []int{d.kcPort, d.gwPort} {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			t.Errorf("port %d still answers after scripts/demo.sh stop", port)
		}
	}

	// the second run finds everything the first one made
	demoOut = d.run("second run")
	if regexp.MustCompile(`created +realm`).MatchString(demoOut) {
		t.Errorf("the second run created the realm again: Keycloak lost its data across the stop")
	}
	if !regexp.MustCompile(`unchanged +realm +inference-gateway-realm`).MatchString(demoOut) {
		t.Errorf("the second run's bootstrap does not report the realm unchanged")
	}
	// the browser login's refresh token still works: its session was kept too
	sh.oneShot("igctl --profile web token --force-refresh >/dev/null")
	lines = tryLines(t, demoOut)
	sh.exports = lines[0]
	for _, line := range lines[1:] {
		if strings.HasPrefix(line, "igctl status") || strings.HasPrefix(line, "igctl --profile web models") {
			sh.oneShot(line)
		}
	}
}

// browserLogin runs a --web or --device line with IGCTL_BROWSER handing
// the URL igctl opens to b, which logs in as acct.
func browserLogin(t *testing.T, sh *shell, b *browser.Browser, acct browser.Account, line string, n int) {
	urls := filepath.Join(sh.workdir, fmt.Sprintf("urls-%d", n))
	hook := filepath.Join(sh.workdir, fmt.Sprintf("open-url-%d", n))
	if err := os.WriteFile(hook, []byte("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '"+urls+"'\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	type result struct {
		out browser.Outcome
		err error
	}
	done := make(chan result, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			data, _ := os.ReadFile(urls)
			if u, _, _ := strings.Cut(string(data), "\n"); u != "" {
				out, err := b.Login(context.Background(), u, acct)
				done <- result{out, err}
				return
			}
		}
	}()
	sh.oneShot(line, "IGCTL_BROWSER="+hook)
	// igctl logged in, so it opened the URL: the browser is on its last page or nearly
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("the browser did not complete the login of\n  $ %s\n%v (last page %q)", line, r.err, r.out.Title)
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("the browser did not finish within 2m after\n  $ %s", line)
	}
}

func waitHealthy(t *testing.T, url string, log *bytes.Buffer) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not answer 200 within 30 s; the proxy's output:\n%s", url, log.String())
}

func waitExit(cmd *exec.Cmd, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("still running after %s", d)
	}
}

// freePorts returns n distinct loopback ports free right now.
func freePorts(t *testing.T, n int) []int {
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}
