package config

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/inference-gateway/igctl/internal/exitcode"
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
	Profile string // "" at the top level
	Suggest string // the closest key igctl knows, or ""
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
	e := &UnknownKeyError{Path: path, Line: k.Line, Key: k.Value, Profile: profile, Suggest: closest(k.Value, known)}
	hint := "igctl keeps keys it does not own only when they start with " + ForeignPrefix +
		"; igctl's keys here: " + strings.Join(known, ", ")
	if e.Suggest != "" {
		hint = fmt.Sprintf("rename %s to %s in the file (keys igctl does not own must start with %s)", e.Key, e.Suggest, ForeignPrefix)
	}
	if k.Value == "<<" {
		hint = "YAML merge keys (<<) are not supported in config.yaml; write the settings out"
	}
	return exitcode.Wrap(exitcode.Config, e, hint)
}

func syntaxError(path string, line int, format string, args ...any) error {
	return exitcode.Wrap(exitcode.Config,
		fmt.Errorf("config %s is not valid: line %d: %s", path, line, fmt.Sprintf(format, args...)),
		"fix or move the file; igctl will not overwrite it")
}

// parse reads config.yaml's bytes. It walks the node tree once, checking
// duplicate keys with maps, so it is linear in the number of profiles
// (yaml.Unmarshal into the struct compares every key with every other).
func parse(path string, data []byte) (*document, error) {
	doc := &document{path: path, indent: defaultIndent, profiles: map[string]*Profile{},
		profileKeys: map[string]*yaml.Node{}, profileVals: map[string]*yaml.Node{}}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		return nil, exitcode.Wrap(exitcode.Config,
			fmt.Errorf("config %s is not valid YAML: %s", path, msg),
			"fix or move the file; igctl will not overwrite it")
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

// --- edits of the node tree; each reports whether it changed anything ---

// top is the top-level mapping, created when the file had none.
func (d *document) top() *yaml.Node {
	if d.root == nil {
		d.root = &yaml.Node{Kind: yaml.DocumentNode}
	}
	if len(d.root.Content) == 0 || isNull(d.root.Content[0]) {
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if len(d.root.Content) == 0 {
			d.root.Content = []*yaml.Node{m}
		} else {
			old := d.root.Content[0]
			m.HeadComment, m.LineComment, m.FootComment = old.HeadComment, old.LineComment, old.FootComment
			d.root.Content[0] = m
		}
	}
	return d.root.Content[0]
}

func lookup(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

func strNode(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}

// setScalar sets key in mapping m to v, appending the key when missing
// (after the file's own keys and their comments); v == "" removes the key
// (omitempty).
func setScalar(m *yaml.Node, key, v string) bool {
	i := lookup(m, key)
	if v == "" {
		if i < 0 {
			return false
		}
		m.Content = append(m.Content[:i], m.Content[i+2:]...)
		return true
	}
	if i < 0 {
		m.Content = append(m.Content, strNode(key), strNode(v))
		return true
	}
	old := m.Content[i+1]
	if old.Kind == yaml.ScalarNode && !isNull(old) && old.Value == v {
		return false
	}
	n := strNode(v)
	if old.Kind == yaml.ScalarNode {
		n.Style = old.Style & (yaml.SingleQuotedStyle | yaml.DoubleQuotedStyle)
		n.HeadComment, n.LineComment, n.FootComment = old.HeadComment, old.LineComment, old.FootComment
	}
	m.Content[i+1] = n
	return true
}

func (d *document) setCurrent(name string) bool {
	if name == d.current {
		return false
	}
	d.current = name
	return setScalar(d.top(), keyCurrent, name)
}

// profilesNode is the profiles mapping, or nil.
func (d *document) profilesNode() *yaml.Node {
	if d.root == nil || len(d.root.Content) == 0 || d.root.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	top := d.root.Content[0]
	i := lookup(top, keyProfiles)
	if i < 0 {
		return nil
	}
	v := top.Content[i+1]
	if v.Kind == yaml.AliasNode || isNull(v) {
		// an alias is copied before it is edited, so its anchor stays as it was
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if v.Kind == yaml.AliasNode {
			m = copyNode(deref(v))
			m.Anchor = ""
		}
		m.LineComment = v.LineComment
		top.Content[i+1] = m
		v = m
	}
	return v
}

func (d *document) ensureProfiles() *yaml.Node {
	if m := d.profilesNode(); m != nil {
		return m
	}
	top := d.top()
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	top.Content = append(top.Content, strNode(keyProfiles), m)
	return m
}

func (d *document) ensureProfile(name string) bool {
	if _, ok := d.profiles[name]; ok {
		return false
	}
	m := d.ensureProfiles()
	k, v := strNode(name), &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, k, v)
	d.profiles[name] = &Profile{}
	d.profileKeys[name], d.profileVals[name] = k, v
	return true
}

func (d *document) deleteProfile(name string) bool {
	if _, ok := d.profiles[name]; !ok {
		return false
	}
	k := d.profileKeys[name]
	delete(d.profiles, name)
	delete(d.profileKeys, name)
	delete(d.profileVals, name)
	m := d.profilesNode()
	for i := 0; m != nil && i+1 < len(m.Content); i += 2 {
		if m.Content[i] == k {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return true
		}
	}
	return true
}

// profileNode is the settings mapping of a profile that exists, made
// editable: null becomes an empty mapping, an alias a copy.
func (d *document) profileNode(name string) *yaml.Node {
	v := d.profileVals[name]
	if v.Kind == yaml.MappingNode {
		return v
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if v.Kind == yaml.AliasNode {
		m = copyNode(deref(v))
		m.Anchor = ""
	}
	m.LineComment = v.LineComment
	pm := d.profilesNode()
	for i := 0; i+1 < len(pm.Content); i += 2 {
		if pm.Content[i] == d.profileKeys[name] {
			pm.Content[i+1] = m
		}
	}
	d.profileVals[name] = m
	return m
}

func (d *document) setField(name, key, value string) bool {
	d.ensureProfile(name)
	p := d.profiles[name]
	f, _ := p.field(key)
	*f = value
	m := d.profileNode(name)
	// a value reached through an alias is replaced, never edited in place
	return setScalar(m, key, value)
}

func copyNode(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, ch := range n.Content {
		c.Content[i] = copyNode(ch)
	}
	return &c
}

// encode renders the edited tree, with the file's own indentation.
func (d *document) encode() ([]byte, error) {
	var buf bytes.Buffer
	if d.prefix != nil {
		buf.Write(bytes.TrimRight(d.prefix, "\n"))
		buf.WriteString("\n")
	}
	if d.root != nil && len(d.root.Content) > 0 {
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(d.indent)
		if err := enc.Encode(d.root); err != nil {
			return nil, fmt.Errorf("encoding config %s: %w", d.path, err)
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}
