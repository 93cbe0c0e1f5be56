package envmap

import (
	"runtime"
	"strings"
	"testing"
)

const sample = "\ufeff# Gateway\r\n" +
	"\r\n" +
	"export AUTH_ENABLED=true   # turn it on\r\n" +
	"  AUTH_OIDC_ISSUER = \"http://keycloak:8080/realms/x\"\r\n" +
	"AUTH_OIDC_CLIENT_SECRET='s3cr#et'\r\n" +
	"MULTI=\"line one\r\nline \\\"two\\\"\"\r\n" +
	"COLON: value\r\n" +
	"EMPTY=\r\n" +
	"HASH=a#b\r\n" +
	"REF=${AUTH_OIDC_ISSUER}/x\r\n" +
	"not an assignment\r\n" +
	"LAST=1"

func TestRoundTripIsByteIdentical(t *testing.T) {
	f := Parse([]byte(sample))
	if got := f.String(); got != sample {
		t.Fatalf("round trip changed the file:\n%q\n%q", got, sample)
	}
}

func TestValuesReadLikeDotenv(t *testing.T) {
	f := Parse([]byte(sample))
	want := map[string]string{
		"AUTH_ENABLED":            "true",
		"AUTH_OIDC_ISSUER":        "http://keycloak:8080/realms/x",
		"AUTH_OIDC_CLIENT_SECRET": "s3cr#et",
		"MULTI":                   "line one\r\nline \"two\"",
		"COLON":                   "value",
		"EMPTY":                   "",
		"HASH":                    "a#b",
		"REF":                     "${AUTH_OIDC_ISSUER}/x",
		"LAST":                    "1",
	}
	for k, v := range want {
		got, ok := f.Get(k)
		if !ok || got != v {
			t.Errorf("%s = %q (found %v), want %q", k, got, ok, v)
		}
	}
	if l := f.Lines[2]; l.Export != "export " || l.Trailing != "   # turn it on" || l.EOL != "\r\n" {
		t.Errorf("export line parts: %+v", l)
	}
	ps := f.Problems()
	if len(ps) != 1 || ps[0].Line != 12 {
		t.Fatalf("problems %v, want one on line 12", ps)
	}
}

func TestUnterminatedQuoteIsKept(t *testing.T) {
	in := "A=\"open\nB=2\n"
	f := Parse([]byte(in))
	if f.String() != in {
		t.Fatal("round trip")
	}
	if v, _ := f.Get("B"); v != "2" {
		t.Fatalf("B lost after an unterminated quote: %q", v)
	}
}

func FuzzParseWriteIdentity(f *testing.F) {
	f.Add(sample)
	f.Add("A=1\nB='x\ny'\n")
	f.Add("export\tK = \"v\\\"\" # c")
	f.Fuzz(func(t *testing.T, s string) {
		file := Parse([]byte(s))
		if got := file.String(); got != s {
			t.Fatalf("not identical:\n%q\n%q", got, s)
		}
		for _, l := range file.Lines {
			if l.IsAssignment() && strings.ContainsAny(l.Key, "= \t\n") {
				t.Fatalf("bad key %q", l.Key)
			}
		}
	})
}

func TestSetKeepsEverythingElse(t *testing.T) {
	in := "# my gateway\r\nexport AUTH_OIDC_ISSUER=old # keep this comment\r\nOTHER=1"
	f := Parse([]byte(in))
	SetAuth(f, "gateway", Auth{Issuer: "http://kc/realms/r", ClientID: "c", ClientSecret: "s e#cret"})
	want := "# my gateway\r\nexport AUTH_OIDC_ISSUER=http://kc/realms/r # keep this comment\r\nOTHER=1\r\nAUTH_ENABLED=true\r\nAUTH_OIDC_CLIENT_ID=c\r\nAUTH_OIDC_CLIENT_SECRET='s e#cret'\r\n"
	if got := f.String(); got != want {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
	back := Parse([]byte(f.String()))
	if a, _ := ReadAuth(back); a.ClientSecret != "s e#cret" || a.Issuer != "http://kc/realms/r" {
		t.Fatalf("read back: %+v", a)
	}
}

func FuzzQuoteValueRoundTrip(f *testing.F) {
	for _, s := range []string{"", "plain", "a b", "it's", "x\ny", "\"q\"", "$HOME", "back\\slash", "#hash"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		file := Parse([]byte("K=" + QuoteValue(v) + "\n"))
		if got, _ := file.Get("K"); got != v {
			t.Fatalf("value %q written as %q reads back as %q", v, QuoteValue(v), got)
		}
	})
}

// Parsing must stay linear: quoted values once made the parser copy the
// rest of the file for every line. Bytes allocated for 4× the input must
// stay near 4× (a quadratic parser gives ~16×). Counted, not timed.
func TestParseAllocationsGrowLinearly(t *testing.T) {
	gen := func(n int) []byte {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString("K" + strings.Repeat("x", i%7) + "=\"quoted value\"  # c\n'unterminated\nexport U='x\n")
		}
		return []byte(b.String())
	}
	bytesFor := func(data []byte) float64 {
		var ms1, ms2 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms1)
		Parse(data)
		runtime.ReadMemStats(&ms2)
		return float64(ms2.TotalAlloc - ms1.TotalAlloc)
	}
	small, large := bytesFor(gen(2000)), bytesFor(gen(8000))
	if ratio := large / small; ratio > 6 {
		t.Fatalf("4× the input allocated %.1f× the bytes: parsing is not linear", ratio)
	}
}
