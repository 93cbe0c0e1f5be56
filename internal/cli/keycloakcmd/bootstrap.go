// Package keycloakcmd implements `igctl keycloak bootstrap`.
package keycloakcmd

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/cli/loginflow"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/iostreams"
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

// BootstrapOptions for `igctl keycloak bootstrap`: what bootstrapRun reads,
// and nothing else.
type BootstrapOptions struct {
	IO          *iostreams.IOStreams
	HTTPClient  func(caFile string) (*http.Client, error)
	ReadSecret  func(cmdutil.SecretFlags, cmdutil.SecretSpec) (string, error)
	Getenv      func(string) string
	ProfileName func() (string, error) // the profile --login saves
	// CompleteLogin runs --login's client-credentials grant, stores the
	// token and saves the profile (loginflow's Complete).
	CompleteLogin func(ctx context.Context, name string, prof config.Profile, req token.LoginRequest) error

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
	// Federated is one client authenticated by a CI platform's token
	// (--federated-client, --federated-issuer, --federated-subject,
	// --federated-alias, --federated-allow-reuse); Client "" for none.
	Federated keycloak.FederatedSpec
}

// NewBootstrapOptions wires BootstrapOptions to f: the getters are f's,
// read when the command runs.
func NewBootstrapOptions(f *cmdutil.Factory) *BootstrapOptions {
	return &BootstrapOptions{IO: f.IO, HTTPClient: f.HTTPClient, ReadSecret: f.ReadSecret, ProfileName: f.ProfileName,
		Getenv: func(k string) string { return f.Getenv(k) }, CompleteLogin: loginflow.New(f).Complete}
}

// NewCmdBootstrap builds the command; runF replaces the run function in tests.
func NewCmdBootstrap(f *cmdutil.Factory, runF func(*BootstrapOptions) error) *cobra.Command {
	opts := NewBootstrapOptions(f)
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
			if err := checkFederatedFlags(cmd, opts); err != nil {
				return err
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
	fl.DurationVar(&opts.AccessTokenLifespan, "access-token-lifespan", 0, "set the realm's access-token lifespan (e.g. 15m; Keycloak's default is 5m), so igctl token --min-valid can ask for that much")
	fl.StringVar(&writeEnv, "write-env", "", "write .env files: gateway=FILE,adk=FILE (0600)")
	fl.StringVar(&opts.PublicClient, "public-client", "", "also ensure a public client with this id for people: no secret, PKCE S256, browser and device logins, loopback redirects, direct grants off, aud holding --client-id")
	fl.StringVar(&opts.Federated.Client, "federated-client", "", "also ensure a client that authenticates with a CI platform's token (no secret): its id")
	fl.StringVar(&opts.Federated.Issuer, "federated-issuer", "", "the CI platform's token issuer, e.g. https://token.actions.githubusercontent.com")
	fl.StringVar(&opts.Federated.Subject, "federated-subject", "", "the one sub the client accepts, e.g. repo:ORG/REPO:ref:refs/heads/main")
	fl.StringVar(&opts.Federated.Alias, "federated-alias", "", "the identity provider's alias (default: from the issuer's host; github-actions for GitHub)")
	fl.BoolVar(&opts.Federated.AllowReuse, "federated-allow-reuse", false, "accept one CI token more than once (sources that rotate slowly: Kubernetes projected tokens, GitLab id_tokens)")
	return cmd
}

// checkFederatedFlags wants the three --federated-* flags together, and
// not with -f (whose federated: entries say the same).
func checkFederatedFlags(cmd *cobra.Command, opts *BootstrapOptions) error {
	f := &opts.Federated
	any := f.Client != "" || f.Issuer != "" || f.Subject != "" || f.Alias != "" || f.AllowReuse
	if !any {
		return nil
	}
	if opts.SpecFile != "" {
		return cmdutil.FlagError("-f describes the clients: put the federated client under federated: (client, issuer, subject) in the spec instead of --federated-*")
	}
	if f.Client == "" || f.Issuer == "" || f.Subject == "" {
		return cmdutil.FlagError("--federated-client, --federated-issuer and --federated-subject go together")
	}
	if f.Client == opts.ClientID || f.Client == opts.PublicClient {
		return cmdutil.FlagError("--federated-client must differ from --client-id and --public-client")
	}
	if err := f.Validate(); err != nil {
		return cmdutil.FlagError("--federated-*: %v", err)
	}
	return nil
}

// checkBaseURL refuses a Keycloak URL that no request could be built from.
func checkBaseURL(raw string) error {
	// messages show the URL with any password in it left out
	if err := config.CheckURL(raw); err != nil {
		if strings.HasPrefix(err.Error(), "not a URL") {
			return cmdutil.FlagError("--url (or KEYCLOAK_URL) is %v", err)
		}
		return cmdutil.FlagError("--url (or KEYCLOAK_URL) must be an http:// or https:// URL with a host, e.g. http://localhost:8080, not %q", config.ShowURL(raw))
	}
	if u, _ := url.Parse(raw); u.RawQuery != "" || u.Fragment != "" {
		return cmdutil.FlagError("--url (or KEYCLOAK_URL) is the server's base URL: drop the query or fragment from %q", config.ShowURL(raw))
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
