package envmap

import (
	"bytes"
	"fmt"
	"regexp"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/inference-gateway/igctl/internal/fault"
)

// Manifest options for --to k8s and --to operator.
type Manifest struct {
	Name      string // base name of the objects
	Namespace string
}

type objectMeta struct {
	Name      string            `yaml:"name"`
	Namespace string            `yaml:"namespace,omitempty"`
	Labels    map[string]string `yaml:"labels,omitempty"`
}

type configMap struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   objectMeta        `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
}

type secret struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   objectMeta        `yaml:"metadata"`
	Type       string            `yaml:"type"`
	StringData map[string]string `yaml:"stringData"`
}

func (m Manifest) meta(suffix string) objectMeta {
	return objectMeta{Name: m.Name + suffix, Namespace: m.Namespace,
		Labels: map[string]string{"app.kubernetes.io/name": m.Name, "app.kubernetes.io/managed-by": "igctl"}}
}

// inSecret: the guide puts the client id beside the client secret.
func inSecret(key string) bool { return IsSecret(key) || key == "AUTH_OIDC_CLIENT_ID" }

// values returns the file's variables (last assignment wins) as dotenv reads them.
func values(f *File) map[string]string {
	out := map[string]string{}
	for _, l := range f.Lines {
		if l.IsAssignment() {
			out[l.Key] = l.Value()
		}
	}
	return out
}

func encodeAll(docs ...any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return nil, err
		}
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// K8s renders a gateway-named file as a ConfigMap (non-secret keys) and a
// Secret (stringData: client id, client secret, API keys, anything secret).
func K8s(f *File, m Manifest) ([]byte, error) {
	cm := configMap{APIVersion: "v1", Kind: "ConfigMap", Metadata: m.meta("-config"), Data: map[string]string{}}
	sec := secret{APIVersion: "v1", Kind: "Secret", Metadata: m.meta("-secrets"), Type: "Opaque", StringData: map[string]string{}}
	if err := checkUTF8(f); err != nil {
		return nil, err
	}
	for k, v := range values(f) {
		if inSecret(k) {
			sec.StringData[k] = v
		} else {
			cm.Data[k] = v
		}
	}
	return encodeAll(cm, sec)
}

// checkUTF8 refuses values Kubernetes cannot hold as string data (the YAML
// encoder would otherwise write them as !!binary, which the API rejects for
// data and stringData).
func checkUTF8(f *File) error {
	for _, l := range f.Lines {
		if l.IsAssignment() && !utf8.ValidString(l.Value()) {
			return fault.Errorf(NotUTF8, "line %d: %s: the value is not valid UTF-8, and ConfigMap and Secret string data must be", l.Num, l.Key)
		}
	}
	return nil
}

// Kubernetes name rules (k8s.io/apimachinery validation): object names are
// DNS-1123 subdomains, namespaces DNS-1123 labels, label values at most 63.
// Compiled on first use, like refPattern.
var (
	dns1123Label     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`) })
	dns1123Subdomain = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	})
	nonName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[^a-z0-9-]+`) })
)

// NameError is a --name or --namespace Kubernetes would refuse.
type NameError struct {
	Flag, Value, Rule string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("--%s %q is not a valid Kubernetes name: %s", e.Flag, e.Value, e.Rule)
}

// Validate checks the objects' names: Name plus each suffix igctl appends
// must be a DNS-1123 subdomain; Name is also the app.kubernetes.io/name
// label value (at most 63 characters); Namespace must be a DNS-1123 label.
func (m Manifest) Validate(suffixes ...string) error {
	if m.Name == "" || !dns1123Subdomain().MatchString(m.Name) {
		return &NameError{"name", m.Name, "a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"}
	}
	if len(m.Name) > 63 {
		return &NameError{"name", m.Name, fmt.Sprintf("at most 63 characters, since it is also the app.kubernetes.io/name label value (it has %d)", len(m.Name))}
	}
	for _, s := range suffixes {
		if n := m.Name + s; len(n) > 253 {
			return &NameError{"name", m.Name, fmt.Sprintf("%s would be %d characters; a DNS-1123 subdomain has at most 253", n, len(n))}
		}
	}
	if m.Namespace != "" {
		if !dns1123Label().MatchString(m.Namespace) {
			return &NameError{"namespace", m.Namespace, "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit"}
		}
		if len(m.Namespace) > 63 {
			return &NameError{"namespace", m.Namespace, fmt.Sprintf("a DNS-1123 label has at most 63 characters (it has %d)", len(m.Namespace))}
		}
	}
	return nil
}

// K8sSuffixes and OperatorSuffixes are the suffixes each output appends to --name.
var (
	K8sSuffixes      = []string{"-config", "-secrets"}
	OperatorSuffixes = []string{"", "-secrets"}
)
