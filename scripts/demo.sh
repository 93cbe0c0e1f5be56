#!/usr/bin/env bash
# igctl's main job end to end against a local Keycloak (started if needed):
#   bootstrap the guide's realm, client, audience mapper and user
#   -> log in with both grants -> print and inspect tokens -> models and doctor
#   against the real Inference Gateway (auth ON, started from the .env igctl wrote).
# Everything lands in ./demo (config, .env files); tokens go to a private
# gnome-keyring Secret Service that lives as long as this script.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${IGCTL_IN_KEYRING_SESSION:-}" ]; then
  scripts/deps.sh
  scripts/keycloak.sh start
  scripts/peers.sh gateway
  make -s build
  go build -o bin/rungateway ./internal/testenv/rungateway
  exec scripts/with-keyring.sh "$0" "$@"
fi
eval "$(scripts/keycloak.sh env)"
gateway_env=$(scripts/peers.sh env gateway)
eval "$gateway_env"
export PATH="$PWD/bin:$PATH"
export IGCTL_CONFIG_DIR="$PWD/demo/config"
export KEYCLOAK_URL="$IGCTL_TEST_KEYCLOAK_URL"
mkdir -p demo && chmod 700 demo
[ -f demo/user-password ] || ( umask 077; head -c 12 /dev/urandom | base64 > demo/user-password )
if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then
  step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
else
  step() { printf '\n== %s\n' "$*" >&2; }
fi

step "igctl keycloak bootstrap (the guide's realm, client, mapper and user)"
igctl keycloak bootstrap --admin-password-file "$IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE" \
  --user-password-file demo/user-password --write-env gateway=demo/gateway.env,adk=demo/adk.env --login

step "again: idempotent, nothing changes"
igctl keycloak bootstrap --admin-password-file "$IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE" --user-password-file demo/user-password

step "igctl token (client credentials, cached in the keyring)"
igctl token --format json | jq '{token_type, expires_at, expires_in, issuer, profile, access_token: (.access_token[0:24] + "…")}'

step "igctl login --grant password as the test user (client secret from the .env)"
igctl --profile user login --from-env demo/gateway.env --username user --password-file demo/user-password

step "igctl token inspect --verify (what the gateway will check)"
igctl --profile user token inspect --verify

step "igctl status"
igctl status

step "the real Inference Gateway, auth ON, started from the .env igctl wrote; igctl models"
rm -f demo/gateway.addr
bin/rungateway -envfile demo/gateway.env -addr-file demo/gateway.addr 2>demo/gateway.log &
gw=$!
trap 'kill $gw 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do [ -s demo/gateway.addr ] && break; kill -0 $gw 2>/dev/null || break; sleep 0.1; done
[ -s demo/gateway.addr ] || { cat demo/gateway.log >&2; echo "demo: the gateway did not start" >&2; exit 1; }
igctl config set gateway_url "$(cat demo/gateway.addr)"
igctl models --json | jq -c '.data[] | {id, owned_by}'

step "igctl doctor (against the real gateway)"
igctl doctor

kc_admin_pw_file=$IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE
ports=""
[ -n "${IGCTL_KC_PORT:-}" ] && ports="IGCTL_KC_PORT=$IGCTL_KC_PORT "
cat >&2 <<DONE

== what is running now
Keycloak       $IGCTL_TEST_KEYCLOAK_URL (realm inference-gateway-realm), still running
admin console  $IGCTL_TEST_KEYCLOAK_URL/admin/  user admin, password in $kc_admin_pw_file
.env files     demo/gateway.env and demo/adk.env (0600), written by keycloak bootstrap
try            export IGCTL_CONFIG_DIR=$PWD/demo/config
               bin/igctl login --from-env demo/gateway.env --grant client-credentials
               bin/igctl token inspect --verify; bin/igctl status
               (the demo's own tokens were sealed with a keyring that lived as long as the demo)
stop Keycloak  ${ports}make keycloak-stop   (the demo's gateway stopped with the demo)
DONE
