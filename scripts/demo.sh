#!/usr/bin/env bash
# igctl's main job end to end against a local Keycloak, leaving a world to use:
#   bootstrap the guide's realm, client, audience mapper, user and the public
#   client people log in with -> log in with both grants -> print and inspect
#   tokens -> the real Inference Gateway (auth ON, from the .env igctl wrote)
#   -> models and doctor against it -> the commands to try next.
#
#   scripts/demo.sh        run the demo (again: the same data, nothing changes)
#   scripts/demo.sh stop   stop the demo's gateway and Keycloak (make demo-stop)
#
# What stays running afterwards: Keycloak, with its data in an H2 file database
# under the demo directory (kept across stops and starts), and the real
# gateway on a fixed port with a stand-in LLM provider behind it. The demo's
# profiles keep their tokens in 0600 files in the demo's config directory
# (--token-store file), so they work after the demo too.
#
# Settings (environment): IGCTL_DEMO_DIR (./demo), IGCTL_DEMO_GATEWAY_PORT (18081),
# IGCTL_DEMO_PROXY_PORT (8090, for the `igctl proxy` line it prints), and
# scripts/keycloak.sh's IGCTL_KC_* ports. `run` records them in $IGCTL_DEMO_DIR/demo.env,
# which `stop` reads, so stopping needs none of them again.
#
# The lines to try are printed after "== try", each command on a line of its
# own starting with "  $ ", and written to $IGCTL_DEMO_DIR/try.txt; a test
# (internal/demotest) runs exactly those lines.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
DIR=${IGCTL_DEMO_DIR:-$REPO/demo}
mkdir -p "$DIR" && chmod 700 "$DIR"
DIR=$(cd "$DIR" && pwd)
export IGCTL_KC_DB_DIR="$DIR/keycloak"

log() { printf 'demo.sh: %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# stop_gateway stops the gateway an earlier run left (SIGTERM: rungateway
# stops the gateway and its provider; SIGKILL after 10 s).
stop_gateway() {
  local pid i
  [ -f "$DIR/gateway.pid" ] || return 0
  pid=$(cat "$DIR/gateway.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    log "gateway stopped (pid $pid)"
  fi
  rm -f "$DIR/gateway.pid" "$DIR/gateway.addr"
}

case "${1:-run}" in
  run) ;;
  stop)
    if [ ! -f "$DIR/demo.env" ]; then
      log "no demo in $DIR (no demo.env): nothing to stop"
      exit 0
    fi
    # shellcheck disable=SC1091
    . "$DIR/demo.env"
    stop_gateway
    scripts/keycloak.sh stop
    exit 0
    ;;
  *) echo "usage: $0 [run|stop]" >&2; exit 2 ;;
esac

GW_PORT=${IGCTL_DEMO_GATEWAY_PORT:-18081}
PROXY_PORT=${IGCTL_DEMO_PROXY_PORT:-8090}
# the settings `stop` needs, recorded before anything starts
{
  for v in IGCTL_KC_PORT IGCTL_KC_MGMT_PORT IGCTL_KC_HTTPS_PORT IGCTL_KC_STATE IGCTL_KC_CACHE; do
    [ -n "${!v:-}" ] && printf 'export %s=%q\n' "$v" "${!v}"
  done
  printf 'export IGCTL_DEMO_GATEWAY_PORT=%q\n' "$GW_PORT"
} > "$DIR/demo.env"

scripts/deps.sh
scripts/keycloak.sh start
scripts/peers.sh gateway
scripts/openai-sdk.sh install
make -s build
go build -o bin/rungateway ./internal/testenv/rungateway

eval "$(scripts/keycloak.sh env)"
eval "$(scripts/peers.sh env gateway)"
eval "$(scripts/openai-sdk.sh env)"
export PATH="$REPO/bin:$PATH"
export IGCTL_CONFIG_DIR="$DIR/config"
# tokens in 0600 files under the config directory: they outlive this script
# (a keyring session started for the demo would end with it)
export IGCTL_TOKEN_STORE=file
export KEYCLOAK_URL="$IGCTL_TEST_KEYCLOAK_URL"
ISSUER="$KEYCLOAK_URL/realms/inference-gateway-realm"
GW="http://127.0.0.1:$GW_PORT"
[ -f "$DIR/user-password" ] || ( umask 077; head -c 12 /dev/urandom | base64 > "$DIR/user-password" )
if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then
  step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
else
  step() { printf '\n== %s\n' "$*" >&2; }
fi

step "igctl keycloak bootstrap (the guide's realm, client, mapper and user; public client igctl for people)"
igctl keycloak bootstrap --admin-password-file "$IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE" --public-client igctl \
  --user-password-file "$DIR/user-password" --write-env "gateway=$DIR/gateway.env,adk=$DIR/adk.env" --login

step "again: idempotent, nothing changes"
igctl keycloak bootstrap --admin-password-file "$IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE" --public-client igctl \
  --user-password-file "$DIR/user-password"

step "igctl token (client credentials; the token store is a 0600 file in $IGCTL_CONFIG_DIR)"
igctl token --format json | jq '{token_type, expires_at, expires_in, issuer, profile, access_token: (.access_token[0:24] + "…")}'

step "igctl login --grant password as the test user (client secret from the .env)"
igctl --profile user login --from-env "$DIR/gateway.env" --username user --password-file "$DIR/user-password" --gateway-url "$GW"

step "igctl token inspect --verify (what the gateway will check)"
igctl --profile user token inspect --verify

step "the real Inference Gateway on $GW, auth ON, started from the .env igctl wrote"
stop_gateway
setsid bin/rungateway -envfile "$DIR/gateway.env" -port "$GW_PORT" -addr-file "$DIR/gateway.addr" \
  </dev/null >"$DIR/gateway.log" 2>&1 &
echo $! > "$DIR/gateway.pid"
for _ in $(seq 1 400); do [ -s "$DIR/gateway.addr" ] && break; kill -0 "$(cat "$DIR/gateway.pid")" 2>/dev/null || break; sleep 0.1; done
[ -s "$DIR/gateway.addr" ] || { cat "$DIR/gateway.log" >&2; rm -f "$DIR/gateway.pid"; die "the gateway did not start on $GW (IGCTL_DEMO_GATEWAY_PORT picks another port)"; }
log "gateway running (pid $(cat "$DIR/gateway.pid"), log $DIR/gateway.log)"
igctl config set gateway_url "$GW"

step "igctl models"
igctl models --json | jq -c '.data[] | {id, owned_by}'

step "igctl status"
igctl status

step "igctl doctor (against the real gateway)"
igctl doctor

q() { printf '%q' "$1"; }
PY=$IGCTL_TEST_OPENAI_PYTHON
SDK='from openai import OpenAI; r = OpenAI().chat.completions.create(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}]); print(r.choices[0].message.content)'
PEOPLE="--issuer $(q "$ISSUER") --client-id igctl --gateway-client-id inference-gateway-client --gateway-url $GW"
cat >"$DIR/try.txt" <<TRY
  \$ export IGCTL_CONFIG_DIR=$(q "$IGCTL_CONFIG_DIR") IGCTL_TOKEN_STORE=file PATH=$(q "$REPO/bin"):"\$PATH"
  \$ igctl status
  \$ igctl --profile user token --format curl | curl -fsS -K - $GW/v1/models
  \$ igctl --profile user models
  \$ igctl doctor
  \$ igctl proxy --listen 127.0.0.1:$PROXY_PORT
    (leave it running; in another terminal, the OpenAI SDK through it, with the proxy's local key:)
  \$ OPENAI_BASE_URL=http://127.0.0.1:$PROXY_PORT/v1 OPENAI_API_KEY="\$(cat $(q "$IGCTL_CONFIG_DIR/proxy/default.key"))" $(q "$PY") -c '$SDK'
    (people log in with the public client igctl in a browser, or with a code on another device;
     user "user", password in $DIR/user-password; on a machine without a browser add
     --no-browser to the --web line: it prints the URL to open)
  \$ igctl --profile web login --web $PEOPLE
  \$ igctl --profile device login --device $PEOPLE
  \$ igctl --profile web models
TRY
chmod 600 "$DIR/try.txt"

stop_hint="make demo-stop"
[ "$DIR" = "$REPO/demo" ] || stop_hint="IGCTL_DEMO_DIR=$(q "$DIR") make demo-stop"
cat >&2 <<DONE

== what is running now (until $stop_hint)
Keycloak       $KEYCLOAK_URL (realm inference-gateway-realm), its data in an H2 file
               database in $IGCTL_KC_DB_DIR: kept across stops and starts
admin console  $KEYCLOAK_URL/admin/  user admin, password in $IGCTL_KC_DB_DIR/admin-password
gateway        $GW: the real Inference Gateway, auth ON, from $DIR/gateway.env,
               a stand-in LLM provider behind it (log: $DIR/gateway.log)
profiles       default (client credentials) and user (password grant) in $IGCTL_CONFIG_DIR;
               their tokens are in 0600 files there (IGCTL_TOKEN_STORE=file), so they work after the demo
stop           $stop_hint   (the gateway and Keycloak; \`make demo\` starts them again, same data)

== try (also in $DIR/try.txt)
$(cat "$DIR/try.txt")
DONE
