package login

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/fault"
	"github.com/inference-gateway/igctl/internal/token"
)

var grants = []string{token.GrantAuthCode, token.GrantDevice, token.GrantPassword, token.GrantClientCredentials}

// checkGrantFlags refuses contradictory grant choices before anything runs.
func checkGrantFlags(opts *Options) error {
	if opts.Grant != "" {
		ok := false
		for _, g := range grants {
			ok = ok || opts.Grant == g
		}
		if !ok {
			return cmdutil.FlagError("--grant must be authcode, device, password or client-credentials, not %q", opts.Grant)
		}
	}
	switch {
	case opts.Web && opts.Device:
		return cmdutil.FlagError("--web and --device are two ways to log in: choose one")
	case opts.Web && opts.Grant != "" && opts.Grant != token.GrantAuthCode,
		opts.Device && opts.Grant != "" && opts.Grant != token.GrantDevice:
		return cmdutil.FlagError("--web means --grant authcode and --device --grant device: drop --grant %s", opts.Grant)
	case opts.Wait <= 0:
		return cmdutil.FlagError("--wait must be positive, not %s", opts.Wait)
	}
	g := opts.chosenGrant()
	if opts.ClientAssertion != "" {
		if _, err := token.ParseAssertionSource(opts.ClientAssertion); err != nil {
			return cmdutil.FlagError("--client-assertion: %v", err)
		}
		switch {
		case g != "" && g != token.GrantClientCredentials:
			return cmdutil.FlagError("--client-assertion authenticates a client: it needs --grant client-credentials, not %s", g)
		case opts.Username != "":
			return cmdutil.FlagError("--client-assertion authenticates a client, not a user: drop --username")
		case opts.Secret.Stdin || opts.Secret.File != "":
			return cmdutil.FlagError("--client-assertion replaces the client secret: drop --client-secret-stdin/--client-secret-file")
		}
	} else if opts.ClientAssertionAudience != "" {
		return cmdutil.FlagError("--client-assertion-audience goes with --client-assertion github-actions")
	}
	if opts.ClientAssertionAudience != "" {
		if err := config.CheckURL(opts.ClientAssertionAudience); err != nil {
			return cmdutil.FlagError("--client-assertion-audience %q: %v", config.ShowURL(opts.ClientAssertionAudience), err)
		}
	}
	if (g == token.GrantAuthCode || g == token.GrantDevice) && (opts.Password.Stdin || opts.Password.File != "") {
		return cmdutil.FlagError("--%s logs in in the browser: igctl never sees the password, drop --password-stdin/--password-file", map[string]string{token.GrantAuthCode: "web", token.GrantDevice: "device"}[g])
	}
	return nil
}

// chosenGrant is the grant the flags ask for, "" when they leave it open.
func (o *Options) chosenGrant() string {
	switch {
	case o.Web:
		return token.GrantAuthCode
	case o.Device:
		return token.GrantDevice
	}
	return o.Grant
}

// browserOffered reports whether the issuer's discovery document offers
// the authorization code grant with PKCE. Any failure says no: the grant
// chosen instead reports its own errors.
func browserOffered(ctx context.Context, opts *Options, prof config.Profile) bool {
	hc, err := opts.HTTPClient(prof.CAFile)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout())
	defer cancel()
	d, err := token.DiscoverInteractive(ctx, hc, prof.Issuer)
	if err != nil {
		opts.Verbosef("discovery for the default grant failed (%v): using client credentials", err)
		return false
	}
	if !d.SupportsAuthCode() {
		return false
	}
	opts.Verbosef("no --username on a terminal: the browser login, which %s offers", prof.Issuer)
	return true
}

// browserCommand is the command that opens a URL: IGCTL_BROWSER, else
// BROWSER (its first entry), else the system's opener. The URL is appended
// as the last argument.
func browserCommand(getenv func(string) string) []string {
	for _, env := range []string{"IGCTL_BROWSER", "BROWSER"} {
		if v := strings.TrimSpace(getenv(env)); v != "" {
			first, _, _ := strings.Cut(v, ":")
			if fields := strings.Fields(first); len(fields) > 0 {
				return fields
			}
		}
	}
	switch runtime.GOOS {
	case "darwin":
		return []string{"open"}
	case "windows":
		return []string{"rundll32", "url.dll,FileProtocolHandler"}
	default:
		return []string{"xdg-open"}
	}
}

// openerGrace is how long openURL waits for the browser command to fail.
// Openers such as xdg-open hand the URL to a browser and exit at once;
// one that finds no browser (no display on an SSH session) exits non-zero
// just as fast, and must not be taken for an open window.
var openerGrace = 1500 * time.Millisecond

// openURL starts the browser command and waits at most openerGrace for it
// (a browser itself may run for hours); its output is dropped. A command
// that cannot start, or that exits non-zero within the grace, is an error.
func openURL(opts *Options, url string) error {
	argv := append(browserCommand(opts.Getenv), url)
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", argv[0], errors.Unwrap(err))
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s failed: %w", argv[0], err)
		}
	case <-time.After(openerGrace):
	}
	opts.Verbosef("opened the login page with %s", argv[0])
	return nil
}

// showAuthURL opens the authorization URL in a browser, or prints it with
// --no-browser or when no browser can be started. When a browser took it,
// the URL (its state included) stays out of the terminal and its logs.
func showAuthURL(opts *Options, url string) error {
	if !opts.NoBrowser {
		err := openURL(opts, url)
		if err == nil {
			opts.IO.Infof("Log in in the browser window that opened; igctl waits for it to come back (Ctrl-C to cancel; if no window opened, run it again with --no-browser, which prints the URL)")
			return nil
		}
		opts.IO.Warn("could not open a browser (%v): open the URL below yourself, or set IGCTL_BROWSER", err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Open this URL in a browser on this machine to log in:\n\n    %s\n\n", url)
	opts.IO.Infof("waiting for the browser to come back to igctl (Ctrl-C to cancel)")
	return nil
}

// showDevicePrompt tells the person where to go and what to type; the
// device code itself is never shown.
func showDevicePrompt(opts *Options, p token.DevicePrompt) error {
	w := opts.IO.ErrOut
	fmt.Fprintf(w, "To log in, open this page on any device:\n\n    %s\n\nand enter the code:  %s\n\n",
		p.VerificationURI, opts.IO.Styled("ok", p.UserCode))
	if p.VerificationURIComplete != "" {
		fmt.Fprintf(w, "Or open this link, which has the code filled in:\n\n    %s\n\n", p.VerificationURIComplete)
		if opts.IO.IsStderrTTY() {
			if q, err := qrcode.New(p.VerificationURIComplete, qrcode.Low); err == nil {
				fmt.Fprintf(w, "or scan it:\n\n%s\n", indent(q.ToSmallString(false), "    "))
			}
		}
	}
	// Only an explicit IGCTL_BROWSER is used here: a device login usually
	// runs where no browser can (an SSH session), and the person may well
	// use a phone. A hook can forward the URL, though.
	if !opts.NoBrowser && opts.Getenv("IGCTL_BROWSER") != "" {
		target := p.VerificationURIComplete
		if target == "" {
			target = p.VerificationURI
		}
		if err := openURL(opts, target); err != nil {
			opts.IO.Warn("could not run IGCTL_BROWSER (%v)", err)
		}
	}
	wait := "waiting for you to approve the login"
	if p.ExpiresIn > 0 {
		wait += fmt.Sprintf(" (the code expires in %s)", p.ExpiresIn)
	}
	opts.IO.Infof("%s; Ctrl-C to cancel", wait)
	return nil
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// passwordHint adds the browser logins to the hint when the password grant
// is refused for a reason a browser login can get past. Keycloak answers a
// user with a one-time password configured exactly as it answers a wrong
// password (invalid_grant "Invalid user credentials"), so that hint names both.
func passwordHint(err error) error {
	hint := cmdutil.HintOf(err)
	browser := "`igctl login --web` (or `igctl login --device` where no browser runs), with a client that allows it (`igctl keycloak bootstrap --public-client` creates one)"
	switch fault.KindOf(err) {
	case token.BadUserCredentials:
		hint += "; if the account needs a one-time code (OTP) or another step the password grant cannot take, log in with " + browser
	case token.AccountIncomplete:
		hint += "; a pending required action (update password, configure OTP, …) can be completed by logging in with " + browser
	case token.GrantNotAllowed:
		hint += "; or log in with " + browser
	default:
		return err
	}
	return cmdutil.Fail(cmdutil.Refused, err, hint)
}
