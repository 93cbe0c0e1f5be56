#!/usr/bin/env bash
# The guide's Keycloak set-up done the usual way, with the kcadm.sh that ships
# in the Keycloak distribution (one JVM per call): realm, confidential client
# with service account and direct grants, audience mapper, test user with a
# full profile and a password, then read the client secret. Same objects as
# `igctl keycloak bootstrap`. Not idempotent: a second run fails with 409.
#   bench/kcadm-bootstrap.sh KC_URL REALM ADMIN_PASSWORD_FILE USER_PASSWORD_FILE
set -euo pipefail
url=$1 realm=$2 admin_pw_file=$3 user_pw_file=$4
kc=$(scripts/keycloak.sh home)/bin/kcadm.sh
export KC_OPTS="${KC_OPTS:-}"
cfg=$(mktemp)
trap 'rm -f "$cfg"' EXIT
# kcadm.sh takes the admin password only as an argument or at a prompt; this is a
# throw-away local server, so the prompt is fed from the file.
"$kc" config credentials --config "$cfg" --server "$url" --realm master --user admin < "$admin_pw_file" >/dev/null 2>&1 \
  || "$kc" config credentials --config "$cfg" --server "$url" --realm master --user admin --password "$(cat "$admin_pw_file")"
"$kc" create realms --config "$cfg" -s realm="$realm" -s enabled=true
cid=$("$kc" create clients --config "$cfg" -r "$realm" -s clientId=inference-gateway-client -s publicClient=false \
  -s serviceAccountsEnabled=true -s directAccessGrantsEnabled=true -s standardFlowEnabled=false -i)
"$kc" create "clients/$cid/protocol-mappers/models" --config "$cfg" -r "$realm" -s name="audience inference-gateway-client" \
  -s protocol=openid-connect -s protocolMapper=oidc-audience-mapper \
  -s 'config."included.client.audience"=inference-gateway-client' -s 'config."access.token.claim"=true' \
  -s 'config."introspection.token.claim"=true'
uid=$("$kc" create users --config "$cfg" -r "$realm" -s username=user -s email=user@example.com -s firstName=Test \
  -s lastName=User -s enabled=true -s emailVerified=true -i)
"$kc" set-password --config "$cfg" -r "$realm" --userid "$uid" --new-password "$(cat "$user_pw_file")"
"$kc" get "clients/$cid/client-secret" --config "$cfg" -r "$realm" --fields value >/dev/null
