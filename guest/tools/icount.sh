#!/bin/sh
# icount.sh — count the instructions a guest executes, using qemu-riscv64's execution log with one instruction per
# translation block and no block chaining, so every executed instruction logs exactly one "Trace" line.
# Slow (roughly 10 M instructions per second): use small arguments and extrapolate.
# Usage: guest/tools/icount.sh guest/bin/NAME [args...]
set -eu
# qemu 8 renamed -singlestep to -one-insn-per-tb
if qemu-riscv64 -h | grep -q one-insn-per-tb; then one=-one-insn-per-tb; else one=-singlestep; fi
qemu-riscv64 "$one" -d nochain,exec -D /dev/stderr "$@" 2>&1 >/dev/null | grep -c '^Trace'
