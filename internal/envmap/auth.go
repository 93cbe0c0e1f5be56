package envmap

import (
	"strings"
)

// Auth is the OIDC part of a gateway or ADK .env.
type Auth struct {
	Product      string // "gateway" or "adk"
	Issuer       string
	ClientID     string
	ClientSecret string
}

// authNames are each product's names for the enable flag, issuer, client id
// and client secret (gateway >= v0.41.0, ADK >= 0.15.1).
var authNames = map[string][4]string{
	"gateway": {"AUTH_ENABLED", "AUTH_OIDC_ISSUER", "AUTH_OIDC_CLIENT_ID", "AUTH_OIDC_CLIENT_SECRET"},
	"adk":     {"AUTH_ENABLED", "AUTH_ISSUER_URL", "AUTH_CLIENT_ID", "AUTH_CLIENT_SECRET"},
}

// ReadAuth finds the issuer, client id and secret under either product's names.
func ReadAuth(f *File) (Auth, bool) {
	for _, product := range []string{"gateway", "adk"} {
		n := authNames[product]
		iss, ok1 := f.Get(n[1])
		id, ok2 := f.Get(n[2])
		if ok1 || ok2 {
			secret, _ := f.Get(n[3])
			return Auth{Product: product, Issuer: iss, ClientID: id, ClientSecret: secret}, true
		}
	}
	return Auth{}, false
}

// SetAuth writes a's settings into f under the product's names, turning
// authentication on: existing assignments are changed in place, missing ones
// appended; everything else in the file stays as it was.
func SetAuth(f *File, product string, a Auth) bool {
	n, ok := authNames[product]
	if !ok {
		return false
	}
	f.Set(n[0], "true")
	f.Set(n[1], a.Issuer)
	f.Set(n[2], a.ClientID)
	f.Set(n[3], a.ClientSecret)
	return true
}

// Set assigns value to key: the last assignment of key is rewritten (keeping
// its export prefix, separator, comment and line ending), or a line is added.
func (f *File) Set(key, value string) {
	raw := QuoteValue(value)
	for i := len(f.Lines) - 1; i >= 0; i-- {
		if l := f.Lines[i]; l.Key == key {
			if l.Value() != value {
				l.RawValue = raw
			}
			return
		}
	}
	eol := "\n"
	if n := len(f.Lines); n > 0 {
		last := f.Lines[n-1]
		if last.EOL == "" {
			last.EOL = f.eol()
		}
		eol = f.eol()
	}
	f.Lines = append(f.Lines, &Line{Key: key, Sep: "=", RawValue: raw, EOL: eol})
}

// eol is the file's line ending: CRLF if its first line ends so.
func (f *File) eol() string {
	for _, l := range f.Lines {
		if l.EOL != "" {
			return l.EOL
		}
	}
	return "\n"
}

// QuoteValue writes value so that dotenv loaders read it back unchanged:
// bare when safe, else double-quoted with escapes.
func QuoteValue(v string) string {
	if v != "" && v == strings.TrimSpace(v) && !strings.ContainsAny(v, " \t\r\n#\"'`\\$=") {
		return v
	}
	if v == "" {
		return ""
	}
	if !strings.ContainsAny(v, "'\r\n") {
		return "'" + v + "'"
	}
	r := strings.NewReplacer("\\", "\\\\", "\"", "\\\"", "\n", "\\n", "\r", "\\r", "$", "\\$")
	return "\"" + r.Replace(v) + "\""
}
