// Package keycloakcmd implements `igctl keycloak bootstrap`.
package keycloakcmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/atomicfile"
	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/cli/login"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/keycloak"
	"github.com/inference-gateway/igctl/internal/token"
)

// NewCmdKeycloak is the `keycloak` group.
func NewCmdKeycloak(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "keycloak",
		GroupID: "setup",
		Short:   "Set up Keycloak for the gateway through its admin REST API",
	}
	cmd.AddCommand(NewCmdBootstrap(f, nil))
	return cmd
}

// BootstrapOptions for `igctl keycloak bootstrap`.
type BootstrapOptions struct {
	F *cmdutil.Factory

	URL, AdminUser            string
	AdminPassword             cmdutil.SecretFlags
	AdminClientID             string
	AdminClientSecret         cmdutil.SecretFlags
	Realm, ClientID, Username string
	UserPassword              cmdutil.SecretFlags
	SpecFile                  string
	DryRun, RotateSecret      bool
	ShowSecret, JSON, Login   bool
	Wait                      time.Duration
	AccessTokenLifespan       time.Duration
	WriteEnv                  map[string]string // product -> file
	// PublicClient is the client id of a public client for people (no
	// secret; browser and device logins), "" for none.
	PublicClient string
}

// NewCmdBootstrap builds the command; runF replaces the run function in tests.
func NewCmdBootstrap(f *cmdutil.Factory, runF func(*BootstrapOptions) error) *cobra.Command {
	opts := &BootstrapOptions{F: f}
	var writeEnv string
	cmd := &cobra.Command{
		Use:   "bootstrap",
		Short: "Ensure realm, confidential client, audience mapper, users and roles (idempotent)",
		Long: `Make Keycloak hold what the gateway's authentication guide sets up by hand:
a realm, a confidential client (service account and direct access grants on, the
browser flow off), an audience mapper so that aud contains the client id (the
gateway rejects tokens without it), and a test user with email, first and last
name and a non-temporary password. -f spec.yaml describes more realms, clients,
roles and users; ${VAR} in it is substituted from the environment and an
undefined variable is an error.

Each object is looked up first and only created or updated where it differs, so
a re-run changes nothing and says so. The client secret is never rotated unless
--rotate-secret and never printed unless --show-secret. --dry-run prints the
plan with field-level differences and exits 8 when anything would change.

The admin password comes from --admin-password-stdin, --admin-password-file,
KEYCLOAK_ADMIN_PASSWORD or a prompt. For CI, a master-realm service-account client
(with the admin role) works instead: --admin-client-id (or KEYCLOAK_ADMIN_CLIENT_ID)
with its secret from --admin-client-secret-stdin, --admin-client-secret-file or
KEYCLOAK_ADMIN_CLIENT_SECRET; the test user's from --user-password-stdin,
--user-password-file, IGCTL_USER_PASSWORD or a prompt (only needed to create the
user, or to check and reset its password).`,
		Example: `  # the guide's set-up, .env files for both products, and a logged-in profile
  export KEYCLOAK_ADMIN_PASSWORD=...   # or --admin-password-file
  igctl keycloak bootstrap --url http://localhost:8080 --user-password-file pw.txt \
    --write-env gateway=.env.gateway,adk=.env.adk --login

  # in CI: fail when Keycloak drifted from the spec
  igctl keycloak bootstrap -f keycloak.yaml --dry-run`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			stdins := 0
			for _, b := range []bool{opts.AdminPassword.Stdin, opts.UserPassword.Stdin, opts.AdminClientSecret.Stdin} {
				if b {
					stdins++
				}
			}
			if stdins > 1 {
				return cmdutil.FlagError("only one secret can come from stdin: put the others in files")
			}
			if opts.AdminClientID == "" {
				opts.AdminClientID = f.Getenv("KEYCLOAK_ADMIN_CLIENT_ID")
			}
			we, err := parseWriteEnv(writeEnv)
			if err != nil {
				return err
			}
			opts.WriteEnv = we
			if opts.URL == "" {
				opts.URL = f.Getenv("KEYCLOAK_URL")
			}
			if opts.URL == "" {
				return cmdutil.FlagError("--url (or KEYCLOAK_URL) is required, e.g. http://localhost:8080")
			}
			opts.URL = strings.TrimRight(opts.URL, "/")
			if err := checkBaseURL(opts.URL); err != nil {
				return err
			}
			if opts.Wait < 0 {
				return cmdutil.FlagError("--wait must not be negative, not %s (0 means do not wait)", opts.Wait)
			}
			if opts.AccessTokenLifespan < 0 || (opts.AccessTokenLifespan > 0 && opts.AccessTokenLifespan < time.Second) {
				return cmdutil.FlagError("--access-token-lifespan must be at least 1s, not %s", opts.AccessTokenLifespan)
			}
			if opts.SpecFile != "" && (cmd.Flags().Changed("realm") || cmd.Flags().Changed("client-id") || cmd.Flags().Changed("username")) {
				return cmdutil.FlagError("-f describes realms, clients and users: drop --realm, --client-id and --username")
			}
			if opts.SpecFile == "" {
				if err := checkNames(opts); err != nil {
					return err
				}
			}
			if opts.PublicClient != "" {
				if opts.SpecFile != "" {
					return cmdutil.FlagError("-f describes the clients: give the public client `public: true` (and `audience: GATEWAY-CLIENT-ID`) in the spec instead of --public-client")
				}
				if err := keycloak.ValidateClientID(opts.PublicClient, false, true); err != nil {
					return cmdutil.FlagError("--public-client: %v", err)
				}
				if opts.PublicClient == opts.ClientID {
					return cmdutil.FlagError("--public-client must differ from --client-id (the gateway's confidential client)")
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return bootstrapRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.URL, "url", "", "Keycloak base URL (env KEYCLOAK_URL)")
	fl.StringVar(&opts.AdminUser, "admin-user", "admin", "master-realm admin user")
	fl.BoolVar(&opts.AdminPassword.Stdin, "admin-password-stdin", false, "read the admin password from stdin")
	fl.StringVar(&opts.AdminPassword.File, "admin-password-file", "", "read the admin password from a file")
	fl.StringVar(&opts.AdminClientID, "admin-client-id", "", "log in as this master-realm service-account client instead of a user (env KEYCLOAK_ADMIN_CLIENT_ID)")
	fl.BoolVar(&opts.AdminClientSecret.Stdin, "admin-client-secret-stdin", false, "read the admin client's secret from stdin")
	fl.StringVar(&opts.AdminClientSecret.File, "admin-client-secret-file", "", "read the admin client's secret from a file")
	fl.StringVar(&opts.Realm, "realm", keycloak.DefaultRealm, "realm to ensure")
	fl.StringVar(&opts.ClientID, "client-id", keycloak.DefaultClientID, "confidential client to ensure")
	fl.StringVar(&opts.Username, "username", keycloak.DefaultUsername, "test user to ensure (email USERNAME@example.com)")
	fl.BoolVar(&opts.UserPassword.Stdin, "user-password-stdin", false, "read the test user's password from stdin")
	fl.StringVar(&opts.UserPassword.File, "user-password-file", "", "read the test user's password from a file")
	fl.StringVarP(&opts.SpecFile, "file", "f", "", "YAML spec of realms, clients, roles and users")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the plan; exit 8 if anything would change")
	fl.BoolVar(&opts.RotateSecret, "rotate-secret", false, "generate new client secrets")
	fl.BoolVar(&opts.ShowSecret, "show-secret", false, "print client secrets on stdout")
	fl.BoolVar(&opts.JSON, "json", false, "print JSON")
	fl.BoolVar(&opts.Login, "login", false, "save a profile for the (first) client and log in with client credentials")
	fl.DurationVar(&opts.Wait, "wait", 0, "wait up to this long for Keycloak to be ready")
	fl.DurationVar(&opts.AccessTokenLifespan, "access-token-lifespan", 0, "set the realm's access-token lifespan (e.g. 15m; Keycloak's default is 5m), so `igctl token --min-valid` can ask for that much")
	fl.StringVar(&writeEnv, "write-env", "", "write .env files: gateway=FILE,adk=FILE (0600)")
	fl.StringVar(&opts.PublicClient, "public-client", "", "also ensure a public client with this id for people: no secret, PKCE S256, browser and device logins, loopback redirects, direct grants off, aud holding --client-id")
	return cmd
}

// checkBaseURL refuses a Keycloak URL that no request could be built from.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return cmdutil.FlagError("--url (or KEYCLOAK_URL) is not a URL: %v", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cmdutil.FlagError("--url (or KEYCLOAK_URL) must be an http:// or https:// URL with a host, e.g. http://localhost:8080, not %q", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return cmdutil.FlagError("--url (or KEYCLOAK_URL) is the server's base URL: drop the query or fragment from %q", raw)
	}
	return nil
}

// checkNames applies Keycloak's name rules to --realm, --client-id and
// --username before any request is sent.
func checkNames(opts *BootstrapOptions) error {
	for _, c := range []struct {
		flag string
		err  error
	}{
		{"--realm", keycloak.ValidateRealmName(opts.Realm)},
		// the default client has a service account and the audience mapper
		{"--client-id", keycloak.ValidateClientID(opts.ClientID, true, true)},
		{"--username", keycloak.ValidateUsername(opts.Username)},
	} {
		if c.err != nil {
			return cmdutil.FlagError("%s: %v", c.flag, c.err)
		}
	}
	return nil
}

func parseWriteEnv(s string) (map[string]string, error) {
	out := map[string]string{}
	if s == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		product, file, ok := strings.Cut(part, "=")
		if !ok || file == "" || (product != "gateway" && product != "adk") {
			return nil, cmdutil.FlagError("--write-env takes gateway=FILE,adk=FILE, not %q", part)
		}
		out[product] = file
	}
	return out, nil
}

func bootstrapRun(ctx context.Context, opts *BootstrapOptions) error {
	f := opts.F
	var spec *keycloak.Spec
	if opts.SpecFile != "" {
		var err error
		spec, err = keycloak.LoadSpec(opts.SpecFile, os.LookupEnv)
		if err != nil {
			return err
		}
	} else {
		spec = keycloak.DefaultSpec(opts.Realm, opts.ClientID, opts.Username)
		if opts.PublicClient != "" {
			spec.Realms[0].Clients = append(spec.Realms[0].Clients, keycloak.PublicClientSpec(opts.PublicClient, opts.ClientID))
		}
	}
	if opts.AccessTokenLifespan > 0 {
		for i := range spec.Realms {
			spec.Realms[i].AccessTokenLifespan = int(opts.AccessTokenLifespan / time.Second)
		}
	}
	hc, err := f.HTTPClient("")
	if err != nil {
		return err
	}
	if opts.Wait > 0 {
		if err := waitReady(ctx, f, hc, opts.URL, opts.Wait); err != nil {
			return err
		}
	}
	creds := keycloak.Credentials{Username: opts.AdminUser}
	if opts.AdminClientID != "" {
		creds.ClientID = opts.AdminClientID
		creds.ClientSecret, err = f.ReadSecret(opts.AdminClientSecret, cmdutil.SecretSpec{What: "admin client secret", Flag: "admin-client-secret", Env: "KEYCLOAK_ADMIN_CLIENT_SECRET"})
	} else {
		creds.Password, err = f.ReadSecret(opts.AdminPassword, cmdutil.SecretSpec{What: "admin password", Flag: "admin-password", Env: "KEYCLOAK_ADMIN_PASSWORD"})
	}
	if err != nil {
		return err
	}
	admin := keycloak.NewAdmin(opts.URL, hc, creds)
	userPWGiven := opts.UserPassword.Stdin || opts.UserPassword.File != "" || f.Getenv("IGCTL_USER_PASSWORD") != ""
	var userPW string
	kopts := keycloak.Options{
		DryRun: opts.DryRun, RotateSecret: opts.RotateSecret,
		UserPassword: func(realm, username string, needed bool) (string, error) {
			if userPW != "" {
				return userPW, nil
			}
			if !needed && !userPWGiven {
				return "", nil
			}
			if needed && opts.DryRun && !userPWGiven {
				return "", nil // a plan needs no password
			}
			pw, err := f.ReadSecret(opts.UserPassword, cmdutil.SecretSpec{What: "password for user " + username, Flag: "user-password", Env: "IGCTL_USER_PASSWORD"})
			userPW = pw
			return pw, err
		},
	}
	if err := admin.Login(ctx); err != nil {
		return err
	}
	res, err := keycloak.Bootstrap(ctx, admin, spec, kopts)
	printResult(f, opts, res)
	if err != nil {
		return classify(err)
	}
	if opts.DryRun {
		if res.Changed() {
			return cmdutil.Failf(cmdutil.Drift, "Keycloak differs from the wanted state (dry run: nothing was changed)")
		}
		f.IO.Success("Keycloak already matches: nothing to change")
		return nil
	}
	if len(res.Clients) > 0 {
		c := res.Clients[0]
		for product, file := range opts.WriteEnv {
			if err := writeEnvFile(file, product, c); err != nil {
				return err
			}
			f.IO.Success("wrote %s settings to %s (0600)", product, file)
		}
		showLogins(f, spec, c, opts.WriteEnv["gateway"])
		if opts.Login {
			name, err := f.ProfileName()
			if err != nil {
				return err
			}
			// The first client is the one the written gateway .env names: what the gateway expects.
			prof := config.Profile{Issuer: c.Issuer, ClientID: c.ClientID, Grant: token.GrantClientCredentials, GatewayIssuer: c.Issuer, GatewayClientID: c.ClientID}
			if err := login.Complete(ctx, f, name, prof, token.LoginRequest{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.Secret, Grant: token.GrantClientCredentials}); err != nil {
				return err
			}
		}
	}
	return nil
}

// classify gives the bootstrap's own errors their exit codes.
func classify(err error) error {
	var nameErr *keycloak.NameError
	var refErr *keycloak.RefError
	switch {
	case errors.As(err, &refErr):
		hint := "create it first, or fix the name in the spec"
		if refErr.Client != "" && refErr.Missing == "role" {
			hint = fmt.Sprintf("list it under roles: of client %s in the spec, or fix the name", refErr.Client)
		}
		return cmdutil.Fail(cmdutil.BadConfig, err, hint)
	case errors.As(err, &nameErr):
		return cmdutil.Fail(cmdutil.Usage, err, "")
	}
	return err
}

func waitReady(ctx context.Context, f *cmdutil.Factory, hc *http.Client, base string, max time.Duration) error {
	deadline := time.Now().Add(max)
	u := base + "/realms/master/.well-known/openid-configuration"
	announced := false
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return cmdutil.Fail(cmdutil.Usage, fmt.Errorf("--url %s: %w", base, err), "")
		}
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("Keycloak at %s not ready after %s", base, max)
			if err != nil {
				return cmdutil.Fail(cmdutil.Network, fmt.Errorf("%s: %w", msg, err), "")
			}
			return cmdutil.Failf(cmdutil.Network, fmt.Sprintf("%s (HTTP %d)", msg, resp.StatusCode))
		}
		if !announced {
			f.IO.Infof("waiting for Keycloak at %s …", base)
			announced = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// writeEnvFile updates (or creates) a .env with the client's settings in the
// product's naming, keeping every other line, atomically and 0600.
func writeEnvFile(path, product string, c keycloak.ClientResult) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return cmdutil.Fail(cmdutil.BadConfig, err, "")
	}
	file := envmap.Parse(data)
	if len(data) == 0 {
		file = envmap.Parse([]byte("# OIDC settings written by igctl keycloak bootstrap\n"))
	}
	envmap.SetAuth(file, product, envmap.Auth{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.Secret})
	if err := atomicfile.Write(path, []byte(file.String()), 0o600, false); err != nil {
		return cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("writing %s: %w", path, err), "")
	}
	return nil
}

type jsonClient struct {
	Realm    string `json:"realm"`
	ClientID string `json:"client_id"`
	Issuer   string `json:"issuer"`
	Secret   string `json:"secret,omitempty"`
}

func printResult(f *cmdutil.Factory, opts *BootstrapOptions, res *keycloak.Result) {
	if res == nil {
		return
	}
	if opts.JSON {
		out := struct {
			DryRun  bool              `json:"dry_run"`
			Objects []keycloak.Change `json:"objects"`
			Clients []jsonClient      `json:"clients"`
		}{DryRun: opts.DryRun, Objects: res.Objects, Clients: []jsonClient{}}
		if out.Objects == nil {
			out.Objects = []keycloak.Change{}
		}
		for _, c := range res.Clients {
			jc := jsonClient{Realm: c.Realm, ClientID: c.ClientID, Issuer: c.Issuer}
			if opts.ShowSecret {
				jc.Secret = c.Secret
			}
			out.Clients = append(out.Clients, jc)
		}
		json.NewEncoder(f.IO.Out).Encode(out)
	} else {
		printTable(f, opts, res)
	}
	counts := map[string]int{}
	for _, c := range res.Objects {
		counts[c.Action]++
	}
	summary := fmt.Sprintf("%d created, %d updated, %d unchanged", counts[keycloak.Created], counts[keycloak.Updated], counts[keycloak.Unchanged])
	if opts.DryRun {
		summary = "plan: " + strings.ReplaceAll(strings.ReplaceAll(summary, "created", "to create"), "updated", "to update")
	}
	f.IO.Infof("%s (%d write requests)", summary, res.Writes)
}

func printTable(f *cmdutil.Factory, opts *BootstrapOptions, res *keycloak.Result) {
	verb := map[string]string{keycloak.Created: "created", keycloak.Updated: "updated", keycloak.Unchanged: "unchanged"}
	if opts.DryRun {
		verb = map[string]string{keycloak.Created: "would create", keycloak.Updated: "would update", keycloak.Unchanged: "unchanged"}
	}
	tw := tabwriter.NewWriter(f.IO.Out, 0, 4, 2, ' ', 0)
	if f.IO.IsStdoutTTY() {
		fmt.Fprintln(tw, "ACTION\tKIND\tNAME\tREALM")
	}
	for _, c := range res.Objects {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", verb[c.Action], c.Kind, c.Name, c.Realm)
		for _, d := range c.Diffs {
			fmt.Fprintf(tw, "\t\t  %s: %s → %s\t\n", d.Field, d.From, d.To)
		}
	}
	tw.Flush()
	if opts.ShowSecret {
		for _, c := range res.Clients {
			fmt.Fprintf(f.IO.Out, "secret\t%s/%s\t%s\n", c.Realm, c.ClientID, c.Secret)
		}
	}
}

// showLogins says how people (the public client, when there is one) and CI
// (the confidential client's service account) log in.
func showLogins(f *cmdutil.Factory, spec *keycloak.Spec, gw keycloak.ClientResult, gatewayEnv string) {
	for _, realm := range spec.Realms {
		if realm.Name != gw.Realm {
			continue
		}
		for _, c := range realm.Clients {
			if !c.Public {
				continue
			}
			f.IO.Infof("people log in with: igctl login --web --issuer %s --client-id %s --gateway-client-id %s   (--device on SSH sessions)",
				gw.Issuer, c.ClientID, gw.ClientID)
		}
	}
	if gatewayEnv != "" {
		f.IO.Infof("CI logs in with: igctl login --from-env %s --grant client-credentials", gatewayEnv)
	}
}
