package envmap

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/inference-gateway/igctl/internal/exitcode"
)

// Options steer a translation.
type Options struct {
	From, To      string // Gateway or ADK
	TargetVersion string // of the To product; "" keeps the _ENABLE/_ENABLED spelling
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
		return nil, exitcode.New(exitcode.Usage, fmt.Sprintf("products are gateway and adk (got %q → %q)", o.From, o.To))
	}
	targetOld, versionKnown := false, o.TargetVersion != ""
	if versionKnown {
		var err error
		if targetOld, err = UsesOldEnableNames(o.To, o.TargetVersion); err != nil {
			return nil, exitcode.Wrap(exitcode.Usage, err, "")
		}
	}
	res := &Result{File: &File{BOM: in.BOM, Lines: make([]*Line, 0, len(in.Lines))}}
	renames := map[string]string{}
	noted := map[string]bool{}
	type kept struct {
		line     *Line
		orig     *Line
		dropped  bool
		unmapped bool // no counterpart in the target naming
	}
	lines := make([]kept, 0, len(in.Lines))
	for _, l := range in.Lines {
		c := *l
		k := kept{line: &c, orig: l}
		if !l.IsAssignment() {
			lines = append(lines, k)
			continue
		}
		// A line igctl derived on the way to the ADK goes away on the way back.
		if o.From == ADK && o.To == Gateway && l.Key == DerivedBaseURL && strings.Contains(l.Trailing, derivedMarker) {
			k.dropped = true
			lines = append(lines, k)
			continue
		}
		key, spelledOld := l.Key, false
		if canon, ok := canonicalEnable(o.From, key); ok {
			key, spelledOld = canon, true
		}
		target := l.Key
		if m, ok := lookup(o.From, key); ok {
			target = m.name(o.To)
			if m.Kind != Exact || m.Note != "" {
				if !noted[m.Note] && o.From != o.To {
					noted[m.Note] = true
					res.Notes = append(res.Notes, Note{Line: l.Num, Msg: fmt.Sprintf("%s → %s is %s: %s", l.Key, target, m.Kind, m.Note)})
				}
			}
		} else if o.From != o.To && !strings.HasSuffix(key, "_API_KEY") {
			k.unmapped = true
		}
		target = enableSpelling(o.To, target, spelledOld, versionKnown, targetOld)
		if old := target; isOldName(o.To, old) && (!versionKnown || !targetOld) {
			res.Notes = append(res.Notes, Note{Line: l.Num, Warning: true, Msg: fmt.Sprintf(
				"%s is ignored by %s %s and later: the setting is silently OFF there (use %sD, or pass --target-version for an older %s)",
				old, o.To, firstNewNames[o.To].String(o.To), old, o.To)})
		}
		if target != l.Key {
			renames[l.Key] = target
			c.Key = target
		}
		lines = append(lines, k)
	}
	// References to renamed variables inside values follow the rename.
	if len(renames) > 0 {
		for _, k := range lines {
			if k.line.IsAssignment() && strings.Contains(k.line.RawValue, "$") && k.line.Quote() != Single && k.line.Quote() != Backtick {
				k.line.RawValue = renameRefs(k.line.RawValue, renames)
			}
		}
	}
	// Duplicates (in the input, or created by two names mapping to one).
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
					res.Unmapped = append(res.Unmapped, k.line.Key) // file order: deterministic, no sort
				}
			}
		}
	}
	var conflicts []string
	for key, idx := range dups {
		switch o.OnConflict {
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
		return nil, exitcode.Wrap(exitcode.Config, fmt.Errorf("duplicate keys after translation: %s", strings.Join(conflicts, "; ")),
			"choose with --on-conflict keep (first wins) or overwrite (last wins)")
	}
	for _, k := range lines {
		if k.dropped {
			res.Edits = append(res.Edits, Edit{Line: k.orig.Num, Old: k.orig.masked()})
			continue
		}
		res.File.Lines = append(res.File.Lines, k.line)
		if *k.line != *k.orig {
			res.Edits = append(res.Edits, Edit{Line: k.orig.Num, Old: k.orig.masked(), New: k.line.masked()})
		}
	}
	if o.From == Gateway && o.To == ADK {
		if l := derivedBaseURL(res.File); l != nil {
			res.Edits = append(res.Edits, Edit{New: l.masked()})
			res.Notes = append(res.Notes, Note{Msg: fmt.Sprintf("%s added, derived from SERVER_HOST/SERVER_PORT (the ADK examples' convention for reaching the gateway)", DerivedBaseURL)})
		}
	}
	if o.Strict && len(res.Unmapped) > 0 {
		return res, exitcode.New(exitcode.Unexpected, fmt.Sprintf("--strict: no %s counterpart for %s", o.To, strings.Join(res.Unmapped, ", ")))
	}
	return res, nil
}

func (v version) String(product string) string {
	s := fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2])
	if product == Gateway {
		return "v" + s
	}
	return s
}

// enableSpelling picks AUTH_ENABLE or AUTH_ENABLED (etc.) for the target.
func enableSpelling(product, name string, spelledOld, versionKnown, targetOld bool) string {
	old := strings.TrimSuffix(name, "D")
	if !strings.HasSuffix(name, "_ENABLED") || !isOldName(product, old) {
		return name
	}
	if (versionKnown && targetOld) || (!versionKnown && spelledOld) {
		return old
	}
	return name
}

func isOldName(product, name string) bool {
	for _, o := range renamedEnable[product] {
		if o == name {
			return true
		}
	}
	return false
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
