#!/usr/bin/env bash
# meme-generator: one entry point for the demo, its tests and its benchmarks.
#   ./demo.sh [up] [--detach]   run the demo on this machine: nats-server, redis, prometheus,
#                               meme-web and `meme-worker supervise` (local KEDA), then the console
#   ./demo.sh status            each service: pid, port, answering or not
#   ./demo.sh logs [service]    follow the logs (nats redis redis-exporter prometheus web supervise worker-N)
#   ./demo.sh stop              stop what `up` started (by recorded PID)
#   ./demo.sh test              install what is missing, build, run every test
#   ./demo.sh bench [NAME]      every benchmark in one run, or one: nats|render|worker|web|console|scaling
#   ./demo.sh k8s up|down       the same demo on a Kubernetes cluster (k8s/demo-k8s.sh)
# Ports and places (environment): DEMO_NATS_PORT=4222 DEMO_NATS_MONITOR_PORT=8222 DEMO_REDIS_PORT=6379
#   DEMO_REDIS_EXPORTER_PORT=9121 DEMO_PROMETHEUS_PORT=9090 DEMO_WEB_PORT=8080 DEMO_SUPERVISE_PORT=9190
#   DEMO_WORKER_METRICS_BASE_PORT=9100 (workers use base … base+9), DEMO_DIR=.demo (state, logs, pids),
#   DEMO_BUILD=release|debug (debug reuses `swift build` binaries), DEMO_BIN=<folder> (use these binaries, no build).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

# Debian packages: what building and running the demo needs (./demo.sh), and what only the tests
# and benchmarks add (./demo.sh test / bench). A Swift 6 toolchain must be on PATH (swift.org).
APT_RUNTIME=(nats-server redis-server prometheus prometheus-redis-exporter libncursesw5-dev
  libcurl4-openssl-dev libhiredis-dev libpango1.0-dev libcairo2-dev libjpeg-dev libqrencode-dev zlib1g-dev
  fonts-dejavu-core fonts-noto-color-emoji fonts-droid-fallback)
APT_TEST=(openssl chromium chromium-driver wrk tmux nginx imagemagick python3-pil)
# Python modules the system tests import, with the pip package that brings each.
PIP_TEST=(nats:nats-py aiohttp:aiohttp selenium:selenium pytest:pytest kubernetes_validate:kubernetes-validate
  jsonschema:jsonschema yaml:pyyaml)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }

missing_apt() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

# install_deps runtime|test: Debian packages (as root; otherwise the apt-get line to run), and for
# tests the Python modules too.
install_deps() {
  local packages=("${APT_RUNTIME[@]}") missing
  [ "$1" = test ] && packages+=("${APT_TEST[@]}")
  missing=$(missing_apt "${packages[@]}" | xargs)
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
      log "installing Debian packages: $missing"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
      die "missing Debian packages; run: sudo apt-get install -y $missing"
    fi
  fi
  command -v swift >/dev/null || die "swift is not on PATH: install a Swift 6 toolchain (https://www.swift.org/install/linux/)"
  [ "$1" = test ] || return 0
  local entry pip_missing=()
  for entry in "${PIP_TEST[@]}"; do
    python3 -c "import ${entry%%:*}" 2>/dev/null || pip_missing+=("${entry#*:}")
  done
  if [ ${#pip_missing[@]} -gt 0 ]; then
    log "installing Python packages: ${pip_missing[*]}"
    python3 -m pip install -q "${pip_missing[@]}"
  fi
}

build() {
  log "building ($1)"
  if ! swift build -c "$1" 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]' || true; }; then
    die "swift build failed"
  fi
}

cmd_test() {
  install_deps test
  log "building debug"
  # pipefail (set above) makes a pipeline fail with swift's status; the filter itself never fails.
  if ! swift build --build-tests 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking)' || true; }; then
    die "swift build --build-tests failed"
  fi
  local rc=0
  log "swift test"
  # One test at a time: the tests start real servers and processes, and a 2-core CI machine
  # running them all at once turns generous timeouts into flakes.
  if ! swift test --skip-build --no-parallel 2>&1 | tee "${TMPDIR:-/tmp}/meme-swift-test.log" | { grep -vE '^(Test Case|◇|↳)' || true; }; then
    rc=1
  fi
  if [ -d Tests/System ] && ls Tests/System/test_*.py >/dev/null 2>&1; then
    log "system tests (pytest)"
    MEME_BIN="$(swift build --show-bin-path)" python3 -m pytest -q Tests/System || rc=1
  fi
  [ $rc = 0 ] || die "tests failed"
  log "all tests passed"
}

# The benchmarks meme-bench registers, from its --help (test helpers such as nats-probe say
# "Test helper" in their abstract and are skipped).
bench_names() {
  "$1/meme-bench" --help | awk '/^SUBCOMMANDS:/ { on = 1; next } on && /^[A-Z]/ { on = 0 }
    on && /^  [a-z]/ && $1 != "help" && $0 !~ /Test helper/ { print $1 }'
}

# ./demo.sh bench NAME [args]: one benchmark. ./demo.sh bench: every registered benchmark in one
# run, each table saved under $BENCH_OUT (default .build/bench/<UTC time>/) and all printed at the end.
cmd_bench() {
  install_deps test
  build release
  local bin; bin="$(swift build -c release --show-bin-path)"
  python3 -c 'import matplotlib' 2>/dev/null || python3 -m pip install -q matplotlib
  if [ "${1:-}" = scaling ]; then
    shift
    MEME_BIN="$bin" python3 stress/scaling_report.py "$@"
    return
  fi
  if [ $# -gt 0 ]; then
    MEME_BIN="$bin" "$bin/meme-bench" "$@"
    return
  fi
  local out="${BENCH_OUT:-$ROOT/.build/bench/$(date -u +%Y%m%dT%H%M%SZ)}" name failed=()
  mkdir -p "$out"
  local names; names=$(bench_names "$bin")
  [ -n "$names" ] || die "meme-bench lists no benchmarks"
  for name in $names; do
    log "meme-bench $name (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    if ! MEME_BIN="$bin" "$bin/meme-bench" "$name" 2>&1 | tee "$out/$name.txt"; then failed+=("$name"); fi
  done
  # Throughput with 1/2/4 workers and the local-autoscaler burst plot (docs/img/).
  log "scaling (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  if ! MEME_BIN="$bin" python3 stress/scaling_report.py 2>&1 | tee "$out/scaling.txt"; then failed+=(scaling); fi
  names="$names scaling"
  log "all tables (full output in $out)"
  for name in $names; do
    printf '\n## %s\n\n' "$name"
    # Table rows, plus the "date …" caption line the benchmarks print above their tables.
    grep -E '^(\||date )' "$out/$name.txt" || echo "(no table: see $out/$name.txt)"
  done | tee "$out/summary.md"
  [ ${#failed[@]} = 0 ] || die "benchmarks failed: ${failed[*]} (see $out)"
}

# ---------------------------------------------------------------------------------------------
# The local stack: every server on 127.0.0.1 (meme-web also on the LAN for the audience),
# state under $DEMO_DIR, one log and one PID file per service. Started in this order, stopped
# in reverse; a failure stops whatever this run had started.
DEMO_DIR="${DEMO_DIR:-$ROOT/.demo}"
DEMO_BUILD="${DEMO_BUILD:-release}"
NATS_PORT="${DEMO_NATS_PORT:-4222}"
NATS_MONITOR_PORT="${DEMO_NATS_MONITOR_PORT:-8222}"
REDIS_PORT="${DEMO_REDIS_PORT:-6379}"
REDIS_EXPORTER_PORT="${DEMO_REDIS_EXPORTER_PORT:-9121}"
PROMETHEUS_PORT="${DEMO_PROMETHEUS_PORT:-9090}"
WEB_PORT="${DEMO_WEB_PORT:-8080}"
SUPERVISE_PORT="${DEMO_SUPERVISE_PORT:-9190}"
WORKER_BASE_PORT="${DEMO_WORKER_METRICS_BASE_PORT:-9100}"
WORKER_SLOTS=10 # maxReplicaCount of k8s/base/worker/scaledobject.yaml: one scrape target per possible worker
SERVICES=(nats redis redis-exporter prometheus web supervise)
STARTED=()

port_of() {
  case "$1" in
    nats) echo "$NATS_PORT" ;; redis) echo "$REDIS_PORT" ;; redis-exporter) echo "$REDIS_EXPORTER_PORT" ;;
    prometheus) echo "$PROMETHEUS_PORT" ;; web) echo "$WEB_PORT" ;; supervise) echo "$SUPERVISE_PORT" ;;
  esac
}

# What a live process of each service runs (checked before signalling a recorded PID, so a
# reused PID of some other program is never touched).
binary_of() {
  case "$1" in
    nats) echo nats-server ;; redis) echo redis-server ;; redis-exporter) echo prometheus-redis-exporter ;;
    prometheus) echo prometheus ;; web) echo meme-web ;; supervise) echo meme-worker ;;
  esac
}

# Seconds to wait after SIGTERM: supervise drains its workers (drain grace 20 s + 5 s each, in parallel).
grace_of() { [ "$1" = supervise ] && echo 40 || echo 10; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# HTTP status of GET 127.0.0.1:port/path (empty when nothing answers); bash only, no curl needed.
http_status() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
    read -r -t 3 _ code _ <&3 && echo "$code"
  ) 2>/dev/null || true
}

# Body of GET 127.0.0.1:port/path (servers may keep the connection open: read with a time limit).
http_body() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3
    timeout 3 cat <&3
  ) 2>/dev/null || true
}

redis_ping() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'PING\r\n' >&3
    read -r -t 3 answer <&3 && [ "${answer%$'\r'}" = "+PONG" ]
  ) 2>/dev/null
}

# Is the service answering on its port?
answering() {
  local port; port=$(port_of "$1")
  case "$1" in
    nats) [ "$(http_status "$NATS_MONITOR_PORT" /healthz)" = 200 ] && port_in_use "$NATS_PORT" ;;
    redis) redis_ping "$port" ;;
    redis-exporter) [ "$(http_status "$port" /metrics)" = 200 ] ;;
    prometheus) [ "$(http_status "$port" /-/ready)" = 200 ] ;;
    web) [ "$(http_status "$port" /healthz)" = 200 ] ;;
    supervise) [ "$(http_status "$port" /readyz)" = 200 ] ;;
  esac
}

pid_file() { echo "$DEMO_DIR/pids/$1.pid"; }

# The recorded PID of a service if that process is still ours and alive.
live_pid() {
  local f pid; f=$(pid_file "$1")
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$(binary_of "$1")" || return 1
  echo "$pid"
}

locate() {
  local p
  p=$(PATH="$PATH:/usr/sbin:/usr/local/sbin:/sbin" command -v "$1" 2>/dev/null) || return 1
  echo "$p"
}

# Our binaries: $DEMO_BIN as is; DEMO_BUILD=debug reuses `swift build` output (building only if
# missing); release runs `swift build -c release`, which is quick when nothing changed.
prepare_binaries() {
  if [ -n "${DEMO_BIN:-}" ]; then
    BIN="$DEMO_BIN"
  elif [ "$DEMO_BUILD" = debug ]; then
    BIN="$(swift build --show-bin-path)"
    [ -x "$BIN/meme-worker" ] && [ -x "$BIN/meme-web" ] || build debug
  else
    [ "$DEMO_BUILD" = release ] || die "DEMO_BUILD must be release or debug, got '$DEMO_BUILD'"
    build release
    BIN="$(swift build -c release --show-bin-path)"
  fi
  local b
  for b in meme-worker meme-web meme-console; do
    [ -x "$BIN/$b" ] || die "$b is missing in $BIN (build it with: swift build -c $DEMO_BUILD)"
  done
}

# start NAME COMMAND… : refuses a busy port, records the PID, waits until it answers.
start_service() {
  local name=$1; shift
  local port; port=$(port_of "$name")
  if port_in_use "$port"; then fail "port $port for $name is already in use (set DEMO_$(echo "$name" | tr 'a-z-' 'A-Z_')_PORT to move it)"; fi
  if [ "$name" = nats ] && port_in_use "$NATS_MONITOR_PORT"; then
    fail "port $NATS_MONITOR_PORT for the NATS monitor is already in use (set DEMO_NATS_MONITOR_PORT to move it)"
  fi
  log "starting $name on 127.0.0.1:$port"
  # setsid: the services do not share the terminal's process group, so Ctrl-C reaches only this
  # script, which then stops them in order (supervise drains its workers).
  # MEME_DEMO_DIR marks every process of this stack, children included, so `stop` finds them all
  # even when a parent was killed and its children were orphaned.
  MEME_DEMO_DIR="$DEMO_DIR" setsid "$@" </dev/null >>"$DEMO_DIR/logs/$name.log" 2>&1 &
  echo $! >"$(pid_file "$name")"
  STARTED+=("$name")
  local deadline=$((SECONDS + ${DEMO_START_TIMEOUT:-30}))
  until answering "$name"; do
    if ! kill -0 "$(cat "$(pid_file "$name")")" 2>/dev/null; then
      tail -n 15 "$DEMO_DIR/logs/$name.log" >&2 || true
      fail "$name exited during start-up (log: $DEMO_DIR/logs/$name.log)"
    fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 15 "$DEMO_DIR/logs/$name.log" >&2 || true
      fail "$name did not answer on port $port within ${DEMO_START_TIMEOUT:-30} s (log: $DEMO_DIR/logs/$name.log)"
    fi
    sleep 0.2
  done
}

# Stops what this run started, then exits with the message.
fail() {
  printf 'demo.sh: %s\n' "$*" >&2
  local i
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_service "${STARTED[$i]}"; done
  stop_leftovers
  exit 1
}

# Every live process started for this DEMO_DIR (its environment holds the MEME_DEMO_DIR mark).
stack_pids() {
  local f pid
  for f in /proc/[0-9]*/environ; do
    pid=${f#/proc/}; pid=${pid%/environ}
    [ "$pid" = $$ ] && continue
    grep -qzxF "MEME_DEMO_DIR=$DEMO_DIR" "$f" 2>/dev/null && echo "$pid"
  done
  return 0
}

# What the recorded PIDs did not reach: workers orphaned by a killed supervise, a service whose
# PID file is gone. SIGTERM (workers drain), then SIGKILL after the drain grace.
stop_leftovers() {
  local pids i
  pids=$(stack_pids | xargs)
  [ -n "$pids" ] || return 0
  log "stopping processes left from this demo without a PID file: $pids"
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < 30 * 5; i++)); do
    pids=$(for p in $pids; do if kill -0 "$p" 2>/dev/null; then echo "$p"; fi; done | xargs)
    [ -n "$pids" ] || return 0
    sleep 0.2
  done
  printf 'demo.sh: still running after 30 s: %s: SIGKILL\n' "$pids" >&2
  kill -KILL $pids 2>/dev/null || true
}

stop_service() {
  local name=$1 pid kids="" grace i
  pid=$(live_pid "$name") || { rm -f "$(pid_file "$name")"; return 0; }
  grace=$(grace_of "$name")
  # supervise's workers: remembered now so none outlives a supervise that had to be killed.
  [ "$name" = supervise ] && kids=$(pgrep -P "$pid" 2>/dev/null | xargs || true)
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 5; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    printf 'demo.sh: %s did not stop within %s s: SIGKILL\n' "$name" "$grace" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  for i in $kids; do kill -KILL "$i" 2>/dev/null || true; done
  rm -f "$(pid_file "$name")"
}

write_configs() {
  mkdir -p "$DEMO_DIR/logs" "$DEMO_DIR/pids" "$DEMO_DIR/nats" "$DEMO_DIR/redis" "$DEMO_DIR/prometheus"
  cat >"$DEMO_DIR/nats/nats.conf" <<CONF
# generated by demo.sh
server_name: meme_demo
listen: 127.0.0.1:$NATS_PORT
http: 127.0.0.1:$NATS_MONITOR_PORT
max_payload: 8MB
jetstream {
  store_dir: "$DEMO_DIR/nats/js"
  max_memory_store: 256MB
  max_file_store: 2GB
}
CONF
  local targets="" i
  for ((i = 0; i < WORKER_SLOTS; i++)); do targets+="${targets:+, }'127.0.0.1:$((WORKER_BASE_PORT + i))'"; done
  cat >"$DEMO_DIR/prometheus/prometheus.yml" <<CONF
# generated by demo.sh; NATS monitoring (/jsz) is JSON, not Prometheus format, so it is not scraped.
global:
  scrape_interval: 2s
  evaluation_interval: 2s
scrape_configs:
  - job_name: meme-web
    static_configs: [{targets: ['127.0.0.1:$WEB_PORT']}]
  - job_name: meme-worker
    static_configs: [{targets: [$targets]}]
  - job_name: meme-local-scaler
    static_configs: [{targets: ['127.0.0.1:$SUPERVISE_PORT']}]
  - job_name: redis
    static_configs: [{targets: ['127.0.0.1:$REDIS_EXPORTER_PORT']}]
CONF
}

print_urls() {
  local lan
  lan=$(hostname -I 2>/dev/null | awk '{print $1}') || true
  cat >&2 <<TEXT

  page     http://127.0.0.1:$WEB_PORT/
  wall     http://127.0.0.1:$WEB_PORT/wall${lan:+
  LAN      http://$lan:$WEB_PORT/  (and /wall)}${PUBLIC_URL:+
  public   $PUBLIC_URL  (PUBLIC_URL: the address the wall shows and encodes in its QR code)}
  console  NATS_URL=nats://127.0.0.1:$NATS_PORT PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT \\
           NATS_MONITOR_URL=http://127.0.0.1:$NATS_MONITOR_PORT LOCAL_SCALER_URL=http://127.0.0.1:$SUPERVISE_PORT \\
           $BIN/meme-console dashboard --mode local
  metrics  prometheus http://127.0.0.1:$PROMETHEUS_PORT   local scaler http://127.0.0.1:$SUPERVISE_PORT/status and /metrics
  logs     ./demo.sh logs [service]    status ./demo.sh status    stop ./demo.sh stop
TEXT
}

cmd_up() {
  local detach=0 a
  for a in "$@"; do
    case "$a" in
      --detach|-d) detach=1 ;;
      -h|--help) usage; return 0 ;;
      *) die "up: unknown option '$a' (try --detach)" ;;
    esac
  done
  local s
  for s in "${SERVICES[@]}"; do
    if live_pid "$s" >/dev/null; then die "the demo is already running ($s); see ./demo.sh status, or ./demo.sh stop first"; fi
  done
  stop_leftovers
  install_deps runtime
  local tool
  for tool in nats-server redis-server prometheus prometheus-redis-exporter setsid; do
    locate "$tool" >/dev/null || die "$tool is not installed (see the apt-get line in ./demo.sh test)"
  done
  prepare_binaries
  write_configs
  rm -f "$DEMO_DIR"/pids/*.pid
  trap 'fail "interrupted during start-up"' INT TERM

  start_service nats "$(locate nats-server)" -c "$DEMO_DIR/nats/nats.conf"
  start_service redis "$(locate redis-server)" --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DEMO_DIR/redis" \
    --save "" --appendonly no --daemonize no
  start_service redis-exporter "$(locate prometheus-redis-exporter)" -redis.addr "redis://127.0.0.1:$REDIS_PORT" \
    -web.listen-address "127.0.0.1:$REDIS_EXPORTER_PORT"
  start_service prometheus "$(locate prometheus)" --config.file="$DEMO_DIR/prometheus/prometheus.yml" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --storage.tsdb.path="$DEMO_DIR/prometheus/data" \
    --storage.tsdb.retention.time=2h
  export NATS_URL="nats://127.0.0.1:$NATS_PORT" REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  export NATS_MONITOR_URL="http://127.0.0.1:$NATS_MONITOR_PORT" PROMETHEUS_URL="http://127.0.0.1:$PROMETHEUS_PORT"
  # For the console in local mode: the stand-in for KEDA (its /status replaces the Kubernetes API).
  export LOCAL_SCALER_URL="http://127.0.0.1:$SUPERVISE_PORT"
  PORT="$WEB_PORT" start_service web "$BIN/meme-web"
  SUPERVISOR_METRICS_ADDR="127.0.0.1:$SUPERVISE_PORT" start_service supervise "$BIN/meme-worker" supervise \
    --scaled-object "$ROOT/k8s/base/worker/scaledobject.yaml" --worker-metrics-base-port "$WORKER_BASE_PORT" \
    --worker-log-dir "$DEMO_DIR/logs"
  trap - INT TERM
  log "the demo is up"
  print_urls
  [ $detach = 1 ] && return 0

  # Foreground: the console; leaving it (q) stops the stack. Without a terminal (a pipe, CI)
  # there is no console to draw: the stack runs until Ctrl-C or SIGTERM.
  trap 'echo >&2; cmd_stop; exit 0' INT TERM
  if [ -t 0 ] && [ -t 1 ]; then
    "$BIN/meme-console" dashboard --mode local || printf 'demo.sh: meme-console exited with status %s\n' "$?" >&2
  else
    printf '\nNo terminal for the console (stdin or stdout is not a tty). Press Ctrl-C to stop the demo.\n' >&2
    while :; do sleep 1; done
  fi
  trap - INT TERM
  cmd_stop
}

cmd_status() {
  [ -d "$DEMO_DIR/pids" ] || { echo "the demo is not running (no $DEMO_DIR/pids)"; return 1; }
  local s pid port state rc=0
  printf '%-15s %-8s %-6s %s\n' SERVICE PID PORT STATE
  for s in "${SERVICES[@]}"; do
    port=$(port_of "$s")
    if pid=$(live_pid "$s"); then
      if answering "$s"; then state=answering; else state="running, NOT answering"; rc=1; fi
    else
      pid=-; state="not running"; rc=1
    fi
    printf '%-15s %-8s %-6s %s\n' "$s" "$pid" "$port" "$state"
  done
  if [ "$(http_status "$SUPERVISE_PORT" /metrics)" = 200 ]; then
    local m
    m=$(http_body "$SUPERVISE_PORT" /metrics |
      awk '/^meme_local_scaler_(replicas|desired_replicas|lag|active)[{ ]/ {sub(/\{.*\}/, "", $1); sub(/^meme_local_scaler_/, "", $1); printf "%s=%d ", $1, $2}')
    echo "workers: $m"
  fi
  return $rc
}

cmd_logs() {
  [ -d "$DEMO_DIR/logs" ] || die "no logs yet ($DEMO_DIR/logs); start the demo with ./demo.sh"
  if [ $# -eq 0 ]; then
    exec tail -n 20 -F "$DEMO_DIR"/logs/*.log
  fi
  local f="$DEMO_DIR/logs/$1.log"
  if [ "$1" = worker ]; then exec tail -n 20 -F "$DEMO_DIR"/logs/worker-*.log; fi
  [ -f "$f" ] || die "no log for '$1'; have: $(cd "$DEMO_DIR/logs" && ls ./*.log 2>/dev/null | sed 's|^\./||; s|\.log$||' | xargs)"
  exec tail -n 50 -F "$f"
}

cmd_stop() {
  [ -d "$DEMO_DIR/pids" ] || { echo "nothing to stop (no $DEMO_DIR/pids)"; return 0; }
  local i
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do stop_service "${SERVICES[$i]}"; done
  stop_leftovers
  log "stopped"
}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

case "${1:-up}" in
  test) shift; cmd_test "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  k8s) shift; [ -x k8s/demo-k8s.sh ] || die "k8s/demo-k8s.sh is missing"; exec k8s/demo-k8s.sh "$@" ;;
  -h|--help|help) usage ;;
  up) shift $(($# > 0 ? 1 : 0)); cmd_up "$@" ;;
  --detach) cmd_up "$@" ;;
  status) shift; cmd_status "$@" ;;
  logs) shift; cmd_logs "$@" ;;
  stop|down) shift; cmd_stop "$@" ;;
  *) usage; exit 2 ;;
esac
