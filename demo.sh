#!/usr/bin/env bash
# meme-generator: one entry point for the demo, its tests and its benchmarks.
#   ./demo.sh [up] [--detach]   run the demo on this machine (meme-stack: nats-server, redis, prometheus,
#                               meme-worker ×N scaled like KEDA, meme-web ×N scaled like the HPA, Redis
#                               sized like the VPA), then the console
#   ./demo.sh status            each service: pid, restarts, answering or not
#   ./demo.sh logs [service]    follow the logs (stack nats redis redis-exporter prometheus web worker web-N worker-N meme-console)
#   ./demo.sh stop              stop the stack (workers and web drain, Redis saves)
#   ./demo.sh test              install what is missing, build, run every test
#   ./demo.sh bench [NAME]      every benchmark in one run, or one: nats|render|worker|web|console|scaling
#   ./demo.sh k8s up|down       the same demo on a Kubernetes cluster (k8s/demo-k8s.sh)
# Ports and places (environment): DEMO_NATS_PORT=4222 DEMO_NATS_MONITOR_PORT=8222 DEMO_REDIS_PORT=6379
#   DEMO_REDIS_EXPORTER_PORT=9121 DEMO_PROMETHEUS_PORT=9090 DEMO_WEB_PORT=8080 DEMO_CONTROL_PORT=9190
#   DEMO_WEB_PROCESS_BASE_PORT=9180 and DEMO_WORKER_METRICS_BASE_PORT=9100 (process N uses base+N-1),
#   DEMO_DIR=.demo (state, logs, stack.json),
#   DEMO_NATS_CLUSTER=3 (three nats-servers as a JetStream cluster, member N on DEMO_NATS_PORT+N-1, stream R3),
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
# The local stack is one program, meme-stack (Sources/Shared/LocalStack): it starts nats-server,
# redis-server, redis-exporter, prometheus, meme-worker processes (local KEDA) and meme-web
# processes behind one port (local HPA), sizes Redis (local VPA), and stops them all in reverse
# order on SIGTERM. Its ports come from the DEMO_*_PORT variables (see `meme-stack up --help`),
# its state and logs from $DEMO_DIR; <DEMO_DIR>/stack.json says where everything is.
DEMO_DIR="${DEMO_DIR:-$ROOT/.demo}"
DEMO_BUILD="${DEMO_BUILD:-release}"
export DEMO_DIR
# The control port was DEMO_SUPERVISE_PORT when `meme-worker supervise` was the local KEDA.
if [ -n "${DEMO_SUPERVISE_PORT:-}" ] && [ -z "${DEMO_CONTROL_PORT:-}" ]; then export DEMO_CONTROL_PORT="$DEMO_SUPERVISE_PORT"; fi

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
    [ -x "$BIN/meme-stack" ] && [ -x "$BIN/meme-worker" ] && [ -x "$BIN/meme-web" ] || build debug
  else
    [ "$DEMO_BUILD" = release ] || die "DEMO_BUILD must be release or debug, got '$DEMO_BUILD'"
    build release
    BIN="$(swift build -c release --show-bin-path)"
  fi
  local b
  for b in meme-stack meme-worker meme-web meme-console; do
    [ -x "$BIN/$b" ] || die "$b is missing in $BIN (build it with: swift build -c $DEMO_BUILD)"
  done
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

# What meme-stack did not stop: processes orphaned when it was SIGKILLed. SIGTERM (workers drain),
# then SIGKILL after the drain grace.
stop_leftovers() {
  local pids i
  pids=$(stack_pids | xargs)
  [ -n "$pids" ] || return 0
  log "stopping processes left from this demo: $pids"
  kill -TERM $pids 2>/dev/null || true
  for ((i = 0; i < 30 * 5; i++)); do
    pids=$(for p in $pids; do if kill -0 "$p" 2>/dev/null; then echo "$p"; fi; done | xargs)
    [ -n "$pids" ] || return 0
    sleep 0.2
  done
  printf 'demo.sh: still running after 30 s: %s: SIGKILL\n' "$pids" >&2
  kill -KILL $pids 2>/dev/null || true
}

# The stack's ports, as meme-stack reads them (for the console and the printed addresses).
read_ports() {
  WEB_PORT="${DEMO_WEB_PORT:-8080}"
  NATS_PORT="${DEMO_NATS_PORT:-4222}"
  NATS_MONITOR_PORT="${DEMO_NATS_MONITOR_PORT:-8222}"
  PROMETHEUS_PORT="${DEMO_PROMETHEUS_PORT:-9090}"
  CONTROL_PORT="${DEMO_CONTROL_PORT:-9190}"
  # DEMO_NATS_CLUSTER=3: every member's URL (member N listens on DEMO_NATS_PORT + N - 1, its
  # monitor on DEMO_NATS_MONITOR_PORT + N - 1); the console reads every monitor to show each server.
  NATS_URLS="nats://127.0.0.1:$NATS_PORT"
  NATS_MONITOR_URLS="http://127.0.0.1:$NATS_MONITOR_PORT"
  # The stream's copies, as meme-stack gives its programs (the console's load declares the same stream).
  STREAM_REPLICAS=1
  [ "${DEMO_NATS_CLUSTER:-1}" -ge 3 ] 2>/dev/null && STREAM_REPLICAS=3
  local n
  for ((n = 1; n < ${DEMO_NATS_CLUSTER:-1}; n++)); do
    NATS_URLS="$NATS_URLS,nats://127.0.0.1:$((NATS_PORT + n))"
    NATS_MONITOR_URLS="$NATS_MONITOR_URLS,http://127.0.0.1:$((NATS_MONITOR_PORT + n))"
  done
}

print_urls() {
  local lan
  lan=$(hostname -I 2>/dev/null | awk '{print $1}') || true
  cat >&2 <<TEXT

  page     http://127.0.0.1:$WEB_PORT/
  wall     http://127.0.0.1:$WEB_PORT/wall${lan:+
  LAN      http://$lan:$WEB_PORT/  (and /wall)}${PUBLIC_URL:+
  public   $PUBLIC_URL  (PUBLIC_URL: the address the wall shows and encodes in its QR code)}
  console  NATS_URL=$NATS_URLS PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT \\
           NATS_MONITOR_URL=$NATS_MONITOR_URLS LOCAL_SCALER_URL=http://127.0.0.1:$CONTROL_PORT \\${DEMO_NATS_CLUSTER:+
           NATS_STREAM_REPLICAS=$STREAM_REPLICAS \\}
           MEME_CONSOLE_WEB_URL=http://127.0.0.1:$WEB_PORT $BIN/meme-console dashboard --mode local
  stack    http://127.0.0.1:$CONTROL_PORT/status (KEDA, HPA and VPA stand-ins), /stack, /metrics; prometheus http://127.0.0.1:$PROMETHEUS_PORT
  logs     ./demo.sh logs [service]    status ./demo.sh status    stop ./demo.sh stop
TEXT
}

stack_running() { [ -f "$DEMO_DIR/stack.json" ] && "$BIN/meme-stack" status --dir "$DEMO_DIR" >/dev/null 2>&1; }

cmd_up() {
  local detach=0 a
  for a in "$@"; do
    case "$a" in
      --detach|-d) detach=1 ;;
      -h|--help) usage; return 0 ;;
      *) die "up: unknown option '$a' (try --detach)" ;;
    esac
  done
  install_deps runtime
  local tool
  for tool in nats-server redis-server prometheus prometheus-redis-exporter setsid; do
    locate "$tool" >/dev/null || die "$tool is not installed (see the apt-get line in ./demo.sh test)"
  done
  prepare_binaries
  if stack_running; then die "the demo is already running; see ./demo.sh status, or ./demo.sh stop first"; fi
  stop_leftovers
  read_ports
  mkdir -p "$DEMO_DIR/logs"
  rm -f "$DEMO_DIR/stack.json"
  log "starting the local stack (log: $DEMO_DIR/logs/stack.log)"
  # setsid: the stack does not share the terminal's process group, so Ctrl-C reaches only this
  # script, which then stops it in order. MEME_DEMO_DIR marks every process of this stack, so a
  # stop after a crash still finds them all.
  MEME_DEMO_DIR="$DEMO_DIR" setsid "$BIN/meme-stack" up --dir "$DEMO_DIR" --k8s "$ROOT/k8s/base" --bin "$BIN" \
    </dev/null >>"$DEMO_DIR/logs/stack.log" 2>&1 &
  local pid=$!
  trap 'echo >&2; cmd_stop; exit 130' INT TERM
  if ! "$BIN/meme-stack" wait --dir "$DEMO_DIR" --pid "$pid" --timeout "${DEMO_START_TIMEOUT:-90}" >/dev/null; then
    tail -n 20 "$DEMO_DIR/logs/stack.log" >&2 || true
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    stop_leftovers
    die "the local stack did not come up (log: $DEMO_DIR/logs/stack.log)"
  fi
  trap - INT TERM
  log "the demo is up"
  print_urls
  [ $detach = 1 ] && return 0

  # Foreground: the console; leaving it (q) stops the stack. Without a terminal (a pipe, CI)
  # there is no console to draw: the stack runs until Ctrl-C or SIGTERM.
  trap 'echo >&2; cmd_stop; exit 0' INT TERM
  export NATS_URL="$NATS_URLS" NATS_MONITOR_URL="$NATS_MONITOR_URLS" NATS_STREAM_REPLICAS="$STREAM_REPLICAS"
  export PROMETHEUS_URL="http://127.0.0.1:$PROMETHEUS_PORT" LOCAL_SCALER_URL="http://127.0.0.1:$CONTROL_PORT"
  export MEME_CONSOLE_WEB_URL="http://127.0.0.1:$WEB_PORT"
  if [ -t 0 ] && [ -t 1 ]; then
    "$BIN/meme-console" dashboard --mode local || printf 'demo.sh: meme-console exited with status %s\n' "$?" >&2
  else
    printf '\nNo terminal for the console (stdin or stdout is not a tty). Press Ctrl-C to stop the demo.\n' >&2
    while :; do sleep 1; done
  fi
  trap - INT TERM
  cmd_stop
}

# The binaries without building (status, stop and logs must work while a build is stale).
existing_binaries() {
  if [ -n "${DEMO_BIN:-}" ]; then BIN="$DEMO_BIN"; return; fi
  local config=release
  [ "$DEMO_BUILD" = debug ] && config=debug
  BIN="$(swift build -c "$config" --show-bin-path 2>/dev/null)"
  [ -x "$BIN/meme-stack" ] || die "meme-stack is not built yet; run ./demo.sh"
}

cmd_status() {
  existing_binaries
  "$BIN/meme-stack" status --dir "$DEMO_DIR"
}

cmd_logs() {
  [ -d "$DEMO_DIR/logs" ] || die "no logs yet ($DEMO_DIR/logs); start the demo with ./demo.sh"
  if [ $# -eq 0 ]; then
    exec tail -n 20 -F "$DEMO_DIR"/logs/*.log
  fi
  case "$1" in
    worker|web) exec tail -n 20 -F "$DEMO_DIR"/logs/"$1"-*.log ;;
  esac
  local f="$DEMO_DIR/logs/$1.log"
  [ -f "$f" ] || die "no log for '$1'; have: $(cd "$DEMO_DIR/logs" && ls ./*.log 2>/dev/null | sed 's|^\./||; s|\.log$||' | xargs)"
  exec tail -n 50 -F "$f"
}

cmd_stop() {
  if [ -f "$DEMO_DIR/stack.json" ]; then
    existing_binaries
    log "stopping the local stack (workers and web drain first)"
    "$BIN/meme-stack" stop --dir "$DEMO_DIR" --timeout 90 || true
  else
    echo "nothing to stop (no $DEMO_DIR/stack.json)"
  fi
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
