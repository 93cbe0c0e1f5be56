// Package cmdutil holds what every igctl command shares: the Factory (streams,
// environment, global flags, lazily loaded config, HTTP client), the table
// that turns every failure into an exit code and a hint (exits.go), and small
// helpers. exits.go is longer than 300 lines on purpose: it is the one place
// where exit codes are decided, so it holds every package's rows.
package cmdutil

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// GlobalOptions are the persistent flags of the root command.
type GlobalOptions struct {
	Profile    string
	ConfigDir  string
	CAFile     string
	Insecure   bool
	Verbose    bool
	NoColor    bool
	TokenStore string
	// Timeout bounds every network call and the command as a whole.
	Timeout time.Duration
}

// NoCommandDeadline is the annotation that exempts a long-running command
// (proxy, exec) from the root command's --timeout deadline on the whole
// command; --timeout then bounds each network call only.
const NoCommandDeadline = "igctl/no-command-deadline"

// DefaultTimeout is --timeout's default (IGCTL_TIMEOUT overrides it).
const DefaultTimeout = 30 * time.Second

// Factory is handed to every NewCmdX. Commands read what they need from it
// when they run, never at construction, so `igctl --help` costs nothing.
type Factory struct {
	IO      *iostreams.IOStreams
	Getenv  func(string) string
	Now     func() time.Time
	Globals GlobalOptions

	// ReportStore: this command reports where tokens are kept (login,
	// status, doctor), so the keyring fallback warning is shown; other
	// commands stay quiet about it.
	ReportStore bool

	// storeWarnings are the token store's warnings, held until the command
	// has succeeded (FlushStoreWarnings): where tokens went matters once
	// one was stored or reported, and a failure (a refused connection, say)
	// is not preceded by a warning about something else.
	storeMu       sync.Mutex
	storeWarnings [][2]string // key, message

	// Cancel releases the command's deadline (set by the root command).
	Cancel context.CancelFunc

	// Commands are the names of igctl's commands (set by the root
	// command): the words after "igctl" that make a hint a command line.
	Commands map[string]bool

	cfgOnce sync.Once
	cfg     *config.Config
	cfgErr  error
}

// New returns a Factory on the real process environment.
func New(io *iostreams.IOStreams) *Factory {
	return &Factory{IO: io, Getenv: os.Getenv, Now: time.Now}
}

// ConfigDir is --config-dir, $IGCTL_CONFIG_DIR or $XDG_CONFIG_HOME/igctl.
func (f *Factory) ConfigDir() string { return config.Dir(f.Globals.ConfigDir, f.Getenv) }

// Config loads config.yaml once per process.
func (f *Factory) Config() (*config.Config, error) {
	f.cfgOnce.Do(func() { f.cfg, f.cfgErr = config.Load(f.ConfigDir()) })
	return f.cfg, f.cfgErr
}

// ExplicitProfile is --profile, else $IGCTL_PROFILE, else "".
func (f *Factory) ExplicitProfile() string {
	if f.Globals.Profile != "" {
		return f.Globals.Profile
	}
	return f.Getenv("IGCTL_PROFILE")
}

// ProfileName resolves the active profile name.
func (f *Factory) ProfileName() (string, error) {
	cfg, err := f.Config()
	if err != nil {
		return "", err
	}
	return cfg.Resolve(f.ExplicitProfile()), nil
}

// Verbosef prints a diagnostic line on stderr with -v. Never pass it a secret.
func (f *Factory) Verbosef(format string, a ...any) {
	if f.Globals.Verbose {
		fmt.Fprintln(f.IO.ErrOut, config.ShowURLsIn("igctl: "+fmt.Sprintf(format, a...)))
	}
}

// HTTPClient builds the client for talking to Keycloak and the gateway:
// proxies from HTTPS_PROXY/NO_PROXY, the system roots (which honour
// SSL_CERT_FILE) plus caFile (or --ca-file), and --insecure-skip-tls-verify
// with a loud warning.
func (f *Factory) HTTPClient(caFile string) (*http.Client, error) {
	if f.Globals.CAFile != "" {
		caFile = f.Globals.CAFile
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, Fail(BadConfig, fmt.Errorf("reading CA file: %w", err), "")
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, Failf(BadConfig, fmt.Sprintf("CA file %s holds no PEM certificate", caFile))
		}
		tlsCfg.RootCAs = pool
	}
	if f.Globals.Insecure {
		f.IO.WarnOnce("insecure", "TLS certificate verification is OFF (--insecure-skip-tls-verify): anyone on the path can read your tokens")
		tlsCfg.InsecureSkipVerify = true
	}
	tr.TLSClientConfig = tlsCfg
	timeout := f.Globals.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

// ExactArgs is cobra.ExactArgs with a usage exit code.
func ExactArgs(n int) cobra.PositionalArgs {
	return usageArgs(cobra.ExactArgs(n))
}

// MaximumNArgs is cobra.MaximumNArgs with a usage exit code.
func MaximumNArgs(n int) cobra.PositionalArgs {
	return usageArgs(cobra.MaximumNArgs(n))
}

// NoArgs is cobra.NoArgs with a usage exit code.
func NoArgs(cmd *cobra.Command, args []string) error {
	return usageArgs(cobra.NoArgs)(cmd, args)
}

func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		return Fail(Usage, check(cmd, args), "see `"+cmd.CommandPath()+" --help`")
	}
}

// FlagError marks a bad flag combination or value as a usage error.
func FlagError(format string, a ...any) error {
	return Failf(Usage, fmt.Sprintf(format, a...))
}
