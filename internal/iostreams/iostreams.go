// Package iostreams carries stdin, stdout and stderr with what igctl needs to
// know about them: which are terminals and whether stderr may be styled.
// stdout carries data only; everything for people goes to stderr.
package iostreams

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"charm.land/lipgloss/v2"
	"golang.org/x/term"

	"github.com/inference-gateway/igctl/internal/config"
)

// IOStreams is shared by every command.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	inTTY, outTTY, errTTY bool
	noColor               bool

	warnOnce sync.Map

	termWidth func() int // the terminal's width, when a test fixes it

	pasteable func(string) string // see SetPasteable

	restoreMu sync.Mutex
	restore   func() // puts the terminal back while PromptSecret has echo off
}

// System returns streams on the process's stdin/stdout/stderr.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		inTTY:   term.IsTerminal(int(os.Stdin.Fd())),
		outTTY:  term.IsTerminal(int(os.Stdout.Fd())),
		errTTY:  term.IsTerminal(int(os.Stderr.Fd())),
		noColor: os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb",
	}
}

// Test returns streams on buffers, none of them a terminal.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// SetTTY overrides terminal detection (tests).
func (s *IOStreams) SetTTY(in, out, errOut bool) { s.inTTY, s.outTTY, s.errTTY = in, out, errOut }

// SetNoColor turns styling off (--no-color).
func (s *IOStreams) SetNoColor(v bool) { s.noColor = s.noColor || v }

func (s *IOStreams) IsStdinTTY() bool  { return s.inTTY }
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

// CanPrompt reports whether a secret can be asked for here: stdin is a
// terminal (PromptSecret reads it without echo).
func (s *IOStreams) CanPrompt() bool { return s.inTTY }

// ColorEnabled reports whether stderr gets lipgloss styling.
func (s *IOStreams) ColorEnabled() bool { return s.errTTY && !s.noColor }

var (
	styleWarn = lipgloss.NewStyle().Foreground(lipgloss.Color("11")).Bold(true)
	styleErr  = lipgloss.NewStyle().Foreground(lipgloss.Color("9")).Bold(true)
	styleOK   = lipgloss.NewStyle().Foreground(lipgloss.Color("10"))
	styleDim  = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
)

func (s *IOStreams) style(st lipgloss.Style, text string) string {
	if !s.ColorEnabled() {
		return text
	}
	return st.Render(text)
}

// Warn prints "warning: msg" on stderr.
func (s *IOStreams) Warn(format string, a ...any) {
	fmt.Fprintf(s.ErrOut, "%s %s\n", s.style(styleWarn, "warning:"), shown(fmt.Sprintf(format, a...)))
}

// WarnOnce prints a warning only the first time key is seen in this process.
func (s *IOStreams) WarnOnce(key, format string, a ...any) {
	if _, seen := s.warnOnce.LoadOrStore(key, true); !seen {
		s.Warn(format, a...)
	}
}

// Error prints "error: msg" on stderr.
func (s *IOStreams) Error(msg string) {
	fmt.Fprintf(s.ErrOut, "%s %s\n", s.style(styleErr, "error:"), shown(msg))
}

// Hint prints "hint: msg" on stderr, made Pasteable.
func (s *IOStreams) Hint(msg string) {
	fmt.Fprintf(s.ErrOut, "%s %s\n", s.style(styleDim, "hint:"), shown(s.Pasteable(msg)))
}

// SetPasteable sets how a text that names igctl commands is made ready to
// paste (the profile and config directory of this run added to each).
func (s *IOStreams) SetPasteable(fn func(string) string) { s.pasteable = fn }

// Pasteable is text with every igctl command in it made ready to paste;
// every hint and every fix igctl prints goes through it.
func (s *IOStreams) Pasteable(text string) string {
	if s.pasteable == nil {
		return text
	}
	return s.pasteable(text)
}

// Success prints a status line on stderr.
func (s *IOStreams) Success(format string, a ...any) {
	fmt.Fprintf(s.ErrOut, "%s %s\n", s.style(styleOK, "✓"), shown(fmt.Sprintf(format, a...)))
}

// Infof prints a status line on stderr.
func (s *IOStreams) Infof(format string, a ...any) {
	fmt.Fprintln(s.ErrOut, shown(fmt.Sprintf(format, a...)))
}

// shown is a status line with the password of every URL in it masked: a
// URL may come from a setting (an issuer typed as user:password@host) or
// from a library's error, and stderr ends up in CI logs.
func shown(line string) string { return config.ShowURLsIn(line) }

// Styled exposes a named style for text on stderr: "ok", "warn", "err", "dim".
func (s *IOStreams) Styled(name, text string) string {
	if !s.ColorEnabled() {
		return text
	}
	return named(name).Render(text)
}

// OutStyled is Styled for text on stdout: styled only where Table is
// (stdout a terminal, colour allowed).
func (s *IOStreams) OutStyled(name, text string) string {
	if !s.TableStyled() {
		return text
	}
	return named(name).Render(text)
}

func named(name string) lipgloss.Style {
	switch name {
	case "ok":
		return styleOK
	case "warn":
		return styleWarn
	case "err":
		return styleErr
	default:
		return styleDim
	}
}

// ErrNoTTY is returned when a secret must be prompted for but stdin is not a terminal.
var ErrNoTTY = errors.New("no terminal to prompt on")

// PromptSecret asks for a secret on the terminal without echo.
func (s *IOStreams) PromptSecret(label string) (string, error) {
	f, ok := s.In.(*os.File)
	if !s.inTTY || !ok {
		return "", ErrNoTTY
	}
	fmt.Fprintf(s.ErrOut, "%s: ", label)
	if st, err := term.GetState(int(f.Fd())); err == nil {
		s.setRestore(func() { term.Restore(int(f.Fd()), st) })
		defer s.setRestore(nil)
	}
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(s.ErrOut)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func (s *IOStreams) setRestore(fn func()) {
	s.restoreMu.Lock()
	s.restore = fn
	s.restoreMu.Unlock()
}

// RestoreTerminal turns echo back on when the process must end during a
// secret prompt (a second Ctrl-C, say): the shell is left usable.
func (s *IOStreams) RestoreTerminal() {
	s.restoreMu.Lock()
	defer s.restoreMu.Unlock()
	if s.restore != nil {
		s.restore()
		fmt.Fprintln(s.ErrOut)
	}
}

// ErrEmptySecret is ReadSecretLine's answer to input whose first line is empty.
var ErrEmptySecret = errors.New("empty secret")

// ReadSecretLine reads one secret from r: the first line, without its line ending.
// Trailing whitespace beyond the line ending is kept: it may be part of the secret.
func ReadSecretLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", ErrEmptySecret
	}
	return line, nil
}
