package cmdutil

import (
	"regexp"
	"strings"
)

// A hint that names an igctl command is pasted as printed. When the failing
// command ran with a profile or config directory chosen by --profile,
// IGCTL_PROFILE, --config-dir or IGCTL_CONFIG_DIR, the pasted command must
// use the same ones: otherwise `igctl config set gateway_url URL`, printed
// for profile people, changes profile default. Pasteable adds them to
// every igctl command in a text, right after "igctl".

// igctlWord finds "igctl" as a word followed by the name of a command:
// not part of a longer name (my-igctl, igctl-api, /usr/bin/igctl is kept
// as written) and not the prose "igctl cannot …".
var igctlWord = regexp.MustCompile(`(^|[^A-Za-z0-9_./-])igctl ([a-z][a-z-]*)`)

// Pasteable returns text with the global flags that chose the profile and
// the config directory inserted after every "igctl" that starts a command
// (a word in commands, the names of igctl's subcommands). Values are quoted
// for a POSIX shell when they need it.
func Pasteable(text string, commands map[string]bool, profile, configDir string) string {
	var flags []string
	if profile != "" {
		flags = append(flags, "--profile "+ShellQuote(profile))
	}
	if configDir != "" {
		flags = append(flags, "--config-dir "+ShellQuote(configDir))
	}
	if len(flags) == 0 || !strings.Contains(text, "igctl ") {
		return text
	}
	insert := " " + strings.Join(flags, " ")
	var b strings.Builder
	last := 0
	for _, m := range igctlWord.FindAllStringSubmatchIndex(text, -1) {
		// m[2:4] is the leading boundary, m[4:6] the command's name
		if !commands[text[m[4]:m[5]]] {
			continue
		}
		at := m[3] + len("igctl")
		b.WriteString(text[last:at])
		b.WriteString(insert)
		last = at
	}
	b.WriteString(text[last:])
	return b.String()
}

// shellSafe are the characters a POSIX shell takes literally in a word.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// ShellQuote returns s as one word for a POSIX shell: as it is when it
// holds only characters the shell takes literally, else in single quotes.
func ShellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Pasteable is the package function with this process's command names and
// the profile and config directory the command line or the environment chose.
func (f *Factory) Pasteable(text string) string {
	dir := f.Globals.ConfigDir
	if dir == "" {
		dir = f.Getenv("IGCTL_CONFIG_DIR")
	}
	return Pasteable(text, f.Commands, f.ExplicitProfile(), dir)
}
