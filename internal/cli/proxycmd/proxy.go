// Package proxycmd implements `igctl proxy`: a local reverse proxy to the
// profile's gateway that injects a fresh token into every request. The
// proxy itself lives in internal/proxy; this package wires it to the
// profile, the flags and the terminal, and is shared with `igctl exec --proxy`.
package proxycmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/atomicfile"
	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/proxy"
)

// DefaultListen is where `igctl proxy` listens unless told otherwise.
const DefaultListen = "127.0.0.1:8090"

// Options for `igctl proxy`: what proxyRun reads, and nothing else.
type Options struct {
	Deps                               // the gateway side: session, gateway URL, HTTP client, clock, terminal
	ConfigDir   func() string          // where the local key lives by default (CONFIG_DIR/proxy)
	ProfileName func() (string, error) // whose key --print-key-path names

	Gateway      string
	Listen       string
	KeyFile      string
	NoKey        bool
	PrintKeyPath bool
	DrainTimeout time.Duration

	// For tests: where SIGINT and SIGTERM come from (nil: Signals), and
	// a call once the proxy serves at local (its http:// URL).
	signals func() (chan os.Signal, func())
	started func(local string)
}

// NewOptions wires Options to f: the getters are f's, read when the command runs.
func NewOptions(f *cmdutil.Factory) *Options {
	return &Options{Deps: NewDeps(f), ConfigDir: f.ConfigDir, ProfileName: f.ProfileName}
}

// NewCmdProxy builds the command; runF replaces the run function in tests.
func NewCmdProxy(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := NewOptions(f)
	cmd := &cobra.Command{
		Use:     "proxy",
		GroupID: "auth",
		Short:   "Serve the gateway on loopback with a fresh token injected into every request",
		Long: `Run a local reverse proxy to the profile's gateway for OpenAI-compatible
clients and infer, which take a static API key: point them at the proxy with
its local key, and igctl adds "Authorization: Bearer <token>" to every request,
renewing the token ahead of expiry in the background (one refresh at a time,
shared with other igctl processes through the profile's lock).

The proxy listens on loopback only unless --listen says otherwise (then it
warns). It requires a local key, generated on first use, written 0600 to
--key-file (default CONFIG_DIR/proxy/PROFILE.key, which --print-key-path
prints) and printed once on stdout: clients send it as their API key
(Authorization: Bearer KEY); requests without it get 401. The client's own
Authorization is replaced, never forwarded. Server-Sent Events and chunked
answers stream through flushed per chunk; request bodies stream too.

On a 401 from the gateway the proxy renews the token and retries once when
the request body could be kept (up to 1 MiB); otherwise, or if the retry is
refused too, the 401 reaches the client with igctl's diagnosis in the
X-Igctl-Diagnosis header and on stderr. An unreachable gateway is a 502 with
{"error":"..."}, as the gateway's own errors are. GET /healthz is answered
locally: 200 when a request would get a token now, 503 with the reason
otherwise (a token too close to expiry whose renewal fails included).

stderr carries the access log: time, method, path (no query), status,
duration and bytes sent; never headers or tokens. SIGINT or SIGTERM stops
accepting connections and lets requests in flight, streams included, finish
for up to --drain-timeout (a second signal cuts them). --timeout bounds
connecting to the gateway and waiting for its response headers, per request;
nothing bounds how long a stream runs.`,
		Example: `  igctl proxy                                  # http://127.0.0.1:8090, key printed on first use
  export OPENAI_BASE_URL=http://127.0.0.1:8090/v1
  export OPENAI_API_KEY=$(cat "$(igctl proxy --print-key-path)")
  igctl proxy --listen 127.0.0.1:9000 --profile ci --gateway https://gw.example.com`,
		Args:        cmdutil.NoArgs,
		Annotations: map[string]string{cmdutil.NoCommandDeadline: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return proxyRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Gateway, "gateway", "", "gateway base URL (else IGCTL_GATEWAY_URL, else the profile's gateway_url)")
	cmd.Flags().StringVar(&opts.Listen, "listen", DefaultListen, "HOST:PORT to listen on (port 0: any free port)")
	cmd.Flags().StringVar(&opts.KeyFile, "key-file", "", "file holding the local key (default CONFIG_DIR/proxy/PROFILE.key; created 0600 when missing)")
	cmd.Flags().BoolVar(&opts.PrintKeyPath, "print-key-path", false, "print the path of the profile's local key file (absolute) on stdout and exit")
	cmd.Flags().BoolVar(&opts.NoKey, "no-key", false, "serve without a local key: anyone who can connect uses your identity")
	cmd.Flags().DurationVar(&opts.DrainTimeout, "drain-timeout", 30*time.Second, "on SIGINT/SIGTERM, how long requests in flight may take to finish")
	return cmd
}

func proxyRun(ctx context.Context, opts *Options) error {
	io := opts.IO
	if opts.DrainTimeout < 0 {
		return cmdutil.FlagError("--drain-timeout must not be negative")
	}
	if opts.NoKey && opts.KeyFile != "" {
		return cmdutil.FlagError("--no-key and --key-file exclude each other")
	}
	if opts.PrintKeyPath {
		return printKeyPath(opts)
	}
	if _, _, err := net.SplitHostPort(opts.Listen); err != nil {
		return cmdutil.FlagError("--listen %q is not HOST:PORT (e.g. %s)", opts.Listen, DefaultListen)
	}
	up, err := NewUpstream(ctx, opts.Deps, opts.Gateway)
	if err != nil {
		return err
	}
	key, keyFile, created := "", "", false
	if !opts.NoKey {
		keyFile = opts.KeyFile
		if keyFile == "" {
			keyFile = defaultKeyFile(opts.ConfigDir(), up.Session.Name)
		}
		if key, created, err = loadOrCreateKey(keyFile); err != nil {
			return err
		}
	}
	ln, err := Listen(opts.Listen)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	if !IsLoopback(opts.Listen) {
		io.Warn("listening on %s, which is not loopback only: whoever reaches it%s uses your identity at the gateway", opts.Listen,
			map[bool]string{true: "", false: " with the local key"}[opts.NoKey])
	}
	if opts.NoKey {
		io.Warn("--no-key: every process that can connect to %s uses your identity at the gateway", addr)
	}

	signals := opts.signals
	if signals == nil {
		signals = Signals
	}
	sigs, stop := signals()
	defer stop()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := Serve(runCtx, ln, up.Handler(key, true), up)

	local := "http://" + LocalAddr(ln)
	fmt.Fprintf(io.Out, "OPENAI_BASE_URL=%s/v1\n", local)
	if created {
		// The key's one appearance; from now on it is read from the file.
		fmt.Fprintf(io.Out, "OPENAI_API_KEY=%s\n", key)
	}
	io.Infof("igctl proxy: %s -> %s (profile %s)", local, up.URL.Redacted(), up.Session.Name)
	switch {
	case opts.NoKey:
		io.Infof("clients need no API key (--no-key)")
	case created:
		io.Infof("a new local key was written to %s (0600) and printed above, this once: clients send it as their API key", keyFile)
	default:
		io.Infof("clients send the local key in %s as their API key: OPENAI_API_KEY=$(cat %s)", keyFile, keyFile)
	}
	warnIfGatewayDown(ctx, io, up)
	if opts.started != nil {
		opts.started(local)
	}

	select {
	case err := <-srv.Done():
		return cmdutil.Fail(cmdutil.Network, fmt.Errorf("the proxy stopped serving: %w", err), "")
	case sig := <-sigs:
		n := srv.InFlight()
		io.Infof("igctl proxy: %s: no new connections; draining %d request(s) in flight (up to %s; a second signal cuts them)", sig, n, opts.DrainTimeout)
		cut := srv.Drain(opts.DrainTimeout, sigs)
		cancel()
		if cut > 0 {
			io.Warn("cut %d request(s) still in flight", cut)
		} else {
			io.Infof("igctl proxy: stopped")
		}
	}
	return nil
}

// defaultKeyFile is where a profile's local key lives unless --key-file says.
func defaultKeyFile(configDir, profile string) string {
	return filepath.Join(configDir, "proxy", profile+".key")
}

// printKeyPath prints the key file's absolute path, for
// OPENAI_API_KEY=$(cat "$(igctl proxy --print-key-path)"): the default
// follows --config-dir, IGCTL_CONFIG_DIR and --profile, which a path
// written out by hand would not.
func printKeyPath(opts *Options) error {
	if opts.NoKey {
		return cmdutil.FlagError("--print-key-path and --no-key exclude each other")
	}
	path := opts.KeyFile
	if path == "" {
		name, err := opts.ProfileName()
		if err != nil {
			return err
		}
		path = defaultKeyFile(opts.ConfigDir(), name)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	fmt.Fprintln(opts.IO.Out, path)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		opts.IO.Infof("no key there yet: the first `igctl proxy` of this profile writes one")
	}
	return nil
}

// warnIfGatewayDown probes the public /health once: a gateway that is down
// now may come up later, so it is a warning, not a failure.
func warnIfGatewayDown(ctx context.Context, io *iostreams.IOStreams, up *Upstream) {
	u := *up.URL
	u.Path = strings.TrimRight(u.Path, "/") + "/health"
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		io.Warn("cannot probe the gateway at %s: %v", up.URL.Redacted(), err)
		return
	}
	resp, err := (&http.Client{Transport: up.Transport}).Do(req)
	if err != nil {
		io.Warn("the gateway does not answer at %s: %v; requests get 502 until it does", up.URL.Redacted(), unwrap(err))
		return
	}
	resp.Body.Close()
}

func unwrap(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// loadOrCreateKey reads the local key, or creates it (0600) on first use.
func loadOrCreateKey(path string) (key string, created bool, err error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		st, serr := os.Stat(path)
		if serr == nil && st.Mode().Perm()&0o077 != 0 {
			return "", false, cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("the key file %s is readable by other users (mode %04o)", path, st.Mode().Perm()),
				"chmod 600 "+path+", or delete it for a new key")
		}
		key = strings.TrimSpace(string(data))
		if key == "" {
			return "", false, cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("the key file %s is empty", path), "delete it: igctl proxy then writes a new key")
		}
		return key, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", false, cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("reading the key file: %w", err), "")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", false, cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("creating the key file's directory: %w", err), "")
	}
	key = proxy.NewKey()
	if err := atomicfile.Write(path, []byte(key+"\n"), 0o600, false); err != nil {
		return "", false, cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("writing the key file: %w", err), "")
	}
	return key, true, nil
}
