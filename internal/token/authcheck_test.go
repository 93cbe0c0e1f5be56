package token

import "testing"

func TestPageMessage(t *testing.T) {
	cases := map[string]string{
		// as Keycloak 26's error page has it
		"<div id=\"kc-error-message\">\n <p class=\"instruction\">Invalid parameter: redirect_uri</p>\n": "Invalid parameter: redirect_uri",
		"<div id=\"kc-error-message\"><p class=\"x\">Client not found.</p>":                              "Client not found.",
		`<p class="instruction">Caf&eacute; &amp; co</p>`:                                                "Café & co",
		`{"error":"invalid_request"}`:                                                                    `{"error":"invalid_request"}`,
		"<html><body>some other page</body></html>":                                                      "",
		"": "",
	}
	for body, want := range cases {
		if got := pageMessage([]byte(body)); got != want {
			t.Errorf("pageMessage(%q) = %q, want %q", body, got, want)
		}
	}
}
