package iostreams

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

func TestTablePlainWhenPiped(t *testing.T) {
	io, _, out, _ := Test()
	if err := io.Table([]string{"profile", "state"}, [][]string{{"default", "valid"}, {"ci-long-name", "expired"}}); err != nil {
		t.Fatal(err)
	}
	want := "PROFILE       STATE\ndefault       valid\nci-long-name  expired\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
}

func TestTableStyledOnTerminal(t *testing.T) {
	io, _, out, _ := Test()
	io.SetTTY(false, true, false)
	if err := io.Table([]string{"profile", "state"}, [][]string{{"default", "valid"}}); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"╭", "╰", "profile", "default", "valid"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in\n%s", want, s)
		}
	}
	io, _, out, _ = Test()
	io.SetTTY(false, true, false)
	io.SetNoColor(true)
	_ = io.Table([]string{"profile"}, [][]string{{"default"}})
	if strings.Contains(out.String(), "╭") || strings.Contains(out.String(), "\x1b[") {
		t.Errorf("--no-color drew a styled table:\n%s", out)
	}
}

var benchRows = [][]string{
	{"* default", "http://127.0.0.1:18080/realms/igctl", "inference-gateway-client", "password", "file", "valid"},
	{"  ci", "http://127.0.0.1:18080/realms/igctl", "ci-client", "client-credentials", "keyring", "refreshable"},
	{"  agent", "http://127.0.0.1:18080/realms/agents", "agent-client", "authcode", "file", "expired"},
	{"  other", "https://kc.example.com/realms/prod", "igctl", "device", "none", "not-logged-in"},
}

var benchHeaders = []string{"profile", "issuer", "client", "grant", "store", "state"}

func BenchmarkTablePlain(b *testing.B) {
	io, _, out, _ := Test()
	for b.Loop() {
		out.Reset()
		_ = io.Table(benchHeaders, benchRows)
	}
}

func BenchmarkTableStyled(b *testing.B) {
	io, _, out, _ := Test()
	io.SetTTY(false, true, false)
	for b.Loop() {
		out.Reset()
		_ = io.Table(benchHeaders, benchRows)
	}
}

func TestErrTableFollowsStderr(t *testing.T) {
	io, _, out, errOut := Test()
	io.SetTTY(false, true, false) // stdout a terminal, stderr not: plain
	if err := io.ErrTable([]string{"check"}, [][]string{{"token"}}); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 || errOut.String() != "CHECK\ntoken\n" {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
	io, _, _, errOut = Test()
	io.SetTTY(false, false, true)
	_ = io.ErrTable([]string{"check"}, [][]string{{"token"}})
	if !strings.Contains(errOut.String(), "╭") {
		t.Errorf("stderr is a terminal, no border:\n%s", errOut)
	}
}

// A styled table wider than the terminal is fitted to it, not broken by it.
func TestTableFitsTheTerminal(t *testing.T) {
	io, _, out, _ := Test()
	io.SetTTY(false, true, false)
	io.SetTermWidth(60)
	if err := io.Table(benchHeaders, benchRows); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if w := lipgloss.Width(line); w > 60 {
			t.Errorf("line of %d columns on a 60-column terminal: %q", w, line)
		}
	}
	if !strings.Contains(out.String(), "file") || !strings.Contains(out.String(), "none") || !strings.Contains(out.String(), "kc.exa") {
		t.Errorf("the wrapped table lost its cells:\n%s", out)
	}
	// a table that fits is drawn at its own width, not stretched
	io, _, out, _ = Test()
	io.SetTTY(false, true, false)
	io.SetTermWidth(300)
	_ = io.Table([]string{"a"}, [][]string{{"b"}})
	if w := lipgloss.Width(strings.SplitN(out.String(), "\n", 2)[0]); w > 10 {
		t.Errorf("a one-cell table was stretched to %d columns", w)
	}
}
