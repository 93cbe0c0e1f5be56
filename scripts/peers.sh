#!/usr/bin/env bash
# The real peers igctl's tests run against, built once and cached outside the repo:
#
#   scripts/peers.sh build   the Inference Gateway v0.48.2 (go install, else from the source
#                            archive in third_party/peers), and the TypeScript ADK agent (scripts/adk.sh)
#   scripts/peers.sh gateway build the gateway only
#   scripts/peers.sh env     print the export lines the tests read (IGCTL_TEST_GATEWAY_BIN, IGCTL_TEST_ADK_AGENT;
#                            `env gateway`: the first only)
#
# Settings (environment): IGCTL_PEERS_CACHE (~/.cache/igctl/peers), IGCTL_PEERS_SRC (the folder
# holding inference-gateway-0.48.2-src.tar.gz; default third_party/peers).
set -euo pipefail
cd "$(dirname "$0")/.."
GATEWAY_VERSION=v0.48.2
CACHE=${IGCTL_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/igctl/peers}
BIN="$CACHE/gateway-$GATEWAY_VERSION/inference-gateway"
SRC=${IGCTL_PEERS_SRC:-$PWD/third_party/peers}

log() { printf 'peers.sh: %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

build_gateway() {
  if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
    return
  fi
  mkdir -p "$(dirname "$BIN")"
  local t0=$SECONDS tmp
  tmp=$(mktemp -d)
  log "building the Inference Gateway $GATEWAY_VERSION"
  if GOBIN="$tmp" GOFLAGS=-mod=mod CGO_ENABLED=0 timeout 300 go install \
      "github.com/inference-gateway/inference-gateway/cmd/gateway@$GATEWAY_VERSION" 2>"$tmp/install.log"; then
    mv "$tmp/gateway" "$BIN"
  else
    log "the module proxy does not serve the gateway's module ($(tail -n 1 "$tmp/install.log" | tr -s '[:space:]' ' ' | sed 's/^ //;s/ $//')): building it from the vendored source in $SRC, as expected"
    local archive="$SRC/inference-gateway-${GATEWAY_VERSION#v}-src.tar.gz"
    [ -f "$archive" ] || die "no $archive (set IGCTL_PEERS_SRC to the folder that holds it)"
    tar -xzf "$archive" -C "$tmp"
    (cd "$tmp/inference-gateway-${GATEWAY_VERSION#v}" && CGO_ENABLED=0 go build -trimpath -o "$BIN.tmp" ./cmd/gateway) \
      || die "go build of the gateway failed"
    mv "$BIN.tmp" "$BIN"
  fi
  rm -rf "$tmp"
  log "gateway built in $((SECONDS - t0)) s: $BIN"
}

case "${1:-}" in
  gateway)
    build_gateway
    ;;
  build)
    build_gateway
    scripts/adk.sh install
    ;;
  env)
    [ -x "$BIN" ] || die "the gateway is not built: run scripts/peers.sh build"
    printf 'export IGCTL_TEST_GATEWAY_BIN=%q\n' "$BIN"
    # `env gateway`: the gateway alone (the demo needs no agent)
    [ "${2:-}" = gateway ] || scripts/adk.sh env
    ;;
  *)
    echo "usage: scripts/peers.sh build|env" >&2
    exit 2
    ;;
esac
