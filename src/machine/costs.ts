// The cycle model's defaults and each machine's translation hardware, read from one data file per architecture
// (src/arch/<machine>/<arch>.json, in the folder of its machine family). Every number in those files carries its
// source (a manual section, a paper, a measurement, or an estimate that says what it is derived from). Costs go
// into the CONFIG words K_COST_* (assembly/layout.ts describes each word); TLB geometry becomes the default --tlb.

import { readFileSync, readdirSync } from "node:fs";
import type { Policy, TlbConfig, TlbLevelConfig } from "./config.js";
import { policyNames } from "./wasm.js";

export interface CycleCosts {
  l1Hit: number;      // extra cycles per L1 TLB hit (overlapped with the access on most cores)
  l2Hit: number;      // extra cycles for an L2 TLB hit after an L1 miss
  walkBase: number;   // fixed cycles to start a hardware walk
  walkRef: number;    // cycles per walker memory reference (PTE read or A/D write)
  trap: number;       // cycles for a trap into the kernel and back (ecall, page fault)
  flush: number;      // cycles per TLB invalidation (sfence.vma, INVLPG)
  contextSwitch: number; // cycles per context switch, kernel side (the TLB effects are charged by the model)
}

export const COST_KEYS: readonly (keyof CycleCosts)[] = ["l1Hit", "l2Hit", "walkBase", "walkRef", "trap", "flush", "contextSwitch"];
export const TLB_LEVELS: readonly (keyof TlbConfig)[] = ["l1i", "l1d", "l2"];

/** One sourced number. */
export interface Sourced<T> { value: T; source: string }

/** What one machine has: its data file, checked. */
export interface MachineData {
  arch: string;
  description: string;
  walkLevels: Sourced<number>;                  // radix levels of a full walk (0: no translation)
  pageSizes: Sourced<number[]>;                 // bytes, every size the hardware can map
  tlb: Record<keyof TlbConfig, TlbLevelConfig & { source: string }>;
  costs: Record<keyof CycleCosts, { cycles: number; source: string }>;
  /** Paging-structure caches, entries per level (x86-64 only; absent where the machine has none). */
  psc?: PscSizes & { source: string };
  /** Who sets accessed/dirty bits: the modes the hardware offers, the default first (absent: no such choice). */
  adModes?: Sourced<string[]>;
  /** log2 of one past the highest user address the OS gives a process (absent: a layout of its own, bare and vax). */
  userTop?: Sourced<number>;
  /** False where the hardware cannot refuse an instruction fetch from a readable page (absent: it can). */
  executeProtection?: Sourced<boolean>;
  /**
   * Software-refilled machines: the modelled handler's figures (e.g. instructions per path), each written into the
   * CONFIG word `config` (a K_* name of the wasm layout) when the machine is built.
   */
  refill?: Record<string, { value: number; config: string; source: string }>;
  /**
   * Where the pmap emulates a referenced or modified bit by soft faults (src/arch/refmod.ts): the cycles of the
   * handler that resolves one, beyond the trap's entry and return.
   */
  refModEmulation?: { cycles: number; source: string };
}

/** Entries of each x86-64 paging-structure cache: PDE, PDPTE, PML4E, PML5E (0 disables one). */
export interface PscSizes { pde: number; pdpte: number; pml4e: number; pml5e: number }
export const PSC_KEYS: readonly (keyof PscSizes)[] = ["pde", "pdpte", "pml4e", "pml5e"];
/** Modes of accessed/dirty-bit maintenance a data file may list: the walker writes them, or it faults (Svade). */
export const AD_MODES: readonly string[] = ["hardware", "svadu", "svade"];

/** Cycles per tick of the time CSR: a 10 MHz timebase on a nominal 1 GHz core. */
export const TIMEBASE_DIV = 100;

/** Nominal core clock used to turn cycles into guest time (clock_gettime). */
export const NOMINAL_HZ = 1_000_000_000;

/** The machine families' folders (src/arch), relative to this module (src/machine or dist/machine), like build/mmulab.wasm. */
const ARCH_DIR = new URL("../../src/arch/", import.meta.url);

let dataFiles: ReadonlyMap<string, URL> | undefined;

/**
 * Every machine data file by architecture name: each src/arch/<family>/<arch>.json, found once per process. The
 * hardware side needs no list of machines (that is the kernel's registry, src/arch/registry.ts): a file is found
 * by its name.
 */
export function machineDataFiles(): ReadonlyMap<string, URL> {
  if (dataFiles) return dataFiles;
  const out = new Map<string, URL>();
  for (const family of readdirSync(ARCH_DIR, { withFileTypes: true })) {
    if (!family.isDirectory()) continue;
    const dir = new URL(`${family.name}/`, ARCH_DIR);
    for (const f of readdirSync(dir)) if (f.endsWith(".json")) out.set(f.slice(0, -".json".length), new URL(f, dir));
  }
  dataFiles = out;
  return out;
}

/** Where the data file of one architecture lives (a path that names it, for the error, when there is none). */
export function machineDataUrl(arch: string): URL {
  return machineDataFiles().get(arch) ?? new URL(`${arch}.json`, ARCH_DIR);
}

function sourced(where: string, v: unknown): string {
  const s = (v as { source?: unknown } | null)?.source;
  if (typeof s !== "string" || s.trim().length < 8) throw new Error(`${where}: missing its source`);
  return s;
}

function count(where: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new Error(`${where}: expected a non-negative integer`);
  return v;
}

/** Checks a parsed data file; returns it typed, or throws an Error naming the first bad field. */
export function checkMachineData(arch: string, doc: unknown): MachineData {
  const d = doc as Record<string, unknown> | null;
  const at = `machine data for ${arch}`;
  if (typeof d !== "object" || d === null) throw new Error(`${at}: not a JSON object`);
  if (d["arch"] !== arch) throw new Error(`${at}: names arch '${String(d["arch"])}'`);
  if (typeof d["description"] !== "string") throw new Error(`${at}: missing description`);
  const wl = d["walkLevels"] as Sourced<unknown>, ps = d["pageSizes"] as Sourced<unknown>;
  count(`${at}: walkLevels`, wl?.value); sourced(`${at}: walkLevels`, wl);
  if (!Array.isArray(ps?.value)) throw new Error(`${at}: pageSizes.value must be a list`);
  for (const p of ps.value) {
    if (count(`${at}: pageSizes`, p) < 512 || !Number.isInteger(Math.log2(p))) {
      throw new Error(`${at}: page size ${p} is not a power of two of at least 512`);
    }
  }
  sourced(`${at}: pageSizes`, ps);
  const tlb = d["tlb"] as Record<string, Record<string, unknown>> | undefined;
  for (const l of TLB_LEVELS) {
    const t = tlb?.[l];
    if (!t) throw new Error(`${at}: missing tlb.${l}`);
    count(`${at}: tlb.${l}.entries`, t["entries"]); count(`${at}: tlb.${l}.ways`, t["ways"]);
    if (!policyNames().includes(t["policy"] as string)) throw new Error(`${at}: tlb.${l}.policy '${String(t["policy"])}' is unknown`);
    sourced(`${at}: tlb.${l}`, t);
  }
  const costs = d["costs"] as Record<string, Record<string, unknown>> | undefined;
  for (const k of COST_KEYS) {
    const c = costs?.[k];
    if (!c) throw new Error(`${at}: missing costs.${k}`);
    count(`${at}: costs.${k}.cycles`, c["cycles"]);
    sourced(`${at}: costs.${k}`, c);
  }
  const psc = d["psc"] as Record<string, unknown> | undefined;
  if (psc !== undefined) {
    for (const k of PSC_KEYS) count(`${at}: psc.${k}`, psc[k]);
    sourced(`${at}: psc`, psc);
  }
  const ad = d["adModes"] as Sourced<unknown> | undefined;
  if (ad !== undefined) {
    if (!Array.isArray(ad.value) || ad.value.length === 0 || !ad.value.every((m) => AD_MODES.includes(m as string))) {
      throw new Error(`${at}: adModes.value must be a non-empty list of ${AD_MODES.join(", ")}`);
    }
    sourced(`${at}: adModes`, ad);
  }
  const ut = d["userTop"] as Sourced<unknown> | undefined;
  if (ut !== undefined) {
    if (typeof ut.value !== "number" || !Number.isInteger(ut.value) || ut.value < 24 || ut.value > 52) {
      throw new Error(`${at}: userTop.value must be the log2 of the user space's top, 24 to 52`);
    }
    sourced(`${at}: userTop`, ut);
  }
  const xp = d["executeProtection"] as Sourced<unknown> | undefined;
  if (xp !== undefined) {
    if (typeof xp.value !== "boolean") throw new Error(`${at}: executeProtection.value must be true or false`);
    sourced(`${at}: executeProtection`, xp);
  }
  const refill = d["refill"] as Record<string, Record<string, unknown>> | undefined;
  if (refill !== undefined) {
    if (typeof refill !== "object" || refill === null) throw new Error(`${at}: refill must be an object`);
    for (const [k, r] of Object.entries(refill)) {
      count(`${at}: refill.${k}.value`, r?.["value"]);
      if (typeof r["config"] !== "string" || !r["config"].startsWith("K_")) throw new Error(`${at}: refill.${k}.config must name a K_* word`);
      sourced(`${at}: refill.${k}`, r);
    }
  }
  const rm = d["refModEmulation"] as Record<string, unknown> | undefined;
  if (rm !== undefined) {
    count(`${at}: refModEmulation.cycles`, rm?.["cycles"]);
    sourced(`${at}: refModEmulation`, rm);
  }
  return d as unknown as MachineData;
}

const cache = new Map<string, MachineData>();

/**
 * The data file of one machine, read and checked once per process. Throws an Error with a one-line message when
 * it is missing or incomplete (a broken installation, not a user error).
 */
export function machineData(arch: string): MachineData {
  let d = cache.get(arch);
  if (d) return d;
  const url = machineDataUrl(arch);
  let text: string;
  try {
    text = readFileSync(url, "utf8");
  } catch {
    throw new Error(`cannot read the machine data file ${url.pathname}`);
  }
  let doc: unknown;
  try { doc = JSON.parse(text); } catch (e) { throw new Error(`${url.pathname}: ${(e as Error).message}`); }
  d = checkMachineData(arch, doc);
  cache.set(arch, d);
  return d;
}

/** Whether the machine translates addresses at all: its data file gives a walk (the bare machine's has 0 levels). */
export function translates(arch: string): boolean {
  return machineData(arch).walkLevels.value > 0;
}

/** Default costs of an architecture (from its data file). */
export function defaultCosts(arch: string): CycleCosts {
  const c = machineData(arch).costs;
  return {
    l1Hit: c.l1Hit.cycles, l2Hit: c.l2Hit.cycles, walkBase: c.walkBase.cycles,
    walkRef: c.walkRef.cycles, trap: c.trap.cycles, flush: c.flush.cycles, contextSwitch: c.contextSwitch.cycles,
  };
}

/** Default TLB geometry of an architecture (from its data file). */
export function defaultTlbOf(arch: string): TlbConfig {
  const t = machineData(arch).tlb;
  const level = (l: TlbLevelConfig): TlbLevelConfig => ({ entries: l.entries, ways: l.ways, policy: l.policy as Policy });
  return { l1i: level(t.l1i), l1d: level(t.l1d), l2: level(t.l2) };
}

/** Default paging-structure-cache sizes of an architecture (from its data file), or undefined if it has none. */
export function defaultPscOf(arch: string): PscSizes | undefined {
  const p = machineData(arch).psc;
  return p && { pde: p.pde, pdpte: p.pdpte, pml4e: p.pml4e, pml5e: p.pml5e };
}
