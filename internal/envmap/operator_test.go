package envmap

import (
	"testing"

	"github.com/inference-gateway/igctl/internal/fault"
)

// fieldValue types each value as its CRD field takes it; an empty value
// (other than a boolean's) is unset, so the CRD's default applies.
func TestOperatorFieldValue(t *testing.T) {
	row := func(key string) operatorField {
		for _, fd := range operatorFields {
			if fd.Key == key {
				return fd
			}
		}
		t.Fatalf("no operator row for %s", key)
		return operatorField{}
	}
	cases := []struct {
		key, value string
		want       any
		set, bad   bool
	}{
		{"AUTH_ENABLED", "true", true, true, false},
		{"AUTH_ENABLED", "", false, true, false},
		{"AUTH_ENABLED", "enabled", nil, false, true},
		{"SERVER_PORT", "8080", 8080, true, false},
		{"SERVER_PORT", "80", nil, false, true},
		{"SERVER_PORT", "", nil, false, false},
		{"SERVER_READ_TIMEOUT", "30s", "30s", true, false},
		{"SERVER_READ_TIMEOUT", "30", nil, false, true},
		{"GUARDRAILS_FAIL_MODE", "open", "allow", true, false},
		{"GUARDRAILS_FAIL_MODE", "sideways", nil, false, true},
		{"SERVER_HOST", "0.0.0.0", "0.0.0.0", true, false},
		{"SERVER_HOST", "", nil, false, false},
	}
	for _, c := range cases {
		r := &operatorRender{vals: map[string]string{c.key: c.value}, lines: map[string]int{c.key: 1}}
		got, set, err := r.fieldValue(row(c.key), c.value)
		if c.bad {
			if fault.KindOf(err) != BadValue {
				t.Errorf("%s=%q: err %v, want %s", c.key, c.value, err, BadValue)
			}
			continue
		}
		if err != nil || set != c.set || got != c.want {
			t.Errorf("%s=%q: (%v, %v, %v), want (%v, %v, nil)", c.key, c.value, got, set, err, c.want, c.set)
		}
	}
}
