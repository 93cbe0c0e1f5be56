package cli

import (
	"reflect"
	"testing"
	"time"

	"github.com/inference-gateway/igctl/internal/cli/cmdutil"
	"github.com/inference-gateway/igctl/internal/cli/configcmd"
	"github.com/inference-gateway/igctl/internal/cli/doctor"
	"github.com/inference-gateway/igctl/internal/cli/envcmd"
	"github.com/inference-gateway/igctl/internal/cli/execcmd"
	"github.com/inference-gateway/igctl/internal/cli/keycloakcmd"
	"github.com/inference-gateway/igctl/internal/cli/login"
	"github.com/inference-gateway/igctl/internal/cli/loginflow"
	"github.com/inference-gateway/igctl/internal/cli/logout"
	"github.com/inference-gateway/igctl/internal/cli/models"
	"github.com/inference-gateway/igctl/internal/cli/proxycmd"
	"github.com/inference-gateway/igctl/internal/cli/status"
	"github.com/inference-gateway/igctl/internal/cli/tokencmd"
	"github.com/inference-gateway/igctl/internal/cli/version"
	"github.com/inference-gateway/igctl/internal/iostreams"
)

// Options are built when the command tree is, before flags, IGCTL_* variables
// and PersistentPreRunE have set the Factory up: every getter must read the
// Factory when the command runs, and none may be left nil.
func TestOptionsFollowTheFactory(t *testing.T) {
	io, _, _, _ := iostreams.Test()
	f := cmdutil.New(io)
	built := map[string]any{
		"config list": configcmd.NewListOptions(f), "config show": configcmd.NewShowOptions(f),
		"config set": configcmd.NewSetOptions(f), "config use": configcmd.NewUseOptions(f),
		"doctor": doctor.NewOptions(f), "env translate": envcmd.NewTranslateOptions(f),
		"env check": envcmd.NewCheckOptions(f), "exec": execcmd.NewOptions(f),
		"keycloak bootstrap": keycloakcmd.NewBootstrapOptions(f), "login": login.NewOptions(f),
		"loginflow": loginflow.New(f), "logout": logout.NewOptions(f), "models": models.NewOptions(f),
		"proxy": proxycmd.NewOptions(f), "proxy deps": proxycmd.NewDeps(f), "status": status.NewOptions(f),
		"token": tokencmd.NewOptions(f), "token inspect": tokencmd.NewInspectOptions(f),
		"version": version.NewOptions(f),
	}
	// what flags and the environment change after construction
	now := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	f.Getenv = func(k string) string { return "later:" + k }
	f.Now = func() time.Time { return now }
	f.Globals.Timeout = 42 * time.Second
	f.Globals.Verbose = true
	f.Globals.Profile = "later"
	checked := 0
	for name, o := range built {
		v := reflect.ValueOf(o)
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		var walk func(v reflect.Value)
		walk = func(v reflect.Value) {
			for i := 0; i < v.NumField(); i++ {
				sf, fv := v.Type().Field(i), v.Field(i)
				if !sf.IsExported() {
					continue
				}
				if sf.Anonymous && fv.Kind() == reflect.Struct {
					walk(fv)
					continue
				}
				if (fv.Kind() == reflect.Func || fv.Kind() == reflect.Pointer) && fv.IsNil() {
					t.Errorf("%s: %s is nil", name, sf.Name)
					continue
				}
				checked++
				switch g := fv.Interface().(type) {
				case func(string) string:
					if sf.Name == "Getenv" && g("X") != "later:X" {
						t.Errorf("%s: Getenv was copied when the options were built", name)
					}
				case func() time.Time:
					if !g().Equal(now) {
						t.Errorf("%s: %s was copied when the options were built", name, sf.Name)
					}
				case func() time.Duration:
					if sf.Name == "Timeout" && g() != 42*time.Second {
						t.Errorf("%s: Timeout reads %s, not --timeout", name, g())
					}
				case func() bool:
					if sf.Name == "Verbose" && !g() {
						t.Errorf("%s: Verbose does not follow -v", name)
					}
				case func() string:
					if sf.Name == "Profile" && g() != "later" {
						t.Errorf("%s: Profile does not follow --profile", name)
					}
				case *iostreams.IOStreams:
					if g != io {
						t.Errorf("%s: IO is not the Factory's streams", name)
					}
				}
			}
		}
		walk(v)
	}
	if checked < 50 {
		t.Fatalf("only %d getters checked: the walk is broken", checked)
	}
}
