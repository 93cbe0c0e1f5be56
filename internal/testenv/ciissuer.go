package testenv

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CIIssuer stands in for a CI platform's OIDC issuer: GitHub Actions'
// (token.actions.githubusercontent.com), GitLab's, or a Kubernetes cluster's
// service-account issuer. No CI platform is reachable from the tests, so
// this one runs on loopback and behaves as GitHub's does where igctl and
// Keycloak can tell:
//
//   - the issuer serves its discovery document and a JWKS
//     (/.well-known/openid-configuration, /.well-known/jwks);
//   - a second server plays the job's ID-token request endpoint, whose
//     URL a job finds in ACTIONS_ID_TOKEN_REQUEST_URL: it already carries
//     a query string (api-version=2.0), the caller appends &audience=AUD,
//     sends Authorization: bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN and gets
//     {"value": JWT} back (without audience, aud is the repository
//     owner's URL, as on GitHub);
//   - tokens are RS256 JWTs with a kid, a fresh jti and GitHub's claims
//     (sub repo:ORG/REPO:ref:refs/heads/BRANCH, repository, ref, …),
//     valid for five minutes.
type CIIssuer struct {
	// URL is the issuer (iss).
	URL string
	// RequestURL and RequestToken are what a GitHub job finds in
	// ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN.
	RequestURL, RequestToken string
	// Repository and Branch make the job's subject.
	Repository, Branch string

	key      *rsa.PrivateKey
	kid      string
	issuer   *httptest.Server
	pipeline *httptest.Server

	requests atomic.Int64
	mu       sync.Mutex
	refused  []string // why requests to the ID-token endpoint were refused
}

// StartCIIssuer starts the stand-in with the job's repository and branch.
func StartCIIssuer(repository, branch string) (*CIIssuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(key.PublicKey.N.Bytes())
	c := &CIIssuer{key: key, kid: hex.EncodeToString(sum[:8]), Repository: repository, Branch: branch}
	c.RequestToken = "req-" + Secret()
	c.issuer = httptest.NewServer(http.HandlerFunc(c.serveIssuer))
	c.URL = c.issuer.URL
	c.pipeline = httptest.NewServer(http.HandlerFunc(c.serveIDToken))
	c.RequestURL = c.pipeline.URL + "/00000000-0000-0000-0000-000000000000/_apis/distributedtask/hub/build/plans/1/jobs/2/idtoken?api-version=2.0"
	return c, nil
}

// Close stops both servers.
func (c *CIIssuer) Close() {
	c.issuer.Close()
	c.pipeline.Close()
}

// Subject is the sub GitHub gives a job of Repository on Branch.
func (c *CIIssuer) Subject() string {
	return "repo:" + c.Repository + ":ref:refs/heads/" + c.Branch
}

// Requests is how many ID tokens the request endpoint handed out.
func (c *CIIssuer) Requests() int64 { return c.requests.Load() }

// Refused lists why requests to the ID-token endpoint were refused.
func (c *CIIssuer) Refused() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.refused...)
}

func (c *CIIssuer) serveIssuer(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                                c.URL,
			"jwks_uri":                              c.URL + "/.well-known/jwks",
			"subject_types_supported":               []string{"public", "pairwise"},
			"response_types_supported":              []string{"id_token"},
			"claims_supported":                      []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "repository_owner", "run_id", "workflow", "job_workflow_ref", "actor", "event_name", "ref_type", "runner_environment"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"scopes_supported":                      []string{"openid"},
		})
	case "/.well-known/jwks":
		pub := c.key.PublicKey
		writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": c.kid,
			"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
		}}})
	default:
		http.NotFound(w, r)
	}
}

// serveIDToken is the job's ID-token request endpoint.
func (c *CIIssuer) serveIDToken(w http.ResponseWriter, r *http.Request) {
	refuse := func(code int, why string) {
		c.mu.Lock()
		c.refused = append(c.refused, why)
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		w.Write([]byte(`{"message":"` + why + `"}`))
	}
	if r.Method != http.MethodGet {
		refuse(http.StatusMethodNotAllowed, "method "+r.Method)
		return
	}
	if r.URL.Query().Get("api-version") != "2.0" {
		refuse(http.StatusBadRequest, "the query string GitHub put in the URL was lost")
		return
	}
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || tok != c.RequestToken {
		refuse(http.StatusUnauthorized, "bad request token")
		return
	}
	aud := r.URL.Query().Get("audience")
	if aud == "" {
		aud = "https://github.com/" + strings.Split(c.Repository, "/")[0]
	}
	c.requests.Add(1)
	writeJSON(w, http.StatusOK, map[string]any{"count": 1, "value": c.Mint(MintOptions{Audience: aud})})
}

// MintOptions change a minted token; zero values give GitHub's defaults
// for the job.
type MintOptions struct {
	Audience string
	Subject  string        // default: Subject()
	Lifetime time.Duration // default 5m; negative: already expired by that much
}

// Mint signs a token for the job as GitHub would.
func (c *CIIssuer) Mint(o MintOptions) string {
	now := time.Now()
	sub := o.Subject
	if sub == "" {
		sub = c.Subject()
	}
	life := o.Lifetime
	if life == 0 {
		life = 5 * time.Minute
	}
	iat := now
	if life < 0 {
		iat = now.Add(life - 5*time.Minute)
	}
	owner, _, _ := strings.Cut(c.Repository, "/")
	claims := map[string]any{
		"jti": Secret(), "sub": sub, "aud": o.Audience,
		"ref": "refs/heads/" + c.Branch, "sha": strings.Repeat("5", 40),
		"repository": c.Repository, "repository_owner": owner, "repository_owner_id": "1000",
		"repository_id": "2000", "repository_visibility": "private",
		"run_id": "3000", "run_number": "7", "run_attempt": "1",
		"actor": "ci-bot", "actor_id": "4000", "workflow": "CI",
		"head_ref": "", "base_ref": "", "event_name": "push", "ref_type": "branch",
		"workflow_ref":       c.Repository + "/.github/workflows/ci.yml@refs/heads/" + c.Branch,
		"job_workflow_ref":   c.Repository + "/.github/workflows/ci.yml@refs/heads/" + c.Branch,
		"runner_environment": "github-hosted",
		"iss":                c.URL, "nbf": iat.Add(-5 * time.Second).Unix(), "iat": iat.Unix(),
		"exp": now.Add(life).Unix(),
	}
	if life < 0 {
		claims["exp"] = now.Add(life).Unix()
	}
	header := map[string]string{"typ": "JWT", "alg": "RS256", "kid": c.kid}
	hb, _ := json.Marshal(header)
	cb, _ := json.Marshal(claims)
	signing := b64(hb) + "." + b64(cb)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, c.key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return signing + "." + b64(sig)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// ServerInfo is what the tests read of Keycloak's server info: its
// version and which features are on.
type ServerInfo struct {
	Version  string
	Features map[string]bool
}

// ServerInfo asks the admin API (GET /admin/serverinfo).
func (kc KC) ServerInfo() (ServerInfo, error) {
	var out ServerInfo
	tok, err := kc.AdminToken()
	if err != nil {
		return out, err
	}
	req, _ := http.NewRequest(http.MethodGet, kc.URL+"/admin/serverinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	var body struct {
		SystemInfo struct {
			Version string `json:"version"`
		} `json:"systemInfo"`
		Features []struct {
			Name    string `json:"name"`
			Enabled bool   `json:"enabled"`
		} `json:"features"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return out, err
	}
	out.Version = body.SystemInfo.Version
	out.Features = map[string]bool{}
	for _, f := range body.Features {
		out.Features[f.Name] = f.Enabled
	}
	return out, nil
}
