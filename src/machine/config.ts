// A machine's configuration: architecture, RAM size, TLB geometry, cycle costs, seed. Validation errors are
// ConfigError (the CLI turns them into one line and exit status 2). The list of machines is the kernel's
// (src/arch/registry.ts: ARCHS, parseArch); here a machine is the name of its data file.

import { ConfigError } from "../sys/config_error.js";
import { type CycleCosts, type PscSizes, PSC_KEYS, defaultCosts, defaultPscOf, defaultTlbOf, machineData } from "./costs.js";
import { policyNames } from "./wasm.js";

export { ConfigError } from "../sys/config_error.js";

/**
 * Replacement policies, by --tlb name, as the wasm module defines them (its POLICY_<NAME> codes, assembly/index.ts;
 * wasm.ts policyNames), in the order they are listed in. A name is one of these strings.
 */
export const POLICIES: readonly Policy[] = policyNames();
export type Policy = string;

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
  arch: string;          // the machine's name (src/arch/registry.ts lists them), the name of its data file
  ramBytes: number;
  tlb: TlbConfig;
  costs: CycleCosts;
  seed: bigint;
  hardwareAD: boolean;   // true: the walker sets A/D (Svadu); false: it faults (Svade)
  psc?: PscSizes;          // x86-64 paging-structure caches (entries); undefined on machines without them
  subblock?: number;     // hashed: base pages per clustered-table node (a power of two, 1..64; default 16)
  pftSize?: number;      // power: log2 of the HTAB's bytes, as the platform's ibm,pft-size (default: sized to memory)
  pageSize?: number;     // largest page the kernel maps user memory with (bytes; default 4 KiB), --page-size
}

export const DEFAULT_RAM_BYTES = 256 * 1024 * 1024;
export const PAGE_SIZE = 4096;

/** Default TLBs of a machine: the geometry in its data file (src/arch/<machine>/<arch>.json). */
export function defaultTlb(arch = "riscv-sv39"): TlbConfig {
  return defaultTlbOf(arch);
}

export function defaultConfig(arch = "riscv-sv39"): MachineConfig {
  const psc = defaultPscOf(arch);
  return {
    arch,
    ramBytes: DEFAULT_RAM_BYTES,
    tlb: defaultTlb(arch),
    costs: defaultCosts(arch),
    seed: 0n,
    hardwareAD: (machineData(arch).adModes?.value[0] ?? "hardware") !== "svade",
    ...(psc ? { psc } : {}),
  };
}

/**
 * Applies --ad: who maintains accessed/dirty bits. Only the modes the machine's data file lists are accepted
 * (RISC-V offers Svadu and Svade; x86-64 always sets them in hardware).
 */
export function applyAdMode(c: MachineConfig, mode: string): void {
  const modes = machineData(c.arch).adModes?.value ?? [];
  if (!modes.includes(mode)) {
    throw new ConfigError(modes.length > 1
      ? `--ad '${mode}' is not offered by ${c.arch} (choose ${modes.join(" or ")})`
      : `${c.arch} has no choice of accessed/dirty-bit maintenance${modes.length ? ` (${modes[0]} only)` : ""}: --ad '${mode}' is not accepted`);
  }
  c.hardwareAD = mode !== "svade";
}

/** Largest paging-structure cache the wasm model holds (assembly/layout.ts PSC_MAX_ENTRIES). */
export const PSC_MAX_ENTRIES = 64;

/**
 * Parses --psc, e.g. "pde=32,pdpte=4,pml4e=2,pml5e=2" (unnamed caches keep their defaults), for a machine that
 * has paging-structure caches.
 */
export function parsePsc(c: MachineConfig, s: string): PscSizes {
  if (!c.psc) throw new ConfigError(`${c.arch} has no paging-structure caches: --psc is not accepted`);
  const out = { ...c.psc };
  for (const part of s.split(",").map((x) => x.trim()).filter((x) => x !== "")) {
    const m = /^([a-z0-9]+)=(\d+)$/.exec(part);
    if (!m || !(PSC_KEYS as readonly string[]).includes(m[1]!)) {
      throw new ConfigError(`bad --psc item '${part}' (expected ${PSC_KEYS.map((k) => `${k}=N`).join(",")})`);
    }
    const n = Number(m[2]);
    if (n > PSC_MAX_ENTRIES) throw new ConfigError(`--psc ${m[1]}=${n}: at most ${PSC_MAX_ENTRIES} entries per cache`);
    out[m[1] as keyof PscSizes] = n;
  }
  return out;
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
  if (bytes < MIN_RAM_BYTES) throw new ConfigError(`memory size ${bytes} is below the minimum of 1M`);
  if (bytes % PAGE_SIZE !== 0) throw new ConfigError(`memory size ${bytes} is not a multiple of 4 KiB`);
  if (bytes > MAX_RAM_BYTES) throw new ConfigError(`memory size ${bytes} exceeds the maximum of ${MAX_RAM_BYTES / 1024 ** 2}M`);
}

/** Parses --seed: a decimal or 0x-hex unsigned 64-bit number. */
export function parseSeed(s: string): bigint {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(s.trim())) throw new ConfigError(`bad seed '${s}' (expected an unsigned integer)`);
  const v = BigInt(s.trim());
  if (v >= 1n << 64n) throw new ConfigError(`seed '${s}' does not fit in 64 bits`);
  return v;
}

/**
 * Checks a clustered-table subblock factor: a power of two from 1 to 64. `offered` lists the machines whose
 * hardware has the option (the registry's hardwareOptions).
 */
export function validateSubblock(arch: string, s: number, offered: readonly string[]): number {
  if (!offered.includes(arch)) throw new ConfigError(`--arch ${arch} has no clustered page table (subblock factor is for ${offered.join(", ")})`);
  if (!(Number.isInteger(s) && s >= 1 && s <= 64 && (s & (s - 1)) === 0)) {
    throw new ConfigError(`subblock factor ${s} is not a power of two from 1 to 64`);
  }
  return s;
}

/**
 * Checks a POWER HTAB size (log2 bytes): at least 2^18 (the architecture's minimum), at most half of RAM. `offered`
 * lists the machines whose hardware has the option (the registry's hardwareOptions).
 */
export function validatePftSize(arch: string, ramBytes: number, shift: number, offered: readonly string[]): number {
  if (!offered.includes(arch)) throw new ConfigError(`--arch ${arch} has no hashed page table to size (pft size is for ${offered.join(", ")})`);
  if (!(Number.isInteger(shift) && shift >= 18 && 2 ** shift <= ramBytes / 2)) {
    throw new ConfigError(`HTAB size 2^${shift} bytes must be from 2^18 to half of memory (${ramBytes} bytes)`);
  }
  return shift;
}
