package envmap

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/inference-gateway/igctl/internal/fault"
)

// Options steer a translation.
type Options struct {
	From, To      string // Gateway or ADK
	TargetVersion string // of the To product; "" is the newest release igctl knows (Latest)
	Strict        bool   // unmapped keys are an error
	OnConflict    string // "" (error), "keep" (first wins) or "overwrite" (last wins)
}

// Note is something the user should know about a translation (stderr).
type Note struct {
	Line    int
	Warning bool
	Msg     string
}

// Edit is one changed line, values of secret keys masked.
type Edit struct {
	Line     int    // line in the input (0 for an added line)
	Old, New string // "" when the line was added / dropped
}

// Result of a translation.
type Result struct {
	File     *File
	Notes    []Note
	Unmapped []string // keys with no counterpart, passed through (file order)
	Edits    []Edit
}

// Changed reports whether the output differs from the input.
func (r *Result) Changed() bool { return len(r.Edits) > 0 }

func validProduct(p string) bool { return p == Gateway || p == ADK }

// Translate renames f's variables from one product's naming to the other's.
// Only mapped names (and ${NAME}/$NAME references to them in values) change;
// comments, blank lines, order, quoting, export prefixes and line endings stay.
func Translate(in *File, o Options) (*Result, error) {
	if !validProduct(o.From) || !validProduct(o.To) {
		return nil, fault.Errorf(BadProduct, "products are gateway and adk (got %q → %q)", o.From, o.To)
	}
	tv, tvName, err := targetVersion(o.To, o.TargetVersion)
	if err != nil {
		return nil, err
	}
	t := &translation{
		o: o, tv: tv, tvName: tvName,
		res:     &Result{File: &File{BOM: in.BOM, Lines: make([]*Line, 0, len(in.Lines))}},
		renames: map[string]string{},
		noted:   map[string]bool{},
		lines:   make([]keptLine, 0, len(in.Lines)),
	}
	for _, l := range in.Lines {
		k, err := t.renameLine(l)
		if err != nil {
			return nil, err
		}
		t.lines = append(t.lines, k)
	}
	t.followRenames()
	if err := t.resolveDuplicates(); err != nil {
		return nil, err
	}
	t.assemble()
	res := t.res
	if o.Strict && len(res.Unmapped) > 0 {
		return res, fault.Errorf(Unmapped, "no %s counterpart for %s", o.To, strings.Join(res.Unmapped, ", "))
	}
	return res, nil
}

// translation is one Translate in progress: the options, the target
// version, the renames made so far and every input line with its copy.
type translation struct {
	o       Options
	tv      version
	tvName  string
	res     *Result
	renames map[string]string
	noted   map[string]bool // notes already given, so each is given once
	lines   []keptLine
}

// keptLine is an input line (orig) and its translated copy (line).
type keptLine struct {
	line     *Line
	orig     *Line
	dropped  bool
	unmapped bool // no counterpart in the target naming
}

// renameLine copies l, renamed and its value rewritten for the target.
func (t *translation) renameLine(l *Line) (keptLine, error) {
	o, res := t.o, t.res
	c := *l
	k := keptLine{line: &c, orig: l}
	if !l.IsAssignment() {
		return k, nil
	}
	// A line igctl derived on the way to the ADK goes away on the way back.
	if o.From == ADK && o.To == Gateway && l.Key == DerivedBaseURL && strings.Contains(l.Trailing, derivedMarker) {
		k.dropped = true
		return k, nil
	}
	key := canonicalName(o.From, l.Key)
	target := l.Key
	if m, ok := lookup(o.From, key); ok {
		target = m.name(o.To)
		if m.Kind != Exact || m.Note != "" {
			if !t.noted[m.Note] && o.From != o.To {
				t.noted[m.Note] = true
				res.Notes = append(res.Notes, Note{Line: l.Num, Msg: fmt.Sprintf("%s → %s is %s: %s", l.Key, target, m.Kind, m.Note)})
			}
		}
	} else if o.From == o.To {
		target = key
	} else if !strings.HasSuffix(key, "_API_KEY") {
		k.unmapped = true
	}
	target, _ = spellingFor(o.To, canonicalName(o.To, target), t.tv)
	if r, ok := legacyRename(o.From, o.To, l.Key); ok && target != l.Key && canonicalName(o.To, target) == target {
		res.Notes = append(res.Notes, Note{Line: l.Num, Msg: fmt.Sprintf(
			"%s renamed to %s for %s %s: %s is the %s's name up to %s only, and %s",
			l.Key, target, o.To, t.tvName, l.Key, r.Product, r.lastOld(), r.ignoredEffect())})
	}
	if err := translateBool(&c, l, o, key, target, res); err != nil {
		return k, err
	}
	if err := translateGatewayValue(&c, l, o, target, res); err != nil {
		return k, err
	}
	if target != l.Key {
		t.renames[l.Key] = target
		c.Key = target
	}
	return k, nil
}

// followRenames makes references to renamed variables inside values follow
// the rename.
func (t *translation) followRenames() {
	if len(t.renames) == 0 {
		return
	}
	for _, k := range t.lines {
		if k.line.IsAssignment() && strings.Contains(k.line.RawValue, "$") && k.line.Quote() != Single && k.line.Quote() != Backtick {
			k.line.RawValue = renameRefs(k.line.RawValue, t.renames)
		}
	}
}

// resolveDuplicates settles keys set twice (in the input, or created by two
// names mapping to one) as OnConflict says, and lists the unmapped keys.
func (t *translation) resolveDuplicates() error {
	lines := t.lines
	first := make(map[string]int, len(lines))
	dups := map[string][]int{}
	for i, k := range lines {
		if !k.dropped && k.line.IsAssignment() {
			if j, ok := first[k.line.Key]; ok {
				if dups[k.line.Key] == nil {
					dups[k.line.Key] = []int{j}
				}
				dups[k.line.Key] = append(dups[k.line.Key], i)
			} else {
				first[k.line.Key] = i
				if k.unmapped {
					t.res.Unmapped = append(t.res.Unmapped, k.line.Key) // file order: deterministic, no sort
				}
			}
		}
	}
	var conflicts []string
	for key, idx := range dups {
		switch t.o.OnConflict {
		case "keep":
			for _, i := range idx[1:] {
				lines[i].dropped = true
			}
		case "overwrite":
			for _, i := range idx[:len(idx)-1] {
				lines[i].dropped = true
			}
		default:
			var nums []string
			for _, i := range idx {
				nums = append(nums, fmt.Sprint(lines[i].orig.Num))
			}
			conflicts = append(conflicts, fmt.Sprintf("%s (lines %s)", key, strings.Join(nums, ", ")))
		}
	}
	if len(conflicts) > 0 {
		sort.Strings(conflicts)
		return fault.Errorf(DuplicateKeys, "duplicate keys after translation: %s", strings.Join(conflicts, "; "))
	}
	return nil
}

// assemble writes the kept lines to the result with an edit for each
// change, and adds the base URL the ADK examples derive.
func (t *translation) assemble() {
	res := t.res
	for _, k := range t.lines {
		if k.dropped {
			res.Edits = append(res.Edits, Edit{Line: k.orig.Num, Old: k.orig.masked()})
			continue
		}
		res.File.Lines = append(res.File.Lines, k.line)
		if *k.line != *k.orig {
			res.Edits = append(res.Edits, Edit{Line: k.orig.Num, Old: k.orig.masked(), New: k.line.masked()})
		}
	}
	if t.o.From == Gateway && t.o.To == ADK {
		if l := derivedBaseURL(res.File); l != nil {
			res.Edits = append(res.Edits, Edit{New: l.masked()})
			res.Notes = append(res.Notes, Note{Msg: fmt.Sprintf("%s added, derived from SERVER_HOST/SERVER_PORT (the ADK examples' convention for reaching the gateway)", DerivedBaseURL)})
		}
	}
}

// legacyRename finds key among the old names of the products involved.
func legacyRename(from, to, key string) (Rename, bool) {
	if r, ok := renameOf(from, key); ok {
		return r, true
	}
	return renameOf(to, key)
}

// translateBool rewrites a boolean's value (in c) to true/false when the
// file moves between readers that spell booleans differently, and fails
// when the source's meaning is not clear.
func translateBool(c, l *Line, o Options, srcKey, target string, res *Result) error {
	tb, ok := boolVar(o.To, target)
	if !ok {
		return nil // the target does not read it as a boolean
	}
	sb, ok := boolVar(o.From, srcKey)
	if !ok {
		sb = tb
	}
	v := l.Value()
	on, recognised, rejected := sb.Reader.Read(v)
	fail := func(reason string) error {
		return fault.New(BadBoolean, &BoolError{Line: l.Num, Key: l.Key, Value: v, Reason: reason})
	}
	switch {
	case rejected:
		return fail(fmt.Sprintf("the %s refuses to start on it (%s)", o.From, parseBoolError(l.Key, v)))
	case !recognised:
		return fail(fmt.Sprintf("not a boolean spelling the %s recognises (it reads it as %s, which may not be what was meant)", o.From, onOff(on)))
	}
	if sb.Reader == tb.Reader || v == "" || v == "true" || v == "false" {
		return nil // same reader, or a spelling every reader agrees on
	}
	want := "false"
	if on {
		want = "true"
	}
	c.RawValue = respell(l, want)
	tOn, _, tRejected := tb.Reader.Read(v)
	var why string
	switch {
	case tRejected:
		why = fmt.Sprintf("the %s refuses to start on it", o.To)
	case tOn != on:
		why = fmt.Sprintf("the %s reads it as %s", o.To, onOff(tOn))
	default:
		why = fmt.Sprintf("the %s reads it the same, but true/false is what both agree on", o.To)
	}
	res.Notes = append(res.Notes, Note{Line: l.Num, Msg: fmt.Sprintf("%s=%s is %s for the %s; %s: written as %s", l.Key, v, onOff(on), o.From, why, want)})
	return nil
}

// Compiled on first use: regexp compilation at package init would cost
// every igctl start, including the cached-token path.
var refPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)
})

// renameRefs rewrites ${OLD} and $OLD to the new names; \$ stays literal.
func renameRefs(raw string, renames map[string]string) string {
	return refPattern().ReplaceAllStringFunc(raw, func(m string) string {
		name := strings.Trim(m, "${}")
		nn, ok := renames[name]
		if !ok {
			return m
		}
		if strings.HasPrefix(m, "${") {
			return "${" + nn + "}"
		}
		return "$" + nn
	})
}

// derivedBaseURL appends A2A_AGENT_CLIENT_BASE_URL when the gateway's host or
// port is known and the file does not set it already.
func derivedBaseURL(f *File) *Line {
	host, hok := f.Get("A2A_SERVER_HOST")
	port, pok := f.Get("A2A_SERVER_PORT")
	if !hok && !pok {
		return nil
	}
	if _, ok := f.Get(DerivedBaseURL); ok {
		return nil
	}
	if host == "" || host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "8080"
	}
	f.Set(DerivedBaseURL, "http://"+host+":"+port+"/v1")
	l := f.Lines[len(f.Lines)-1]
	l.Trailing = " " + derivedMarker
	return l
}

// masked renders the line with a secret value replaced by ****.
func (l *Line) masked() string {
	if !l.IsAssignment() {
		return l.Raw
	}
	v := l.RawValue
	if IsSecret(l.Key) && v != "" {
		v = "****"
	}
	return l.Indent + l.Export + l.Key + l.Sep + v + l.Trailing
}
