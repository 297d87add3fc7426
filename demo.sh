#!/usr/bin/env bash
# meme-generator: one entry point for the demo, its tests and its benchmarks.
#   ./demo.sh            run the demo on this machine (local stack + console)
#   ./demo.sh test       install what is missing, build, run every test
#   ./demo.sh bench [NAME]  every benchmark, or one: nats|render|web|… (meme-bench --help lists them)
#   ./demo.sh k8s up|down
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

# Debian packages every part needs (see ../shared/PLATFORM.md).
APT_PACKAGES=(nats-server redis-server prometheus prometheus-redis-exporter libncursesw5-dev
  libcurl4-openssl-dev libhiredis-dev libpango1.0-dev libcairo2-dev fonts-dejavu-core
  fonts-noto-color-emoji fonts-droid-fallback libjpeg-dev openssl chromium chromium-driver wrk tmux nginx
  imagemagick python3-pil)
PIP_PACKAGES=(nats-py aiohttp selenium pytest kubernetes-validate jsonschema pyyaml)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }

missing_apt() {
  local p missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  printf '%s\n' "${missing[@]}"
}

install_deps() {
  local missing
  missing=$(missing_apt | xargs)
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
      log "installing Debian packages: $missing"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
      die "missing Debian packages; run: sudo apt-get install -y $missing"
    fi
  fi
  local pip_missing=()
  python3 -c 'import nats' 2>/dev/null || pip_missing+=(nats-py)
  python3 -c 'import aiohttp' 2>/dev/null || pip_missing+=(aiohttp)
  python3 -c 'import selenium' 2>/dev/null || pip_missing+=(selenium)
  python3 -c 'import pytest' 2>/dev/null || pip_missing+=(pytest)
  python3 -c 'import kubernetes_validate' 2>/dev/null || pip_missing+=(kubernetes-validate)
  python3 -c 'import jsonschema, yaml' 2>/dev/null || pip_missing+=(jsonschema pyyaml)
  if [ ${#pip_missing[@]} -gt 0 ]; then
    log "installing Python packages: ${pip_missing[*]}"
    python3 -m pip install -q "${pip_missing[@]}"
  fi
}

build() {
  log "building ($1)"
  swift build -c "$1" 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
  [ "${PIPESTATUS[0]}" = 0 ] || die "swift build failed"
}

cmd_test() {
  install_deps
  log "building debug"
  swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Write|Linking)' || true
  [ "${PIPESTATUS[0]}" = 0 ] || die "swift build --build-tests failed"
  local rc=0
  log "swift test"
  swift test --skip-build 2>&1 | tee "${TMPDIR:-/tmp}/meme-swift-test.log" | grep -vE '^(Test Case|◇|↳)' || true
  [ "${PIPESTATUS[0]}" = 0 ] || rc=1
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
  install_deps
  build release
  local bin; bin="$(swift build -c release --show-bin-path)"
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
    MEME_BIN="$bin" "$bin/meme-bench" "$name" 2>&1 | tee "$out/$name.txt" || failed+=("$name")
  done
  log "all tables (full output in $out)"
  for name in $names; do
    printf '\n## %s\n\n' "$name"
    # Table rows, plus the "date …" caption line the benchmarks print above their tables.
    grep -E '^(\||date )' "$out/$name.txt" || echo "(no table: see $out/$name.txt)"
  done | tee "$out/summary.md"
  [ ${#failed[@]} = 0 ] || die "benchmarks failed: ${failed[*]} (see $out)"
}

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; }

case "${1:-up}" in
  test) shift; cmd_test "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  k8s) shift; [ -x k8s/demo-k8s.sh ] || die "k8s/demo-k8s.sh is missing"; exec k8s/demo-k8s.sh "$@" ;;
  -h|--help|help) usage ;;
  up) die "the local stack is not built yet (see README.md, status)" ;;
  *) usage; exit 2 ;;
esac
