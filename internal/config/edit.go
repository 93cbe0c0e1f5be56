package config

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// Edits of config.yaml's node tree, which Save makes so that comments, key
// order and x- keys survive; each reports whether it changed anything.

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
	if isNull(v) { // an alias was made a copy of its own by parse
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
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
	k, v := d.profileKeys[name], d.profileVals[name]
	delete(d.profiles, name)
	delete(d.profileKeys, name)
	delete(d.profileVals, name)
	// aliases elsewhere to an anchor inside the deleted profile become
	// copies, so the file still parses without it
	anchored := map[*yaml.Node]bool{}
	var mark func(n *yaml.Node)
	mark = func(n *yaml.Node) {
		if n.Anchor != "" {
			anchored[n] = true
		}
		for _, ch := range n.Content {
			mark(ch)
		}
	}
	mark(v)
	if len(anchored) > 0 && d.root != nil {
		var unalias func(n *yaml.Node)
		unalias = func(n *yaml.Node) {
			for i, ch := range n.Content {
				if ch.Kind == yaml.AliasNode && anchored[ch.Alias] {
					c := copyNode(ch.Alias)
					c.Anchor = ""
					n.Content[i] = c
					for other, val := range d.profileVals {
						if val == ch {
							d.profileVals[other] = c
						}
					}
					continue
				}
				unalias(ch)
			}
		}
		unalias(d.root)
	}
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
