//go:build !unix

package execcmd

import (
	"errors"
	"fmt"
	"os/exec"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
)

// replaceOrRun runs the command and returns its status (no exec(2) here).
func replaceOrRun(path string, argv, env []string, f *cmdutil.Factory) (int, error) {
	return runChild(path, argv, env, f)
}

// runChild runs the command and returns its status; the console delivers
// Ctrl-C to both processes.
func runChild(path string, argv, env []string, f *cmdutil.Factory) (int, error) {
	cmd := &exec.Cmd{Path: path, Args: argv, Env: env, Stdin: f.IO.In, Stdout: f.IO.Out, Stderr: f.IO.ErrOut}
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		return ee.ExitCode(), nil
	}
	return 0, cmdutil.Fail(cmdutil.Usage, fmt.Errorf("cannot run %s: %w", path, err), "")
}
