package keycloakcmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/inference-gateway/igctl/internal/atomicfile"
	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/keycloak"
	"github.com/inference-gateway/igctl/internal/token"
)

func bootstrapRun(ctx context.Context, opts *BootstrapOptions) error {
	spec, err := bootstrapSpec(opts)
	if err != nil {
		return err
	}
	hc, err := opts.HTTPClient("")
	if err != nil {
		return err
	}
	if opts.Wait > 0 {
		if err := waitReady(ctx, opts.IO, hc, opts.URL, opts.Wait); err != nil {
			return err
		}
	}
	creds, err := adminCredentials(opts)
	if err != nil {
		return err
	}
	admin := keycloak.NewAdmin(opts.URL, hc, creds)
	up := &userPassword{opts: opts, given: opts.UserPassword.Stdin || opts.UserPassword.File != "" || opts.Getenv("IGCTL_USER_PASSWORD") != ""}
	kopts := keycloak.Options{DryRun: opts.DryRun, RotateSecret: opts.RotateSecret, UserPassword: up.get}
	if err := refuseLocally(opts, spec, up); err != nil {
		return err
	}
	if err := admin.Login(ctx); err != nil {
		return err
	}
	// A user to create needs a password: ask for it (or fail for want of
	// a source) now, before the realm, client and mapper are written.
	if !up.given && !opts.DryRun {
		if err := askForNewUser(ctx, admin, spec, up); err != nil {
			return err
		}
	}
	res, err := keycloak.Bootstrap(ctx, admin, spec, kopts)
	if !errors.Is(ctx.Err(), context.Canceled) {
		// a run cancelled by a signal says only that (a re-run
		// converges); a table of what it reached would read as a result
		printResult(opts, res)
	}
	if err != nil {
		return classify(err)
	}
	if opts.DryRun {
		if res.Changed() {
			return cmdutil.Failf(cmdutil.Drift, "Keycloak differs from the wanted state (dry run: nothing was changed)")
		}
		opts.IO.Success("Keycloak already matches: nothing to change")
		return nil
	}
	if len(res.Clients) > 0 {
		return handOver(ctx, opts, spec, res.Clients[0])
	}
	return nil
}

// bootstrapSpec is the wanted state: the --spec file, or the one realm the
// flags describe.
func bootstrapSpec(opts *BootstrapOptions) (*keycloak.Spec, error) {
	var spec *keycloak.Spec
	if opts.SpecFile != "" {
		var err error
		spec, err = keycloak.LoadSpec(opts.SpecFile, os.LookupEnv)
		if err != nil {
			return nil, err
		}
	} else {
		spec = keycloak.DefaultSpec(opts.Realm, opts.ClientID, opts.Username)
		if opts.PublicClient != "" {
			spec.Realms[0].Clients = append(spec.Realms[0].Clients, keycloak.PublicClientSpec(opts.PublicClient, opts.ClientID))
		}
		if opts.Federated.Client != "" {
			f := opts.Federated
			f.Audience = opts.ClientID
			spec.Realms[0].Federated = append(spec.Realms[0].Federated, f)
		}
	}
	if opts.AccessTokenLifespan > 0 {
		for i := range spec.Realms {
			spec.Realms[i].AccessTokenLifespan = int(opts.AccessTokenLifespan / time.Second)
		}
	}
	return spec, nil
}

// adminCredentials reads the admin client's secret or the admin's password.
func adminCredentials(opts *BootstrapOptions) (keycloak.Credentials, error) {
	creds := keycloak.Credentials{Username: opts.AdminUser}
	var err error
	if opts.AdminClientID != "" {
		creds.ClientID = opts.AdminClientID
		creds.ClientSecret, err = opts.ReadSecret(opts.AdminClientSecret, cmdutil.SecretSpec{What: "admin client secret", Flag: "admin-client-secret", Env: "KEYCLOAK_ADMIN_CLIENT_SECRET"})
	} else {
		creds.Password, err = opts.ReadSecret(opts.AdminPassword, cmdutil.SecretSpec{What: "admin password", Flag: "admin-password", Env: "KEYCLOAK_ADMIN_PASSWORD"})
	}
	return creds, err
}

// userPassword reads the password for the users the bootstrap creates, once,
// and only when one is needed or was given.
type userPassword struct {
	opts  *BootstrapOptions
	given bool // a source was named (flag or environment)
	pw    string
}

// get is keycloak.Options.UserPassword.
func (up *userPassword) get(realm, username string, needed bool) (string, error) {
	if up.pw != "" {
		return up.pw, nil
	}
	if !needed && !up.given {
		return "", nil
	}
	if needed && up.opts.DryRun && !up.given {
		return "", nil // a plan needs no password
	}
	pw, err := up.opts.ReadSecret(up.opts.UserPassword, cmdutil.SecretSpec{What: "password for user " + username, Flag: "user-password", Env: "IGCTL_USER_PASSWORD"})
	up.pw = pw
	return pw, err
}

// refuseLocally refuses what can be refused locally before the first write,
// so a run that fails on a missing password file or output directory has
// changed nothing in Keycloak.
func refuseLocally(opts *BootstrapOptions, spec *keycloak.Spec, up *userPassword) error {
	if up.given {
		who := "the users"
		for _, r := range spec.Realms {
			if len(r.Users) > 0 {
				who = "user " + r.Users[0].Username
				break
			}
		}
		pw, err := opts.ReadSecret(opts.UserPassword, cmdutil.SecretSpec{What: "password for " + who, Flag: "user-password", Env: "IGCTL_USER_PASSWORD"})
		if err != nil {
			return err
		}
		up.pw = pw
	}
	if !opts.DryRun {
		for _, file := range opts.WriteEnv {
			if err := checkEnvTarget(file); err != nil {
				return err
			}
		}
	}
	return nil
}

// askForNewUser asks for the password of the first user the bootstrap will
// create, if any.
func askForNewUser(ctx context.Context, admin *keycloak.Admin, spec *keycloak.Spec, up *userPassword) error {
	fresh, err := keycloak.UsersToCreate(ctx, admin, spec)
	if err != nil {
		return classify(err)
	}
	if len(fresh) > 0 {
		if _, err := up.get(fresh[0].Realm, fresh[0].Username, true); err != nil {
			return err
		}
	}
	return nil
}

// handOver gives the first client's settings to the user: the --write-env
// files, the ways to log in, and with --login a logged-in profile.
func handOver(ctx context.Context, opts *BootstrapOptions, spec *keycloak.Spec, c keycloak.ClientResult) error {
	for product, file := range opts.WriteEnv {
		if err := writeEnvFile(file, product, c); err != nil {
			return err
		}
		opts.IO.Success("wrote %s settings to %s (0600)", product, file)
	}
	showLogins(opts.IO, spec, c, opts.WriteEnv["gateway"])
	if !opts.Login {
		return nil
	}
	name, err := opts.ProfileName()
	if err != nil {
		return err
	}
	// The first client is the one the written gateway .env names: what the gateway expects.
	prof := config.Profile{Issuer: c.Issuer, ClientID: c.ClientID, Grant: token.GrantClientCredentials, GatewayIssuer: c.Issuer, GatewayClientID: c.ClientID}
	return opts.CompleteLogin(ctx, name, prof, token.LoginRequest{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.Secret, Grant: token.GrantClientCredentials})
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

func waitReady(ctx context.Context, io *iostreams.IOStreams, hc *http.Client, base string, max time.Duration) error {
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
			msg := fmt.Sprintf("Keycloak at %s not ready after %s", config.ShowURL(base), max)
			if err != nil {
				return cmdutil.Fail(cmdutil.Network, fmt.Errorf("%s: %w", msg, err), "")
			}
			return cmdutil.Failf(cmdutil.Network, fmt.Sprintf("%s (HTTP %d)", msg, resp.StatusCode))
		}
		if !announced {
			io.Infof("waiting for Keycloak at %s …", config.ShowURL(base))
			announced = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// checkEnvTarget refuses a --write-env file that cannot be written: its
// directory missing or not a directory, or the file itself a directory or
// unreadable (it is updated, not replaced).
func checkEnvTarget(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("--write-env %s: the directory %s does not exist", path, dir), "create it first, or write the file elsewhere")
	case err != nil:
		return cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("--write-env %s: %w", path, err), "")
	case !st.IsDir():
		return cmdutil.Failf(cmdutil.BadConfig, fmt.Sprintf("--write-env %s: %s is not a directory", path, dir))
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return cmdutil.Failf(cmdutil.BadConfig, fmt.Sprintf("--write-env %s is a directory", path))
	}
	if f, err := os.Open(path); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return cmdutil.Fail(cmdutil.BadConfig, fmt.Errorf("--write-env %s: %w", path, err), "")
	}
	return nil
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
