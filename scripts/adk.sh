#!/usr/bin/env bash
# Install the real TypeScript ADK test agent (internal/testenv/adk) for igctl's integration tests.
#
#   scripts/adk.sh install   npm ci the pinned @inference-gateway/adk into a cache directory outside
#                            the repo, next to a copy of agent.mjs; a no-op when already up to date
#   scripts/adk.sh env       print the export line the tests read (IGCTL_TEST_ADK_AGENT)
#   scripts/adk.sh dir       print the install directory
#
# Settings (environment): IGCTL_PEERS_CACHE (~/.cache/igctl/peers).
# The package declares node >= 24 but runs on Node 20; npm only warns (engine-strict is forced off).
set -euo pipefail

ADK_VERSION=0.16.0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC="$ROOT/internal/testenv/adk"
CACHE=${IGCTL_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/igctl/peers}
DIR="$CACHE/adk-$ADK_VERSION"
FILES=(package.json package-lock.json agent.mjs)

log() { printf 'adk.sh: %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# stamp prints a hash of the sources an install is made from.
stamp() {
  local f
  for f in "${FILES[@]}"; do
    [ -f "$SRC/$f" ] && { printf '%s\n' "$f"; cat "$SRC/$f"; }
  done | sha256sum | cut -d' ' -f1
}

installed() {
  [ -f "$DIR/.stamp" ] && [ "$(cat "$DIR/.stamp")" = "$(stamp)" ] &&
    [ -f "$DIR/node_modules/@inference-gateway/adk/package.json" ] &&
    [ -f "$DIR/agent.mjs" ]
}

install() {
  command -v node >/dev/null 2>&1 || die "node not found on PATH (install Node.js >= 20)"
  command -v npm >/dev/null 2>&1 || die "npm not found on PATH"
  [ -f "$SRC/package.json" ] && [ -f "$SRC/agent.mjs" ] || die "missing $SRC/package.json or agent.mjs"
  if installed; then
    log "up to date in $DIR"
    return
  fi
  local t0=$SECONDS f tmp version
  mkdir -p "$CACHE"
  # Build in a fresh directory and swap it in, so a failed install never leaves a half one behind.
  tmp=$(mktemp -d "$CACHE/.adk-$ADK_VERSION.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  for f in "${FILES[@]}"; do
    [ -f "$SRC/$f" ] && cp "$SRC/$f" "$tmp/"
  done
  local npm_args=(--engine-strict=false --ignore-scripts --no-audit --no-fund --loglevel=error --no-update-notifier)
  if [ -f "$tmp/package-lock.json" ]; then
    log "npm ci @inference-gateway/adk@$ADK_VERSION into $DIR ($(node --version))"
    (cd "$tmp" && npm ci "${npm_args[@]}") >&2 || die "npm ci in $tmp"
  else
    log "npm install @inference-gateway/adk@$ADK_VERSION into $DIR ($(node --version))"
    (cd "$tmp" && npm install "${npm_args[@]}") >&2 || die "npm install in $tmp"
  fi
  version=$(cd "$tmp" && node -p 'require("./node_modules/@inference-gateway/adk/package.json").version') ||
    die "@inference-gateway/adk not installed in $tmp"
  [ "$version" = "$ADK_VERSION" ] || die "installed @inference-gateway/adk $version, want $ADK_VERSION"
  # The agent must at least load: resolve the package and its exports.
  (cd "$tmp" && node --input-type=module -e 'await import("@inference-gateway/adk")') >&2 ||
    die "node cannot import @inference-gateway/adk from $tmp"
  stamp > "$tmp/.stamp"
  rm -rf "$DIR"
  mv "$tmp" "$DIR"
  trap - EXIT
  log "installed in $DIR in $((SECONDS - t0)) s"
}

print_env() {
  installed || die "not installed or out of date in $DIR; run: scripts/adk.sh install"
  printf 'export IGCTL_TEST_ADK_AGENT=%q\n' "$DIR/agent.mjs"
}

case "${1:-}" in
  install) install ;;
  env) print_env ;;
  dir) echo "$DIR" ;;
  *) echo "usage: $0 install|env|dir" >&2; exit 2 ;;
esac
