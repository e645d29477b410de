#!/usr/bin/env bash
# Linux's own test suite as a test of mmulab: builds the LTP system-call tests listed in ../shared/ltp/tests.txt
# (static riscv64; cached in $LTP_INSTALL, default /tmp/ltp-install) and runs them under mmulab with
# ../shared/ltp/run.sh, which compares each with qemu-riscv64's reference result. Every test of the list runs on
# riscv-sv39; the memory-call tests also on x86-64 and mips-r4000. A test may do worse than the reference only
# when expected-failures.txt lists it with a one-line reason; a listed test that passes is an error too (the list
# must stay true).
#
#   test/ltp/ltp.sh [--filter REGEX] [--machines "riscv-sv39 x86-64"] [--jobs N]
#
# Without the cross toolchain it says so and exits 0, except under CI (CI set), where that is a failure.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${MMULAB_SHARED:-$(cd "$ROOT/.." && pwd)/shared}
LTP=$SHARED/ltp
EXPECT=$ROOT/test/ltp/expected-failures.txt
FILTER='' JOBS=2
MACHINES="riscv-sv39 x86-64 mips-r4000"
MEMORY='^(mmap|munmap|mprotect|madvise|mincore|msync|brk|sbrk|mremap|mlock|munlock)'
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) FILTER=$2; shift;;
    --machines) MACHINES=$2; shift;;
    --jobs) JOBS=$2; shift;;
    *) echo "usage: test/ltp/ltp.sh [--filter REGEX] [--machines LIST] [--jobs N]" >&2; exit 2;;
  esac
  shift
done

need="riscv64-linux-gnu-gcc autoconf automake m4 pkg-config make bc"
missing=; for t in $need; do command -v "$t" >/dev/null || missing="$missing $t"; done
if [ -n "$missing" ] || [ ! -f "$LTP/tests.txt" ]; then
  why=${missing:+missing tools:$missing}; [ -f "$LTP/tests.txt" ] || why="no LTP snapshot at $LTP"
  if [ -n "${CI:-}" ]; then echo "ltp: $why (CI must install them: .ci/run)" >&2; exit 1; fi
  echo "ltp: skipped ($why)"; exit 0
fi
[ -f "$ROOT/dist/cli/main.js" ] && [ -f "$ROOT/build/mmulab.wasm" ] || { echo "ltp: build mmulab first (npm run build)" >&2; exit 1; }

export LTP_INSTALL=${LTP_INSTALL:-/tmp/ltp-install}
echo "ltp: building the LTP tests (cached in $LTP_INSTALL)"
"$LTP/build.sh" > "${TMPDIR:-/tmp}/mmulab-ltp-build.log" 2>&1 || { tail -20 "${TMPDIR:-/tmp}/mmulab-ltp-build.log" >&2; echo "ltp: the LTP build failed" >&2; exit 1; }

RESULTS=${LTP_RESULTS_ROOT:-${TMPDIR:-/tmp}/mmulab-ltp}
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
tags=$(awk '!/^#/ && NF { print $1 }' "$LTP/tests.txt")

# run_machine MACHINE REGEX: the matching tests in $JOBS shards side by side; FAIL lines to $RESULTS/MACHINE.fail
run_machine() {
  local m=$1 re=$2 sel shard pids=() i
  sel=$(printf '%s\n' $tags | grep -E "$re" | { if [ -n "$FILTER" ]; then grep -E "$FILTER"; else cat; fi })
  [ -n "$sel" ] || { : > "$RESULTS/$m.fail"; echo "ltp: $m: no test selected"; return; }
  for ((i = 0; i < JOBS; i++)); do
    shard=$(printf '%s\n' $sel | awk -v n="$JOBS" -v k="$i" 'NR % n == k' | paste -sd'|')
    [ -n "$shard" ] || continue
    LTP_RESULTS=$RESULTS/$m/$i MMU_RUN="node $ROOT/bin/mmulab.js run --arch $m" \
      "$LTP/run.sh" --filter "^($shard)\$" > "$RESULTS/$m.$i.out" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  cat "$RESULTS/$m".*.out | grep -E '^FAIL ' | sort > "$RESULTS/$m.fail"
  local np nf
  np=$(cat "$RESULTS/$m".*.out | awk '/ passed, / { s += $1 } END { print s + 0 }')
  nf=$(wc -l < "$RESULTS/$m.fail")
  echo "ltp: $m: $np passed, $nf worse than qemu-riscv64 (logs: $RESULTS/$m/*/logs)"
}

t0=$(date +%s)
for m in $MACHINES; do
  if [ "$m" = riscv-sv39 ]; then run_machine "$m" '.'; else run_machine "$m" "$MEMORY"; fi
done

# Compare with the expectations: "MACHINE TAG reason" lines (MACHINE may be *).
bad=0
for m in $MACHINES; do
  while read -r _ tagc rest; do
    tag=${tagc%:}
    if awk -v m="$m" -v t="$tag" '!/^#/ && ($1 == m || $1 == "*") && $2 == t { f = 1 } END { exit !f }' "$EXPECT"; then
      echo "ltp: expected failure: $m $tag"
    else
      echo "ltp: FAIL on $m: $tag ${rest}"; bad=1
    fi
  done < "$RESULTS/$m.fail"
  # a listed test that now passes: the list must be corrected
  awk -v m="$m" '!/^#/ && NF && ($1 == m || $1 == "*") { print $2 }' "$EXPECT" | while read -r tag; do
    if [ -n "$FILTER" ] && ! [[ "$tag" =~ $FILTER ]]; then continue; fi
    if [ "$m" != riscv-sv39 ] && ! [[ "$tag" =~ $MEMORY ]]; then continue; fi
    grep -q -E "^FAIL $tag:" "$RESULTS/$m.fail" || { echo "ltp: $m $tag passes now: remove it from test/ltp/expected-failures.txt"; exit 1; }
  done || bad=1
done
echo "ltp: done in $(( $(date +%s) - t0 )) s"
[ "$bad" = 0 ] && echo "ltp: every test does at least as well as under qemu-riscv64, or is an expected failure" || echo "ltp: FAILED"
exit $bad
