package envmap

// Auth is the OIDC part of a gateway or ADK .env.
type Auth struct {
	Product      string // "gateway" or "adk"
	Issuer       string
	ClientID     string
	ClientSecret string
}

// ReadAuth finds the issuer, client id and secret under either product's names.
func ReadAuth(f *File) (Auth, bool) {
	for _, p := range []struct{ product, iss, id, secret string }{
		{"gateway", "AUTH_OIDC_ISSUER", "AUTH_OIDC_CLIENT_ID", "AUTH_OIDC_CLIENT_SECRET"},
		{"adk", "AUTH_ISSUER_URL", "AUTH_CLIENT_ID", "AUTH_CLIENT_SECRET"},
	} {
		iss, ok1 := f.Get(p.iss)
		id, ok2 := f.Get(p.id)
		if ok1 || ok2 {
			secret, _ := f.Get(p.secret)
			return Auth{Product: p.product, Issuer: iss, ClientID: id, ClientSecret: secret}, true
		}
	}
	return Auth{}, false
}
