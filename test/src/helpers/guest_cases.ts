// The differential suite's guests with the arguments the per-machine end-to-end tests run them with (each machine's
// *_e2e.test.ts compares them with riscv-sv39 and checks that machine's own counters), and the environment given
// to them. test/src/machine/transparency.test.ts runs a wider set on every machine.

import { fileURLToPath } from "node:url";

export const guestBin = (g: string): string => fileURLToPath(new URL(`../../../guest/bin/${g}`, import.meta.url));

export const GUEST_ENV = ["MMULAB_GREETING=hi there", "MMULAB_A=1", "OTHER_VAR=not printed"];

export const E2E_CASES: readonly [string, string[]][] = [
  ["hello", []],
  ["echo", ["alpha", "two words", "", "ünïcode"]],
  ["echo", ["status", "exit=3"]],
  ["malloc", ["5000"]],
  ["qsort", ["50000"]],
  ["matmul", ["48"]],
  ["stride", ["8", "2"]],
  ["hashtable", ["16"]],
  ["fp", ["2000"]],
  ["integer", ["20000"]],
  ["fptest", []],
  ["isa_amo", []],
  ["isa_rvc", []],
  ["isa_int", []],
  ["isa_muldiv", []],
  ["isa_csr", []],
  ["divzero", []],
  ["badjump", []],
  ["segv", []],
  ["segv", ["read"]],
  ["illegal", ["opcode"]],
];
