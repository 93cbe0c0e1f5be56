package keycloakcmd

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/inference-gateway/igctl/internal/iostreams"
	"github.com/inference-gateway/igctl/internal/keycloak"
)

type jsonClient struct {
	Realm    string `json:"realm"`
	ClientID string `json:"client_id"`
	Issuer   string `json:"issuer"`
	Secret   string `json:"secret,omitempty"`
}

func printResult(opts *BootstrapOptions, res *keycloak.Result) {
	if res == nil {
		return
	}
	if opts.JSON {
		out := struct {
			DryRun  bool              `json:"dry_run"`
			Objects []keycloak.Change `json:"objects"`
			Clients []jsonClient      `json:"clients"`
		}{DryRun: opts.DryRun, Objects: res.Objects, Clients: []jsonClient{}}
		if out.Objects == nil {
			out.Objects = []keycloak.Change{}
		}
		for _, c := range res.Clients {
			jc := jsonClient{Realm: c.Realm, ClientID: c.ClientID, Issuer: c.Issuer}
			if opts.ShowSecret {
				jc.Secret = c.Secret
			}
			out.Clients = append(out.Clients, jc)
		}
		json.NewEncoder(opts.IO.Out).Encode(out)
	} else {
		printTable(opts, res)
	}
	counts := map[string]int{}
	for _, c := range res.Objects {
		counts[c.Action]++
	}
	summary := fmt.Sprintf("%d created, %d updated, %d unchanged", counts[keycloak.Created], counts[keycloak.Updated], counts[keycloak.Unchanged])
	if opts.DryRun {
		summary = "plan: " + strings.ReplaceAll(strings.ReplaceAll(summary, "created", "to create"), "updated", "to update")
	}
	opts.IO.Infof("%s (%d write requests)", summary, res.Writes)
}

// printTable lists each object with its action, and under it the fields
// that differ. On a terminal it is a table; piped, columns two spaces apart.
func printTable(opts *BootstrapOptions, res *keycloak.Result) {
	verb := map[string]string{keycloak.Created: "created", keycloak.Updated: "updated", keycloak.Unchanged: "unchanged"}
	if opts.DryRun {
		verb = map[string]string{keycloak.Created: "would create", keycloak.Updated: "would update", keycloak.Unchanged: "unchanged"}
	}
	var rows [][]string
	for _, c := range res.Objects {
		rows = append(rows, []string{verb[c.Action], c.Kind, c.Name, c.Realm})
		for _, d := range c.Diffs {
			rows = append(rows, []string{"", "", fmt.Sprintf("  %s: %s → %s", d.Field, d.From, d.To), ""})
		}
	}
	if len(rows) > 0 { // a run refused before its first object prints nothing
		_ = opts.IO.Table([]string{"action", "kind", "name", "realm"}, rows) // like every line of the report: a closed stdout is not the bootstrap's failure
	}
	if opts.ShowSecret {
		for _, c := range res.Clients {
			fmt.Fprintf(opts.IO.Out, "secret\t%s/%s\t%s\n", c.Realm, c.ClientID, c.Secret)
		}
	}
}

// showLogins says how people (the public client, when there is one) and CI
// (the confidential client's service account) log in.
func showLogins(io *iostreams.IOStreams, spec *keycloak.Spec, gw keycloak.ClientResult, gatewayEnv string) {
	for _, realm := range spec.Realms {
		if realm.Name != gw.Realm {
			continue
		}
		for _, f := range realm.Federated {
			// the CI job's login: no secret, the job's own token
			io.Infof("CI logs in as %s with: igctl login --grant client-credentials --issuer %s --client-id %s --client-assertion %s --gateway-client-id %s",
				f.Client, gw.Issuer, f.Client, ciSource(f), gw.ClientID)
		}
		for _, c := range realm.Clients {
			if !c.Public {
				continue
			}
			io.Infof("people log in with: igctl login --web --issuer %s --client-id %s --gateway-client-id %s   (--device on SSH sessions)",
				gw.Issuer, c.ClientID, gw.ClientID)
		}
	}
	if gatewayEnv != "" {
		io.Infof("CI logs in with: igctl login --from-env %s --grant client-credentials", gatewayEnv)
	}
}

// ciSource is the --client-assertion a federated entry's job uses: GitHub's
// ID-token endpoint, or the file a Kubernetes projected token (or a GitLab
// id_tokens value written out) sits in.
func ciSource(f keycloak.FederatedSpec) string {
	if strings.HasPrefix(f.Subject, "system:serviceaccount:") {
		return "file:/var/run/secrets/igctl/token"
	}
	if f.Alias == "github-actions" || strings.HasPrefix(f.Subject, "repo:") {
		return "github-actions"
	}
	return "env:IGCTL_ID_TOKEN"
}
