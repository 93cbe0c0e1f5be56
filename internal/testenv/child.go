package testenv

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// child is a real peer process started by a test: in its own process
// group (Close stops its children too), its stdout and stderr collected in
// one log, stopped with SIGTERM and, after 5 s, SIGKILL.
type child struct {
	cmd  *exec.Cmd
	out  syncBuffer
	done chan struct{} // closed when the process has exited
	once sync.Once
}

// peerPath reads the path of a peer's program from the environment
// variable that scripts/peers.sh exports, and checks it exists.
func peerPath(variable, what string) (string, error) {
	p := os.Getenv(variable)
	if p == "" {
		return "", fmt.Errorf("%s is unset: run `scripts/peers.sh build` and `eval \"$(scripts/peers.sh env)\"` (make test does both)", variable)
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s (%s): %w; run `scripts/peers.sh build`", what, variable, err)
	}
	return p, nil
}

// startChild runs argv with exactly env; stdout also goes to watch when
// it is not nil (to spot a readiness line), and stdout and stderr to
// mirror when it is not nil (a log people read while it runs).
func startChild(argv, env []string, watch, mirror io.Writer) (*child, error) {
	c := &child{done: make(chan struct{})}
	c.cmd = exec.Command(argv[0], argv[1:]...)
	c.cmd.Env = env
	c.cmd.Dir = os.TempDir()
	var all io.Writer = &c.out
	if mirror != nil {
		all = io.MultiWriter(&c.out, mirror)
	}
	c.cmd.Stdout, c.cmd.Stderr = all, all
	if watch != nil {
		c.cmd.Stdout = io.MultiWriter(all, watch)
	}
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.cmd.WaitDelay = 2 * time.Second // do not hang on a grandchild holding the pipes
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", argv[0], err)
	}
	go func() { c.cmd.Wait(); close(c.done) }()
	return c, nil
}

// exitError describes a child that exited before it was ready.
func (c *child) exitError(what string) error {
	return fmt.Errorf("%s exited (status %d) before serving; its output:\n%s", what, c.cmd.ProcessState.ExitCode(), c.Log())
}

// Log is everything the process printed so far.
func (c *child) Log() string { return c.out.String() }

// Close stops the process group and waits for the process.
func (c *child) Close() {
	c.once.Do(func() {
		select {
		case <-c.done:
			return
		default:
		}
		syscall.Kill(-c.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			<-c.done
		}
		// children that ignored SIGTERM after the leader exited
		syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	})
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

// lineWatcher sends the rest of the first line that starts with prefix.
type lineWatcher struct {
	prefix string
	line   []byte
	found  chan string
	done   bool
}

func (w *lineWatcher) Write(p []byte) (int, error) {
	if w.done {
		return len(p), nil
	}
	w.line = append(w.line, p...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			break
		}
		l := strings.TrimSpace(string(w.line[:i]))
		w.line = w.line[i+1:]
		if rest, ok := strings.CutPrefix(l, w.prefix); ok {
			w.done, w.line = true, nil
			w.found <- rest
			break
		}
	}
	return len(p), nil
}
