#!/usr/bin/env bash
# The official OpenAI Python SDK, for the tests that stream through `igctl proxy` and
# `igctl exec` with a real client. Installed once into a venv outside the repo:
#
#   scripts/openai-sdk.sh install   create the venv and `pip install openai` into it (idempotent)
#   scripts/openai-sdk.sh env       print the export line the tests read (IGCTL_TEST_OPENAI_PYTHON)
#
# Settings (environment): IGCTL_OPENAI_VENV (default ~/.cache/igctl/peers/openai-venv),
# IGCTL_OPENAI_SDK_VERSION (a pip version spec; default "==3.57.0", the version the tests were proved with).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${IGCTL_OPENAI_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/igctl/peers/openai-venv}
PY="$VENV/bin/python"

log() { printf 'openai-sdk.sh: %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

installed() { [ -x "$PY" ] && "$PY" -c 'import openai' >/dev/null 2>&1; }

case "${1:-}" in
  install)
    if installed; then
      exit 0
    fi
    command -v python3 >/dev/null || die "python3 is missing (scripts/deps.sh installs it)"
    t0=$SECONDS
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$PY" -m pip install -q "openai${IGCTL_OPENAI_SDK_VERSION:-==3.57.0}" >&2 || die "pip install openai failed"
    installed || die "the venv at $VENV cannot import openai"
    log "OpenAI SDK $("$PY" -c 'import openai; print(openai.__version__)') installed in $((SECONDS - t0)) s: $VENV"
    ;;
  env)
    installed || die "the OpenAI SDK is not installed: run scripts/openai-sdk.sh install"
    printf 'export IGCTL_TEST_OPENAI_PYTHON=%q\n' "$PY"
    ;;
  *)
    echo "usage: scripts/openai-sdk.sh install|env" >&2
    exit 2
    ;;
esac
