package envcmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/atomicfile"
	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// TranslateOptions for `igctl env translate`: what translateRun reads, and nothing else.
type TranslateOptions struct {
	IO       *iostreams.IOStreams
	Verbosef func(string, ...any) // -v diagnostics on stderr

	Input           string
	From, To        string
	Output          string
	Strict, Check   bool
	TargetVersion   string
	OnConflict      string
	Name, Namespace string
}

// NewTranslateOptions wires TranslateOptions to f.
func NewTranslateOptions(f *cmdutil.Factory) *TranslateOptions {
	return &TranslateOptions{IO: f.IO, Verbosef: f.Verbosef}
}

// NewCmdTranslate builds the command; runF replaces the run function in tests.
func NewCmdTranslate(f *cmdutil.Factory, runF func(*TranslateOptions) error) *cobra.Command {
	opts := NewTranslateOptions(f)
	cmd := &cobra.Command{
		Use:   "translate [FILE|-]",
		Short: "Translate a .env between gateway and ADK names, or into Kubernetes manifests",
		Long: `Translate a .env file losslessly: comments, blank lines, order, quoting, export
prefixes and CRLF line endings stay; only mapped names change, and ${NAME}/$NAME
references to them inside values are renamed (never expanded). Keys with no
counterpart pass through (--strict fails on them). Approximate and convention-only
mappings print a note on stderr.

--to k8s writes a ConfigMap and a Secret (stringData) as the gateway's guide shows;
--to operator writes the operator's Gateway resource (spec.auth with
clientSecretRef, providers with secretKeyRef) and the Secret.

The target is the newest release igctl knows (gateway v0.48.2, ADK 0.16.0) unless
--target-version names another (gateway vX.Y.Z, ADK X.Y.Z): legacy names the
target ignores (AUTH_ENABLE, ENABLE_AUTH, MCP_POLLING_ENABLE, ...) are renamed with
a note, since the setting would silently fall back to its default; an older
target gets the old spelling.

Booleans moving between the gateway (Go's strconv.ParseBool: 1/t/true/0/f/false)
and the ADK (1/true/yes/on, any case) are rewritten to true/false with a note;
a value whose meaning is unclear (yes for the gateway, t or enabled for the ADK)
fails with exit 3, naming the line. Into gateway naming (and --to k8s or
operator), a duration, integer or port the gateway would refuse at start fails
the same way; the ADK's MCP durations without a unit (milliseconds) are
written with ms.

--name and --namespace must be valid Kubernetes names (exit 2 otherwise).

--check prints what would change (secrets masked) and exits 8 if anything would.`,
		Example: `  igctl env translate .env --from gateway --to adk -o agent/.env
  igctl env translate .env --to k8s --name inference-gateway --namespace ai | kubectl apply -f -
  igctl env translate agent/.env --from adk --to adk --target-version 0.16.0 --check   # CI`,
		Args: cmdutil.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Input = args[0]
			}
			if opts.From != "" && opts.From != envmap.Gateway && opts.From != envmap.ADK {
				return cmdutil.FlagError("--from must be gateway or adk, not %q", opts.From)
			}
			switch opts.To {
			case envmap.Gateway, envmap.ADK, "k8s", "operator":
			case "":
				return cmdutil.FlagError("--to is required: gateway, adk, k8s or operator")
			default:
				return cmdutil.FlagError("--to must be gateway, adk, k8s or operator, not %q", opts.To)
			}
			if opts.OnConflict != "" && opts.OnConflict != "keep" && opts.OnConflict != "overwrite" {
				return cmdutil.FlagError("--on-conflict must be keep or overwrite, not %q", opts.OnConflict)
			}
			if opts.Check && opts.Output != "" {
				return cmdutil.FlagError("--check writes nothing: drop -o")
			}
			if err := validateNames(opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return translateRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.From, "from", "", "naming of the input: gateway or adk (default: guessed from the names)")
	fl.StringVar(&opts.To, "to", "", "gateway, adk, k8s or operator")
	fl.StringVarP(&opts.Output, "output", "o", "", "write to FILE atomically (keeps an existing file's mode; new files are 0600); - is stdout")
	fl.BoolVar(&opts.Strict, "strict", false, "fail (exit 8, like --check) on keys with no counterpart (for --to operator: no field in the Gateway resource)")
	fl.BoolVar(&opts.Check, "check", false, "exit 8 if the input is not already in the target naming")
	fl.StringVar(&opts.TargetVersion, "target-version", "", "version of the target product (gateway vX.Y.Z or ADK X.Y.Z)")
	fl.StringVar(&opts.OnConflict, "on-conflict", "", "duplicate keys: keep (first wins) or overwrite (last wins); default: error")
	fl.StringVar(&opts.Name, "name", "inference-gateway", "base name of the Kubernetes objects")
	fl.StringVar(&opts.Namespace, "namespace", "", "namespace of the Kubernetes objects")
	cmd.RegisterFlagCompletionFunc("to", cobra.FixedCompletions([]string{"gateway", "adk", "k8s", "operator"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.RegisterFlagCompletionFunc("from", cobra.FixedCompletions([]string{"gateway", "adk"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func translateRun(opts *TranslateOptions) error {
	ios := opts.IO
	in, name, err := readInput(ios, opts.Input)
	if err != nil {
		return err
	}
	from := opts.From
	if from == "" {
		from = envmap.DetectProduct(in)
		opts.Verbosef("input looks like a %s .env", from)
	}
	to := opts.To
	manifest := to == "k8s" || to == "operator"
	if manifest {
		to = envmap.Gateway // manifests are for the gateway
	}
	res, err := envmap.Translate(in, envmap.Options{From: from, To: to, TargetVersion: opts.TargetVersion, Strict: opts.Strict, OnConflict: opts.OnConflict})
	if res != nil {
		printNotes(ios, name, res.Notes)
	}
	if fault.KindOf(err) == envmap.Unmapped {
		return fmt.Errorf("--strict: %w", err)
	}
	if err != nil {
		return err
	}
	if len(res.Unmapped) > 0 && from != to {
		ios.Infof("note: %d keys have no %s counterpart and pass through unchanged (--strict fails on them)", len(res.Unmapped), to)
		opts.Verbosef("unmapped: %s", strings.Join(res.Unmapped, ", "))
	}
	if opts.Check {
		if !res.Changed() {
			ios.Success("%s is already in %s naming", name, opts.To)
			return nil
		}
		printDiff(ios.Out, name, from, to, res.Edits)
		return cmdutil.Failf(cmdutil.Drift, fmt.Sprintf("%s is not in %s naming (%d lines would change)", name, to, len(res.Edits)))
	}
	out, err := renderOutput(opts, res.File)
	if err != nil {
		return err
	}
	return writeOutput(opts, out)
}

// printNotes shows the translation's notes on stderr, each at its line.
func printNotes(ios *iostreams.IOStreams, name string, notes []envmap.Note) {
	for _, n := range notes {
		loc := ""
		if n.Line > 0 {
			loc = fmt.Sprintf("%s:%d: ", name, n.Line)
		}
		if n.Warning {
			ios.Warn("%s%s", loc, n.Msg)
		} else {
			ios.Infof("note: %s%s", loc, n.Msg)
		}
	}
}

// renderOutput is the translated file in the form --to asks for: a .env, or
// Kubernetes manifests.
func renderOutput(opts *TranslateOptions, file *envmap.File) ([]byte, error) {
	m := envmap.Manifest{Name: opts.Name, Namespace: opts.Namespace}
	switch opts.To {
	case "k8s":
		return envmap.K8s(file, m)
	case "operator":
		return renderOperator(opts, file, m)
	default:
		return []byte(file.String()), nil
	}
}

// renderOperator renders the Gateway resource and says which keys it
// cannot carry; with --strict, such a key means nothing is written.
func renderOperator(opts *TranslateOptions, file *envmap.File, m envmap.Manifest) ([]byte, error) {
	ios := opts.IO
	or, err := envmap.Operator(file, m)
	if or == nil {
		return nil, err
	}
	for _, n := range or.Notes {
		ios.Infof("note: %s", n)
	}
	if len(or.Dropped) > 0 && opts.Strict {
		// --strict promises that no key is lost; a key without a field
		// in the Gateway resource would be, so nothing is written.
		return nil, fault.Errorf(envmap.Unmapped, "--strict: no field in the Gateway resource for %s", strings.Join(or.Dropped, ", "))
	}
	if len(or.Dropped) > 0 {
		ios.Warn("no field in the Gateway resource for %d keys, left out: %s", len(or.Dropped), strings.Join(or.Dropped, ", "))
	}
	return or.YAML, err
}

// writeOutput writes to stdout, or atomically to --output.
func writeOutput(opts *TranslateOptions, out []byte) error {
	if opts.Output == "" || opts.Output == "-" {
		_, err := opts.IO.Out.Write(out)
		return err
	}
	if err := atomicfile.Write(opts.Output, out, 0o600, true); err != nil {
		return cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("writing %s: %w", opts.Output, err), "")
	}
	opts.IO.Success("wrote %s", opts.Output)
	return nil
}

// validateNames rejects --name/--namespace values Kubernetes would refuse,
// counting the suffixes each output appends.
func validateNames(opts *TranslateOptions) error {
	suffixes := map[string][]string{"k8s": envmap.K8sSuffixes, "operator": envmap.OperatorSuffixes}[opts.To]
	if suffixes == nil {
		return nil
	}
	m := envmap.Manifest{Name: opts.Name, Namespace: opts.Namespace}
	if err := m.Validate(suffixes...); err != nil {
		return cmdutil.FlagError("%s", err.Error())
	}
	return nil
}

// printDiff shows the edits as a unified-style diff with secrets masked.
func printDiff(w io.Writer, name, from, to string, edits []envmap.Edit) {
	fmt.Fprintf(w, "--- %s (%s)\n+++ %s (%s)\n", name, from, name, to)
	for _, e := range edits {
		if e.Line > 0 {
			fmt.Fprintf(w, "@@ line %d @@\n", e.Line)
		} else {
			fmt.Fprintf(w, "@@ end @@\n")
		}
		if e.Old != "" {
			fmt.Fprintf(w, "-%s\n", strings.TrimRight(e.Old, "\r"))
		}
		if e.New != "" {
			fmt.Fprintf(w, "+%s\n", strings.TrimRight(e.New, "\r"))
		}
	}
}
