// Package envmap owns igctl's lossless model of .env files and the mapping
// between the Go gateway's and the TypeScript ADK's variable names. Parsing
// then writing an untouched file gives back the same bytes; a translation
// changes only the names (and the references to them) it maps.
//
// operator.go is a little over 300 lines: it is the operator's Gateway
// resource, one table of CRD fields and the code that checks and writes
// them, kept together so it can be read against the CRD.
package envmap

import "strings"

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
