#!/usr/bin/env bash
# The whole test suite, with its real parts: a Keycloak server (started here
# if not already running, stopped again afterwards), a gnome-keyring Secret
# Service in a private D-Bus session, and the real Inference Gateway and ADK
# agent (scripts/peers.sh; the tests start them as they need them). Integration tests must run: a missing
# dependency fails the suite instead of skipping.
#   scripts/test.sh [go test flags...]     (IGCTL_TEST_PKGS: the packages, default ./...;
#                                           IGCTL_TEST_TIMEOUT: go test -timeout, default 45m)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
started=""
if ! (env_lines=$(scripts/keycloak.sh env 2>/dev/null) && eval "$env_lines" && curl -fsS --cacert "${IGCTL_TEST_KEYCLOAK_CA_FILE:-}" -o /dev/null \
    "https://127.0.0.1:${IGCTL_KC_MGMT_PORT:-19000}/health/ready" 2>/dev/null); then
  started=1
fi
log=$(mktemp)
# stop what this run started, however it ends (set before the start: a failed start is cleaned up too)
trap 'rm -f "$log"; [ -n "$started" ] && [ -z "${IGCTL_KC_KEEP:-}" ] && scripts/keycloak.sh stop' EXIT
scripts/keycloak.sh start
eval "$(scripts/keycloak.sh env)"
# the real gateway (built from source) and the real ADK agent (npm)
scripts/peers.sh build
eval "$(scripts/peers.sh env)"
scripts/openai-sdk.sh install; eval "$(scripts/openai-sdk.sh env)"   # the OpenAI Python SDK (igctl proxy/exec tests)
export IGCTL_TEST_REQUIRE_INTEGRATION=1
status=0
scripts/with-keyring.sh go test -count=1 -timeout="${IGCTL_TEST_TIMEOUT:-45m}" "${@:--v}" ${IGCTL_TEST_PKGS:-./...} 2>&1 | tee "$log" || status=$?
# one closing line over every package (subtests included)
printf 'tests: %d passed, %d failed, %d skipped\n' "$(grep -c -- '--- PASS' "$log")" "$(grep -c -- '--- FAIL' "$log")" "$(grep -c -- '--- SKIP' "$log")"
exit $status
