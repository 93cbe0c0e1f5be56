#!/usr/bin/env bash
# dbus-daemon for scripts/with-keyring.sh, without its "Failed to set fd
# limit" warning (harmless in containers) and the accessibility bus that
# headless Chromium asks for; every other line passes through.
# dbus-run-session reads the bus address from the --print-address pipe
# until it closes, so the filter must not hold that pipe open.
addr_fd=""
prev=""
for a in "$@"; do
  case "$a" in
    --print-address=*) addr_fd=${a#*=} ;;
  esac
  [ "$prev" = "--print-address" ] && addr_fd=$a
  prev=$a
done
filter() {
  [ -n "$addr_fd" ] && eval "exec $addr_fd>&-"
  exec grep -v --line-buffered -e 'Failed to set fd limit' -e "service name='org.a11y.Bus'" -e "activated service 'org.a11y.Bus'" >&2
}
exec dbus-daemon "$@" 2> >(filter)
