// Package status implements `igctl status`.
package status

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/token"
)

// Options for `igctl status`: what statusRun reads, and nothing else.
type Options struct {
	IO         *iostreams.IOStreams
	Config     func() (*config.Config, error)
	TokenStore func() (token.Store, error)
	Getenv     func(string) string
	Now        func() time.Time
	Profile    func() string // --profile or IGCTL_PROFILE, "" when neither is set

	JSON bool
}

// NewOptions wires Options to f: the getters are f's, read when the command runs.
func NewOptions(f *cmdutil.Factory) *Options {
	return &Options{IO: f.IO, Config: f.Config, TokenStore: f.TokenStore, Profile: f.ExplicitProfile,
		Getenv: func(k string) string { return f.Getenv(k) }, Now: func() time.Time { return f.Now() }}
}

// NewCmdStatus builds the command.
func NewCmdStatus(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := NewOptions(f)
	cmd := &cobra.Command{
		Use:     "status",
		GroupID: "auth",
		Short:   "Show every profile's issuer, client, grant, token store and expiry",
		Long: `Show every profile with its token (masked). No network requests are made.
Exit 4 when any profile is unusable (not logged in, or expired with no way to refresh);
a profile logged out with ` + "`igctl logout`" + ` is shown as logged-out and is not unusable.`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.ReportStore = true // status says where tokens are kept: the fallback warning belongs here
			if runF != nil {
				return runF(opts)
			}
			return statusRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

// Row is one profile's status.
type Row struct {
	Profile   string `json:"profile"`
	Current   bool   `json:"current"`
	Issuer    string `json:"issuer"`
	ClientID  string `json:"client_id"`
	Grant     string `json:"grant"`
	Username  string `json:"username,omitempty"`
	Source    string `json:"source"` // keyring, file, env, none
	Token     string `json:"token"`  // masked
	ExpiresAt string `json:"expires_at,omitempty"`
	State     string `json:"state"` // valid, refreshable, expired, not-logged-in, logged-out, other-identity, keyring-locked, insecure-file, error
	Usable    bool   `json:"usable"`
	Detail    string `json:"detail,omitempty"`
}

func statusRun(opts *Options) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	now := opts.Now()
	if explicit := opts.Profile(); explicit != "" {
		// --profile / IGCTL_PROFILE naming no profile is the same mistake here as in every other command
		if _, err := cfg.Get(explicit); err != nil {
			return err
		}
	}
	current := cfg.Resolve(opts.Profile())
	var rows []Row
	if env := opts.Getenv("IGCTL_TOKEN"); env != "" {
		rows = append(rows, envRow(env, now))
	}
	var store token.Store
	if len(cfg.Profiles) > 0 {
		if store, err = opts.TokenStore(); err != nil {
			return err
		}
	}
	for _, name := range cfg.Names() {
		rows = append(rows, profileRow(name, cfg.Profiles[name], name == current, store, now))
	}
	if err := printRows(opts, rows, now); err != nil {
		return err
	}
	for _, r := range rows {
		if !r.Usable && r.State != "logged-out" {
			return cmdutil.Failf(cmdutil.AuthFailed, fmt.Sprintf("profile %s is not usable (%s)", r.Profile, r.State))
		}
	}
	return nil
}

// envRow is the row of a token given in IGCTL_TOKEN, which every profile
// gives way to.
func envRow(env string, now time.Time) Row {
	r := Row{Profile: "(IGCTL_TOKEN)", Source: "env", Token: cmdutil.MaskToken(env), State: "valid", Usable: true}
	if c, err := token.Decode(env); err == nil {
		r.Issuer = c.Issuer
		if c.Expiry != nil {
			exp := time.Unix(*c.Expiry, 0)
			r.ExpiresAt = exp.UTC().Format(time.RFC3339)
			if !exp.After(now) {
				r.State, r.Usable = "expired", false
			}
		}
	}
	return r
}

// profileRow is a profile's row: its settings and the state of the token
// the store keeps for it.
func profileRow(name string, p *config.Profile, current bool, store token.Store, now time.Time) Row {
	r := Row{Profile: name, Current: current, Issuer: p.Issuer, ClientID: p.ClientID, Grant: p.Grant, Username: p.Username, Token: "-"}
	b, err := store.Load(name)
	// after Load: where the token is (a sealed one whose keyring is
	// locked is the keyring's), or where tokens go now
	r.Source = store.Kind()
	switch {
	case errors.Is(err, token.ErrNotFound) && p.LoggedOut != "":
		// logged out on purpose: not usable, but nothing is wrong
		r.State, r.Source = "logged-out", "none"
	case errors.Is(err, token.ErrNotFound):
		r.State, r.Source = "not-logged-in", "none"
	case fault.KindOf(err) == token.InsecureFile:
		// a 0600 file, refused under IGCTL_REQUIRE_SECURE_STORAGE=1
		r.State, r.Detail = "insecure-file", err.Error()
	case cmdutil.Class(err) == cmdutil.NoStorage:
		// sealed with a key in a keyring that is locked or unreachable now
		r.State, r.Detail = "keyring-locked", err.Error()
	case err != nil:
		r.State, r.Detail = "error", err.Error()
	default:
		r.Token = cmdutil.MaskToken(b.AccessToken)
		if !b.Expiry.IsZero() {
			r.ExpiresAt = b.Expiry.UTC().Format(time.RFC3339)
		}
		switch idErr := b.CheckIdentity(name, token.Identity{Issuer: p.Issuer, ClientID: p.ClientID, Grant: p.Grant, Username: p.Username}); {
		case idErr != nil:
			// the profile's settings changed since this token was issued
			r.State, r.Detail = "other-identity", idErr.Error()
		case b.Valid(now, 0):
			r.State, r.Usable = "valid", true
		case b.CanRefresh(now):
			r.State, r.Usable = "refreshable", true
		default:
			r.State = "expired"
		}
	}
	return r
}

// printRows writes the rows as JSON or as a table.
func printRows(opts *Options, rows []Row, now time.Time) error {
	if opts.JSON {
		if rows == nil {
			rows = []Row{}
		}
		return json.NewEncoder(opts.IO.Out).Encode(rows)
	}
	if len(rows) == 0 {
		opts.IO.Infof("%s", opts.IO.Pasteable("no profiles: run `igctl login`"))
		return nil
	}
	table := make([][]string, 0, len(rows))
	for _, r := range rows {
		mark := " "
		if r.Current {
			mark = "*"
		}
		exp := "-"
		if t, err := time.Parse(time.RFC3339, r.ExpiresAt); err == nil {
			exp = cmdutil.Until(t, now)
		}
		table = append(table, []string{mark + " " + r.Profile, dash(r.Issuer), dash(r.ClientID), dash(r.Grant), r.Source, r.Token, exp, r.State})
	}
	// The two spaces before PROFILE line it up with "* name".
	return opts.IO.Table([]string{"  PROFILE", "ISSUER", "CLIENT", "GRANT", "STORE", "TOKEN", "EXPIRES", "STATE"}, table)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
