#!/usr/bin/env bash
# Run a real Keycloak for igctl's demo and integration tests.
#
#   scripts/keycloak.sh fetch   download (Maven Central) and unpack the server, cached outside the repo
#   scripts/keycloak.sh start   fetch if needed, start `kc.sh start-dev` on 127.0.0.1, wait for /health/ready
#   scripts/keycloak.sh env     print the export lines the tests read (IGCTL_TEST_KEYCLOAK_*)
#   scripts/keycloak.sh stop    stop the server started by `start` (with IGCTL_KC_DB_DIR: only
#                               if that server keeps its data there)
#
# Settings (environment): IGCTL_KC_VERSION (26.7.3; falls back to 26.7.0, 26.5.6),
# IGCTL_KC_CACHE (~/.cache/igctl/keycloak), IGCTL_KC_PORT (18080), IGCTL_KC_MGMT_PORT (19000),
# IGCTL_KC_HTTPS_PORT (18443), IGCTL_KC_WAIT seconds (240), IGCTL_KC_STATE (the state
# directory: pid, log, TLS files; default $IGCTL_KC_CACHE/run-$IGCTL_KC_PORT).
# IGCTL_KC_DB_DIR: keep the data in an H2 file database in this directory (the demo
# does), so realms, users and sessions survive a stop and start; unset, the data is
# in memory and gone at stop (the tests, which create and delete their own realms).
# `start` with IGCTL_KC_DB_DIR refuses a server already running on the port with
# other data; without it, any server running on the port is reused.
# HTTPS uses a throw-away CA made here with openssl (for the TLS tests): its
# certificate is $STATE/tls2/ca.pem; the server certificate also names
# keycloak.test, the host the proxy tests reach through a forward proxy.
# The bootstrap admin password is random, kept in a 0600 file and handed to Keycloak
# through its environment, never through argv. In memory it is new at every start
# (state directory); with a file database Keycloak creates the admin user only on the
# database's first start, so the password is made once and kept beside the database,
# as $IGCTL_KC_DB_DIR/admin-password ($STATE/admin-password links to it).
set -euo pipefail

CACHE=${IGCTL_KC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/igctl/keycloak}
PORT=${IGCTL_KC_PORT:-18080}
MGMT_PORT=${IGCTL_KC_MGMT_PORT:-19000}
HTTPS_PORT=${IGCTL_KC_HTTPS_PORT:-18443}
WAIT=${IGCTL_KC_WAIT:-240}
STATE=${IGCTL_KC_STATE:-$CACHE/run-$PORT}
DB_DIR=${IGCTL_KC_DB_DIR:-}
VERSIONS=("${IGCTL_KC_VERSION:-26.7.3}" 26.7.0 26.5.6)

log() { printf 'keycloak.sh: %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# pick_java prints the path of a java binary of major version >= 21.
pick_java() {
  local best="" best_major=0 j major
  for j in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    major=$("$j" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
    major=${major%%.*}
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best=$j best_major=$major; fi
  done
  [ -n "$best" ] || die "no JDK >= 21 under /usr/lib/jvm or \$JAVA_HOME (Keycloak 26.7 needs 21 or 25)"
  echo "$best"
}

# kc_home prints the unpacked distribution folder, fetching it when missing.
kc_home() {
  local v
  for v in "${VERSIONS[@]}"; do
    if [ -x "$CACHE/keycloak-$v/bin/kc.sh" ]; then echo "$CACHE/keycloak-$v"; return; fi
  done
  mkdir -p "$CACHE"
  # Maven's own repository is under the account's home directory, which is not
  # $HOME under sudo or in some CI runners: look in both, and download into a
  # repository of our own, so the path is known whatever HOME says.
  local account_home repo="$CACHE/m2"
  account_home=$(getent passwd "$(id -un)" 2>/dev/null | cut -d: -f6)
  for v in "${VERSIONS[@]}"; do
    local rel="org/keycloak/keycloak-quarkus-dist/$v/keycloak-quarkus-dist-$v.tar.gz" tgz="" r
    local t0=$SECONDS
    for r in "$repo" "$HOME/.m2/repository" ${account_home:+"$account_home/.m2/repository"}; do
      if [ -f "$r/$rel" ]; then tgz="$r/$rel"; log "found $v in the Maven repository $r"; break; fi
    done
    if [ -z "$tgz" ]; then
      log "downloading org.keycloak:keycloak-quarkus-dist:$v:tar.gz from Maven Central"
      if ! mvn -B -q -ntp -Dmaven.repo.local="$repo" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get \
          -Dartifact="org.keycloak:keycloak-quarkus-dist:$v:tar.gz" -Dtransitive=false >&2; then
        log "version $v refused, trying the next"
        continue
      fi
      tgz="$repo/$rel"
      [ -f "$tgz" ] || { log "Maven reported success but $tgz is missing; trying the next version"; continue; }
      log "fetched $(du -m "$tgz" | cut -f1) MB in $((SECONDS - t0)) s"
    fi
    log "unpacking $tgz into $CACHE"
    tar -xzf "$tgz" -C "$CACHE"
    echo "$CACHE/keycloak-$v"
    return
  done
  die "could not download keycloak-quarkus-dist (${VERSIONS[*]})"
}

# With HTTPS configured, the management interface serves HTTPS with the same certificate.
ready() { curl -fsS --cacert "$STATE/tls2/ca.pem" -o /dev/null "https://127.0.0.1:$MGMT_PORT/health/ready" 2>/dev/null; }

print_env() {
  [ -f "$STATE/admin-password" ] || die "not started (no $STATE/admin-password)"
  cat <<ENV
export IGCTL_TEST_KEYCLOAK_URL=http://127.0.0.1:$PORT
export IGCTL_TEST_KEYCLOAK_ADMIN=admin
export IGCTL_TEST_KEYCLOAK_ADMIN_PASSWORD_FILE=$STATE/admin-password
export IGCTL_TEST_KEYCLOAK_HTTPS_URL=https://127.0.0.1:$HTTPS_PORT
export IGCTL_TEST_KEYCLOAK_CA_FILE=$STATE/tls2/ca.pem
ENV
}

# make_tls creates a CA and a server certificate for 127.0.0.1/localhost.
make_tls() {
  local d="$STATE/tls2"
  [ -f "$d/server.pem" ] && return
  mkdir -p "$d"
  ( umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=igctl test CA" \
      -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:keycloak.test\nextendedKeyUsage=serverAuth\n' > "$d/ext.cnf"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 30 \
      -extfile "$d/ext.cnf" -out "$d/server.pem" 2>/dev/null )
  chmod 644 "$d/ca.pem"
}

new_password() { ( umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$1" ); }

# running_db prints what the server started by `start` keeps its data in: the
# database directory, or "memory".
running_db() { cat "$STATE/db" 2>/dev/null || echo memory; }

# prepare_db sets up the admin password for this start and prints the --db
# options, one a line (the JDBC URL holds a ';' and the path may hold spaces).
prepare_db() {
  rm -f "$STATE/admin-password" # a file of its own or a link: never written through
  if [ -z "$DB_DIR" ]; then
    new_password "$STATE/admin-password"
    echo memory > "$STATE/db"
    echo --db=dev-mem
    return
  fi
  mkdir -p "$DB_DIR"
  chmod 700 "$DB_DIR"
  if [ ! -s "$DB_DIR/admin-password" ]; then
    # the admin user exists from the database's first start, with the password made then
    [ -e "$DB_DIR/keycloakdb.mv.db" ] && die "$DB_DIR holds a Keycloak database but not its admin-password file: remove $DB_DIR to start afresh"
    new_password "$DB_DIR/admin-password"
  fi
  ln -s "$DB_DIR/admin-password" "$STATE/admin-password"
  echo "$DB_DIR" > "$STATE/db"
  printf '%s\n' --db=dev-file "--db-url=jdbc:h2:file:$DB_DIR/keycloakdb;NON_KEYWORDS=VALUE"
}

start() {
  local home java pid db_opts=()
  if [ -n "$DB_DIR" ]; then
    mkdir -p "$DB_DIR"
    DB_DIR=$(cd "$DB_DIR" && pwd)
  fi
  if [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null && ready; then
    if [ -n "$DB_DIR" ] && [ "$(running_db)" != "$DB_DIR" ]; then
      die "the Keycloak on 127.0.0.1:$PORT keeps its data in $(running_db), not $DB_DIR: stop it first (IGCTL_KC_PORT=$PORT make keycloak-stop) or pick another IGCTL_KC_PORT"
    fi
    log "already running on 127.0.0.1:$PORT (pid $(cat "$STATE/pid"), data in $(running_db))"
    return
  fi
  home=$(kc_home)
  java=$(pick_java)
  log "using $home with $("$java" -version 2>&1 | head -1) ($java)"
  mkdir -p "$STATE"
  chmod 700 "$STATE"
  make_tls
  local opts
  opts=$(prepare_db) || exit 1
  mapfile -t db_opts <<<"$opts"
  local t0=$SECONDS
  # kc.sh ends with `exec java`, so the pid of this background job is the server JVM.
  JAVA_HOME=$(dirname "$(dirname "$java")") \
  KC_BOOTSTRAP_ADMIN_USERNAME=admin \
  KC_BOOTSTRAP_ADMIN_PASSWORD=$(cat "$STATE/admin-password") \
  setsid "$home/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$PORT" \
      --http-management-port="$MGMT_PORT" --health-enabled=true "${db_opts[@]}" \
      --https-port="$HTTPS_PORT" --https-certificate-file="$STATE/tls2/server.pem" \
      --https-certificate-key-file="$STATE/tls2/server.key" \
      >"$STATE/keycloak.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" > "$STATE/pid"
  while ! ready; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$STATE/keycloak.log" >&2
      die "Keycloak exited during start-up (log: $STATE/keycloak.log)"
    fi
    if [ $((SECONDS - t0)) -ge "$WAIT" ]; then
      tail -n 30 "$STATE/keycloak.log" >&2
      stop
      die "Keycloak not ready after ${WAIT}s (log: $STATE/keycloak.log)"
    fi
    sleep 1
  done
  log "ready on http://127.0.0.1:$PORT after $((SECONDS - t0)) s (data in $(running_db))"
}

stop() {
  [ -f "$STATE/pid" ] || { log "not running"; return 0; }
  local pid i
  pid=$(cat "$STATE/pid")
  # with IGCTL_KC_DB_DIR, only the server keeping its data there is stopped
  if [ -n "$DB_DIR" ] && [ "$(running_db)" != "$(cd "$DB_DIR" 2>/dev/null && pwd)" ]; then
    log "the Keycloak on 127.0.0.1:$PORT keeps its data in $(running_db), not $DB_DIR: left running"
    return 0
  fi
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    log "stopped (pid $pid)"
  fi
  rm -f "$STATE/pid" "$STATE/db"
}

case "${1:-}" in
  fetch) kc_home >/dev/null ;;
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  home) kc_home ;;
  *) echo "usage: $0 fetch|start|stop|env|home" >&2; exit 2 ;;
esac
