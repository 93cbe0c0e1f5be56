//go:build !unix

package execcmd

import (
	"errors"
	"fmt"
	"os/exec"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// replaceOrRun runs the command and returns its status (no exec(2) here).
func replaceOrRun(path string, argv, env []string, io *iostreams.IOStreams) (int, error) {
	return runChild(path, argv, env, io)
}

// runChild runs the command and returns its status; the console delivers
// Ctrl-C to both processes.
func runChild(path string, argv, env []string, io *iostreams.IOStreams) (int, error) {
	cmd := &exec.Cmd{Path: path, Args: argv, Env: env, Stdin: io.In, Stdout: io.Out, Stderr: io.ErrOut}
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
