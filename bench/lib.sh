# Helpers for the bench scripts (sourced). Secrets go through stdin and files,
# never through argv.

# admin_token prints a master-realm admin token.
admin_token() {
  { printf 'grant_type=password&client_id=admin-cli&username=admin&password='; tr -d '\n' < "$IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE"; } |
    curl -fsS -d @- "$IGCTL_TEST_KEYCLOAK_URL/realms/master/protocol/openid-connect/token" | jq -r .access_token
}

# delete_realm REALM: remove it if it exists.
delete_realm() {
  printf 'header = "Authorization: Bearer %s"\n' "$(admin_token)" |
    curl -sS -o /dev/null -K - -X DELETE "$IGCTL_TEST_KEYCLOAK_URL/admin/realms/$1"
}
