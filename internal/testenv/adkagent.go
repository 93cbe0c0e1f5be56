package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ADKAgent is a real TypeScript ADK agent process (node agent.mjs, from
// internal/testenv/adk, installed by scripts/adk.sh with the pinned
// @inference-gateway/adk). agent.mjs's header comment records how the
// library behaves with auth on: public paths, 401 shapes, the extended card.
type ADKAgent struct {
	URL string // http://127.0.0.1:PORT, no trailing slash; JSON-RPC is POST URL+"/"

	cmd       *exec.Cmd
	out       *adkOutput
	done      chan struct{} // closed when the process has exited
	closeOnce sync.Once
}

// ADKAgentScript is the agent.mjs scripts/adk.sh installed, from IGCTL_TEST_ADK_AGENT.
func ADKAgentScript() (string, error) {
	script := os.Getenv("IGCTL_TEST_ADK_AGENT")
	if script == "" {
		return "", errors.New("IGCTL_TEST_ADK_AGENT is unset: run `scripts/adk.sh install` and `eval \"$(scripts/adk.sh env)\"`")
	}
	if _, err := os.Stat(script); err != nil {
		return "", fmt.Errorf("the ADK agent (IGCTL_TEST_ADK_AGENT): %w; run `scripts/adk.sh install`", err)
	}
	return script, nil
}

// StartADKAgent starts node $IGCTL_TEST_ADK_AGENT with exactly the given environment entries
// (KEY=VALUE, plus PATH/HOME/NODE_ENV=production), waits (up to 30 s) for the LISTENING line,
// and returns an error that includes the agent's captured output if it exits or never listens
// (e.g. the ADK refuses to start: OIDC discovery failure, missing secret).
//
// The entries come after the defaults, so they may override NODE_ENV; A2A_SERVER_PORT unset
// or 0 makes the agent pick a free port.
func StartADKAgent(env []string) (*ADKAgent, error) {
	script, err := ADKAgentScript()
	if err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("the ADK agent needs node on PATH: %w", err)
	}
	a := &ADKAgent{out: &adkOutput{listening: make(chan string, 1)}, done: make(chan struct{})}
	full := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "NODE_ENV=production"}
	full = append(full, env...)
	a.cmd = exec.Command(node, script)
	a.cmd.Env = full
	a.cmd.Dir = os.TempDir()
	a.cmd.Stdout = a.out
	a.cmd.Stderr = &adkStderr{a.out}
	a.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Close kills the whole group
	a.cmd.WaitDelay = 2 * time.Second                       // do not hang on a grandchild holding the pipes
	if err := a.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the ADK agent: %w", err)
	}
	go func() { a.cmd.Wait(); close(a.done) }()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	select {
	case url := <-a.out.listening:
		a.URL = strings.TrimRight(url, "/")
		return a, nil
	case <-a.done:
		return nil, fmt.Errorf("the ADK agent exited (status %d) before listening; its output:\n%s", a.cmd.ProcessState.ExitCode(), a.Log())
	case <-timeout.C:
		a.Close()
		return nil, fmt.Errorf("the ADK agent printed no LISTENING line within 30 s; its output:\n%s", a.Log())
	}
}

// Close kills the process (and its children) and waits for it.
func (a *ADKAgent) Close() {
	a.closeOnce.Do(func() {
		select {
		case <-a.done:
			return
		default:
		}
		syscall.Kill(-a.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-a.done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
			<-a.done
		}
		// Children that ignored SIGTERM after the leader exited.
		syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
	})
}

// Log is everything the process printed so far (stdout and stderr, interleaved).
func (a *ADKAgent) Log() string { return a.out.String() }

// adkOutput collects the agent's output and spots the LISTENING line on stdout.
type adkOutput struct {
	mu        sync.Mutex
	all       bytes.Buffer
	line      []byte // the stdout line being assembled
	found     bool
	listening chan string
}

// Write takes stdout.
func (o *adkOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all.Write(p)
	if o.found {
		return len(p), nil
	}
	o.line = append(o.line, p...)
	for {
		i := bytes.IndexByte(o.line, '\n')
		if i < 0 {
			break
		}
		l := strings.TrimSpace(string(o.line[:i]))
		o.line = o.line[i+1:]
		if url, ok := strings.CutPrefix(l, "LISTENING "); ok {
			o.found = true
			o.line = nil
			o.listening <- url
			break
		}
	}
	return len(p), nil
}

func (o *adkOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.all.String()
}

// adkStderr adds stderr to the same log without looking for the LISTENING line.
type adkStderr struct{ o *adkOutput }

func (e *adkStderr) Write(p []byte) (int, error) {
	e.o.mu.Lock()
	defer e.o.mu.Unlock()
	return e.o.all.Write(p)
}
