// Package envcmd implements `igctl env translate` and `igctl env check`.
package envcmd

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// NewCmdEnv is the `env` group.
func NewCmdEnv(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "env",
		GroupID: "setup",
		Short:   "Translate and lint .env files of the gateway and the TypeScript ADK",
	}
	cmd.AddCommand(NewCmdTranslate(f, nil), NewCmdCheck(f, nil))
	return cmd
}

// readInput reads and parses FILE or stdin ("-" or none, when stdin is not
// a terminal), and names it for messages.
func readInput(ios *iostreams.IOStreams, arg string) (*envmap.File, string, error) {
	if arg == "" || arg == "-" {
		if arg == "" && ios.IsStdinTTY() {
			return nil, "", cmdutil.FlagError("give a .env file, or - to read stdin")
		}
		b, err := io.ReadAll(ios.In)
		if err != nil {
			return nil, "(stdin)", err
		}
		return envmap.Parse(b), "(stdin)", nil
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return nil, arg, cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("reading %s: %w", arg, err), "")
	}
	return envmap.Parse(b), arg, nil
}
