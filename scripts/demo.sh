#!/usr/bin/env bash
# igctl's main job end to end against a local Keycloak (started if needed):
#   bootstrap the guide's realm, client, audience mapper and user
#   -> log in with both grants -> print and inspect tokens -> models -> doctor.
# Everything lands in ./demo (config, .env files); tokens go to a private
# gnome-keyring Secret Service that lives as long as this script.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${IGCTL_IN_KEYRING_SESSION:-}" ]; then
  scripts/deps.sh
  scripts/keycloak.sh start
  make -s build
  exec scripts/with-keyring.sh "$0" "$@"
fi
eval "$(scripts/keycloak.sh env)"
export PATH="$PWD/bin:$PATH"
export IGCTL_CONFIG_DIR="$PWD/demo/config"
export KEYCLOAK_URL="$IGCTL_TEST_KEYCLOAK_URL"
mkdir -p demo && chmod 700 demo
[ -f demo/user-password ] || ( umask 077; head -c 12 /dev/urandom | base64 > demo/user-password )
step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

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

step "a gateway stand-in (verifies tokens like the real gateway) and igctl models"
go build -o bin/gatewaystandin ./internal/testenv/gatewaystandin
rm -f demo/gateway.addr
bin/gatewaystandin -issuer "$IGCTL_TEST_KEYCLOAK_URL/realms/inference-gateway-realm" \
  -client-id inference-gateway-client -addr-file demo/gateway.addr 2>/dev/null &
standin=$!
trap 'kill $standin 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [ -s demo/gateway.addr ] && break; sleep 0.1; done
igctl config set gateway_url "$(cat demo/gateway.addr)"
igctl models --include context_window,pricing --json | jq -c '.data[] | {id, context_window: .context_window.tokens}'

step "igctl doctor"
igctl doctor
