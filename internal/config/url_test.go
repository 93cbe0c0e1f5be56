package config

import (
	"strings"
	"testing"
)

// Every URL's password is masked wherever it stands in a text, a password
// with an unescaped @ or : included; user names and URLs without a
// password are left alone.
func TestShowURLsIn(t *testing.T) {
	cases := map[string]string{
		`OIDC discovery at http://user:PW1@host/realms/r failed: Get "http://user:***@host/realms/r/.well-known": refused`: `OIDC discovery at http://user:xxxxx@host/realms/r failed: Get "http://user:xxxxx@host/realms/r/.well-known": refused`,
		"create it with `igctl keycloak bootstrap --url http://admin:PW1@127.0.0.1:8080 --realm r`":                        "create it with `igctl keycloak bootstrap --url http://admin:xxxxx@127.0.0.1:8080 --realm r`",
		"https://u:p@ss:w@rd@host:8443?x=1 and https://other:PW1@h2":                                                       "https://u:xxxxx@host:8443?x=1 and https://other:xxxxx@h2",
		"'http://u:PW1@h' and \"https://v:PW1@h\"":                                                                         "'http://u:xxxxx@h' and \"https://v:xxxxx@h\"",
		"http://user@host/x mail me@example.com":                                                                           "http://user@host/x mail me@example.com",
		"no url here":                                                                                                      "no url here",
	}
	for in, want := range cases {
		got := ShowURLsIn(in)
		if got != want {
			t.Errorf("ShowURLsIn(%q)\n got %q\nwant %q", in, got, want)
		}
		if strings.Contains(got, "PW1") || strings.Contains(got, "w@rd") {
			t.Errorf("a password is left in %q", got)
		}
	}
}
