package keycloak

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/inference-gateway/igctl/internal/fault"
)

// Spec is what `igctl keycloak bootstrap -f spec.yaml` describes.
type Spec struct {
	Realms []RealmSpec `yaml:"realms"`
}

// RealmSpec is one realm and what must exist in it.
type RealmSpec struct {
	Name                string       `yaml:"name"`
	AccessTokenLifespan int          `yaml:"accessTokenLifespan,omitempty"`
	Clients             []ClientSpec `yaml:"clients"`
	Users               []UserSpec   `yaml:"users"`
	// Federated clients authenticate with a CI platform's token (see
	// federated.go): each entry is an identity provider and a client.
	Federated []FederatedSpec `yaml:"federated,omitempty"`
}

// ClientSpec is a confidential OIDC client.
type ClientSpec struct {
	ClientID string `yaml:"clientId"`
	// Nil means the default: service accounts and direct grants on, the
	// browser flow off, the audience mapper on.
	ServiceAccounts    *bool `yaml:"serviceAccounts,omitempty"`
	DirectAccessGrants *bool `yaml:"directAccessGrants,omitempty"`
	StandardFlow       *bool `yaml:"standardFlow,omitempty"`
	AudienceMapper     *bool `yaml:"audienceMapper,omitempty"`
	// Roles are created on this client.
	Roles []string `yaml:"roles,omitempty"`
	// ServiceAccountRoles maps a client id (this one, another, or
	// realm-management) to roles given to this client's service account.
	ServiceAccountRoles map[string][]string `yaml:"serviceAccountRoles,omitempty"`
	ServiceAccountRealm []string            `yaml:"serviceAccountRealmRoles,omitempty"`
	// Public makes this the public client people log in with (no secret):
	// PKCE S256 required, the standard flow and the device grant on,
	// loopback redirect URIs (http://127.0.0.1/*), direct access grants and
	// service accounts off.
	Public bool `yaml:"public,omitempty"`
	// Audience is the client id the audience mapper puts in aud (default:
	// this client's own). A public client names the gateway's client here,
	// so the gateway accepts its tokens.
	Audience string `yaml:"audience,omitempty"`

	// federated, set for the client of a federated: entry, makes it a
	// client authenticated by that entry's issuer and subject.
	federated *FederatedSpec
}

// PublicRedirectURIs are the loopback redirect URIs of a public client:
// Keycloak lets any port match for a loopback IP literal (RFC 8252 §7.3).
var PublicRedirectURIs = []string{"http://127.0.0.1/*"}

// publicAttributes are the client attributes a public client for people needs.
var publicAttributes = map[string]string{
	"pkce.code.challenge.method":                "S256",
	"oauth2.device.authorization.grant.enabled": "true",
}

// PublicClientSpec is the public client for people, with an audience
// mapper putting gatewayClientID in aud.
func PublicClientSpec(clientID, gatewayClientID string) ClientSpec {
	return ClientSpec{ClientID: clientID, Public: true, Audience: gatewayClientID}
}

// UserSpec is a user able to use the password grant.
type UserSpec struct {
	Username    string              `yaml:"username"`
	Email       string              `yaml:"email"`
	FirstName   string              `yaml:"firstName"`
	LastName    string              `yaml:"lastName"`
	Password    string              `yaml:"password,omitempty"`
	RealmRoles  []string            `yaml:"realmRoles,omitempty"`
	ClientRoles map[string][]string `yaml:"clientRoles,omitempty"`
}

func on(b *bool) bool { return b == nil || *b }

// Guide's defaults: the names the Inference Gateway authentication guide uses.
const (
	DefaultRealm    = "inference-gateway-realm"
	DefaultClientID = "inference-gateway-client"
	DefaultUsername = "user"
)

// DefaultSpec reproduces the guide's set-up.
func DefaultSpec(realm, clientID, username string) *Spec {
	no := false
	return &Spec{Realms: []RealmSpec{{
		Name:    realm,
		Clients: []ClientSpec{{ClientID: clientID, StandardFlow: &no}},
		Users: []UserSpec{{
			Username: username, Email: username + "@example.com", FirstName: "Test", LastName: "User",
		}},
	}}}
}

// Compiled on first use, not at every igctl start.
var varRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`) })

// LoadSpec reads a YAML spec, substituting ${VAR} from getenv. An undefined
// variable is an error, found before any request is sent.
func LoadSpec(path string, getenv func(string) (string, bool)) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fault.New(BadSpec, fmt.Errorf("reading spec: %w", err), fault.Facts{Path: path})
	}
	var undefined []string
	seen := map[string]bool{}
	expanded := varRef().ReplaceAllStringFunc(string(data), func(m string) string {
		name := varRef().FindStringSubmatch(m)[1]
		v, ok := getenv(name)
		if !ok {
			if !seen[name] {
				undefined = append(undefined, name)
				seen[name] = true
			}
			return m
		}
		// Values are substituted into YAML: quote them so a value can never
		// change the document's structure.
		return strings.TrimSuffix(yamlScalar(v), "\n")
	})
	if len(undefined) > 0 {
		return nil, fault.New(SpecUndefinedVars, fmt.Errorf("spec %s uses undefined variables: %s", path, strings.Join(undefined, ", ")),
			fault.Facts{Path: path})
	}
	var s Spec
	dec := yaml.NewDecoder(strings.NewReader(expanded))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fault.New(BadSpec, fmt.Errorf("spec %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: ")), fault.Facts{Path: path})
	}
	return &s, s.validate(path)
}

func yamlScalar(v string) string {
	b, _ := yaml.Marshal(v)
	return string(b)
}

func (s *Spec) validate(path string) error {
	bad := func(msg string, a ...any) error {
		return fault.New(BadSpec, fmt.Errorf("spec %s: %s", path, fmt.Sprintf(msg, a...)), fault.Facts{Path: path})
	}
	if len(s.Realms) == 0 {
		return bad("no realms")
	}
	for _, r := range s.Realms {
		if r.Name == "" {
			return bad("a realm has no name")
		}
		for _, c := range r.Clients {
			if c.ClientID == "" {
				return bad("realm %s: a client has no clientId", r.Name)
			}
			if (c.Public || !on(c.ServiceAccounts)) && (len(c.ServiceAccountRoles) > 0 || len(c.ServiceAccountRealm) > 0) {
				return bad("realm %s: client %s has serviceAccountRoles but no service account (public: true or serviceAccounts: false)", r.Name, c.ClientID)
			}
		}
		seen := map[string]bool{}
		for _, c := range r.Clients {
			seen[c.ClientID] = true
		}
		for _, f := range r.Federated {
			if err := f.Validate(); err != nil {
				return bad("realm %s: %v", r.Name, err)
			}
			if seen[f.Client] {
				return bad("realm %s: client %s appears twice (Keycloak matches one subject per client: give each subject its own client)", r.Name, f.Client)
			}
			seen[f.Client] = true
		}
		for _, u := range r.Users {
			if u.Username == "" {
				return bad("realm %s: a user has no username", r.Name)
			}
			if u.Email == "" || u.FirstName == "" || u.LastName == "" {
				return bad("realm %s: user %s needs email, firstName and lastName (Keycloak refuses the password grant otherwise: \"Account is not fully set up\")", r.Name, u.Username)
			}
		}
	}
	if err := s.ValidateNames(); err != nil {
		return fault.New(BadSpec, fmt.Errorf("spec %s: %w", path, err), fault.Facts{Path: path})
	}
	return nil
}
