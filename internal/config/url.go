package config

import (
	"errors"
	"net/url"
	"regexp"
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

// userinfoInText finds the user information of every URL in a text: the
// scheme, then everything up to the last @ before the host (a password may
// hold an unescaped @), stopping at a path, query, fragment, space or quote.
var userinfoInText = regexp.MustCompile("([a-zA-Z][a-zA-Z0-9+.-]*://)([^\\s/?#\"'`<>]*)@")

// ShowURLsIn is text with the password of every URL in it masked as
// ShowURL masks it (user:xxxxx@host): for messages that may quote a URL
// from anywhere (an error of a library, a hint built from a setting).
func ShowURLsIn(text string) string {
	if !strings.Contains(text, "@") {
		return text
	}
	return userinfoInText.ReplaceAllStringFunc(text, func(m string) string {
		sub := userinfoInText.FindStringSubmatch(m)
		user, _, hasPassword := strings.Cut(sub[2], ":")
		if !hasPassword {
			return m
		}
		return sub[1] + user + ":xxxxx@"
	})
}
