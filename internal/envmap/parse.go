// Package envmap owns igctl's lossless model of .env files and the mapping
// between the Go gateway's and the TypeScript ADK's variable names. Parsing
// then writing an untouched file gives back the same bytes; a translation
// changes only the names (and the references to them) it maps.
package envmap

import (
	"bytes"
	"fmt"
	"strings"
)

// Quote is how a value is written.
type Quote byte

// Quote styles.
const (
	Unquoted Quote = 0
	Single   Quote = '\''
	Double   Quote = '"'
	Backtick Quote = '`'
)

// Line is one logical line of a .env file (a quoted value may span several
// physical lines). Every byte of the file is in exactly one field of one Line.
type Line struct {
	// For assignments, Raw is empty and the parts below hold the text;
	// otherwise (blank, comment, unparsable) Raw holds the whole line.
	Raw string

	Indent   string // leading whitespace
	Export   string // "export " (with its spacing) or ""
	Key      string
	Sep      string // "=", " = ", ":" ... with surrounding spaces
	RawValue string // the value exactly as written, quotes included
	Trailing string // whitespace and inline comment after the value
	EOL      string // "\n", "\r\n" or "" (last line without newline)

	Num int // 1-based line number of the first physical line
}

// IsAssignment reports whether the line sets a variable.
func (l *Line) IsAssignment() bool { return l.Key != "" }

// Quote returns the value's quoting.
func (l *Line) Quote() Quote {
	if l.RawValue == "" {
		return Unquoted
	}
	switch q := Quote(l.RawValue[0]); q {
	case Single, Double, Backtick:
		if len(l.RawValue) >= 2 && l.RawValue[len(l.RawValue)-1] == byte(q) {
			return q
		}
	}
	return Unquoted
}

// Value is the value as godotenv and Node's dotenv read it: quotes removed,
// escapes (\n, \r, \t, \", \\) expanded in double quotes only, single-quoted
// and backtick values literal. ${VAR} references are not expanded.
func (l *Line) Value() string {
	q := l.Quote()
	if q == Unquoted {
		return strings.TrimSpace(l.RawValue)
	}
	inner := l.RawValue[1 : len(l.RawValue)-1]
	if q != Double {
		return inner
	}
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c != '\\' || i+1 == len(inner) {
			b.WriteByte(c)
			continue
		}
		i++
		switch inner[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '"', '\\', '$':
			b.WriteByte(inner[i])
		default:
			b.WriteByte('\\')
			b.WriteByte(inner[i])
		}
	}
	return b.String()
}

// File is a parsed .env file.
type File struct {
	BOM   bool
	Lines []*Line
}

// String writes the file back out.
func (f *File) String() string {
	var b strings.Builder
	if f.BOM {
		b.WriteString("\ufeff")
	}
	for _, l := range f.Lines {
		if !l.IsAssignment() {
			b.WriteString(l.Raw)
		} else {
			b.WriteString(l.Indent)
			b.WriteString(l.Export)
			b.WriteString(l.Key)
			b.WriteString(l.Sep)
			b.WriteString(l.RawValue)
			b.WriteString(l.Trailing)
		}
		b.WriteString(l.EOL)
	}
	return b.String()
}

// Get returns the value of the last assignment to key (as dotenv loaders
// that override do) and whether there was one.
func (f *File) Get(key string) (string, bool) {
	for i := len(f.Lines) - 1; i >= 0; i-- {
		if f.Lines[i].Key == key {
			return f.Lines[i].Value(), true
		}
	}
	return "", false
}

// Keys returns the assigned keys in file order, duplicates included.
func (f *File) Keys() []string {
	var keys []string
	for _, l := range f.Lines {
		if l.IsAssignment() {
			keys = append(keys, l.Key)
		}
	}
	return keys
}

// Environ is the file's variables as KEY=VALUE entries, as a container's
// env_file would pass them to a process (the last assignment of a key wins).
func (f *File) Environ() []string {
	keys := f.Keys()
	env := make([]string, 0, len(keys))
	for _, k := range keys {
		v, _ := f.Get(k)
		env = append(env, k+"="+v)
	}
	return env
}

// Parse reads a .env file. It never fails: a line it cannot read as an
// assignment is kept verbatim (Raw) and reported by Problems.
func Parse(data []byte) *File {
	f := &File{}
	if bytes.HasPrefix(data, []byte("\ufeff")) {
		f.BOM = true
		data = data[3:]
	}
	s := string(data)
	p := &parser{noClose: map[byte]int{}}
	num := 1
	for len(s) > 0 {
		l, rest := p.parseLine(s)
		l.Num = num
		num += strings.Count(s[:len(s)-len(rest)], "\n")
		f.Lines = append(f.Lines, l)
		p.consumed += len(s) - len(rest)
		s = rest
	}
	return f
}

// parser remembers, per quote character, an offset from which no closing
// quote exists up to the end of the input, so that many unterminated quotes
// do not each rescan the rest of the file (parsing stays linear).
type parser struct {
	consumed int          // offset of the current line in the input
	noClose  map[byte]int // quote -> offset after which it never closes
}

// splitEOL cuts s at the first line ending.
func splitEOL(s string) (line, eol, rest string) {
	i := strings.IndexByte(s, '\n')
	if i < 0 {
		return s, "", ""
	}
	if i > 0 && s[i-1] == '\r' {
		return s[:i-1], "\r\n", s[i+1:]
	}
	return s[:i], "\n", s[i+1:]
}

func isKeyStart(c byte) bool { return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
func isKeyChar(c byte) bool  { return isKeyStart(c) || c >= '0' && c <= '9' || c == '.' || c == '-' }
func isSpace(c byte) bool    { return c == ' ' || c == '\t' }

func (p *parser) parseLine(s string) (*Line, string) {
	physical, eol, rest := splitEOL(s)
	raw := &Line{Raw: physical, EOL: eol}
	i := 0
	for i < len(physical) && isSpace(physical[i]) {
		i++
	}
	l := &Line{Indent: physical[:i]}
	if i == len(physical) || physical[i] == '#' {
		return raw, rest
	}
	if strings.HasPrefix(physical[i:], "export") && i+6 < len(physical) && isSpace(physical[i+6]) {
		j := i + 6
		for j < len(physical) && isSpace(physical[j]) {
			j++
		}
		// "export FOO=1" but not "export=1" or "export =1"
		if j < len(physical) && isKeyStart(physical[j]) {
			l.Export = physical[i:j]
			i = j
		}
	}
	if i == len(physical) || !isKeyStart(physical[i]) {
		return raw, rest
	}
	k := i
	for k < len(physical) && isKeyChar(physical[k]) {
		k++
	}
	l.Key = physical[i:k]
	j := k
	for j < len(physical) && isSpace(physical[j]) {
		j++
	}
	if j == len(physical) || (physical[j] != '=' && physical[j] != ':') {
		return raw, rest
	}
	j++
	for j < len(physical) && isSpace(physical[j]) {
		j++
	}
	l.Sep = physical[k:j]
	v := physical[j:]
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'' || v[0] == '`') {
		// A quoted value may run over several physical lines: look for the
		// closing quote in the rest of the input (a substring, not a copy).
		full := s[j:]
		q := v[0]
		end := -1
		if last, known := p.noClose[q]; !known || p.consumed+j < last {
			if end = closingQuote(full, q); end < 0 {
				p.noClose[q] = p.consumed + j
			}
		}
		if end > 0 {
			value := full[:end+1]
			after := full[end+1:]
			tail, tailEOL, tailRest := splitEOL(after)
			if isTrailing(tail) {
				l.RawValue, l.Trailing, l.EOL = value, tail, tailEOL
				return l, tailRest
			}
		}
		// Unterminated or followed by junk: read as unquoted, like dotenv.
	}
	val, trailing := splitComment(v)
	l.RawValue, l.Trailing, l.EOL = val, trailing, eol
	return l, rest
}

// closingQuote returns the index of the quote closing s[0], skipping \" in
// double quotes; -1 if none.
func closingQuote(s string, q byte) int {
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && q == '"':
			i++
		case s[i] == q:
			return i
		}
	}
	return -1
}

// isTrailing: only whitespace and an optional comment may follow a quoted value.
func isTrailing(s string) bool {
	t := strings.TrimLeft(s, " \t")
	return t == "" || t[0] == '#'
}

// splitComment splits an unquoted value from " # comment" and trailing spaces.
func splitComment(v string) (value, trailing string) {
	end := len(v)
	for i := 1; i < len(v); i++ {
		if v[i] == '#' && isSpace(v[i-1]) {
			end = i
			break
		}
	}
	value = strings.TrimRight(v[:end], " \t")
	return value, v[len(value):]
}

// Problem is something wrong with a file's syntax.
type Problem struct {
	Line int
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Msg) }

// Problems lists lines that are neither blank, comment nor assignment.
func (f *File) Problems() []Problem {
	var ps []Problem
	for _, l := range f.Lines {
		if !l.IsAssignment() {
			t := strings.TrimSpace(l.Raw)
			if t != "" && t[0] != '#' {
				ps = append(ps, Problem{l.Num, "not a KEY=VALUE line: " + describeLine(t)})
			}
		}
	}
	return ps
}

// describeLine names a malformed line without echoing it: such a line is
// often KEY value (a missing =), and the value may be a secret. Only a
// leading name is shown.
func describeLine(t string) string {
	i := 0
	for i < len(t) && (isKeyChar(t[i])) {
		i++
	}
	if i == 0 || !isKeyStart(t[0]) {
		return fmt.Sprintf("%d characters, not shown (it may hold a secret)", len(t))
	}
	if i == len(t) {
		return fmt.Sprintf("%q alone, with no = and no value", t)
	}
	return fmt.Sprintf("%q followed by %d more characters (not shown: they may hold a secret) but no =", t[:i], len(t)-i)
}
