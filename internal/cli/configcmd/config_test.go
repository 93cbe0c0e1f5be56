package configcmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/config"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

func factory(dir, profile string) *cmdutil.Factory {
	io, _, _, _ := iostreams.Test()
	f := cmdutil.New(io)
	f.Getenv = func(string) string { return "" }
	f.Globals.ConfigDir = dir
	f.Globals.Profile = profile
	return f
}

// Two igctl processes both load config.yaml before either saves: the one
// that saves last used to write back the file it had loaded, dropping the
// other's change (the lost update). Each must keep the other's now.
func TestInterleavedCommandsKeepBothChanges(t *testing.T) {
	dir := t.TempDir()
	seed := factory(dir, "prod")
	if err := setRun(&SetOptions{F: seed, Key: "issuer", Value: "https://kc/realms/r"}); err != nil {
		t.Fatal(err)
	}

	setA := factory(dir, "staging")
	setB := factory(dir, "prod")
	use := factory(dir, "")
	for _, f := range []*cmdutil.Factory{setA, setB, use} {
		if _, err := f.Config(); err != nil { // the Load each command does first
			t.Fatal(err)
		}
	}
	if err := setRun(&SetOptions{F: setA, Key: "issuer", Value: "https://kc.staging/realms/r"}); err != nil {
		t.Fatal(err)
	}
	if err := setRun(&SetOptions{F: setB, Key: "client-id", Value: "inference-gateway-client"}); err != nil {
		t.Fatal(err)
	}
	if err := useRun(&UseOptions{F: use, Name: "prod"}); err != nil {
		t.Fatal(err)
	}

	c, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	prod, staging := c.Profiles["prod"], c.Profiles["staging"]
	if prod == nil || staging == nil || prod.Issuer != "https://kc/realms/r" || prod.ClientID != "inference-gateway-client" ||
		staging.Issuer != "https://kc.staging/realms/r" || c.CurrentProfile != "prod" {
		b, _ := os.ReadFile(filepath.Join(dir, config.FileName))
		t.Fatalf("an update was lost:\n%s", b)
	}
}
