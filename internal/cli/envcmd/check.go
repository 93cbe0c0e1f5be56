package envcmd

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// CheckOptions for `igctl env check`: what checkRun reads, and nothing else.
type CheckOptions struct {
	IO *iostreams.IOStreams

	Input         string
	For           string
	TargetVersion string
	Deploy        string
	JSON          bool
}

// NewCheckOptions wires CheckOptions to f.
func NewCheckOptions(f *cmdutil.Factory) *CheckOptions {
	return &CheckOptions{IO: f.IO}
}

// NewCmdCheck builds `igctl env check FILE`.
func NewCmdCheck(f *cmdutil.Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := NewCheckOptions(f)
	cmd := &cobra.Command{
		Use:   "check FILE",
		Short: "Lint a .env for the traps that turn authentication off or break it",
		Long: `Lint a gateway or ADK .env: names the target version ignores (AUTH_ENABLE vs
AUTH_ENABLED, ENABLE_AUTH, the other _ENABLE renames), booleans the target rejects
(the gateway will not start on AUTH_ENABLED=yes) or reads otherwise than meant
(the ADK reads AUTH_ENABLED=t as OFF), the ADK's AUTH_CLIENT_SECRET missing while
auth is on, an issuer with a trailing slash or a host the server will not see,
duplicate keys, and lines that are not assignments. For the gateway, every
duration, integer, port and URL setting is read as its configuration loader
reads it (SERVER_READ_TIMEOUT=45 has no unit: the gateway refuses to start).
The target version defaults
to the newest release igctl knows (gateway v0.48.2, ADK 0.16.0).

--deploy says where the server reading the file runs: local (default; an issuer
on localhost/127.0.0.1 is then only a note), container or cluster (there
localhost is the container itself: a warning).

Each finding has its line number, a severity (error, warning, note) and a fix.
Exit 8 when there is an error or a warning; notes alone exit 0.`,
		Args: cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Input = args[0]
			if opts.For != "" && opts.For != envmap.Gateway && opts.For != envmap.ADK {
				return cmdutil.FlagError("--for must be gateway or adk, not %q", opts.For)
			}
			if !slices.Contains(envmap.Deploys, opts.Deploy) {
				return cmdutil.FlagError("--deploy must be local, container or cluster, not %q", opts.Deploy)
			}
			if runF != nil {
				return runF(opts)
			}
			return checkRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.For, "for", "", "gateway or adk (default: guessed from the names)")
	cmd.Flags().StringVar(&opts.TargetVersion, "target-version", "", "version of that product (gateway vX.Y.Z or ADK X.Y.Z)")
	cmd.Flags().StringVar(&opts.Deploy, "deploy", envmap.DeployLocal, "where the server runs: local, container or cluster")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	cmd.RegisterFlagCompletionFunc("deploy", cobra.FixedCompletions(envmap.Deploys, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func checkRun(opts *CheckOptions) error {
	file, name, err := readInput(opts.IO, opts.Input)
	if err != nil {
		return err
	}
	product := opts.For
	if product == "" {
		product = envmap.DetectProduct(file)
	}
	findings, err := envmap.Check(file, envmap.CheckOptions{Product: product, Version: opts.TargetVersion, Deploy: opts.Deploy})
	if err != nil {
		return err
	}
	if opts.JSON {
		if findings == nil {
			findings = []envmap.Finding{}
		}
		json.NewEncoder(opts.IO.Out).Encode(map[string]any{"file": name, "product": product, "findings": findings})
	} else {
		for _, fd := range findings {
			fmt.Fprintf(opts.IO.Out, "%s:%d: %s: %s\n    fix: %s\n", name, fd.Line, fd.Severity, fd.Msg, fd.Fix)
		}
	}
	failing := 0
	for _, fd := range findings {
		if fd.Failing() {
			failing++
		}
	}
	if failing > 0 {
		noun := "findings"
		if failing == 1 {
			noun = "finding"
		}
		return cmdutil.Failf(cmdutil.Drift, fmt.Sprintf("%d %s in %s (checked as %s)", failing, noun, name, product))
	}
	if len(findings) > 0 {
		opts.IO.Success("%s: only notes (checked as %s)", name, product)
		return nil
	}
	opts.IO.Success("%s: no findings (checked as %s)", name, product)
	return nil
}
