package envmap

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"gopkg.in/yaml.v3"
)

func docs(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var out []map[string]any
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("output is not YAML: %v\n%s", err, b)
		}
		out = append(out, d)
	}
}

func sub(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

func TestK8sSplitsSecretsFromConfig(t *testing.T) {
	f := read(t, "gateway.env")
	out, err := K8s(f, Manifest{Name: "inference-gateway", Namespace: "ig"})
	if err != nil {
		t.Fatal(err)
	}
	d := docs(t, out)
	if len(d) != 2 || d[0]["kind"] != "ConfigMap" || d[1]["kind"] != "Secret" {
		t.Fatalf("want a ConfigMap and a Secret: %v", d)
	}
	cm, sec := d[0], d[1]
	if sub(cm, "metadata", "namespace") != "ig" || sub(cm, "metadata", "name") != "inference-gateway-config" {
		t.Fatalf("metadata: %v", cm["metadata"])
	}
	if sub(cm, "data", "AUTH_ENABLED") != "true" || sub(cm, "data", "AUTH_OIDC_ISSUER") != "http://keycloak:8080/realms/inference-gateway-realm" {
		t.Fatalf("config data (must be strings): %v", cm["data"])
	}
	for _, k := range []string{"AUTH_OIDC_CLIENT_SECRET", "AUTH_OIDC_CLIENT_ID", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"} {
		if sub(sec, "stringData", k) == nil {
			t.Errorf("%s should be in the Secret", k)
		}
		if sub(cm, "data", k) != nil {
			t.Errorf("%s must not be in the ConfigMap", k)
		}
	}
	if sub(sec, "stringData", "AUTH_OIDC_CLIENT_SECRET") != "s3cr3t#value" {
		t.Fatalf("secret value: %v", sub(sec, "stringData", "AUTH_OIDC_CLIENT_SECRET"))
	}
	// every key of the file is in exactly one of the two
	n := len(sub(cm, "data").(map[string]any)) + len(sub(sec, "stringData").(map[string]any))
	if n != len(values(f)) {
		t.Fatalf("%d keys out, %d in", n, len(values(f)))
	}
}

func TestOperatorGateway(t *testing.T) {
	f := Parse([]byte("AUTH_ENABLED=true\nAUTH_OIDC_ISSUER=http://keycloak:8080/realms/r\nAUTH_OIDC_CLIENT_ID=c\nAUTH_OIDC_CLIENT_SECRET=s\nOPENAI_API_URL=https://api.openai.com/v1\nOPENAI_API_KEY=sk-1\nSERVER_PORT=8080\nALLOWED_MODELS=x\n"))
	or, err := Operator(f, Manifest{Name: "gw"})
	if err != nil {
		t.Fatal(err)
	}
	out, dropped := or.YAML, or.Dropped
	d := docs(t, out)
	gw, sec := d[0], d[1]
	if gw["apiVersion"] != "core.inference-gateway.com/v1alpha1" || gw["kind"] != "Gateway" {
		t.Fatalf("kind: %v", gw)
	}
	if sub(gw, "spec", "auth", "enabled") != true || sub(gw, "spec", "auth", "provider") != "oidc" ||
		sub(gw, "spec", "auth", "oidc", "issuerUrl") != "http://keycloak:8080/realms/r" || sub(gw, "spec", "auth", "oidc", "clientId") != "c" {
		t.Fatalf("auth: %v", sub(gw, "spec", "auth"))
	}
	ref := sub(gw, "spec", "auth", "oidc", "clientSecretRef").(map[string]any)
	if ref["name"] != "gw-secrets" || sub(sec, "stringData", ref["key"].(string)) != "s" {
		t.Fatalf("clientSecretRef %v does not point into the Secret %v", ref, sec)
	}
	providers := sub(gw, "spec", "providers").([]any)
	p := providers[0].(map[string]any)
	env := p["env"].([]any)
	key := env[0].(map[string]any)
	if p["name"] != "openai" || key["name"] != "OPENAI_API_KEY" || sub(key, "valueFrom", "secretKeyRef", "key") != "OPENAI_API_KEY" {
		t.Fatalf("provider: %v", p)
	}
	if sub(gw, "spec", "server", "port") != 8080 {
		t.Fatalf("port: %v", sub(gw, "spec", "server"))
	}
	if len(dropped) != 1 || dropped[0] != "ALLOWED_MODELS" {
		t.Fatalf("dropped: %v", dropped)
	}
}
