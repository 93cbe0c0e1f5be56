#!/usr/bin/env bash
# Install what igctl's tests and demo need and a fresh Debian machine lacks:
# gnome-keyring + dbus (a real Secret Service), curl, jq, hyperfine (benchmarks), python3-venv.
# Go, Java >= 21, Maven and Node.js with npm are expected from the machine image.
set -euo pipefail
need=()
command -v dbus-run-session >/dev/null || need+=(dbus)
command -v gnome-keyring-daemon >/dev/null || need+=(gnome-keyring)
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)
command -v hyperfine >/dev/null || need+=(hyperfine)
# Debian's chromium: headless, for the browser and device login tests (internal/testenv/browser)
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || need+=(chromium)
# python3 with venv: the OpenAI SDK the proxy tests run (scripts/openai-sdk.sh)
command -v python3 >/dev/null || need+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "deps.sh: installing ${need[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2
fi
for tool in go mvn java node npm dbus-run-session gnome-keyring-daemon curl chromium; do
  command -v "$tool" >/dev/null || { echo "deps.sh: FAILED: $tool is missing" >&2; exit 1; }
done
