package cli

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// readmeCommands are the igctl invocations a README shows: every line of a
// sh fenced block that runs igctl (also bin/igctl, also inside $(...) or
// after a pipe), with continuation lines joined, and every inline code span
// that starts with igctl. Each is returned as the words after "igctl", up to
// the end of the shell command (a pipe, ;, &&, a redirection, a closing
// parenthesis or a comment).
func readmeCommands(readme string) []string {
	var cmds []string
	lines := strings.Split(readme, "\n")
	inSh, inOther := false, false
	var joined []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		trim := strings.TrimSpace(l)
		if strings.HasPrefix(trim, "```") {
			switch {
			case inSh || inOther:
				inSh, inOther = false, false
			case trim == "```sh" || trim == "```bash" || trim == "```shell" || trim == "```console":
				inSh = true
			default:
				inOther = true
			}
			continue
		}
		if inOther {
			continue
		}
		if inSh {
			for strings.HasSuffix(l, "\\") && i+1 < len(lines) {
				i++
				l = strings.TrimSuffix(l, "\\") + " " + lines[i]
			}
			joined = append(joined, l)
			continue
		}
		for _, m := range inlineCode.FindAllStringSubmatch(l, -1) {
			if span := m[1]; strings.HasPrefix(span, "igctl ") || strings.HasPrefix(span, "bin/igctl ") {
				joined = append(joined, span)
			}
		}
	}
	for _, l := range joined {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		for _, loc := range igctlWord.FindAllStringIndex(l, -1) {
			rest := l[loc[1]:]
			var words []string
			for _, w := range strings.Fields(rest) {
				if strings.HasPrefix(w, "#") {
					break
				}
				if j := strings.IndexAny(w, "|;&)<>`"); j >= 0 {
					if w = w[:j]; w != "" {
						words = append(words, w)
					}
					break
				}
				words = append(words, w)
			}
			cmds = append(cmds, strings.Join(words, " "))
		}
	}
	return cmds
}

var (
	inlineCode = regexp.MustCompile("`([^`]+)`")
	// igctl where a shell runs it: at the start of a command (the line, or
	// after a pipe, ;, && or an opening parenthesis as in $(...)), after
	// any VAR=value assignments; not as a flag's value (--public-client igctl)
	igctlWord = regexp.MustCompile(`(?:^|[|;&(])\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:\./)?(?:bin/)?igctl(?:\s+|$)`)
)

// checkInvocation walks words down root's tree: subcommands while they
// match, then every --flag and -x against the flags that command accepts
// (its own and its parents' persistent ones). It returns what does not exist.
func checkInvocation(root *cobra.Command, words []string) []string {
	var bad []string
	cmd, positional := root, false
	for i := 0; i < len(words); i++ {
		w := strings.Trim(words[i], `[]"'`)
		switch {
		case w == "" || w == "..." || w == "…":
		case w == "--":
			return bad // the rest belongs to the command igctl exec runs
		case strings.HasPrefix(w, "--"):
			name, _, glued := strings.Cut(w[2:], "=")
			f := lookupFlag(cmd, name)
			if f == nil {
				bad = append(bad, fmt.Sprintf("%q has no flag --%s", cmd.CommandPath(), name))
				continue
			}
			if !glued && f.NoOptDefVal == "" {
				i++ // its value
			}
		case strings.HasPrefix(w, "-") && len(w) > 1 && !strings.HasPrefix(w, "-$"):
			f := lookupShort(cmd, w[1:2])
			if f == nil {
				bad = append(bad, fmt.Sprintf("%q has no flag -%s", cmd.CommandPath(), w[1:2]))
				continue
			}
			if len(w) == 2 && f.NoOptDefVal == "" {
				i++
			}
		case !positional && subcommand(cmd, w) != nil:
			cmd = subcommand(cmd, w)
		case !positional && cmd.HasSubCommands() && !cmd.Runnable():
			bad = append(bad, fmt.Sprintf("%q has no subcommand %q", cmd.CommandPath(), w))
			return bad
		default:
			positional = true
		}
	}
	return bad
}

func subcommand(cmd *cobra.Command, name string) *cobra.Command {
	for _, c := range cmd.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return c
		}
	}
	return nil
}

func lookupFlag(cmd *cobra.Command, name string) *pflag.Flag {
	for _, fs := range []*pflag.FlagSet{cmd.Flags(), cmd.PersistentFlags(), cmd.InheritedFlags()} {
		if f := fs.Lookup(name); f != nil {
			return f
		}
	}
	if name == "help" {
		return &pflag.Flag{Name: "help", NoOptDefVal: "true"}
	}
	return nil
}

func lookupShort(cmd *cobra.Command, s string) *pflag.Flag {
	for _, fs := range []*pflag.FlagSet{cmd.Flags(), cmd.PersistentFlags(), cmd.InheritedFlags()} {
		if f := fs.ShorthandLookup(s); f != nil {
			return f
		}
	}
	if s == "h" {
		return &pflag.Flag{Name: "help", NoOptDefVal: "true"}
	}
	return nil
}

// Every igctl command and flag the README names exists.
func TestREADMENamesRealCommandsAndFlags(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	root := NewRootCmd(factory())
	cmds := readmeCommands(string(data))
	if len(cmds) < 40 { // the README shows dozens; a handful means the parser lost them
		t.Fatalf("found only %d igctl invocations in README.md: %q", len(cmds), cmds)
	}
	for _, c := range cmds {
		for _, b := range checkInvocation(root, strings.Fields(c)) {
			t.Errorf("README.md: igctl %s: %s", c, b)
		}
	}
	// the config directory moves (--config-dir, IGCTL_CONFIG_DIR): a path
	// written from the default one is wrong for everyone who moved it
	if strings.Contains(string(data), "~/.config/igctl") {
		t.Errorf("README.md spells out ~/.config/igctl; name the directory in use (CONFIG_DIR, or a command that prints the path)")
	}
}

// The checker above catches what it is there for: a command that does not
// exist, a misspelt flag, a flag of another command, and invocations in
// every place the README has them.
func TestREADMECheckerCatchesDrift(t *testing.T) {
	readme := "Text with `igctl refresh` inline and `igctl token --min-valid 1m`.\n" +
		"```sh\n" +
		"igctl token --format curl | curl -K - URL   # fine\n" +
		"igctl login --from-env .env \\\n  --no-such-flag x\n" +
		"export K=$(cat \"$(igctl proxy --print-key-pth)\")\n" +
		"igctl models --min-valid 1m\n" +
		"# igctl comment --is-ignored\n" +
		"igctl exec --proxy -- infer --anything\n" +
		"igctl --profile p config sett x\n" +
		"A=1 B=\"$C\" igctl logn && igctl keycloak bootstrap --public-client igctl --rotate\n" +
		"```\n" +
		"```text\nigctl not-checked --in-text-blocks\n```\n"
	root := NewRootCmd(factory())
	var got []string
	for _, c := range readmeCommands(readme) {
		got = append(got, checkInvocation(root, strings.Fields(c))...)
	}
	want := []string{
		`"igctl" has no subcommand "refresh"`,
		`"igctl login" has no flag --no-such-flag`,
		`"igctl proxy" has no flag --print-key-pth`,
		`"igctl models" has no flag --min-valid`,
		`"igctl config" has no subcommand "sett"`,
		`"igctl" has no subcommand "logn"`,
		`"igctl keycloak bootstrap" has no flag --rotate`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Flag placeholders in help are sane: pflag takes the first `quoted` word of
// a usage string as the value's placeholder, so a usage that quotes a
// command shows "--flag igctl token --min-valid" instead of "--flag duration".
func TestHelpFlagPlaceholders(t *testing.T) {
	root := NewRootCmd(factory())
	placeholder := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.|=/-]*$`)
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			if name != "" && (!placeholder.MatchString(name) || strings.Contains(name, "igctl")) {
				t.Errorf("%s --%s: placeholder %q in help", c.CommandPath(), f.Name, name)
			}
		})
		for _, text := range []string{c.Long, c.Example} {
			if strings.Contains(text, "~/.config/igctl") {
				t.Errorf("%s: help spells out ~/.config/igctl, which --config-dir and IGCTL_CONFIG_DIR move", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
