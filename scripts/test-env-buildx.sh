# shellcheck shell=bash
# The buildx part of the real test environment, sourced by scripts/test-env.sh (it uses that file's helpers: log,
# die, fail_with_log, pid_alive, stop_pidfile, secret, registry_has, build_busybox_tar, and its STATE, CACHE, REG_*).
#
# GitHub's runners build with buildx on Docker Engine 28 (BuildKit inside). Debian's stable has neither, but sid
# has docker-buildx 0.29, docker.io 28.5 and containerd 2.1, and their binaries run on this Debian's glibc. So:
#
# - the packages are fetched by suite name through this machine's own apt mirror (read from /etc/apt at run time)
#   with a private apt configuration, cached in $CACHE, and unpacked with `dpkg -x` into a private root: the
#   distro's docker (dockerd 20.10, the legacy path) is never touched. The system's runc runs the containers
#   (sid's runc needs a newer glibc).
# - two engines, each with its own socket, data root, exec root and pidfile, no iptables and no bridge: a classic
#   image store (what ubuntu-24.04 runners have) and a containerd image store (`containerd-snapshotter`, the
#   default of Docker 29 installs), each with the containerd 2.1 dockerd starts and manages itself.
# - a BuildKit endpoint for buildx's `remote` driver (scripts/buildkit-proxy.mjs: the containerd-store engine's
#   BuildKit through the engine API's `/grpc` upgrade), standing in for the builder docker/setup-buildx-action
#   creates. Only that engine's BuildKit can push through it: the classic store's BuildKit has no `image` exporter
#   (only the engine-internal `moby` one the docker driver uses).
# - a two-platform base image (linux/amd64 + linux/arm64) in the registry, for multi-platform builds; both
#   platforms hold the same busybox files (the images built on it have no RUN step, so nothing executes them).
#
# Settings (environment): MI_BUILDX_SUITE (default sid), MI_DEBIAN_MIRROR (as in test-env.sh).

BX_SUITE=${MI_BUILDX_SUITE:-sid}
BX_PACKAGES=(docker-buildx docker.io docker-cli containerd)
BX_DIR=$STATE/buildx
BX_ROOT=$BX_DIR/root
BX_BIN=$BX_DIR/bin
BX_APT=$CACHE/apt-$BX_SUITE
BX_DEBS=$CACHE/debs-$BX_SUITE
# A runner-like docker config: the buildx plugin and builders, no credentials.
BX_CONFIG=$BX_DIR/docker-config
# The same plugin, logged in to the registry: for this script's and the tests' own pushes and pulls.
BX_LOGIN_CONFIG=$BX_DIR/docker-config-login
BX_ENGINES=(classic containerd)
BK_SOCK=$BX_DIR/buildkit.sock
BK_PIDFILE=$STATE/run/buildkit-proxy.pid
BK_LOG=$STATE/logs/buildkit-proxy.log
BX_REMOTE_BUILDER=mi-remote
BASE_BUSYBOX_MULTI=${REG_ADDR}/base/busybox-multi:1
BX_PLATFORMS=linux/amd64,linux/arm64
BX_VERSIONS=()

bx_engine_sock() { printf '%s/%s/docker.sock\n' "$BX_DIR" "$1"; }
bx_engine_pidfile() { printf '%s/run/dockerd-%s.pid\n' "$STATE" "$1"; }
bx_engine_log() { printf '%s/logs/dockerd-%s.log\n' "$STATE" "$1"; }
# The docker 28.5 client with a given config and engine.
bx_docker() { # config engine args...
  local config=$1 engine=$2; shift 2
  DOCKER_CONFIG=$config DOCKER_HOST=unix://$(bx_engine_sock "$engine") "$BX_BIN/docker" "$@"
}

# --------------------------------------------------------------- packages ---
# This machine's Debian mirror and keyring: the first `deb` source for $SUITE (deb822 .sources files, then
# one-line .list files), so no host name is written anywhere. Prints "URI KEYRING".
bx_mirror() {
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  if [[ -n $MIRROR ]]; then
    printf '%s %s\n' "$MIRROR" "$keyring"
    return 0
  fi
  local found
  found=$(awk -v suite="$SUITE" -v fallback="$keyring" '
    function flush() {
      if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uri != "" && !done) {
        print uri, (signed != "" ? signed : fallback); done = 1
      }
      types = ""; suites = ""; uri = ""; signed = ""
    }
    FNR == 1 { flush() }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]*#/ { next }
    /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0; next }
    /^URIs:/ { sub(/^URIs:[ \t]*/, ""); split($0, u, /[ \t]+/); uri = u[1]; next }
    /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0; next }
    /^Signed-By:/ { sub(/^Signed-By:[ \t]*/, ""); if ($0 ~ /^\//) signed = $0; next }
    END { flush() }
  ' /etc/apt/sources.list.d/*.sources 2>/dev/null)
  if [[ -z $found ]]; then
    found=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk -v suite="$SUITE" -v k="$keyring" '
      $1 == "deb" { sub(/^deb[ \t]+(\[[^]]*\][ \t]+)?/, ""); if ($2 == suite) { print $1, k; exit } }')
  fi
  [[ -n $found ]] || die "no deb source for $SUITE in /etc/apt; set MI_DEBIAN_MIRROR"
  printf '%s\n' "$found"
}

bx_apt() { # apt-get with a private configuration for $BX_SUITE; args...
  apt-get -q \
    -o Dir::Etc::SourceList="$BX_APT/sources.list" \
    -o Dir::Etc::SourceParts="$BX_APT/sources.list.d" \
    -o Dir::Etc::PreferencesParts="$BX_APT/preferences.d" \
    -o Dir::Etc::Preferences="$BX_APT/preferences" \
    -o Dir::State::Lists="$BX_APT/lists" \
    -o Dir::Cache="$BX_APT/cache" \
    -o Dir::Cache::Archives="$BX_APT/archives" \
    -o Debug::NoLocking=1 \
    -o APT::Sandbox::User=root \
    -o Acquire::Languages=none \
    -o APT::Architectures="$(dpkg --print-architecture)" \
    "$@"
}

bx_have_debs() {
  local p
  for p in "${BX_PACKAGES[@]}"; do
    compgen -G "$BX_DEBS/${p}_*.deb" > /dev/null || return 1
  done
}

bx_fetch_debs() {
  bx_have_debs && return 0
  local mirror keyring
  read -r mirror keyring < <(bx_mirror)
  log "fetching ${BX_PACKAGES[*]} from Debian $BX_SUITE (cached in $BX_DEBS)"
  mkdir -p "$BX_APT"/{lists/partial,sources.list.d,preferences.d,cache,archives/partial}
  : > "$BX_APT/preferences"
  printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$BX_SUITE" > "$BX_APT/sources.list"
  rm -rf "$BX_DEBS.tmp" && mkdir -p "$BX_DEBS.tmp"
  {
    bx_apt update &&
    (cd "$BX_DEBS.tmp" && bx_apt download "${BX_PACKAGES[@]}")
  } < /dev/null > "$STATE/logs/apt-$BX_SUITE.log" 2>&1 ||
    fail_with_log "could not fetch ${BX_PACKAGES[*]} from Debian $BX_SUITE" "$STATE/logs/apt-$BX_SUITE.log"
  rm -rf "$BX_DEBS" && mv "$BX_DEBS.tmp" "$BX_DEBS"
  bx_have_debs || die "apt-get download left no .deb for one of ${BX_PACKAGES[*]} in $BX_DEBS"
}

# Unpacks the cached .debs into $BX_ROOT (again only when the set of .debs changed) and links what the engines
# run into $BX_BIN, which goes first on their PATH: dockerd finds containerd there, containerd the shim, the shim
# runc (the system's).
bx_unpack() {
  local stamp want p
  want=$(cd "$BX_DEBS" && ls -1 ./*.deb | sort)
  stamp=$BX_ROOT/.debs
  if [[ ! -s $stamp || $(cat "$stamp") != "$want" ]]; then
    log "unpacking $(echo "$want" | tr '\n' ' ')into $BX_ROOT"
    rm -rf "$BX_ROOT.tmp" && mkdir -p "$BX_ROOT.tmp"
    for p in "$BX_DEBS"/*.deb; do
      dpkg -x "$p" "$BX_ROOT.tmp" || die "dpkg -x $p failed"
    done
    printf '%s\n' "$want" > "$BX_ROOT.tmp/.debs"
    rm -rf "$BX_ROOT" && mv "$BX_ROOT.tmp" "$BX_ROOT"
  fi
  local runc
  runc=$(command -v runc || true)
  [[ -n $runc ]] || die "runc not found (Debian's runc package; docker.io depends on it)"
  mkdir -p "$BX_BIN"
  ln -sfn "$BX_ROOT/usr/sbin/dockerd" "$BX_BIN/dockerd"
  ln -sfn "$BX_ROOT/usr/sbin/docker-proxy" "$BX_BIN/docker-proxy"
  ln -sfn "$BX_ROOT/usr/bin/docker" "$BX_BIN/docker"
  for p in containerd containerd-shim-runc-v2 ctr; do ln -sfn "$BX_ROOT/usr/bin/$p" "$BX_BIN/$p"; done
  ln -sfn "$runc" "$BX_BIN/runc"
  local plugin=$BX_ROOT/usr/libexec/docker/cli-plugins/docker-buildx
  [[ -x $plugin ]] || die "no docker-buildx plugin in the $BX_SUITE package ($plugin)"
  for p in "$BX_CONFIG" "$BX_LOGIN_CONFIG"; do
    mkdir -p "$p/cli-plugins" && chmod 700 "$p"
    ln -sfn "$plugin" "$p/cli-plugins/docker-buildx"
  done
  [[ -s $BX_CONFIG/config.json ]] || echo '{}' > "$BX_CONFIG/config.json"
  "$BX_BIN/dockerd" --version > "$STATE/logs/buildx-versions.log" 2>&1 &&
    "$BX_BIN/containerd" --version >> "$STATE/logs/buildx-versions.log" 2>&1 &&
    "$BX_BIN/docker" --version >> "$STATE/logs/buildx-versions.log" 2>&1 &&
    DOCKER_CONFIG=$BX_CONFIG "$BX_BIN/docker" buildx version >> "$STATE/logs/buildx-versions.log" 2>&1 ||
    fail_with_log "the $BX_SUITE binaries do not run here" "$STATE/logs/buildx-versions.log"
}

# ---------------------------------------------------------------- engines ---
bx_engine_ready() { # engine
  [[ $(curl -sS --max-time 2 --unix-socket "$(bx_engine_sock "$1")" http://localhost/_ping 2>/dev/null) == OK ]]
}

bx_engine_launch() { # engine storage-driver daemon.json-content; starts it (no wait) unless it runs
  local name=$1 driver=$2 json=$3 dir=$BX_DIR/$1 pidfile log pid
  pidfile=$(bx_engine_pidfile "$name")
  log=$(bx_engine_log "$name")
  if pid=$(pid_alive "$pidfile" dockerd); then
    log "dockerd $name already running (pid $pid)"
    return 0
  fi
  rm -f "$pidfile" "$(bx_engine_sock "$name")"
  mkdir -p "$dir/data" "$dir/exec"
  printf '%s\n' "$json" > "$dir/daemon.json"
  log "starting dockerd $name ($driver; socket $(bx_engine_sock "$name"))"
  printf '\n==== %s starting dockerd %s ====\n' "$(date -Is)" "$name" >> "$log"
  PATH=$BX_BIN:/usr/sbin:/usr/bin:/sbin:/bin setsid "$BX_BIN/dockerd" \
    --config-file "$dir/daemon.json" \
    --storage-driver="$driver" \
    --iptables=false --ip6tables=false --ip-masq=false --ip-forward=false \
    --bridge=none \
    --data-root "$dir/data" \
    --exec-root "$dir/exec" \
    -H "unix://$(bx_engine_sock "$name")" \
    --pidfile "$pidfile" \
    < /dev/null >> "$log" 2>&1 9>&- &
}

bx_engine_wait() { # engine
  local deadline=$((SECONDS + TIMEOUT))
  until bx_engine_ready "$1"; do
    ((SECONDS < deadline)) || fail_with_log "dockerd $1 not ready after ${TIMEOUT}s" "$(bx_engine_log "$1")"
    sleep 0.2
  done
}

bx_start_engines() {
  # vfs for the classic store (as the legacy engine); the containerd store needs a containerd snapshotter, and
  # containerd's `native` is the one that works without overlay mounts in every environment
  bx_engine_launch classic vfs '{}'
  bx_engine_launch containerd native '{"features": {"containerd-snapshotter": true}}'
  bx_engine_wait classic
  bx_engine_wait containerd
  local store
  store=$(bx_docker "$BX_CONFIG" containerd info --format '{{.DriverStatus}}' 2>&1) || true
  [[ $store == *io.containerd.snapshotter* ]] ||
    die "dockerd containerd does not use the containerd image store (docker info: $store)"
}

# --------------------------------------------------- remote BuildKit proxy ---
bx_node() {
  local node
  node=$(command -v node || true)
  [[ -n $node ]] || node=$NODE24_DIR/bin/node
  [[ -x $node ]] || die "no node to run scripts/buildkit-proxy.mjs"
  printf '%s\n' "$node"
}

bx_start_proxy() {
  local pid script
  script=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/buildkit-proxy.mjs
  if ! pid=$(pid_alive "$BK_PIDFILE" node); then
    rm -f "$BK_PIDFILE" "$BK_SOCK"
    log "starting the BuildKit proxy ($BK_SOCK -> dockerd containerd /grpc)"
    setsid "$(bx_node)" "$script" --listen "$BK_SOCK" --engine "$(bx_engine_sock containerd)" --pidfile "$BK_PIDFILE" \
      < /dev/null >> "$BK_LOG" 2>&1 9>&- &
    local launcher=$! deadline=$((SECONDS + TIMEOUT))
    until [[ -S $BK_SOCK && -s $BK_PIDFILE ]]; do
      kill -0 "$launcher" 2>/dev/null || fail_with_log "the BuildKit proxy exited during startup" "$BK_LOG"
      ((SECONDS < deadline)) || fail_with_log "the BuildKit proxy not ready after ${TIMEOUT}s" "$BK_LOG"
      sleep 0.1
    done
  fi
  # the builder a workflow's setup-buildx-action step would leave: a remote driver on that endpoint
  if ! bx_docker "$BX_CONFIG" containerd buildx inspect "$BX_REMOTE_BUILDER" > /dev/null 2>&1; then
    bx_docker "$BX_CONFIG" containerd buildx create --name "$BX_REMOTE_BUILDER" --driver remote \
      "unix://$BK_SOCK" > "$STATE/logs/buildx-create.log" 2>&1 ||
      fail_with_log "docker buildx create --driver remote failed" "$STATE/logs/buildx-create.log"
  fi
  bx_docker "$BX_CONFIG" containerd buildx inspect --bootstrap "$BX_REMOTE_BUILDER" \
    > "$STATE/logs/buildx-inspect.log" 2>&1 ||
    fail_with_log "the remote builder $BX_REMOTE_BUILDER does not start" "$STATE/logs/buildx-inspect.log"
}

# ------------------------------------------------------------------ images ---
bx_login() {
  secret registry-password | bx_docker "$BX_LOGIN_CONFIG" containerd login "$REG_ADDR" -u "$REG_USER" \
    --password-stdin > "$STATE/logs/buildx-login.log" 2>&1 ||
    fail_with_log "docker login $REG_ADDR (docker $BX_SUITE) failed" "$STATE/logs/buildx-login.log"
}

bx_multiarch_base() {
  if registry_has base/busybox-multi 1; then
    log "image $BASE_BUSYBOX_MULTI already in registry"
    return 0
  fi
  build_busybox_tar
  local ctx
  ctx=$(mktemp -d "$STATE/busybox-multi.XXXXXX")
  cp "$CACHE/busybox.tar" "$ctx/rootfs.tar"
  printf 'FROM scratch\nADD rootfs.tar /\nENV PATH=/bin\nCMD ["sh"]\n' > "$ctx/Dockerfile"
  log "docker buildx build --platform $BX_PLATFORMS --push $BASE_BUSYBOX_MULTI"
  bx_docker "$BX_LOGIN_CONFIG" containerd buildx build --platform "$BX_PLATFORMS" --provenance=false \
    --tag "$BASE_BUSYBOX_MULTI" --push "$ctx" > "$STATE/logs/buildx-base.log" 2>&1 ||
    { rm -rf "$ctx"; fail_with_log "building $BASE_BUSYBOX_MULTI failed" "$STATE/logs/buildx-base.log"; }
  rm -rf "$ctx"
  registry_has base/busybox-multi 1 || die "pushed $BASE_BUSYBOX_MULTI but the registry does not list it"
}

bx_versions() {
  local buildx engine containerd buildkit
  buildx=$(DOCKER_CONFIG=$BX_CONFIG "$BX_BIN/docker" buildx version | awk '{print $2}')
  engine=$(bx_docker "$BX_CONFIG" classic version --format '{{.Server.Version}}')
  containerd=$("$BX_BIN/containerd" --version | awk '{print $3}')
  buildkit=$(awk '/^BuildKit version:/ {print $3; exit}' "$STATE/logs/buildx-inspect.log")
  BX_VERSIONS=("MI_BUILDX_VERSION=$buildx" "MI_ENGINE_VERSION=$engine" "MI_CONTAINERD_VERSION=$containerd"
    "MI_BUILDKIT_VERSION=$buildkit")
  log "buildx $buildx, Docker Engine $engine (BuildKit $buildkit), containerd $containerd"
  # what the tests stand for: GitHub's cache service v2 needs buildx >= 0.21 and BuildKit >= 0.20 (Engine >= 28)
  local bx_minor=${buildx#0.}
  bx_minor=${bx_minor%%.*}
  [[ $buildx == 0.* && $bx_minor =~ ^[0-9]+$ && $bx_minor -ge 21 ]] ||
    die "buildx $buildx from $BX_SUITE is older than 0.21 (no cache service v2); use a suite that has a newer one"
  [[ ${engine%%.*} =~ ^[0-9]+$ && ${engine%%.*} -ge 28 ]] ||
    die "Docker Engine $engine from $BX_SUITE is older than 28 (BuildKit < 0.20); use a suite that has a newer one"
}

# --------------------------------------------------------------- commands ---
buildx_up() {
  local t0=$SECONDS
  bx_fetch_debs
  bx_unpack
  bx_start_engines
  bx_start_proxy
  bx_login
  bx_multiarch_base
  bx_versions
  log "buildx part up in $((SECONDS - t0))s"
}

# Lines for the env file the tests read (__tests__/helpers/buildx-env.ts).
buildx_env() {
  printf 'MI_BUILDX_BIN_DIR=%s\n' "$BX_BIN"
  printf 'MI_BUILDX_DOCKER_BIN=%s\n' "$BX_BIN/docker"
  printf 'MI_BUILDX_PLUGIN=%s\n' "$BX_ROOT/usr/libexec/docker/cli-plugins/docker-buildx"
  printf 'MI_BUILDX_DOCKER_CONFIG=%s\n' "$BX_CONFIG"
  printf 'MI_BUILDX_LOGIN_CONFIG=%s\n' "$BX_LOGIN_CONFIG"
  printf 'MI_ENGINE_CLASSIC_HOST=unix://%s\n' "$(bx_engine_sock classic)"
  printf 'MI_ENGINE_CONTAINERD_HOST=unix://%s\n' "$(bx_engine_sock containerd)"
  printf 'MI_BUILDKIT_REMOTE_ENDPOINT=unix://%s\n' "$BK_SOCK"
  printf 'MI_BUILDX_REMOTE_BUILDER=%s\n' "$BX_REMOTE_BUILDER"
  printf 'MI_BASE_BUSYBOX_MULTI=%s\n' "$BASE_BUSYBOX_MULTI"
  local v
  for v in "${BX_VERSIONS[@]}"; do printf '%s\n' "$v"; done
}

buildx_down() {
  stop_pidfile "BuildKit proxy" "$BK_PIDFILE" node
  rm -f "$BK_SOCK"
  local engine
  for engine in "${BX_ENGINES[@]}"; do
    stop_pidfile "dockerd $engine" "$(bx_engine_pidfile "$engine")" dockerd
  done
}

buildx_status() {
  local all=0 pid engine
  for engine in "${BX_ENGINES[@]}"; do
    if pid=$(pid_alive "$(bx_engine_pidfile "$engine")" dockerd) && bx_engine_ready "$engine"; then
      echo "dockerd-$engine: running pid=$pid DOCKER_HOST=unix://$(bx_engine_sock "$engine")"
    else
      echo "dockerd-$engine: stopped"; all=3
    fi
  done
  if pid=$(pid_alive "$BK_PIDFILE" node) && [[ -S $BK_SOCK ]]; then
    echo "buildkit-proxy: running pid=$pid endpoint=unix://$BK_SOCK"
  else
    echo "buildkit-proxy: stopped"; all=3
  fi
  return $all
}
