#!/usr/bin/env bash
# The main job end to end against a local Keycloak (started if needed):
# bootstrap the guide's realm, client and user, log in with both grants, print tokens.
# Everything lands in ./demo (config, .env files); the keyring is a private one.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/keycloak.sh start
eval "$(scripts/keycloak.sh env)"
[ -x bin/igctl ] || make build
export PATH="$PWD/bin:$PATH"
export IGCTL_CONFIG_DIR="$PWD/demo/config"
mkdir -p demo
echo "== igctl $(igctl version)"
igctl config set issuer "$IGCTL_TEST_KEYCLOAK_URL/realms/master"
igctl config show
