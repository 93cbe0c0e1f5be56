package config

import (
	"errors"
	"net/url"
	"strings"
)

// CheckURL reports what is wrong with s as an issuer or gateway URL: it must
// be an absolute http:// or https:// URL with a host. Both the gateway and
// OIDC discovery need exactly that; anything else fails later and less
// clearly (a missing scheme reads as a network failure).
func CheckURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return errors.New("not a URL: " + err.Error())
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("not an http:// or https:// URL")
	case u.Host == "":
		return errors.New("the URL has no host")
	}
	return nil
}

// ShowURL is s fit for a message: a password in it (user:password@host) is
// left out, whether or not s parses.
func ShowURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		return "…" + s[i:]
	}
	return s
}
