//go:build unix

package execcmd

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
	"unsafe"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// replaceOrRun replaces igctl with the command: same process, so the
// command gets every signal and its exit status is the process's. It only
// returns on failure.
func replaceOrRun(path string, argv, env []string, io *iostreams.IOStreams) (int, error) {
	err := syscall.Exec(path, argv, env)
	return 0, cmdutil.Fail(cmdutil.Usage, fmt.Errorf("cannot run %s: %w", path, err), "") // as runChild says it
}

// forwarded are passed on to the command. SIGINT and SIGQUIT from the
// terminal already reach the whole foreground process group, the command
// included: those are not sent twice.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2}

// runChild runs the command in igctl's process group, passes signals on
// and returns its status (128+N when signal N ended it, as shells say).
func runChild(path string, argv, env []string, io *iostreams.IOStreams) (int, error) {
	cmd := &exec.Cmd{Path: path, Args: argv, Env: env, Stdin: io.In, Stdout: io.Out, Stderr: io.ErrOut, SysProcAttr: childAttr()}
	// The parent-death signal is tied to the thread that starts the
	// command: that thread must live until the command ends.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 0, cmdutil.Fail(cmdutil.Usage, fmt.Errorf("cannot run %s: %w", path, err), "")
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				if (sig == syscall.SIGINT || sig == syscall.SIGQUIT) && fromTerminal() {
					continue
				}
				cmd.Process.Signal(sig)
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	if _, ok := err.(*exec.ExitError); ok || err == nil {
		return cmd.ProcessState.ExitCode(), nil
	}
	return 0, err
}

// fromTerminal reports whether igctl's process group is the foreground
// group of its terminal, so a SIGINT or SIGQUIT came from the keyboard and
// the command got it too.
func fromTerminal() bool {
	for _, fd := range []uintptr{0, 1, 2} {
		var pgrp int32
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, uintptr(syscall.TIOCGPGRP), uintptr(unsafe.Pointer(&pgrp))); errno == 0 {
			return int(pgrp) == syscall.Getpgrp()
		}
	}
	return false
}
