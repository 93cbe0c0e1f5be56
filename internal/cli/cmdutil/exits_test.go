package cmdutil

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/exitcode"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/token"
)

func TestExitTableKindsUnique(t *testing.T) {
	n := 0
	for _, sec := range []map[fault.Kind]row{cliRows, tokenRows, configRows, keycloakRows, envmapRows, gatewayRows} {
		n += len(sec)
	}
	if n != len(table) {
		t.Errorf("%d rows in the sections, %d in the table: a kind is declared in two sections", n, len(table))
	}
}

// Every kind a package declares has a row in the table: a kind without one
// would reach the user as exit 1, "unexpected".
func TestExitTableKnowsEveryDeclaredKind(t *testing.T) {
	decl := regexp.MustCompile(`(?m)^\s*(\w+)\s+fault\.Kind\s*=\s*"([^"]+)"`)
	root := filepath.Join("..", "..", "..")
	found := 0
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
			found++
			if _, ok := table[fault.Kind(m[2])]; !ok {
				t.Errorf("%s: kind %s (%q) has no row in exits.go", path, m[1], m[2])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < len(cliRows) {
		t.Fatalf("found %d kind declarations; the scan is broken", found)
	}
}

func TestClassify(t *testing.T) {
	hinted := Fail(Usage, errors.New("bad --x"), "see `igctl x --help`")
	wrapped := fmt.Errorf("outer: %w", hinted)
	cases := []struct {
		name string
		err  error
		code exitcode.Code
		hint string
	}{
		{"nil", nil, exitcode.OK, ""},
		{"plain", errors.New("boom"), exitcode.Unexpected, ""},
		{"kind", Failf(Drift, "would change"), exitcode.Drift, ""},
		{"hint through wrapping", wrapped, exitcode.Usage, "see `igctl x --help`"},
		{"outermost kind wins", Fail(AuthFailed, Failf(Network, "down"), ""), exitcode.Auth, ""},
		{"outermost hint wins", fault.New(token.NotLoggedIn, Fail(Usage, errors.New("x"), "inner")), exitcode.Auth, "run `igctl login`"},
		{"inner hint when the outer has none", Fail(AuthFailed, Fail(Usage, errors.New("x"), "inner"), ""), exitcode.Auth, "inner"},
		{"unknown kind is a bug", fault.New("nobody/declared", errors.New("x")), exitcode.Unexpected, ""},
		{"cobra", errors.New(`unknown flag: --nope`), exitcode.Usage, ""},
		{"transport", fmt.Errorf("get: %w", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}), exitcode.Network, ""},
		{"deadline", fmt.Errorf("get: %w", context.DeadlineExceeded), exitcode.Network, ""},
	}
	for _, c := range cases {
		code, hint := Classify(c.err)
		if code != c.code || hint != c.hint {
			t.Errorf("%s: got %d %q, want %d %q", c.name, code, hint, c.code, c.hint)
		}
	}
}

func TestOutcome(t *testing.T) {
	if code, msg, hint := Outcome(nil, time.Second); code != exitcode.OK || msg != "" || hint != "" {
		t.Errorf("success: %d %q %q", code, msg, hint)
	}
	code, msg, hint := Outcome(fmt.Errorf("token: %w", context.DeadlineExceeded), 2*time.Second)
	if code != exitcode.Network || msg != "token: context deadline exceeded (--timeout 2s)" || hint != "" {
		t.Errorf("deadline: %d %q %q", code, msg, hint)
	}
	if _, _, hint := Outcome(Failf(Usage, "bad"), time.Second); hint != "see `igctl --help`" {
		t.Errorf("usage without a hint: %q", hint)
	}
	if PanicCode() != exitcode.Unexpected {
		t.Errorf("a panic is exit %d", PanicCode())
	}
}

// The exit code of every token kind, as the README's table and the old
// call sites had them; token's own tests assert kinds, so this pins codes
// without a Keycloak.
func TestTokenKindsExitCodes(t *testing.T) {
	want := map[fault.Kind]exitcode.Code{
		token.IssuerMismatch: exitcode.Config, token.DiscoveryUnreachable: exitcode.Network,
		token.DiscoveryNotFound: exitcode.Config, token.DiscoveryFailed: exitcode.Network,
		token.UnknownGrant: exitcode.Usage, token.EndpointUnreachable: exitcode.Network,
		token.EndpointFailing: exitcode.Network, token.BadClient: exitcode.IdPRefused,
		token.GrantNotAllowed: exitcode.IdPRefused, token.AccountIncomplete: exitcode.IdPRefused,
		token.BadUserCredentials: exitcode.IdPRefused, token.GrantRefused: exitcode.IdPRefused,
		token.NotLoggedIn: exitcode.Auth, token.OtherIdentity: exitcode.Auth,
		token.CannotRefresh: exitcode.Auth, token.SessionEnded: exitcode.Auth,
		token.NoRefreshToken: exitcode.Auth, token.ShortLived: exitcode.Auth,
		token.NoAuthCode: exitcode.Config, token.BrowserTimeout: exitcode.Network,
		token.CallbackListen: exitcode.Network, token.ForeignAnswer: exitcode.Auth,
		token.EmptyAnswer: exitcode.IdPRefused, token.BrowserRefused: exitcode.IdPRefused, token.AuthRequestRefused: exitcode.IdPRefused,
		token.NoDevice: exitcode.Config, token.DeviceAnswerIncomplete: exitcode.Network,
		token.DeviceRefused: exitcode.IdPRefused, token.DeviceDenied: exitcode.IdPRefused,
		token.DeviceCodeExpired: exitcode.Auth, token.DeviceTimeout: exitcode.Network,
		token.NoIDToken: exitcode.IdPRefused, token.BadIDToken: exitcode.Auth,
		token.UnknownStore: exitcode.Usage, token.StorageRequired: exitcode.Storage,
		token.KeyringLocked: exitcode.Storage, token.KeyringFailed: exitcode.Storage, token.InsecureFile: exitcode.Storage,
		token.LockTimeout: exitcode.Network, token.DirNotWritable: exitcode.Config,
		token.Damaged: exitcode.Config, token.RevokeUnreachable: exitcode.Network,
		// federated client authentication: a missing or unreadable source is
		// the job's configuration; a refused assertion is the IdP's refusal
		token.AssertionSourceMissing: exitcode.Config, token.AssertionUnreadable: exitcode.Config,
		token.AssertionSourceUnreachable: exitcode.Network, token.AssertionSourceFailed: exitcode.IdPRefused,
		token.AssertionRejected: exitcode.IdPRefused, token.AssertionAudience: exitcode.IdPRefused,
		token.AssertionExpired: exitcode.IdPRefused, token.AssertionReused: exitcode.IdPRefused,
	}
	if len(want) != len(tokenRows) {
		t.Errorf("%d token kinds pinned here, %d rows in tokenRows: pin the new ones", len(want), len(tokenRows))
	}
	for k, code := range want {
		if got := ExitCode(fault.New(k, errors.New("x"))); got != code {
			t.Errorf("%s: exit %d, want %d", k, got, code)
		}
	}
}

// A certificate that does not name the host is a name to fix, not a CA to
// trust; an untrusted CA keeps the CA hint; other failures have no TLS fix.
func TestTLSFix(t *testing.T) {
	cert := &x509.Certificate{DNSNames: []string{"localhost", "keycloak.test"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	nameErr := fmt.Errorf("Get \"https://wrong.test/x\": %w", &tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: cert, Host: "wrong.test"}})
	fix := TLSFix(nameErr)
	if !strings.Contains(fix, "does not name wrong.test (it names localhost, keycloak.test, 127.0.0.1)") || strings.Contains(fix, "trust the server's CA") {
		t.Errorf("name mismatch: %q", fix)
	}
	// the same failure reported by another process, as a message only
	if fix := TLSFix(fault.New(token.EndpointUnreachable, &token.RecordedError{Message: nameErr.Error()})); !strings.Contains(fix, "does not name the host") {
		t.Errorf("name mismatch as text: %q", fix)
	}
	// in this process, a message is not read for what a type would say
	if fix := TLSFix(errors.New(nameErr.Error())); fix != "" {
		t.Errorf("untyped text: %q", fix)
	}
	caErr := fmt.Errorf("Get: %w", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}})
	if fix := TLSFix(caErr); !strings.Contains(fix, "trust the server's CA with --ca-file") {
		t.Errorf("unknown CA: %q", fix)
	}
	if fix := TLSFix(errors.New("connection refused")); fix != "" {
		t.Errorf("no TLS failure: %q", fix)
	}
}
