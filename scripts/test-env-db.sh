# shellcheck shell=bash
# The database server images of the real test environment, sourced by scripts/test-env.sh (it uses that file's
# helpers: log, die, fail_with_log, mmdebstrap_sources, ensure_image, and its STATE, CACHE, SUITE, REG_ADDR).
#
# The apply check starts a throwaway database from an image (postgres:17-alpine, mysql:8.4, mariadb:11 on GitHub).
# Docker Hub is out of reach here, so the same servers come from Debian's packages (PostgreSQL 15 and MariaDB 10.11
# in bookworm), built with mmdebstrap, `docker import`ed and pushed to the loopback registry. Each gets an
# entrypoint that honours the official image's variables (POSTGRES_PASSWORD / POSTGRES_USER / POSTGRES_DB;
# MARIADB_ROOT_PASSWORD / MARIADB_DATABASE), initialises on first start with networking off, then serves TCP on
# every address, as the official entrypoints do. The rootfs tarballs are cached in $CACHE like the others.

DB_PG_MAJOR=15
DB_POSTGRES=${REG_ADDR}/db/postgres:${DB_PG_MAJOR}
# r2: the entrypoint initialises on a marker of its own (Debian's package leaves a data directory behind, which
# made the first entrypoint skip its set-up: no root@'%', no password over TCP).
DB_MARIADB=${REG_ADDR}/db/mariadb:10.11-r2
DB_POSTGRES_TAR=$CACHE/db-postgres-$DB_PG_MAJOR-$SUITE.tar
DB_MARIADB_TAR=$CACHE/db-mariadb-r2-$SUITE.tar

db_postgres_entrypoint() {
  cat <<'EOF'
#!/bin/bash
# Stand-in for docker-library/postgres's docker-entrypoint.sh: the same variables, the same two phases.
set -euo pipefail
if [[ $# -eq 0 || ${1:0:1} == - ]]; then set -- postgres "$@"; fi
if [[ $1 != postgres ]]; then exec "$@"; fi
shift
export PGDATA=${PGDATA:-/var/lib/postgresql/data}
if [[ $(id -u) == 0 ]]; then
  mkdir -p "$PGDATA" /run/postgresql
  chown -R postgres:postgres "$PGDATA" /run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" postgres "$@"
fi
if [[ ! -s $PGDATA/PG_VERSION ]]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 > /dev/null
  rm -f "$pwfile"
  printf 'host all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
  if [[ $db != postgres ]]; then
    printf 'CREATE DATABASE "%s";\n' "$db" | postgres --single -D "$PGDATA" -j postgres > /dev/null
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c fsync=off "$@"
EOF
}

db_mariadb_entrypoint() {
  cat <<'EOF'
#!/bin/bash
# Stand-in for MariaDB/mariadb-docker's docker-entrypoint.sh: MARIADB_ROOT_PASSWORD, MARIADB_DATABASE.
set -euo pipefail
if [[ $# -eq 0 || ${1:0:1} == - ]]; then set -- mariadbd "$@"; fi
if [[ $1 != mariadbd ]]; then exec "$@"; fi
shift
datadir=/var/lib/mysql
mkdir -p "$datadir" /run/mysqld
chown -R mysql:mysql "$datadir" /run/mysqld
if [[ ! -e $datadir/.initialised ]]; then
  : "${MARIADB_ROOT_PASSWORD:?MARIADB_ROOT_PASSWORD must be set}"
  # what the package's own install left (root by unix socket only) goes: the server starts from the variables
  find "$datadir" -mindepth 1 -delete
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal > /dev/null
  sock=/run/mysqld/init.sock
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket="$sock" &
  pid=$!
  for _ in $(seq 1 300); do mariadb-admin --socket="$sock" ping > /dev/null 2>&1 && break; sleep 0.1; done
  pw=${MARIADB_ROOT_PASSWORD//\'/\'\'}
  mariadb --socket="$sock" <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';
CREATE USER 'root'@'%' IDENTIFIED BY '$pw';
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
${MARIADB_DATABASE:+CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;}
SQL
  mariadb-admin --socket="$sock" --user=root --password="$MARIADB_ROOT_PASSWORD" shutdown
  wait "$pid" || true
  touch "$datadir/.initialised"
fi
exec mariadbd --user=mysql --datadir="$datadir" --bind-address=0.0.0.0 --port=3306 "$@"
EOF
}

db_build_tar() { # out package-list entrypoint-function setup-hook
  local out=$1 packages=$2 entrypoint=$3 setup=$4
  [[ -s $out ]] && return 0
  mmdebstrap_sources
  local stage
  stage=$(mktemp -d "$STATE/db-stage.XXXXXX")
  "$entrypoint" > "$stage/docker-entrypoint.sh"
  chmod 755 "$stage/docker-entrypoint.sh"
  log "mmdebstrap $SUITE + $packages (cached in $out; takes ~30-60s)"
  rm -f "$out.tmp"
  MI_DB_STAGE=$stage \
  mmdebstrap --variant=essential --format=tar \
    --include="$packages" \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --setup-hook="$setup" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    --customize-hook='mkdir -p "$1"/usr/local/bin && cp "$MI_DB_STAGE"/docker-entrypoint.sh "$1"/usr/local/bin/' \
    "$SUITE" "$out.tmp" "${SOURCES[@]}" \
    < /dev/null > "$STATE/logs/mmdebstrap-db.log" 2>&1 ||
    { rm -rf "$stage"; fail_with_log "mmdebstrap ($packages) failed" "$STATE/logs/mmdebstrap-db.log"; }
  rm -rf "$stage"
  mv "$out.tmp" "$out"
}

db_build_postgres_tar() {
  # no cluster at install time: the entrypoint makes one in PGDATA on first start
  db_build_tar "$DB_POSTGRES_TAR" "postgresql-$DB_PG_MAJOR" db_postgres_entrypoint \
    'mkdir -p "$1"/etc/postgresql-common && echo "create_main_cluster = false" > "$1"/etc/postgresql-common/createcluster.conf'
}

db_build_mariadb_tar() {
  db_build_tar "$DB_MARIADB_TAR" "mariadb-server,mariadb-client" db_mariadb_entrypoint 'true'
}

db_images_up() {
  ensure_image "$DB_POSTGRES" db/postgres "$DB_PG_MAJOR" db_build_postgres_tar "$DB_POSTGRES_TAR" \
    'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' 'CMD ["postgres"]' \
    'ENV PGDATA=/var/lib/postgresql/data' 'ENV LANG=C.UTF-8' \
    "ENV PATH=/usr/lib/postgresql/$DB_PG_MAJOR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  ensure_image "$DB_MARIADB" db/mariadb 10.11-r2 db_build_mariadb_tar "$DB_MARIADB_TAR" \
    'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' 'CMD ["mariadbd"]' 'ENV LANG=C.UTF-8' \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
}

db_images_env() {
  printf 'MI_DB_POSTGRES=%s\n' "$DB_POSTGRES"
  printf 'MI_DB_MARIADB=%s\n' "$DB_MARIADB"
}
