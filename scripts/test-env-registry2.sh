# Sourced by scripts/test-env.sh: a second loopback registry, for the registry engine's tests with the base in one
# registry and the image in another (no cross-repository mount between them: the layers are copied). Same login as
# the first one (its htpasswd file), its own port, data and pid file.
#
#   MI_REGISTRY2_PORT  its port on 127.0.0.1 (default 5065)

REG2_PORT=${MI_REGISTRY2_PORT:-5065}
REG2_ADDR=127.0.0.1:${REG2_PORT}
REG2_DIR=$STATE/registry2
REG2_PIDFILE=$STATE/run/registry2.pid
REG2_LOG=$STATE/logs/registry2.log

registry2_ready() {
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$REG2_ADDR/v2/") == 401 ]]
}

start_registry2() {
  local pid
  mkdir -p "$REG2_DIR/data"
  ( umask 077; sed -e "s#rootdirectory: $REG_DIR/data#rootdirectory: $REG2_DIR/data#" \
      -e "s#addr: $REG_ADDR#addr: $REG2_ADDR#" "$REG_DIR/config.yml" > "$REG2_DIR/config.yml" )
  if pid=$(pid_alive "$REG2_PIDFILE" docker-registry); then
    wait_until "registry2 (pid $pid)" "$REG2_LOG" "$TIMEOUT" registry2_ready
    log "registry2 already running (pid $pid) on $REG2_ADDR"
    return 0
  fi
  rm -f "$REG2_PIDFILE"
  if registry2_ready || curl -s -o /dev/null --max-time 2 "http://$REG2_ADDR/"; then
    die "something else already listens on $REG2_ADDR (set MI_REGISTRY2_PORT to another port)"
  fi
  log "starting registry2 on $REG2_ADDR"
  printf '\n==== %s starting docker-registry ====\n' "$(date -Is)" >> "$REG2_LOG"
  setsid docker-registry serve "$REG2_DIR/config.yml" < /dev/null >> "$REG2_LOG" 2>&1 9>&- &
  pid=$!
  echo "$pid" > "$REG2_PIDFILE"
  local deadline=$((SECONDS + TIMEOUT))
  until registry2_ready; do
    kill -0 "$pid" 2>/dev/null || fail_with_log "registry2 exited during startup" "$REG2_LOG"
    ((SECONDS < deadline)) || fail_with_log "registry2 not ready after ${TIMEOUT}s" "$REG2_LOG"
    sleep 0.2
  done
  log "registry2 ready (pid $pid)"
}

stop_registry2() { stop_pidfile registry2 "$REG2_PIDFILE" docker-registry; }

registry2_status() {
  local pid
  if pid=$(pid_alive "$REG2_PIDFILE" docker-registry) && registry2_ready; then
    echo "registry2: running pid=$pid addr=$REG2_ADDR"
  else
    echo "registry2: stopped"; return 3
  fi
}

registry2_env() { printf 'MI_REGISTRY2=%s\n' "$REG2_ADDR"; }

# The tests' docker config gets the login for it too (pulling back what was pushed there).
registry2_login() {
  secret registry-password | dk login "$REG2_ADDR" -u "$REG_USER" --password-stdin \
    >> "$STATE/logs/docker-login.log" 2>&1 ||
    fail_with_log "docker login $REG2_ADDR failed" "$STATE/logs/docker-login.log"
}
