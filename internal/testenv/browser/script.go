package browser

import (
	"context"
	"fmt"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/testenv"
)

// Testscript commands for cmd/igctl's scripts (registered in its Cmds map).

// CmdKCPeople is `kcpeople`: a throw-away realm in the real Keycloak with
// the gateway's confidential client ($CLIENT_ID, secret.txt, gateway.env),
// the public client people log in with ($PUBLIC_CLIENT_ID), user alice
// ($USERNAME, password.txt) and user otto with a one-time password
// configured ($OTP_USERNAME, otp-password.txt, totp-secret.txt). Sets
// $ISSUER $REALM $KC_URL too.
func CmdKCPeople(ts *testscript.TestScript, neg bool, args []string) {
	kc, err := testenv.FromEnv()
	ts.Check(err)
	if kc.URL == "" {
		ts.Fatalf("kcpeople needs Keycloak: guard the script with [!keycloak] skip")
	}
	r, cleanup, err := kc.CreateRealmE(testenv.RealmSpec{PublicClient: true, OTPUser: true})
	ts.Check(err)
	ts.Defer(cleanup)
	for k, v := range map[string]string{
		"ISSUER": r.Issuer, "REALM": r.Name, "KC_URL": kc.URL, "CLIENT_ID": r.ClientID, "PUBLIC_CLIENT_ID": r.PublicClientID,
		"USERNAME": r.Username, "OTP_USERNAME": r.OTPUsername,
		// for `! grep` leak checks
		"PASSWORD_RE": r.Password, "OTP_PASSWORD_RE": r.OTPPassword,
	} {
		ts.Setenv(k, v)
	}
	for file, v := range map[string]string{"secret.txt": r.ClientSecret, "password.txt": r.Password,
		"otp-password.txt": r.OTPPassword, "totp-secret.txt": r.OTPSecret} {
		ts.Check(os.WriteFile(ts.MkAbs(file), []byte(v+"\n"), 0o600))
	}
	// the gateway's .env, as `keycloak bootstrap --write-env` writes it: the
	// gateway expects the confidential client's id in aud
	f := envmap.Parse(nil)
	envmap.SetAuth(f, envmap.Gateway, envmap.Auth{Issuer: r.Issuer, ClientID: r.ClientID, ClientSecret: r.ClientSecret})
	ts.Check(os.WriteFile(ts.MkAbs("gateway.env"), []byte(f.String()), 0o600))
}

type session struct {
	b    *Browser
	done chan result
	mu   sync.Mutex
	log  []string
	// waited: browserwait took the outcome (and logs it itself)
	waited bool
}

func (s *session) logf(format string, a ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, fmt.Sprintf(format, a...))
}

type result struct {
	out Outcome
	err error
}

var (
	mu       sync.Mutex
	sessions = map[string]*session{} // by $WORK: scripts run in parallel
)

// CmdBrowser is `browser [-deny] [-usercode] USERNAME PASSWORD_FILE
// [TOTP_SECRET_FILE]`: start a headless Chromium (the script fails when
// none can start) and set $IGCTL_BROWSER to a hook that hands it the URL
// igctl opens. The browser then logs in on Keycloak's pages as USERNAME,
// typing the TOTP code when asked; -deny refuses a device login's consent;
// -usercode opens the device page without the code and types it.
// The outcome is checked by browserwait.
func CmdBrowser(ts *testscript.TestScript, neg bool, args []string) {
	var acct Account
	usercode := false
	var rest []string
	for _, a := range args {
		switch a {
		case "-deny":
			acct.Deny = true
		case "-usercode":
			usercode = true
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) < 2 || len(rest) > 3 {
		ts.Fatalf("usage: browser [-deny] [-usercode] USERNAME PASSWORD_FILE [TOTP_SECRET_FILE]")
	}
	acct.Username = rest[0]
	acct.Password = strings.TrimSpace(ts.ReadFile(rest[1]))
	if len(rest) == 3 {
		acct.TOTPSecret = strings.TrimSpace(ts.ReadFile(rest[2]))
	}
	b, err := Start()
	if err != nil {
		// never a skip: a script that reaches this line has Keycloak, and
		// the browser tests must fail when Chromium cannot start
		ts.Fatalf("a headless Chromium is needed for this test (scripts/deps.sh installs Debian's chromium): %v", err)
	}
	ts.Defer(b.Close)
	work := ts.Getenv("WORK")
	urls := filepath.Join(work, "browser-urls")
	hook := filepath.Join(work, "open-url")
	os.Remove(urls) // a new browser waits for a new URL
	ts.Check(os.WriteFile(hook, []byte("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '"+urls+"'\n"), 0o700))
	ts.Setenv("IGCTL_BROWSER", hook)
	s := &session{b: b, done: make(chan result, 1)}
	b.Logf = s.logf
	mu.Lock()
	sessions[work] = s
	mu.Unlock()
	ts.Defer(func() { mu.Lock(); delete(sessions, work); mu.Unlock() })
	// A script that fails before browserwait (igctl gave up waiting for the
	// login) would lose what the browser saw: say it, for the failure's log.
	ts.Defer(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.waited {
			return
		}
		select {
		case res := <-s.done:
			ts.Logf("the browser (not waited for) ended on %q: %v", res.out.URL, res.err)
		default:
			ts.Logf("the browser (not waited for) was still at work")
		}
		ts.Logf("its steps:\n%s", strings.Join(s.log, "\n"))
	})
	go func() {
		deadline := time.Now().Add(3 * time.Minute)
		for time.Now().Before(deadline) {
			data, _ := os.ReadFile(urls)
			if line, _, _ := strings.Cut(string(data), "\n"); line != "" {
				target := line
				if usercode {
					u, err := neturl.Parse(line)
					if err != nil {
						s.done <- result{err: err}
						return
					}
					acct.UserCode = u.Query().Get("user_code")
					u.RawQuery = ""
					target = u.String()
				}
				out, err := b.Login(context.Background(), target, acct)
				s.done <- result{out, err}
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		s.done <- result{err: fmt.Errorf("igctl never ran IGCTL_BROWSER")}
	}()
}

// CmdBrowserWait is `browserwait`: wait for the browser started by
// `browser` to reach its final page, which is written to
// $WORK/browser-page.txt (its URL on the first line). With !, the browser
// must have failed (an error page, a refused form).
func CmdBrowserWait(ts *testscript.TestScript, neg bool, args []string) {
	mu.Lock()
	s := sessions[ts.Getenv("WORK")]
	mu.Unlock()
	if s == nil {
		ts.Fatalf("browserwait: no browser started (use browser first)")
	}
	s.mu.Lock()
	s.waited = true
	s.mu.Unlock()
	var res result
	select {
	case res = <-s.done:
	case <-time.After(3 * time.Minute):
		ts.Fatalf("the browser did not finish within 3m")
	}
	ts.Check(os.WriteFile(ts.MkAbs("browser-page.txt"), []byte(res.out.URL+"\n"+res.out.Title+"\n"+res.out.Text+"\n"), 0o600))
	s.mu.Lock()
	ts.Logf("%s", strings.Join(s.log, "\n"))
	s.mu.Unlock()
	switch {
	case res.err != nil && !neg:
		ts.Fatalf("browser: %v", res.err)
	case res.err == nil && neg:
		ts.Fatalf("browser succeeded, want a failure; last page: %s", res.out.Text)
	}
	if res.err != nil {
		ts.Logf("browser failed as expected: %v", res.err)
	}
}
