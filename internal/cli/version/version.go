// Package version implements `igctl version`.
package version

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/build"
	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// Options for `igctl version`: what versionRun reads, and nothing else.
type Options struct {
	IO *iostreams.IOStreams

	JSON bool
}

// NewOptions wires Options to f.
func NewOptions(f *cmdutil.Factory) *Options {
	return &Options{IO: f.IO}
}

// NewCmdVersion builds the command; runF replaces the run function in tests.
func NewCmdVersion(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := NewOptions(f)
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print igctl's version, commit and build date",
		Args:  cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func versionRun(opts *Options) error {
	info := build.Get()
	if opts.JSON {
		return json.NewEncoder(opts.IO.Out).Encode(info)
	}
	_, err := fmt.Fprintf(opts.IO.Out, "igctl %s (commit %s, built %s)\n", info.Version, info.Commit, info.Date)
	return err
}
