// Package browser drives a headless Chromium (Debian's chromium package)
// through Keycloak's real login pages, for tests of igctl's browser and
// device logins: it types the user name, password and a TOTP code (RFC 6238)
// and approves device logins, as a person would.
package browser

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/inference-gateway/igctl/internal/testenv"
)

// Browser is one headless Chromium with a fresh profile.
type Browser struct {
	// Logf, when set, is told each page the browser sees (no secrets).
	Logf   func(format string, a ...any)
	ctx    context.Context
	cancel func()
	dir    string
}

// ExecPath finds Chromium: $IGCTL_TEST_CHROMIUM, else chromium or
// chromium-browser on PATH.
func ExecPath() (string, error) {
	if p := os.Getenv("IGCTL_TEST_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("Chromium not found (apt-get install chromium, or scripts/deps.sh)")
}

// Start launches Chromium headless. The flags keep it from calling home:
// without the background-networking ones its connections are refused in
// the test environment.
func Start() (*Browser, error) {
	path, err := ExecPath()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "igctl-chromium-")
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // tests run as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// no accessibility bus: it would only add D-Bus activation noise
		chromedp.Env("NO_AT_BRIDGE=1"),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	b := &Browser{ctx: ctx, dir: dir, cancel: func() { cancel(); acancel(); os.RemoveAll(dir) }}
	// Start the browser now, so that a Chromium that cannot run fails here.
	// The first action must run on ctx itself: chromedp closes the browser
	// when the context of its first action ends.
	watchdog := time.AfterFunc(60*time.Second, cancel)
	defer watchdog.Stop()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		b.Close()
		return nil, fmt.Errorf("starting Chromium (%s): %w", path, err)
	}
	return b, nil
}

// New starts a browser for a test, closed when it ends. Without Chromium
// the test skips, unless IGCTL_TEST_REQUIRE_INTEGRATION=1: then it fails.
func New(t testing.TB) *Browser {
	t.Helper()
	b, err := Start()
	if err != nil {
		if testenv.Required() {
			t.Fatalf("a headless Chromium is required (IGCTL_TEST_REQUIRE_INTEGRATION=1): %v", err)
		}
		t.Skipf("no headless Chromium: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

// Close ends Chromium and removes its profile.
func (b *Browser) Close() { b.cancel() }

// Account is who logs in, and how the person answers.
type Account struct {
	Username, Password string
	// TOTPSecret is the raw TOTP key; "" for a user without OTP.
	TOTPSecret string
	// UserCode, when set, is typed on the device page (the person opened
	// the verification URI without the code in it).
	UserCode string
	// Deny answers No on the device grant's consent page.
	Deny bool
}

// Outcome is the last page the browser showed.
type Outcome struct {
	URL, Title, Text string
}

// pageState tells which Keycloak (or igctl) page is showing.
const pageState = `(() => {
  const t = document.title || "", txt = document.body ? document.body.innerText : "";
  if (t.startsWith("igctl:")) return "done";
  if (document.querySelector("#kc-error-message, .kc-feedback-text") && !document.querySelector("#username, #otp, #device_user_code"))
    return /success/i.test(txt) ? "done" : "error";
  if (document.querySelector("#otp")) return "otp";
  if (document.querySelector("#username") && document.querySelector("#password")) return "login";
  if (document.querySelector("#device_user_code")) return "usercode";
  if (document.querySelector("input[name=accept], #kc-login[name=accept]") || /grant (these )?access|privileges/i.test(txt) && document.querySelector("#kc-cancel, input[name=cancel]")) return "consent";
  if (/device login successful|device login failed|consent denied|you may close|go back to your device/i.test(txt)) return "done";
  return "other";
})()`

// inputError is the error Keycloak shows beside a form field.
const inputError = `(() => { const e = document.querySelector("#input-error, #input-error-otp-code, .pf-m-error, .alert-error"); return e ? e.innerText.trim() : ""; })()`

// Login opens url (an authorization URL or a device verification URI) and
// goes through Keycloak's pages as acct until a final page: igctl's
// callback page, Keycloak's device success page, or an error page.
func (b *Browser) Login(ctx context.Context, url string, acct Account) (Outcome, error) {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	tctx, tcancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext()) // no cookies from earlier logins
	defer tcancel()
	stop := context.AfterFunc(ctx, tcancel)
	defer stop()
	if err := chromedp.Do(tctx, chromedp.Navigate(url)); err != nil {
		return Outcome{}, fmt.Errorf("opening %s: %w", redact(url), err)
	}
	last, repeats := "", 0
	for step := 0; step < 40; step++ {
		if err := chromedp.Do(tctx, chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			return Outcome{}, err
		}
		state, err := chromedp.Run(tctx, chromedp.Evaluate[string](pageState))
		if err != nil {
			return Outcome{}, err
		}
		problem, _ := chromedp.Run(tctx, chromedp.Evaluate[string](inputError))
		out, _ := b.outcome(tctx)
		if b.Logf != nil {
			b.Logf("browser: %s page %s %q (%s)", state, redact(out.URL), out.Title, problem)
		}
		if state == last && state != "other" {
			repeats++
			if repeats > 2 {
				return out, fmt.Errorf("the %s page came back (%q): %s", state, problem, out.Text)
			}
		} else {
			repeats = 0
		}
		last = state
		var act []chromedp.Action[chromedp.Void]
		switch state {
		case "done":
			return out, nil
		case "error":
			return out, fmt.Errorf("Keycloak showed an error page: %s", out.Text)
		case "login":
			act = []chromedp.Action[chromedp.Void]{
				chromedp.SetValue(chromedp.CSS("#username"), acct.Username),
				chromedp.SetValue(chromedp.CSS("#password"), acct.Password),
				chromedp.Click(chromedp.CSS("#kc-login")),
			}
		case "otp":
			if acct.TOTPSecret == "" {
				return out, errors.New("Keycloak asks for a one-time code, but the account has no TOTP secret")
			}
			act = []chromedp.Action[chromedp.Void]{
				chromedp.SetValue(chromedp.CSS("#otp"), TOTP([]byte(acct.TOTPSecret), time.Now())),
				chromedp.Click(chromedp.CSS("#kc-login")),
			}
		case "usercode":
			if acct.UserCode == "" {
				return out, errors.New("Keycloak asks for the user code, and none was given")
			}
			act = []chromedp.Action[chromedp.Void]{
				chromedp.SetValue(chromedp.CSS("#device_user_code"), acct.UserCode),
				chromedp.Click(chromedp.CSS("#kc-user-verify-device-user-code-form [type=submit]")),
			}
		case "consent":
			sel := `#kc-login, input[name=accept], button[name=accept]`
			if acct.Deny {
				sel = `#kc-cancel, input[name=cancel], button[name=cancel]`
			}
			act = []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS(sel))}
		default:
			act = []chromedp.Action[chromedp.Void]{chromedp.Sleep(300 * time.Millisecond)}
		}
		if err := chromedp.Do(tctx, act...); err != nil {
			return out, fmt.Errorf("on the %s page: %w", state, err)
		}
		if state != "other" {
			// let the form's navigation start before looking again
			chromedp.Do(tctx, chromedp.Sleep(500*time.Millisecond))
		}
	}
	out, _ := b.outcome(tctx)
	return out, fmt.Errorf("no final page after 40 steps: %s", out.Text)
}

func (b *Browser) outcome(ctx context.Context) (Outcome, error) {
	var o Outcome
	var err error
	if o.URL, err = chromedp.Run(ctx, chromedp.Location()); err != nil {
		return o, err
	}
	if o.Title, err = chromedp.Run(ctx, chromedp.Title()); err != nil {
		return o, err
	}
	o.Text, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	o.Text = strings.TrimSpace(o.Text)
	return o, err
}

// redact keeps query strings (state, codes) out of test logs.
func redact(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i] + "?…"
	}
	return u
}

// TOTP is the RFC 6238 code for key at t: HMAC-SHA1, 30-second steps, 6
// digits, as Keycloak's default OTP policy.
func TOTP(key []byte, t time.Time) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}
