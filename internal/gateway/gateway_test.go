package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
)

// An answer over the read limit is named as too large, not as "not a model list".
func TestModelsAnswerTooLarge(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"object":"list","data":[`))
		chunk := []byte(strings.Repeat(`{"id":"x/y","object":"model"},`, 1000))
		for n := 0; n <= maxBody; n += len(chunk) {
			w.Write(chunk)
		}
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, HTTP: srv.Client(), Token: func(context.Context, bool) (string, error) { return "t", nil }}
	_, _, err := c.Models(context.Background(), "", nil)
	if err == nil || !strings.Contains(err.Error(), "larger than 32 MiB") || fault.KindOf(err) != TooLarge {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckBase(t *testing.T) {
	for base, notBase := range map[string]bool{
		"http://h:8080":           false,
		"http://h:8080/":          false,
		"http://h/gw":             false,
		"http://h/v1x":            false,
		"http://h:8080/v1":        true,
		"http://h:8080/v1/":       true,
		"https://h/prefix/v1":     true,
		"https://u:p@h/prefix/v1": true,
	} {
		err := CheckBase(base)
		if got := fault.KindOf(err) == NotFound; got != notBase {
			t.Errorf("CheckBase(%q) = %v, want a NotFound: %v", base, err, notBase)
		}
		if err != nil && strings.Contains(err.Error(), ":p@") {
			t.Errorf("CheckBase(%q) shows the password: %v", base, err)
		}
	}
}
