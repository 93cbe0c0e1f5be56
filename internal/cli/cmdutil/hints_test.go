package cmdutil

import "testing"

func TestPasteable(t *testing.T) {
	cmds := map[string]bool{"login": true, "config": true, "keycloak": true, "doctor": true}
	cases := []struct {
		name, text, profile, dir, want string
	}{
		{"nothing chosen", "run `igctl login`", "", "", "run `igctl login`"},
		{"profile", "`igctl config set gateway_url URL`", "people", "",
			"`igctl --profile people config set gateway_url URL`"},
		{"both, every command", "run `igctl keycloak bootstrap` then `igctl login`", "p", "/tmp/c",
			"run `igctl --profile p --config-dir /tmp/c keycloak bootstrap` then `igctl --profile p --config-dir /tmp/c login`"},
		{"a dir with a space and a quote", "igctl login", "", "/tmp/it's here",
			`igctl --config-dir '/tmp/it'\''s here' login`},
		{"prose about igctl", "igctl keeps keys it does not own; igctl cannot refresh", "p", "",
			"igctl keeps keys it does not own; igctl cannot refresh"},
		{"other tools", "my-igctl login, /usr/bin/igctl login, igctl-api login, kubectl config set", "p", "",
			"my-igctl login, /usr/bin/igctl login, igctl-api login, kubectl config set"},
		{"at the start, plain", "igctl doctor --gateway-env FILE", "a b", "",
			"igctl --profile 'a b' doctor --gateway-env FILE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Pasteable(c.text, cmds, c.profile, c.dir); got != c.want {
				t.Errorf("Pasteable(%q)\n got %q\nwant %q", c.text, got, c.want)
			}
		})
	}
}
