#!/usr/bin/env bash
# Measure igctl against the tools people use instead, in one run on the local
# Keycloak, and write BENCHMARKS.md. Reproduce with:  make bench   (~10 minutes)
#   1. cached `igctl token` vs `cat` of a token file, paired (bench/igbench pair)
#   2. `igctl login --grant client-credentials` + `igctl token` vs `curl | jq -r .access_token`
#   3. `igctl keycloak bootstrap` (fresh, re-run) vs bench/kcadm-bootstrap.sh (kcadm.sh)
#   4. `igctl env translate` on 10k / 100k / 1M-line files: time and peak memory (/usr/bin/time)
#   5. `igctl models` vs curl against the real gateway (auth on; a stand-in provider behind it)
#   6. start-up before and after lipgloss tables: this tree vs BENCH_BEFORE (a git ref, default
#      c1ed429, the last commit before them), same build flags
#   7. `igctl proxy` against a direct call and a bare httputil.ReverseProxy (bench/igbench)
# Times are process wall times, median of the runs given in each table: from
# bench/igbench pair for section 1 (A and B started alternately, no shell, the
# ratio taken pair by pair) and from hyperfine elsewhere (-N: no shell in
# between where the command is a plain binary). The token store is chosen with
# the global flags (--token-store, --profile), never with an `env` wrapper,
# which would add one more exec to igctl's side of the comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${IGCTL_IN_KEYRING_SESSION:-}" ]; then
  scripts/deps.sh
  scripts/keycloak.sh start
  make -s build
  scripts/peers.sh gateway
  go build -o bin/rungateway ./internal/testenv/rungateway
  go build -o bin/igbench ./bench/igbench
  exec scripts/with-keyring.sh "$0" "$@"
fi
eval "$(scripts/keycloak.sh env)"
eval "$(scripts/peers.sh env)"
mkdir -p bench/results && uptime > bench/results/load-start.txt
source bench/lib.sh
KC_HOME=$(scripts/keycloak.sh home)
JAVA_BIN=$(ls -d /usr/lib/jvm/*/bin/java | while read -r j; do v=$("$j" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}'); [ "${v%%.*}" -ge 21 ] 2>/dev/null && echo "$j"; done | sort | tail -1)
export JAVA_HOME=$(dirname "$(dirname "$JAVA_BIN")")
W=$(mktemp -d)
R=bench/results
mkdir -p "$R"
trap 'kill ${gw_pid:-} ${up_pid:-} ${bare_pid:-} ${px_pid:-} 2>/dev/null || true; rm -rf "$W"' EXIT
export IGCTL_CONFIG_DIR="$W/config"
IG="$PWD/bin/igctl"
RUNS=${BENCH_RUNS:-30}
PAIRS=${BENCH_PAIRS:-40}
IGB="$PWD/bin/igbench"
hf() { hyperfine --style basic --export-json "$@" >&2; }

echo "== set-up: the guide's realm for the benchmarks" >&2
( umask 077; head -c 12 /dev/urandom | base64 > "$W/user-pw" )
delete_realm bench-realm
"$IG" keycloak bootstrap --url "$IGCTL_TEST_KEYCLOAK_URL" --realm bench-realm --admin-password-file "$IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE" \
  --user-password-file "$W/user-pw" --access-token-lifespan 60m --write-env gateway="$W/gateway.env" >/dev/null
ISS="$IGCTL_TEST_KEYCLOAK_URL/realms/bench-realm"
sed -n 's/^AUTH_OIDC_CLIENT_SECRET=//p' "$W/gateway.env" > "$W/secret"; chmod 600 "$W/secret"

echo "== 1. cached token vs cat (paired)" >&2
# 60 minutes of token lifespan (the realm above): every read below is a cached one
for store in file keyring; do
  "$IG" --token-store "$store" --profile "$store" login --grant client-credentials --issuer "$ISS" --client-id inference-gateway-client --client-secret-file "$W/secret" 2>/dev/null
done
"$IG" --token-store file --profile file token > "$W/token.txt"
mkdir -p "$W/hello"
printf 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n' > "$W/hello/main.go"
(cd "$W/hello" && CGO_ENABLED=0 GOFLAGS= go mod init hello >/dev/null 2>&1 && CGO_ENABLED=0 go build -o hello .)
# every row in each round, each paired with its own run of cat (bench/igbench pair)
"$IGB" pair -n "$PAIRS" --warmup 3 -o "$R/1-token.json" "cat token file" "cat $W/token.txt" \
  "Go hello world (start-up floor, static)" "$W/hello/hello" \
  "igctl version (start-up, no token read)" "$IG version" \
  "igctl token (file store)" "$IG --token-store file --profile file token" \
  "igctl token (keyring store)" "$IG --token-store keyring --profile keyring token" \
  "env IGCTL_TOKEN_STORE=file igctl token (the old method)" "env IGCTL_TOKEN_STORE=file $IG --profile file token"
# where the time goes: page faults and peak memory (GNU time), package init (inittrace), system calls
for c in "cat $W/token.txt" "$W/hello/hello" "$IG --token-store file --profile file token" "$IG --token-store keyring --profile keyring token"; do
  /usr/bin/time -f "%R %M" $c 2>&1 >/dev/null | tail -1
done > "$R/1-faults.txt"
for _ in $(seq 1 30); do GODEBUG=inittrace=1 "$IG" --token-store file --profile file token 2>&1 >/dev/null | awk '/^init / {s+=$5} END {print s}'; done |
  sort -n | awk '{a[NR]=$1} END {printf "%.3f\n", a[int((NR+1)/2)]}' > "$R/1-init.txt"
strace -f -e trace=sendmsg,write -o "$W/strace.txt" "$IG" --token-store keyring --profile keyring token >/dev/null
# D-Bus method calls: little-endian messages of type 1 ("l\1" at their start)
grep -c 'write([0-9]*, "l\\1\\' "$W/strace.txt" > "$R/1-dbus-calls.txt" || true

echo "== 2. login + token vs curl | jq" >&2
cat > "$W/curl-token.sh" <<CURL
#!/bin/sh
curl -fsS -d grant_type=client_credentials -d client_id=inference-gateway-client --data-urlencode client_secret@$W/secret \
  $ISS/protocol/openid-connect/token | jq -r .access_token
CURL
chmod +x "$W/curl-token.sh"
cat > "$W/igctl-token.sh" <<IGT
#!/bin/sh
IGCTL_TOKEN_STORE=file $IG --profile cc login --grant client-credentials --issuer $ISS --client-id inference-gateway-client --client-secret-file $W/secret 2>/dev/null &&
IGCTL_TOKEN_STORE=file $IG --profile cc token
IGT
chmod +x "$W/igctl-token.sh"
hf "$R/2-login.json" -N --warmup 3 --runs "$RUNS" \
  -n "curl | jq (new token every time)" "$W/curl-token.sh" \
  -n "igctl login + igctl token" "$W/igctl-token.sh" \
  -n "igctl token (cached, what CI steps run after one login)" "$IG --token-store file --profile cc token"

echo "== 3. bootstrap vs kcadm.sh" >&2
cat > "$W/delete.sh" <<DEL
#!/bin/bash
source $PWD/bench/lib.sh
delete_realm bench-boot
DEL
chmod +x "$W/delete.sh"
export KEYCLOAK_ADMIN_PASSWORD
KEYCLOAK_ADMIN_PASSWORD=$(tr -d '\n' < "$IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE")
BOOT="$IG keycloak bootstrap --url $IGCTL_TEST_KEYCLOAK_URL --realm bench-boot --user-password-file $W/user-pw"
hf "$R/3-bootstrap.json" -N --runs "${BENCH_BOOT_RUNS:-5}" \
  --prepare "$W/delete.sh" -n "kcadm.sh script (fresh realm)" "bench/kcadm-bootstrap.sh $IGCTL_TEST_KEYCLOAK_URL bench-boot $IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE $W/user-pw" \
  --prepare "$W/delete.sh" -n "igctl keycloak bootstrap (fresh realm)" "$BOOT"
$BOOT >/dev/null 2>&1
hf "$R/3-rerun.json" -N --warmup 1 --runs 10 -n "igctl keycloak bootstrap (re-run, no change)" "$BOOT"
"$W/delete.sh"

echo "== 4. env translate throughput" >&2
python3 - "$W" <<'PY'
import sys
w = sys.argv[1]
head = open("internal/envmap/testdata/gateway.env").read()
for n in (10_000, 100_000, 1_000_000):
    with open(f"{w}/big-{n}.env", "w") as f:
        f.write(head)
        lines = head.count("\n")
        i = 0
        while lines < n:
            f.write(f"# provider {i}\nPROVIDER_{i}_API_URL=\"https://p{i}.example.com/v1\"  # endpoint\nexport PROVIDER_{i}_TIMEOUT=${{SERVER_PORT}}\n")
            lines += 3
            i += 1
PY
# gateway -> adk and gateway -> k8s from the generated gateway files; adk -> gateway from
# the adk files the first produced. Each run under GNU time: wall seconds and peak RSS.
echo "target lines input_bytes seconds max_rss_kb" > "$R/4-translate.txt"
for n in 10000 100000 1000000; do
  runs=${BENCH_TRANSLATE_RUNS:-3}; [ "$n" = 1000000 ] && runs=1
  "$IG" env translate "$W/big-$n.env" --from gateway --to adk -o "$W/adk-$n.env" 2>/dev/null
  for to in adk k8s gateway; do
    in="$W/big-$n.env"; from=gateway
    [ "$to" = gateway ] && { in="$W/adk-$n.env"; from=adk; }
    for _ in $(seq 1 "$runs"); do
      /usr/bin/time -f "%e %M" -o "$W/time.txt" "$IG" env translate "$in" --from "$from" --to "$to" -o "$W/out-$n.$to" 2>/dev/null
      echo "$to $n $(stat -c %s "$in") $(cat "$W/time.txt")" >> "$R/4-translate.txt"
    done
    rm -f "$W/out-$n.$to"
  done
done

echo "== 5. models vs curl on the real gateway" >&2
printf 'AUTH_ENABLED=true\nAUTH_OIDC_ISSUER=%s\nAUTH_OIDC_CLIENT_ID=inference-gateway-client\n' "$ISS" > "$W/gw.env"
bin/rungateway -envfile "$W/gw.env" -addr-file "$W/gw.addr" 2>/dev/null &
gw_pid=$!
for _ in $(seq 1 300); do [ -s "$W/gw.addr" ] && break; sleep 0.1; done
GW=$(cat "$W/gw.addr")
"$IG" --token-store file --profile cc token --format curl > "$W/curl-header.cfg"
hf "$R/5-models.json" -N --warmup 3 --runs "$RUNS" \
  -n "curl -K header.cfg (token from a file)" "curl -fsS -K $W/curl-header.cfg $GW/v1/models" \
  -n "igctl models (cached token, file store)" "$IG --token-store file --profile cc models --gateway $GW" \
  -n "igctl models (cached token, keyring store)" "$IG --token-store keyring --profile keyring models --gateway $GW"

echo "== 6. start-up before and after lipgloss tables" >&2
BEFORE_REF=${BENCH_BEFORE:-c1ed429}
mkdir -p "$W/before"
git archive "$BEFORE_REF" | tar -x -C "$W/before"
(cd "$W/before" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o igctl ./cmd/igctl)
OLD="$W/before/igctl"
git rev-parse --short "$BEFORE_REF" > "$R/6-before-ref.txt"
git rev-parse --short HEAD > "$R/6-after-ref.txt"
TOK20=$(cut -c1-20 "$W/token.txt")
# three rounds, before and after side by side in each, so drift in the machine's load
# over the minutes of the run shows up as spread between rounds, not as a difference
rm -f "$R"/6-startup-*.json "$R"/6-status-*.json
for round in 1 2 3; do
  hf "$R/6-startup-$round.json" -N --warmup 10 --runs "${BENCH_STARTUP_RUNS:-100}" \
    -n "before: igctl version" "$OLD version" \
    -n "after: igctl version" "$IG version" \
    -n "before: igctl token (IGCTL_TOKEN set)" "env IGCTL_TOKEN=$TOK20 $OLD token" \
    -n "after: igctl token (IGCTL_TOKEN set)" "env IGCTL_TOKEN=$TOK20 $IG token" \
    -n "before: igctl token (cached, file store)" "$OLD --token-store file --profile file token" \
    -n "after: igctl token (cached, file store)" "$IG --token-store file --profile file token"
  # status exits 4 here (the keyring profile is not readable from the file store): -i
  hf "$R/6-status-$round.json" -N -i --warmup 10 --runs "${BENCH_STARTUP_RUNS:-100}" \
    -n "before: igctl status (piped)" "$OLD --token-store file status" \
    -n "after: igctl status (piped)" "$IG --token-store file status"
done
# package initialisation of the lipgloss stack, as the Go runtime reports it (median of 50 starts)
for which in before after; do
  bin=$IG; [ "$which" = before ] && bin=$OLD
  for _ in $(seq 1 50); do GODEBUG=inittrace=1 "$bin" version 2>&1 >/dev/null; done |
    awk '/^init (charm.land|github.com\/charmbracelet|github.com\/mattn|github.com\/lucasb-eyer|github.com\/rivo|github.com\/clipperhouse)/ {t[n%1000000]+=$5} /^init runtime / {n++} END {for (i in t) print t[i]}' |
    sort -n | awk '{a[NR]=$1} END {printf "%.3f\n", a[int((NR+1)/2)]}' > "$R/6-init-$which.txt"
done
# rendering cost of one status-sized table, plain (piped) vs lipgloss (terminal)
go test -run '^$' -bench 'BenchmarkTable' -benchtime 2000x ./internal/iostreams | awk '/^BenchmarkTable/ {print $1, $3}' > "$R/6-table-bench.txt"

echo "== 7. proxy vs a direct call and a bare reverse proxy" >&2
kill "$gw_pid" 2>/dev/null || true
"$IGB" upstream -addr-file "$W/up.addr" & up_pid=$!
for _ in $(seq 1 100); do [ -s "$W/up.addr" ] && break; sleep 0.1; done
UP=$(cat "$W/up.addr")
"$IG" --token-store file --profile file token > "$W/px-token"
"$IGB" bareproxy -upstream "$UP" -token-file "$W/px-token" -addr-file "$W/bare.addr" & bare_pid=$!
"$IG" --token-store file --profile file proxy --gateway "$UP" --listen 127.0.0.1:0 --key-file "$W/px.key" >"$W/px.out" 2>/dev/null & px_pid=$!
for _ in $(seq 1 100); do [ -s "$W/bare.addr" ] && grep -q OPENAI_BASE_URL "$W/px.out" && break; sleep 0.1; done
PX=$(sed -n 's|^OPENAI_BASE_URL=\(.*\)/v1$|\1|p' "$W/px.out")
"$IGB" proxy -o "$R/7-proxy.json" -key-file "$W/px.key" -rounds "${BENCH_PROXY_ROUNDS:-5}" \
  direct="$UP" bare="$(cat "$W/bare.addr")" igctl="$PX"
kill "$px_pid" "$bare_pid" "$up_pid" 2>/dev/null || true
wait "$px_pid" "$bare_pid" "$up_pid" 2>/dev/null || true
uptime > "$R/load.txt"

echo "== report" >&2
python3 bench/report.py "$R" "$KC_HOME" "$JAVA_BIN" > BENCHMARKS.md
echo "wrote BENCHMARKS.md" >&2
