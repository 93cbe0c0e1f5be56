package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/token"
)

// SecretFlags are the ways a secret may arrive: never as a plain flag value,
// which would show in `ps` and shell history.
type SecretFlags struct {
	Stdin bool
	File  string
}

// SecretSpec names a secret for messages and says where else to look.
type SecretSpec struct {
	What     string // "client secret"
	Flag     string // "client-secret" (for --client-secret-stdin / -file)
	Env      string // IGCTL_CLIENT_SECRET
	Optional bool   // "" is a valid answer (public clients)
}

// ReadSecret reads a secret from --X-stdin, --X-file, the environment or a
// no-echo prompt on a terminal, in that order.
func (f *Factory) ReadSecret(flags SecretFlags, spec SecretSpec) (string, error) {
	switch {
	case flags.Stdin:
		s, err := iostreams.ReadSecretLine(f.IO.In)
		if err != nil {
			return "", Fail(Usage, fmt.Errorf("reading the %s from stdin: %w", spec.What, err), "")
		}
		return s, nil
	case flags.File != "":
		st, err := os.Stat(flags.File)
		if err != nil {
			// The name is not repeated: a secret given by mistake
			// (--client-secret-file=VALUE) must not be echoed.
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return "", Fail(BadConfig, fmt.Errorf("reading the %s from --%s-file: %w (the name is not repeated here, in case it is the secret itself)", spec.What, spec.Flag, err),
				"give the path of a file that holds the "+spec.What+", or use --"+spec.Flag+"-stdin")
		}
		// Permissions only mean something for a regular file: a pipe
		// (--password-file <(pass show x)) or a device has no other readers
		// to protect the secret from, and chmod would not help.
		if st.Mode().IsRegular() && st.Mode().Perm()&0o077 != 0 {
			f.IO.Warn("%s is readable by other users (mode %s): chmod 600 it", flags.File, st.Mode().Perm())
		}
		if st.IsDir() {
			return "", Fail(BadConfig, fmt.Errorf("reading the %s from %s: it is a directory", spec.What, flags.File),
				"give the path of a file that holds the "+spec.What+" on its first line, or use --"+spec.Flag+"-stdin")
		}
		fh, err := os.Open(flags.File)
		if err != nil {
			return "", Fail(BadConfig, fmt.Errorf("reading the %s from %s: %w", spec.What, flags.File, errors.Unwrap(err)), "")
		}
		defer fh.Close()
		s, err := iostreams.ReadSecretLine(fh)
		switch {
		case errors.Is(err, iostreams.ErrEmptySecret):
			return "", Fail(BadConfig, emptySecretFile(spec.What, flags.File, st),
				"put the "+spec.What+" on the first line of a regular file with mode 0600, or use --"+spec.Flag+"-stdin")
		case err != nil:
			return "", Fail(BadConfig, fmt.Errorf("reading the %s from %s: %w", spec.What, flags.File, err), "")
		}
		return s, nil
	}
	if v := f.Getenv(spec.Env); v != "" {
		return v, nil
	}
	s, err := f.IO.PromptSecret(strings.ToUpper(spec.What[:1]) + spec.What[1:])
	if errors.Is(err, iostreams.ErrNoTTY) {
		if spec.Optional {
			return "", nil
		}
		return "", Failf(Usage, fmt.Sprintf("the %s is needed: use --%s-stdin, --%s-file FILE or %s (no terminal to prompt on)",
			spec.What, spec.Flag, spec.Flag, spec.Env))
	}
	return s, err
}

// emptySecretFile says why --X-file gave no secret: a device or pipe that
// gave nothing (/dev/null), an empty file, or an empty first line.
func emptySecretFile(what, path string, st fs.FileInfo) error {
	switch mode := st.Mode(); {
	case mode&fs.ModeCharDevice != 0:
		return fmt.Errorf("reading the %s from %s: it is a character device, not a file, and it gave nothing", what, path)
	case mode&fs.ModeDevice != 0:
		return fmt.Errorf("reading the %s from %s: it is a device, not a file, and it gave nothing", what, path)
	case mode&fs.ModeNamedPipe != 0:
		return fmt.Errorf("reading the %s from %s: the pipe gave nothing", what, path)
	case mode.IsRegular() && st.Size() == 0:
		return fmt.Errorf("reading the %s from %s: the file is empty", what, path)
	case mode.IsRegular():
		return fmt.Errorf("reading the %s from %s: its first line is empty (igctl reads the first line only)", what, path)
	}
	return fmt.Errorf("reading the %s from %s: it gave nothing", what, path)
}

// TokenStore opens the token store chosen by --token-store / IGCTL_TOKEN_STORE.
func (f *Factory) TokenStore() (token.Store, error) {
	return token.OpenStore(token.StoreOptions{
		Kind: f.Globals.TokenStore, Dir: f.ConfigDir(), Getenv: f.Getenv,
		Warn: func(key, msg string) {
			if f.ReportStore {
				f.storeMu.Lock()
				f.storeWarnings = append(f.storeWarnings, [2]string{key, msg})
				f.storeMu.Unlock()
			}
		},
		// On a terminal the keyring may show an unlock prompt: give it time.
		KeyringTimeout: map[bool]time.Duration{true: 30 * time.Second, false: 3 * time.Second}[f.IO.IsStdinTTY()],
	})
}

// FlushStoreWarnings prints the token store's held warnings (each once) on
// stderr; the root command calls it when a command has succeeded.
func (f *Factory) FlushStoreWarnings() {
	f.storeMu.Lock()
	held := f.storeWarnings
	f.storeWarnings = nil
	f.storeMu.Unlock()
	for _, w := range held {
		f.IO.WarnOnce(w[0], "%s", w[1])
	}
}

// TokenManager returns a manager over the token store; caFile is the
// profile's CA file (--ca-file wins).
func (f *Factory) TokenManager(caFile string) (*token.Manager, error) {
	store, err := f.TokenStore()
	if err != nil {
		return nil, err
	}
	return &token.Manager{Store: store, HTTP: func() (*http.Client, error) { return f.HTTPClient(caFile) }, Now: f.Now, Want: f.profileIdentity}, nil
}

// profileIdentity is the identity a profile's stored token must have.
func (f *Factory) profileIdentity(profile string) *token.Identity {
	cfg, err := f.Config()
	if err != nil {
		return nil
	}
	p, ok := cfg.Profiles[profile]
	if !ok {
		return nil
	}
	return &token.Identity{Issuer: p.Issuer, ClientID: p.ClientID, Grant: p.Grant, Username: p.Username}
}

// MaskToken shows enough of a token to tell two apart, and nothing usable.
func MaskToken(tok string) string {
	if tok == "" {
		return "-"
	}
	if len(tok) <= 12 {
		return "****"
	}
	return fmt.Sprintf("%s…(%d bytes)", tok[:6], len(tok))
}

// Until formats a remaining duration for people.
func Until(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	if d < 0 {
		return "expired " + (-d).String() + " ago"
	}
	return "in " + d.String()
}
