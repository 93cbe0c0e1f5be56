#!/usr/bin/env bash
# The streaming scripts (the OpenAI SDK streaming through `igctl proxy` and
# `igctl exec` to the real gateway, with 10-second tokens) N times in a row
# while every core is kept busy by other processes: the check that these
# tests do not depend on an idle machine. For people to run; not part of CI.
#   scripts/stress-streams.sh [N]        (default 20; about 90 s per round)
# Settings: IGCTL_STRESS_HOGS (busy processes; default: one per core).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
hogs=${IGCTL_STRESS_HOGS:-$(nproc)}
log=$(mktemp)
pids=()
cleanup() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT
for _ in $(seq 1 "$hogs"); do
  ( while :; do :; done ) &
  pids+=($!)
done
echo "stress-streams.sh: $n round(s) of gwproxy_stream, exec_stream and exec_stream_fresh, with $hogs busy process(es) beside them" >&2
status=0
IGCTL_TEST_PKGS=./cmd/igctl/ IGCTL_TEST_TIMEOUT=0 scripts/test.sh -v -count="$n" -run '^TestScripts$/^(gwproxy_stream|exec_stream|exec_stream_fresh)$' 2>&1 | tee "$log" || status=$?
for s in gwproxy_stream exec_stream exec_stream_fresh; do
  printf 'stress-streams.sh: %s passed %d of %d\n' "$s" "$(grep -c -- "--- PASS: TestScripts/$s " "$log")" "$n"
done
exit $status
