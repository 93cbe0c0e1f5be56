package keycloak

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/inference-gateway/igctl/internal/fault"
)

// Federated client authentication: a client whose credential is a token
// another OIDC issuer (a CI platform, a Kubernetes cluster) gives the job,
// sent as an RFC 7523 client assertion. Keycloak needs two objects: an
// identity provider that trusts the issuer's keys and accepts client
// assertions, and a client with the federated-jwt authenticator naming
// that provider and the one subject it accepts. Keycloak's generic OIDC
// provider serves GitHub Actions, GitLab and a cluster whose
// service-account issuer publishes its discovery document and keys.

// FederatedSpec trusts one subject of one issuer as one client: Keycloak
// matches a single exact subject per client, so each subject gets its
// own client.
type FederatedSpec struct {
	Client  string `yaml:"client"`
	Issuer  string `yaml:"issuer"`
	Subject string `yaml:"subject"`
	// Alias names the identity provider (default: from the issuer's host,
	// github-actions for GitHub, gitlab for gitlab.com).
	Alias string `yaml:"alias,omitempty"`
	// Audience is the gateway's client id, put in aud of the client's
	// tokens (default: the realm's first client).
	Audience string `yaml:"audience,omitempty"`
	// AllowReuse lets the provider accept an assertion more than once, for
	// sources that hand out the same token until it is rotated (a
	// Kubernetes projected token, GitLab's id_tokens).
	AllowReuse bool `yaml:"allowReuse,omitempty"`
}

// FederatedAuthenticator is Keycloak's client authenticator for federated
// client assertions.
const FederatedAuthenticator = "federated-jwt"

// knownIssuers are the aliases of issuers people know by name.
var knownIssuers = map[string]string{
	"token.actions.githubusercontent.com": "github-actions",
	"gitlab.com":                          "gitlab",
}

var aliasUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

// DefaultAlias is the identity provider alias for an issuer.
func DefaultAlias(issuer string) string {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" {
		return "ci-issuer"
	}
	if a, ok := knownIssuers[u.Hostname()]; ok {
		return a
	}
	return "ci-" + strings.Trim(aliasUnsafe.ReplaceAllString(strings.ToLower(u.Host+u.Path), "-"), "-")
}

// federatedClient is the client spec of f: confidential, service account
// on, direct grants and the browser flow off, the federated authenticator
// trusting f's provider and subject, aud holding the gateway's client.
func (f FederatedSpec) federatedClient() ClientSpec {
	no := false
	return ClientSpec{
		ClientID: f.Client, DirectAccessGrants: &no, StandardFlow: &no,
		Audience: f.Audience, federated: &f,
	}
}

// normalize fills defaults: the alias, and the gateway's client as aud.
func (r *RealmSpec) normalizeFederated() {
	for i := range r.Federated {
		f := &r.Federated[i]
		f.Issuer = strings.TrimSpace(f.Issuer)
		if f.Alias == "" {
			f.Alias = DefaultAlias(f.Issuer)
		}
		if f.Audience == "" {
			for _, c := range r.Clients {
				if !c.Public && c.federated == nil {
					f.Audience = c.ClientID
					break
				}
			}
		}
	}
}

// ValidateFederated checks one entry before any request is sent.
func (f FederatedSpec) Validate() error {
	switch {
	case f.Client == "":
		return fmt.Errorf("a federated entry has no client")
	case f.Subject == "":
		return fmt.Errorf("federated client %s has no subject (Keycloak matches one exact sub per client)", f.Client)
	case f.Issuer == "":
		return fmt.Errorf("federated client %s has no issuer", f.Client)
	}
	u, err := url.Parse(f.Issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("federated client %s: issuer %q is not an http(s) URL", f.Client, f.Issuer)
	}
	if err := ValidateClientID(f.Client, true, true); err != nil {
		return fmt.Errorf("federated client %s: %w", f.Client, err)
	}
	return nil
}

// idpRep is an IdentityProviderRepresentation.
type idpRep struct {
	Alias       string            `json:"alias"`
	Config      map[string]string `json:"config"`
	Enabled     *bool             `json:"enabled,omitempty"`
	HideOnLogin *bool             `json:"hideOnLogin,omitempty"`
	ProviderID  string            `json:"providerId"`
}

// issuerDoc is what the provider needs from the issuer's discovery document.
type issuerDoc struct {
	Issuer                string `json:"issuer"`
	JWKSURI               string `json:"jwks_uri"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
}

// discoverIssuer reads the issuer's discovery document: its keys' URL is
// what Keycloak verifies assertions with.
func discoverIssuer(ctx context.Context, hc *http.Client, issuer string) (*issuerDoc, error) {
	u := strings.TrimRight(issuer, "/") + "/.well-known/openid-configuration"
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fault.New(IssuerDiscovery, fmt.Errorf("federated issuer %s: %w", issuer, err), fault.Facts{URL: u})
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fault.New(IssuerUnreachable, fmt.Errorf("federated issuer %s: discovery failed: %w", issuer, err), fault.Facts{URL: u})
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var doc issuerDoc
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &doc) != nil {
		return nil, fault.New(IssuerDiscovery, fmt.Errorf("federated issuer %s: %s answered HTTP %d, not a discovery document", issuer, u, resp.StatusCode), fault.Facts{URL: u})
	}
	if doc.Issuer != issuer {
		return nil, fault.New(IssuerDiscovery, fmt.Errorf("federated issuer %s: its discovery document names the issuer %q (tokens carry that one: use it exactly)", issuer, doc.Issuer), fault.Facts{URL: u})
	}
	if doc.JWKSURI == "" {
		return nil, fault.New(IssuerDiscovery, fmt.Errorf("federated issuer %s: its discovery document has no jwks_uri", issuer), fault.Facts{URL: u})
	}
	return &doc, nil
}

// idpWant is the provider trusting f's issuer for client assertions. The
// OIDC provider also wants the endpoints of a browser login; an issuer
// that offers none (GitHub's) gets its own URL there, and the provider is
// hidden from the login page.
func idpWant(f FederatedSpec, doc *issuerDoc) idpRep {
	orIssuer := func(s string) string {
		if s == "" {
			return f.Issuer
		}
		return s
	}
	reuse := "false"
	if f.AllowReuse {
		reuse = "true"
	}
	return idpRep{
		Alias: f.Alias, ProviderID: "oidc", Enabled: ptr(true), HideOnLogin: ptr(true),
		Config: map[string]string{
			"issuer":                       f.Issuer,
			"jwksUrl":                      doc.JWKSURI,
			"useJwksUrl":                   "true",
			"validateSignature":            "true",
			"supportsClientAssertions":     "true",
			"supportsClientAssertionReuse": reuse,
			"authorizationUrl":             orIssuer(doc.AuthorizationEndpoint),
			"tokenUrl":                     orIssuer(doc.TokenEndpoint),
			"clientId":                     "igctl-federation",
		},
	}
}

// identityProvider settles the provider of one federated entry.
func (r *run) identityProvider(realm string, f FederatedSpec, pending bool) error {
	doc, err := discoverIssuer(r.ctx, r.a.HTTP, f.Issuer)
	if err != nil {
		return err
	}
	want := idpWant(f, doc)
	base := "/" + esc(realm) + "/identity-provider/instances"
	p := base + "/" + esc(f.Alias)
	// Keycloak's PUT of a provider replaces it: the one read is sent back
	// whole, with the managed fields laid over it.
	var raw map[string]any
	exists := false
	if !pending {
		if exists, err = r.get(p, &raw); err != nil {
			return err
		}
	}
	if !exists {
		_, other, err := r.create(base, want, func() (bool, error) { return r.get(p, nil) })
		if err != nil {
			return err
		}
		r.record(Change{Kind: "identity-provider", Realm: realm, Name: f.Alias, Action: createdBy(other)})
		return nil
	}
	var have idpRep
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &have); err != nil {
		return err
	}
	if have.ProviderID != want.ProviderID {
		return fault.New(BadSpec, fmt.Errorf("identity provider %s in realm %s is a %q provider, not oidc: choose another alias", f.Alias, realm, have.ProviderID))
	}
	var d []Diff
	var enabled, hide *bool
	diffField(&d, "enabled", have.Enabled, want.Enabled, &enabled)
	diffField(&d, "hideOnLogin", have.HideOnLogin, want.HideOnLogin, &hide)
	cfg, cd := diffMap("config.", have.Config, want.Config)
	d = append(d, cd...)
	action := Unchanged
	if len(d) > 0 {
		action = Updated
		raw["config"], raw["enabled"], raw["hideOnLogin"] = cfg, true, true
		if _, err := r.write(http.MethodPut, p, raw, nil); err != nil {
			return err
		}
	}
	r.record(Change{Kind: "identity-provider", Realm: realm, Name: f.Alias, Action: action, Diffs: d})
	return nil
}
