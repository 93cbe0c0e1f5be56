// Package configcmd implements `igctl config list|show|set|use`.
package configcmd

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// NewCmdConfig is the `config` group.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "config",
		GroupID: "setup",
		Short:   "List, show, change and switch profiles in config.yaml",
		Long: "List, show, change and switch profiles in config.yaml.\n\n" +
			"igctl edits config.yaml rather than rewriting it: each change is made under a lock\n" +
			"(config.yaml.lock) on the file as it is then, so igctl processes running at once keep\n" +
			"each other's changes; comments, order and keys starting with x- are kept; a symlinked\n" +
			"config.yaml is written through to its target. Any other key igctl does not know\n" +
			"(current-profile, issuerr) is an error naming the line, never silently dropped.",
	}
	cmd.AddCommand(NewCmdList(f, nil), NewCmdShow(f, nil), NewCmdSet(f, nil), NewCmdUse(f, nil))
	return cmd
}

// ListOptions for `config list`: what listRun reads, and nothing else.
type ListOptions struct {
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Profile func() string // --profile or IGCTL_PROFILE, "" when neither is set

	JSON bool
}

// NewListOptions wires ListOptions to f: the getters are f's, read when the command runs.
func NewListOptions(f *cmdutil.Factory) *ListOptions {
	return &ListOptions{IO: f.IO, Config: f.Config, Profile: f.ExplicitProfile}
}

// NewCmdList builds `config list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := NewListOptions(f)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List profiles; the current one is marked with *",
		Args:  cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func listRun(opts *ListOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	current := cfg.Resolve(opts.Profile())
	if opts.JSON {
		type row struct {
			Name    string `json:"name"`
			Current bool   `json:"current"`
			*config.Profile
		}
		rows := []row{}
		for _, n := range cfg.Names() {
			rows = append(rows, row{n, n == current, cfg.Profiles[n]})
		}
		return json.NewEncoder(opts.IO.Out).Encode(rows)
	}
	if len(cfg.Profiles) == 0 {
		opts.IO.Infof("no profiles in %s", cfg.Path())
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	for _, n := range cfg.Names() {
		mark := " "
		if n == current {
			mark = "*"
		}
		p := cfg.Profiles[n]
		fmt.Fprintf(tw, "%s %s\t%s\t%s\n", mark, n, p.Issuer, p.ClientID)
	}
	return tw.Flush()
}

// ShowOptions for `config show`: what showRun reads, and nothing else.
type ShowOptions struct {
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Profile func() string // --profile or IGCTL_PROFILE, "" when neither is set

	Name string
	JSON bool
}

// NewShowOptions wires ShowOptions to f: the getters are f's, read when the command runs.
func NewShowOptions(f *cmdutil.Factory) *ShowOptions {
	return &ShowOptions{IO: f.IO, Config: f.Config, Profile: f.ExplicitProfile}
}

// NewCmdShow builds `config show [NAME]`.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := NewShowOptions(f)
	cmd := &cobra.Command{
		Use:   "show [NAME]",
		Short: "Show one profile (default: the active one)",
		Args:  cmdutil.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return showRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

func showRun(opts *ShowOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	name := opts.Name
	if name == "" {
		name = cfg.Resolve(opts.Profile())
	}
	p, err := cfg.Get(name)
	if err != nil {
		return err
	}
	if opts.JSON {
		return json.NewEncoder(opts.IO.Out).Encode(p)
	}
	out, err := yaml.Marshal(map[string]*config.Profile{name: p})
	if err != nil {
		return err
	}
	_, err = opts.IO.Out.Write(out)
	return err
}

// SetOptions for `config set`: what setRun reads, and nothing else.
type SetOptions struct {
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Profile func() string // --profile or IGCTL_PROFILE, "" when neither is set

	Key, Value string
}

// NewSetOptions wires SetOptions to f: the getters are f's, read when the command runs.
func NewSetOptions(f *cmdutil.Factory) *SetOptions {
	return &SetOptions{IO: f.IO, Config: f.Config, Profile: f.ExplicitProfile}
}

// NewCmdSet builds `config set KEY VALUE`.
func NewCmdSet(f *cmdutil.Factory, runF func(*SetOptions) error) *cobra.Command {
	opts := NewSetOptions(f)
	cmd := &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Set a profile setting (" + strings.Join(config.Keys, ", ") + ")",
		Long: "Set a setting of the active profile (--profile picks another), creating the profile if needed.\n" +
			"Secrets are not settings: they go to the token store through `igctl login`.",
		Args: cmdutil.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Key, opts.Value = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return setRun(opts)
		},
	}
	return cmd
}

func setRun(opts *SetOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	name := cfg.Resolve(opts.Profile())
	if err := cfg.Ensure(name).Set(opts.Key, opts.Value); err != nil {
		return err
	}
	if err := cfg.Save(); err != nil {
		return err
	}
	opts.IO.Success("profile %s: %s set", name, opts.Key)
	return nil
}

// UseOptions for `config use`: what useRun reads, and nothing else.
type UseOptions struct {
	IO     *iostreams.IOStreams
	Config func() (*config.Config, error)

	Name string
}

// NewUseOptions wires UseOptions to f: the getters are f's, read when the command runs.
func NewUseOptions(f *cmdutil.Factory) *UseOptions {
	return &UseOptions{IO: f.IO, Config: f.Config}
}

// NewCmdUse builds `config use NAME`.
func NewCmdUse(f *cmdutil.Factory, runF func(*UseOptions) error) *cobra.Command {
	opts := NewUseOptions(f)
	cmd := &cobra.Command{
		Use:   "use NAME",
		Short: "Make NAME the current profile (exit 3 if it does not exist)",
		Args:  cmdutil.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return useRun(opts)
		},
	}
	return cmd
}

func useRun(opts *UseOptions) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	if _, err := cfg.Get(opts.Name); err != nil {
		return err
	}
	cfg.CurrentProfile = opts.Name
	if err := cfg.Save(); err != nil {
		return err
	}
	opts.IO.Success("current profile is now %s", opts.Name)
	return nil
}
