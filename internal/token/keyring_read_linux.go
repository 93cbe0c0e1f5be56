//go:build linux

package token

import dbus "github.com/godbus/dbus/v5"

// keyringReadFast reads one secret from the Secret Service in two round
// trips on the session bus: search the login collection and open a plain
// session (both sent at once), then get the item's secret (the session's
// close is sent without waiting for its answer). The general path, keyring.Get, makes seven: it also reads
// the service's collection list, unlocks the collection and the item
// (no-ops when they are unlocked, as they are after a desktop login) and
// waits for the session's close. ok is false whenever this cannot answer
// on its own - no bus, no login collection, no such item, a locked item -
// and the caller then takes the general path, which decides (not found,
// an unlock prompt, an error) exactly as before.
func keyringReadFast(service, user string) (secret string, ok bool) {
	const dest = "org.freedesktop.secrets"
	conn, err := dbus.SessionBus()
	if err != nil {
		return "", false
	}
	// the search and the session do not depend on each other: both are
	// sent before either answer is read, one round trip for the two
	search := conn.Object(dest, "/org/freedesktop/secrets/collection/login").
		Go("org.freedesktop.Secret.Collection.SearchItems", 0, nil, map[string]string{"username": user, "service": service})
	open := conn.Object(dest, "/org/freedesktop/secrets").
		Go("org.freedesktop.Secret.Service.OpenSession", 0, nil, "plain", dbus.MakeVariant(""))
	var items []dbus.ObjectPath
	var ignored dbus.Variant
	var session dbus.ObjectPath
	searchErr := (<-search.Done).Store(&items)
	if err := (<-open.Done).Store(&ignored, &session); err != nil {
		return "", false
	}
	defer conn.Object(dest, session).Go("org.freedesktop.Secret.Session.Close", dbus.FlagNoReplyExpected, nil)
	if searchErr != nil || len(items) == 0 {
		return "", false
	}
	var s struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}
	if err := conn.Object(dest, items[0]).Call("org.freedesktop.Secret.Item.GetSecret", 0, session).Store(&s); err != nil {
		return "", false
	}
	return string(s.Value), true
}
