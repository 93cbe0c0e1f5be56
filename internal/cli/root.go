// Package cli assembles igctl's command tree and is the one place where an
// error becomes an exit code and a message on stderr.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/build"
	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/cli/configcmd"
	"github.com/inference-gateway/igctl/internal/cli/doctor"
	"github.com/inference-gateway/igctl/internal/cli/envcmd"
	"github.com/inference-gateway/igctl/internal/cli/execcmd"
	"github.com/inference-gateway/igctl/internal/cli/keycloakcmd"
	"github.com/inference-gateway/igctl/internal/cli/login"
	"github.com/inference-gateway/igctl/internal/cli/logout"
	"github.com/inference-gateway/igctl/internal/cli/models"
	"github.com/inference-gateway/igctl/internal/cli/proxycmd"
	"github.com/inference-gateway/igctl/internal/cli/status"
	"github.com/inference-gateway/igctl/internal/cli/tokencmd"
	"github.com/inference-gateway/igctl/internal/cli/version"
	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// NewRootCmd builds the whole tree on f.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "igctl",
		Short: "Authenticate to an Inference Gateway behind Keycloak, from a laptop or CI",
		Long: "igctl replaces the manual steps of the Inference Gateway authentication guide:\n" +
			"tokens from a browser login with PKCE, the device grant, and the password and\n" +
			"client-credentials grants, kept in the OS keyring and refreshed; a local proxy\n" +
			"and exec for OpenAI-compatible clients; doctor and token inspect to explain a\n" +
			"401; .env translation between the Go gateway and the TypeScript ADK; and a\n" +
			"Keycloak bootstrap.",
		Version:       build.Get().Version,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			f.IO.SetNoColor(f.Globals.NoColor)
			// every command, not only those that open the store, refuses a misspelt choice
			store, from := f.Globals.TokenStore, "--token-store"
			if store == "" {
				store, from = f.Getenv("IGCTL_TOKEN_STORE"), "IGCTL_TOKEN_STORE"
			}
			switch store {
			case "", "auto", "keyring", "file", "none":
			default:
				return cmdutil.FlagError("%s must be auto, keyring, file or none, not %q", from, store)
			}
			if !cmd.Flags().Changed("timeout") {
				if v := f.Getenv("IGCTL_TIMEOUT"); v != "" {
					d, err := time.ParseDuration(v)
					if err != nil {
						return cmdutil.FlagError("IGCTL_TIMEOUT=%q is not a duration (e.g. 30s, 2m)", v)
					}
					f.Globals.Timeout = d
				}
			}
			if f.Globals.Timeout <= 0 {
				return cmdutil.FlagError("--timeout must be positive, not %s", f.Globals.Timeout)
			}
			// The whole command, every network call and every wait for a
			// lock included, ends by the deadline; a command's own --wait
			// (for a server to come up) comes on top.
			deadline := f.Globals.Timeout
			if w := cmd.Flags().Lookup("wait"); w != nil && w.Value.Type() == "duration" {
				if d, err := time.ParseDuration(w.Value.String()); err == nil && d > 0 {
					deadline += d
				}
			}
			var ctx context.Context
			var cancel context.CancelFunc
			if _, long := cmd.Annotations[cmdutil.NoCommandDeadline]; long {
				// proxy and exec run as long as they are needed;
				// --timeout bounds each of their network calls instead.
				// They handle SIGINT and SIGTERM themselves (a drain, the
				// child's status), so the signals do not cancel them.
				if err := handOver(cmd.Context()); err != nil {
					return err
				}
				ctx, cancel = context.WithCancel(context.WithoutCancel(cmd.Context()))
			} else {
				ctx, cancel = context.WithTimeout(cmd.Context(), deadline)
			}
			f.Cancel = cancel
			cmd.SetContext(ctx)
			return nil
		},
	}
	// cobra runs this only after a command succeeded: the token store's
	// fallback warning is not printed ahead of an unrelated failure.
	root.PersistentPostRun = func(cmd *cobra.Command, args []string) { f.FlushStoreWarnings() }
	root.SetVersionTemplate("igctl {{.Version}}\n")
	g := &f.Globals
	pf := root.PersistentFlags()
	pf.StringVar(&g.Profile, "profile", "", "profile name (env IGCTL_PROFILE)")
	pf.StringVar(&g.ConfigDir, "config-dir", "", "config directory (env IGCTL_CONFIG_DIR, default $XDG_CONFIG_HOME/igctl)")
	pf.StringVar(&g.CAFile, "ca-file", "", "PEM file with CA certificates to trust (SSL_CERT_FILE is honoured too)")
	pf.BoolVar(&g.Insecure, "insecure-skip-tls-verify", false, "do not verify TLS certificates (dangerous)")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "print diagnostics on stderr (never secrets)")
	pf.BoolVar(&g.NoColor, "no-color", false, "disable colour (also NO_COLOR)")
	pf.StringVar(&g.TokenStore, "token-store", "", "token store: auto|keyring|file|none (env IGCTL_TOKEN_STORE)")
	pf.DurationVar(&g.Timeout, "timeout", cmdutil.DefaultTimeout, "bound every network call and the command as a whole (env IGCTL_TIMEOUT)")

	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return cmdutil.Fail(cmdutil.Usage, redactGlued(err), "see `"+cmd.CommandPath()+" --help`")
	})
	root.AddGroup(&cobra.Group{ID: "auth", Title: "Tokens:"}, &cobra.Group{ID: "setup", Title: "Set-up:"})
	root.AddCommand(
		login.NewCmdLogin(f, nil),
		tokencmd.NewCmdToken(f, nil),
		status.NewCmdStatus(f, nil),
		logout.NewCmdLogout(f, nil),
		models.NewCmdModels(f, nil),
		proxycmd.NewCmdProxy(f, nil),
		execcmd.NewCmdExec(f, nil),
		doctor.NewCmdDoctor(f, nil),
		keycloakcmd.NewCmdKeycloak(f),
		envcmd.NewCmdEnv(f),
		configcmd.NewCmdConfig(f),
		version.NewCmdVersion(f, nil),
	)
	// `igctl completion SHELL`: an unknown shell is a usage error, not help and exit 0.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = func(cmd *cobra.Command, args []string) error {
				if len(args) > 0 {
					return cmdutil.FlagError("unknown shell %q: igctl completion bash|zsh|fish|powershell", args[0])
				}
				return nil
			}
			c.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
		}
	}
	return root
}

// Main runs igctl with args and returns the process exit code. A panic
// (a bug) becomes exit 1 with one line to report, not a stack dump.
func Main(args []string, io *iostreams.IOStreams) exitcode.Code {
	return MainContext(context.Background(), args, io)
}

// MainContext is Main on ctx: when ctx was cancelled by a signal (see
// watchSignals), a failed command is reported as that one line alone.
func MainContext(ctx context.Context, args []string, io *iostreams.IOStreams) (code exitcode.Code) {
	defer func() {
		if p := recover(); p != nil {
			io.Error(fmt.Sprintf("internal error: %v", p))
			io.Hint("this is a bug in igctl " + build.Get().Version + ": please report it with the command you ran (IGCTL_DEBUG=1 prints the stack)")
			if os.Getenv("IGCTL_DEBUG") == "1" {
				io.ErrOut.Write(debug.Stack())
			}
			code = cmdutil.PanicCode()
		}
	}()
	f := cmdutil.New(io)
	defer func() {
		if f.Cancel != nil {
			f.Cancel()
		}
	}()
	root := NewRootCmd(f)
	f.Commands = map[string]bool{}
	for _, c := range root.Commands() {
		f.Commands[c.Name()] = true
	}
	// every hint printed from here on (the final one and those a command
	// prints as it goes) carries this run's --profile and --config-dir
	io.SetPasteable(f.Pasteable)
	root.SetArgs(args)
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	err := root.ExecuteContext(ctx)
	code, msg, hint := cmdutil.Outcome(err, f.Globals.Timeout)
	if in, ok := interruption(ctx).(*interrupted); ok && err != nil {
		// whatever the command made of its cancelled calls, the person
		// asked it to stop: one line, no hint
		code, msg, hint = in.code(), in.Error(), ""
	}
	print := func() {
		if msg != "" {
			io.Error(msg)
		}
		if hint != "" {
			io.Hint(hint)
		}
	}
	if l, _ := ctx.Value(lifecycleKey{}).(*lifecycle); l != nil {
		l.report(print)
	} else {
		print()
	}
	return code
}

// redactGlued keeps a value glued to an unknown short flag (-pVALUE, often
// a password typed after the wrong flag) out of the message.
func redactGlued(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, " in -"); i >= 0 && strings.HasPrefix(msg, "unknown shorthand flag") {
		glued := msg[i+len(" in -"):]
		if len(glued) > 1 {
			return errors.New(msg[:i] + " in -" + glued[:1] + "… (the rest is not shown)")
		}
	}
	return err
}

// Run is what main calls: igctl on the process's arguments and streams,
// with SIGINT and SIGTERM cancelling the command (see lifecycle.go).
func Run() int {
	io := iostreams.System()
	ctx, l := watchSignals(context.Background(), io, os.Exit)
	defer l.stop()
	return int(MainContext(ctx, os.Args[1:], io))
}
