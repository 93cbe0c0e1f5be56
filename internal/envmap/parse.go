package envmap

import (
	"bytes"
	"fmt"
	"strings"
)

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
