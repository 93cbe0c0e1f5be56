package envmap_test

import (
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/envmap"
	"github.com/inference-gateway/igctl/internal/exitcode"
)

// What the user sees of each envmap failure: the exit code and the hint
// that cmdutil's table gives its kind.
func TestEnvmapFailuresExitAndHint(t *testing.T) {
	parse := func(s string) *envmap.File { return envmap.Parse([]byte(s)) }
	translate := func(s string, o envmap.Options) error {
		_, err := envmap.Translate(parse(s), o)
		return err
	}
	operator := func(s string) error {
		_, err := envmap.Operator(parse(s), envmap.Manifest{Name: "ig"})
		return err
	}
	_, checkErr := envmap.Check(parse("A=1\n"), envmap.CheckOptions{Product: envmap.Gateway, Version: "v1.x"})
	_, k8sErr := envmap.K8s(parse("A=\xff\n"), envmap.Manifest{Name: "ig"})
	gw2adk := envmap.Options{From: envmap.Gateway, To: envmap.ADK}
	for _, tc := range []struct {
		name string
		err  error
		code exitcode.Code
		hint string
	}{
		{"bad product", translate("A=1\n", envmap.Options{From: "k8s", To: envmap.ADK}), exitcode.Usage, ""},
		{"bad version", translate("A=1\n", envmap.Options{From: envmap.Gateway, To: envmap.ADK, TargetVersion: "latest"}), exitcode.Usage, ""},
		{"bad version in check", checkErr, exitcode.Usage, ""},
		{"duplicates", translate("AUTH_OIDC_ISSUER=a\nAUTH_ISSUER_URL=b\n", gw2adk), exitcode.Config,
			"choose with --on-conflict keep (first wins) or overwrite (last wins)"},
		{"unmapped", translate("ALLOWED_MODELS=x\n", envmap.Options{From: envmap.Gateway, To: envmap.ADK, Strict: true}), exitcode.Drift, ""},
		{"unclear boolean", translate("AUTH_ENABLED=yes\n", envmap.Options{From: envmap.Gateway, To: envmap.Gateway}), exitcode.Config, "write true or false"},
		{"not UTF-8", k8sErr, exitcode.Config, "fix the file's encoding (it may be Latin-1), or put binary data in a Secret's data field by hand"},
		{"bad CRD value", operator("SERVER_PORT=80\n"), exitcode.Config, ""},
		{"fail-closed guardrails", operator("GUARDRAILS_ENABLED=true\n"), exitcode.Config,
			"deploy this file with --to k8s (a ConfigMap keeps closed), or set GUARDRAILS_FAIL_MODE=open to accept fail-open explicitly"},
	} {
		if tc.err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if code, hint := cmdutil.Classify(tc.err); code != tc.code || hint != tc.hint {
			t.Errorf("%s: exit %d hint %q, want exit %d hint %q (%v)", tc.name, code, hint, tc.code, tc.hint, tc.err)
		}
	}
}
