package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/inference-gateway/igctl/internal/fault"
)

// The keys igctl owns at the top level of config.yaml.
const (
	keyCurrent  = "current_profile"
	keyProfiles = "profiles"
)

// ForeignPrefix starts every key that igctl does not own and keeps as it is.
const ForeignPrefix = "x-"

const defaultIndent = 4

// document is config.yaml as read: its node tree, which Save edits so that
// comments, order and x- keys survive, and the values igctl takes from it.
type document struct {
	path     string
	root     *yaml.Node // a DocumentNode; nil for an empty file
	prefix   []byte     // a file of comments only, kept ahead of new content
	indent   int
	current  string
	profiles map[string]*Profile
	// profile nodes by name, so that edits do not scan the mapping
	profileKeys map[string]*yaml.Node
	profileVals map[string]*yaml.Node
}

// UnknownKeyError is a key in config.yaml that igctl neither owns nor may
// keep: most likely a misspelling of one of igctl's keys.
type UnknownKeyError struct {
	Path    string
	Line    int
	Key     string
	Profile string   // "" at the top level
	Suggest string   // the closest key igctl knows, or ""
	Known   []string // igctl's keys where Key is
}

func (e *UnknownKeyError) Error() string {
	where := "at the top level"
	if e.Profile != "" {
		where = fmt.Sprintf("in profile %q", e.Profile)
	}
	msg := fmt.Sprintf("config %s line %d: unknown key %q %s", e.Path, e.Line, e.Key, where)
	if e.Suggest != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", e.Suggest)
	}
	return msg
}

func unknownKey(path string, k *yaml.Node, profile string, known []string) error {
	e := &UnknownKeyError{Path: path, Line: k.Line, Key: k.Value, Profile: profile, Suggest: closest(k.Value, known), Known: known}
	return fault.New(UnknownKey, e, fault.Facts{Path: path, Profile: profile})
}

func syntaxError(path string, line int, format string, args ...any) error {
	return fault.New(Invalid,
		fmt.Errorf("config %s is not valid: line %d: %s", path, line, fmt.Sprintf(format, args...)),
		fault.Facts{Path: path})
}

// parse reads config.yaml's bytes. It walks the node tree once, checking
// duplicate keys with maps, so it is linear in the number of profiles
// (yaml.Unmarshal into the struct compares every key with every other).
func parse(path string, data []byte) (*document, error) {
	doc := &document{path: path, indent: defaultIndent, profiles: map[string]*Profile{},
		profileKeys: map[string]*yaml.Node{}, profileVals: map[string]*yaml.Node{}}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&root)
	if errors.Is(err, io.EOF) {
		err = nil // an empty file
	}
	if err == nil {
		// yaml.Unmarshal reads only the first document, and a write would
		// keep only that one: a second document's profiles would be shown
		// nowhere and lost on the next save, so the file is refused whole.
		var second yaml.Node
		if err2 := dec.Decode(&second); err2 == nil {
			return nil, syntaxError(path, second.Line, "a second YAML document starts here (---): igctl reads config.yaml as one document; move its profiles under the first document's %s and remove the ---", keyProfiles)
		} else if !errors.Is(err2, io.EOF) {
			err = err2
		}
	}
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		return nil, fault.New(Invalid, fmt.Errorf("config %s is not valid YAML: %s", path, msg), fault.Facts{Path: path})
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		// empty, or comments only (which yaml.v3 drops: keep the text)
		if len(bytes.TrimSpace(data)) > 0 {
			doc.prefix = data
		}
		return doc, nil
	}
	doc.root = &root
	top := root.Content[0]
	if isNull(top) {
		return doc, nil
	}
	if top.Kind != yaml.MappingNode {
		return nil, syntaxError(path, top.Line, "the top level must be a mapping (%s, %s)", keyCurrent, keyProfiles)
	}
	seen := make(map[string]int, len(top.Content)/2)
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if err := checkKey(path, k, seen); err != nil {
			return nil, err
		}
		switch k.Value {
		case keyCurrent:
			s, err := scalar(path, k.Value, v)
			if err != nil {
				return nil, err
			}
			doc.current = s
		case keyProfiles:
			if v.Kind == yaml.AliasNode {
				// profiles: *anchor is edited as a copy of its own, so the
				// anchored mapping elsewhere stays as it is and the profile
				// nodes recorded below are the ones an edit changes
				c := copyNode(deref(v))
				c.Anchor, c.LineComment = "", v.LineComment
				top.Content[i+1], v = c, c
			}
			if err := doc.parseProfiles(v); err != nil {
				return nil, err
			}
		default:
			if !strings.HasPrefix(k.Value, ForeignPrefix) {
				return nil, unknownKey(path, k, "", []string{keyCurrent, keyProfiles})
			}
		}
	}
	// keep the file's indentation: how far the first profile sits in
	if i := lookup(top, keyProfiles); i >= 0 {
		if m := top.Content[i+1]; m.Kind == yaml.MappingNode && m.Style&yaml.FlowStyle == 0 && len(m.Content) > 0 {
			if ind := m.Content[0].Column - top.Content[i].Column; ind >= 2 && ind <= 9 {
				doc.indent = ind
			}
		}
	}
	return doc, nil
}

func (d *document) parseProfiles(v *yaml.Node) error {
	v = deref(v)
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return syntaxError(d.path, v.Line, "%s must be a mapping of profile names to settings", keyProfiles)
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, pv := v.Content[i], v.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return syntaxError(d.path, k.Line, "a profile name must be a string")
		}
		name := k.Value
		if prev, dup := d.profileKeys[name]; dup {
			return syntaxError(d.path, k.Line, "profile %q already defined at line %d", name, prev.Line)
		}
		p := &Profile{}
		d.profiles[name] = p
		d.profileKeys[name] = k
		d.profileVals[name] = pv
		pv = deref(pv)
		if isNull(pv) {
			continue
		}
		if pv.Kind != yaml.MappingNode {
			return syntaxError(d.path, pv.Line, "profile %q must be a mapping of settings", name)
		}
		seen := make(map[string]int, len(pv.Content)/2)
		for j := 0; j+1 < len(pv.Content); j += 2 {
			fk, fv := pv.Content[j], pv.Content[j+1]
			if err := checkKey(d.path, fk, seen); err != nil {
				return err
			}
			f, ok := p.field(fk.Value)
			if !ok || strings.Contains(fk.Value, "-") {
				if strings.HasPrefix(fk.Value, ForeignPrefix) {
					continue
				}
				return unknownKey(d.path, fk, name, Keys)
			}
			s, err := scalar(d.path, fk.Value, fv)
			if err != nil {
				return err
			}
			*f = s
		}
	}
	return nil
}

// checkKey rejects a key that is not a plain string or repeats one seen
// before in the same mapping (as yaml.Unmarshal did).
func checkKey(path string, k *yaml.Node, seen map[string]int) error {
	if k.Kind != yaml.ScalarNode {
		return syntaxError(path, k.Line, "a key must be a string")
	}
	if prev, dup := seen[k.Value]; dup {
		return syntaxError(path, k.Line, "mapping key %q already defined at line %d", k.Value, prev)
	}
	seen[k.Value] = k.Line
	return nil
}

// scalar is the string value of a setting: null is "", other scalars are
// taken as written (as yaml.Unmarshal into a string field did).
func scalar(path, key string, v *yaml.Node) (string, error) {
	v = deref(v)
	if v.Kind != yaml.ScalarNode {
		return "", syntaxError(path, v.Line, "%s must be a string", key)
	}
	if isNull(v) {
		return "", nil
	}
	return v.Value, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// closest is the known key a misspelt key most likely meant, or "".
func closest(key string, known []string) string {
	norm := strings.ToLower(strings.ReplaceAll(key, "-", "_"))
	best, bestD := "", 3 // at most two edits away
	for _, k := range known {
		if norm == k {
			return k
		}
		if d := editDistance(norm, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
