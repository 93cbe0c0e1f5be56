#!/usr/bin/env bash
# Run a command inside a private D-Bus session with an unlocked gnome-keyring
# Secret Service, as a desktop session would have. The keyring's password is
# random and lives only in this process tree.
#   scripts/with-keyring.sh go test ./...
set -euo pipefail
if [ -z "${IGCTL_IN_KEYRING_SESSION:-}" ]; then
  export IGCTL_IN_KEYRING_SESSION=1
  # dbus-daemon warns on every start that it may not raise its fd limit
  # (harmless, and unfixable without privileges): keep that one line out.
  exec dbus-run-session --dbus-daemon="$(cd "$(dirname "$0")" && pwd)/dbus-daemon-quiet.sh" -- "$0" "$@"
fi
export HOME=${HOME:-/root}
# gnome-keyring keeps its collection under XDG_DATA_HOME; use a throwaway one.
XDG_DATA_HOME=$(mktemp -d)
export XDG_DATA_HOME
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
head -c 12 /dev/urandom | base64 | tr -d '\n' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
# wait (up to 10 s) for the Secret Service to own its bus name; fail loudly if it never does
has_secrets() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}
for _ in $(seq 1 100); do has_secrets && break; sleep 0.1; done
has_secrets || { echo "with-keyring.sh: FAILED: no Secret Service on the session bus" >&2; exit 1; }
"$@"
