package envmap

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
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
	for k, v := range values(f) {
		if inSecret(k) {
			sec.StringData[k] = v
		} else {
			cm.Data[k] = v
		}
	}
	return encodeAll(cm, sec)
}

type secretKeyRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

type envVar struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value,omitempty"`
	ValueFrom *struct {
		SecretKeyRef secretKeyRef `yaml:"secretKeyRef"`
	} `yaml:"valueFrom,omitempty"`
}

type gatewayCR struct {
	APIVersion string      `yaml:"apiVersion"`
	Kind       string      `yaml:"kind"`
	Metadata   objectMeta  `yaml:"metadata"`
	Spec       gatewaySpec `yaml:"spec"`
}

type gatewaySpec struct {
	Auth struct {
		Enabled  bool   `yaml:"enabled"`
		Provider string `yaml:"provider"`
		OIDC     *struct {
			IssuerURL       string        `yaml:"issuerUrl,omitempty"`
			ClientID        string        `yaml:"clientId,omitempty"`
			ClientSecretRef *secretKeyRef `yaml:"clientSecretRef,omitempty"`
		} `yaml:"oidc,omitempty"`
	} `yaml:"auth"`
	Environment string         `yaml:"environment,omitempty"`
	Telemetry   *enabledOnly   `yaml:"telemetry,omitempty"`
	MCP         *enabledOnly   `yaml:"mcp,omitempty"`
	Server      *serverSpec    `yaml:"server,omitempty"`
	Providers   []providerSpec `yaml:"providers,omitempty"`
}

type enabledOnly struct {
	Enabled bool `yaml:"enabled"`
}

type serverSpec struct {
	Host string `yaml:"host,omitempty"`
	Port int    `yaml:"port,omitempty"`
}

type providerSpec struct {
	Name    string   `yaml:"name"`
	Enabled bool     `yaml:"enabled"`
	Env     []envVar `yaml:"env"`
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// Operator renders a gateway-named file as the operator's Gateway resource
// (spec.auth with clientSecretRef, providers with secretKeyRef) plus the
// Secret it references. It returns the keys that have no place in the CRD.
func Operator(f *File, m Manifest) ([]byte, []string, error) {
	vals := values(f)
	secretName := m.Name + "-secrets"
	sec := secret{APIVersion: "v1", Kind: "Secret", Metadata: m.meta("-secrets"), Type: "Opaque", StringData: map[string]string{}}
	cr := gatewayCR{APIVersion: "core.inference-gateway.com/v1alpha1", Kind: "Gateway", Metadata: m.meta("")}
	cr.Spec.Auth.Provider = "oidc"
	used := map[string]bool{}
	use := func(k string) (string, bool) {
		v, ok := vals[k]
		if ok {
			used[k] = true
		}
		return v, ok
	}
	enabled, ok := use("AUTH_ENABLED")
	if !ok {
		enabled, _ = use("AUTH_ENABLE")
	}
	cr.Spec.Auth.Enabled = truthy(enabled)
	iss, hasIss := use("AUTH_OIDC_ISSUER")
	id, hasID := use("AUTH_OIDC_CLIENT_ID")
	sv, hasSecret := use("AUTH_OIDC_CLIENT_SECRET")
	if hasIss || hasID || hasSecret {
		cr.Spec.Auth.OIDC = &struct {
			IssuerURL       string        `yaml:"issuerUrl,omitempty"`
			ClientID        string        `yaml:"clientId,omitempty"`
			ClientSecretRef *secretKeyRef `yaml:"clientSecretRef,omitempty"`
		}{IssuerURL: iss, ClientID: id}
		if hasSecret {
			sec.StringData["AUTH_OIDC_CLIENT_SECRET"] = sv
			cr.Spec.Auth.OIDC.ClientSecretRef = &secretKeyRef{Name: secretName, Key: "AUTH_OIDC_CLIENT_SECRET"}
		}
	}
	if v, ok := use("ENVIRONMENT"); ok {
		cr.Spec.Environment = v
	}
	if v, ok := use("TELEMETRY_ENABLED"); ok {
		cr.Spec.Telemetry = &enabledOnly{truthy(v)}
	}
	if v, ok := use("MCP_ENABLED"); ok {
		cr.Spec.MCP = &enabledOnly{truthy(v)}
	}
	host, hh := use("SERVER_HOST")
	port, hp := use("SERVER_PORT")
	if hh || hp {
		cr.Spec.Server = &serverSpec{Host: host}
		if p, err := strconv.Atoi(port); err == nil {
			cr.Spec.Server.Port = p
		} else if hp && port != "" {
			return nil, nil, fmt.Errorf("SERVER_PORT=%q is not a number", port)
		}
	}
	// Providers: <P>_API_URL as a value, <P>_API_KEY from the Secret.
	providers := map[string]*providerSpec{}
	var names []string
	for k := range vals {
		for _, suffix := range []string{"_API_URL", "_API_KEY"} {
			if !strings.HasSuffix(k, suffix) {
				continue
			}
			p := strings.ToLower(strings.TrimSuffix(k, suffix))
			ps, ok := providers[p]
			if !ok {
				ps = &providerSpec{Name: p, Enabled: true}
				providers[p] = ps
				names = append(names, p)
			}
			v, _ := use(k)
			ev := envVar{Name: k}
			if suffix == "_API_KEY" {
				if v == "" {
					continue // an empty key adds nothing
				}
				sec.StringData[k] = v
				ev.ValueFrom = &struct {
					SecretKeyRef secretKeyRef `yaml:"secretKeyRef"`
				}{secretKeyRef{Name: secretName, Key: k}}
			} else {
				ev.Value = v
			}
			ps.Env = append(ps.Env, ev)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		ps := providers[n]
		sort.Slice(ps.Env, func(i, j int) bool { return ps.Env[i].Name < ps.Env[j].Name })
		cr.Spec.Providers = append(cr.Spec.Providers, *ps)
	}
	var dropped []string
	for k := range vals {
		if !used[k] {
			dropped = append(dropped, k)
		}
	}
	sort.Strings(dropped)
	out, err := encodeAll(cr, sec)
	return out, dropped, err
}
