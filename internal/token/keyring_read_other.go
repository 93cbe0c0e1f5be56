//go:build !linux

package token

// keyringReadFast has no shortcut outside Linux: keyring.Get is the path.
func keyringReadFast(service, user string) (string, bool) { return "", false }
