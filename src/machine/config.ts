// A machine's configuration: architecture, RAM size, TLB geometry, cycle costs, seed. Validation errors are
// ConfigError (the CLI turns them into one line and exit status 2).

import { type CycleCosts, defaultCosts, defaultTlbOf } from "./costs.js";

/** An invalid configuration or command line: reported as one line, never as a stack trace. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export const ARCHS = ["riscv-sv39", "riscv-sv48", "bare", "x86-64", "x86-64-la57", "mips-r3000", "mips-r4000"] as const;
export type Arch = (typeof ARCHS)[number];

/** Replacement policies, by --tlb name; each has a code POLICY_<NAME> in the wasm layout (assembly/tlb/policy.ts). */
export const POLICIES = ["lru", "plru", "fifo", "random", "nru", "lfu", "srrip", "brrip", "mru", "mips-random"] as const;
export type Policy = (typeof POLICIES)[number];

export interface TlbLevelConfig {
  entries: number;   // 0 disables the level
  ways: number;
  policy: Policy;
}

export interface TlbConfig {
  l1i: TlbLevelConfig;
  l1d: TlbLevelConfig;
  l2: TlbLevelConfig;
}

export interface MachineConfig {
  arch: Arch;
  ramBytes: number;
  tlb: TlbConfig;
  costs: CycleCosts;
  seed: bigint;
  hardwareAD: boolean;   // true: the walker sets A/D (Svadu); false: it faults (Svade)
  psc?: { pde: number; pdpte: number; pml4e: number; pml5e: number };   // x86-64 paging-structure caches (entries)
}

export const DEFAULT_RAM_BYTES = 256 * 1024 * 1024;
export const PAGE_SIZE = 4096;

/** Default TLBs of a machine: the geometry in its data file (src/machine/costs/<arch>.json). */
export function defaultTlb(arch: Arch = "riscv-sv39"): TlbConfig {
  return defaultTlbOf(arch);
}

export function defaultConfig(arch: Arch = "riscv-sv39"): MachineConfig {
  return {
    arch,
    ramBytes: DEFAULT_RAM_BYTES,
    tlb: defaultTlb(arch),
    costs: defaultCosts(arch),
    seed: 0n,
    hardwareAD: true,
  };
}

export function parseArch(s: string): Arch {
  if ((ARCHS as readonly string[]).includes(s)) return s as Arch;
  throw new ConfigError(`unknown architecture '${s}' (choose ${ARCHS.join(", ")})`);
}

/**
 * Parses a memory size: bytes, or a number with K, M or G (binary units, optional trailing B/iB).
 * The result must be a multiple of 4 KiB.
 */
export function parseSize(s: string, what = "size"): number {
  const m = /^(\d+)\s*([kKmMgG]?)(i?[bB])?$/.exec(s.trim());
  if (!m) throw new ConfigError(`bad ${what} '${s}' (expected e.g. 256M, 1G, 65536K)`);
  const mul = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase()]!;
  const v = Number(m[1]) * mul;
  if (!Number.isSafeInteger(v)) throw new ConfigError(`${what} '${s}' is too large`);
  return v;
}

/** Largest guest RAM the wasm32 instance can hold next to its state area (checked precisely at init). */
export const MAX_RAM_BYTES = 4 * 1024 ** 3 - 64 * 1024 * 1024;
export const MIN_RAM_BYTES = 1024 * 1024;

export function validateRam(bytes: number): void {
  if (bytes % PAGE_SIZE !== 0) throw new ConfigError(`memory size ${bytes} is not a multiple of 4 KiB`);
  if (bytes < MIN_RAM_BYTES) throw new ConfigError(`memory size ${bytes} is below the minimum of 1M`);
  if (bytes > MAX_RAM_BYTES) throw new ConfigError(`memory size ${bytes} exceeds the maximum of ${MAX_RAM_BYTES / 1024 ** 2}M`);
}

/** Parses --seed: a decimal or 0x-hex unsigned 64-bit number. */
export function parseSeed(s: string): bigint {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(s.trim())) throw new ConfigError(`bad seed '${s}' (expected an unsigned integer)`);
  const v = BigInt(s.trim());
  if (v >= 1n << 64n) throw new ConfigError(`seed '${s}' does not fit in 64 bits`);
  return v;
}
