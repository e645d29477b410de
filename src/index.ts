// The library API: run a guest programmatically and get its exit status, output and counters. Tests and
// benchmarks use this; the CLI (cli/main.ts) is a thin layer over the same pieces that streams output instead.

import { resolve } from "node:path";
import type { GuestIo } from "./fs/file.js";
import { parseElf, readProgram } from "./loader/elf.js";
import { type Arch, machinesWith, parseArch } from "./arch/registry.js";
import {
  ConfigError, type MachineConfig, type TlbConfig, defaultConfig, parseSeed, parseSize,
  validateRam, applyAdMode, parsePsc, validatePftSize, validateSubblock,
} from "./machine/config.js";
import { type CycleCosts, machineData } from "./machine/costs.js";
import { Machine, type ExitReason, type MachineRecorder } from "./boot/machine.js";
import { parseTlbSpec } from "./machine/tlbspec.js";
import { wasmLayout } from "./machine/wasm.js";
import { applyMounts } from "./fs/mount.js";
import { readMachineFile } from "./machine/machine_file.js";

export { ConfigError } from "./machine/config.js";
export { ElfError } from "./loader/elf.js";
import { type PagingOptions, parsePageoutPolicy, parseSwapLatency } from "./boot/machine.js";
export { Machine } from "./boot/machine.js";
export type { MachineConfig, TlbConfig } from "./machine/config.js";
export type { Arch } from "./arch/registry.js";

export interface GuestOptions {
  /** Path of the executable on the host (read unless `elf` is given); also argv[0] unless `argv0` is set. */
  path: string;
  elf?: Uint8Array;
  args?: string[];             // arguments after argv[0]
  argv0?: string;
  env?: string[];              // "NAME=value" strings, exactly the guest's environment; default none (the CLI's
                               // default is DEFAULT_GUEST_ENV, see guestEnvironment)
  stdin?: Uint8Array | string;
  arch?: Arch | string;
  /** A machine file (--machine): a machine's defaults overridden in the data files' format; options override it. */
  machine?: string;
  tlb?: string | TlbConfig;    // --tlb syntax, or a full configuration
  mem?: number | string;       // bytes, or "256M"
  costs?: Partial<CycleCosts>;
  seed?: bigint | number | string;
  hardwareAD?: boolean;
  ad?: string;                 // --ad: accessed/dirty maintenance by name (svadu, svade, hardware), as the machine offers
  psc?: MachineConfig["psc"] | string;  // x86-64 paging-structure cache sizes (entries; 0 disables one), or --psc syntax
  subblock?: number;           // hashed: pages per clustered-table node
  pftSize?: number;            // power: log2 of the HTAB's size in bytes (the platform's ibm,pft-size)
  pageSize?: number | string;  // largest page the kernel maps user memory with: bytes, or "4K", "2M" (--page-size)
  maxInsns?: bigint | number;
  quantum?: number;            // scheduling quantum in emulated cycles
  pmapCollectEvery?: number;   // collect every pmap every N traps (0 or absent: never)
  zeroPage?: boolean;          // false: reads of untouched anonymous memory get a page of their own (as recorded)
  swap?: number | string;      // swap space: bytes, or "64M"; 0 for none (default: as large as RAM) (--swap)
  swapLatency?: string;        // swap device: a preset of src/vm/swap_devices.json, or cycles (--swap-latency)
  pageout?: string;            // page-replacement policy (--pageout; default freebsd)
  strace?: boolean;
  mounts?: string[];           // "HOSTDIR:GUESTPATH": host directories shown read-only in the guest
  /** Records the run's references (src/trace/record.ts); the caller closes it. */
  recorder?: MachineRecorder;
  /** Teaching views (`mmulab run --trace-walk`, `--trace-faults`, `--dump-tlb`): each line to the callback. */
  traceWalk?: (line: string) => void;
  traceFaults?: (line: string) => void;
  /** The TLBs' contents at exit (and at each statistics dump), as `--dump-tlb` prints them, in `tlbDump`. */
  dumpTlb?: boolean;
}

export interface GuestResult {
  exitCode: number;
  reason: ExitReason;
  signal: number;
  message: string | undefined;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
  stderrBytes: Uint8Array;
  strace: string[];
  counters: Record<string, number>;
  config: MachineConfig;
  /** With dumpTlb: the TLB dumps, each a list of lines (statistics dumps first, then the one at exit). */
  tlbDump?: string[][];
}

/**
 * The environment `mmulab run`, `compare` and `record` give a guest unless --env-clear: a shell's bare minimum
 * (the search path execvp and shells use, a home directory), never the host's own environment, so that a run
 * depends only on its command line. qemu-user passes its caller's environment instead; the differential suite
 * gives both sides exactly the same one (--env-clear plus --env).
 */
export const DEFAULT_GUEST_ENV: readonly string[] = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/"];

/**
 * The guest environment from --env NAME=value options: the defaults (none with `clear`), each NAME given replacing
 * the default of that name in place, new names appended in order. Throws ConfigError for an item without "=".
 */
export function guestEnvironment(env: readonly string[], clear = false): string[] {
  const out = clear ? [] : [...DEFAULT_GUEST_ENV];
  for (const e of env) {
    const eq = e.indexOf("=");
    if (eq <= 0) throw new ConfigError(`--env expects NAME=value, got '${e}'`);
    const name = e.slice(0, eq + 1);
    const at = out.findIndex((d) => d.startsWith(name));
    if (at >= 0) out[at] = e; else out.push(e);
  }
  return out;
}

/** Builds a machine configuration from options, validating every field (throws ConfigError). */
export function machineConfig(o: Omit<GuestOptions, "path">): MachineConfig {
  // A --machine file starts from its machine's defaults; the options given alongside it override it in turn.
  const mf = o.machine !== undefined ? readMachineFile(o.machine) : undefined;
  if (mf?.arch !== undefined && o.arch !== undefined && mf.arch !== o.arch) {
    throw new ConfigError(`--machine ${mf.path} describes ${mf.arch}, but --arch is ${o.arch}`);
  }
  const arch = parseArch(o.arch ?? mf?.arch ?? "riscv-sv39");
  const c = defaultConfig(arch);
  if (mf?.mem !== undefined) c.ramBytes = parseSize(mf.mem, `memory size in --machine ${mf.path}`);
  if (mf?.tlbSpec !== undefined) c.tlb = withFile(mf.path, () => parseTlbSpec(mf.tlbSpec!, c.tlb, wasmLayout().TLB_MAX_ENTRIES));
  if (mf?.costs) c.costs = { ...c.costs, ...mf.costs };
  if (mf?.pscSpec !== undefined) c.psc = withFile(mf.path, () => parsePsc(c, mf.pscSpec!));
  if (o.mem !== undefined) c.ramBytes = typeof o.mem === "number" ? o.mem : parseSize(o.mem, "memory size");
  validateRam(c.ramBytes);
  if (o.tlb !== undefined) c.tlb = typeof o.tlb === "string" ? parseTlbSpec(o.tlb, c.tlb, wasmLayout().TLB_MAX_ENTRIES) : o.tlb;
  if (o.costs) c.costs = { ...c.costs, ...o.costs };
  if (o.seed !== undefined) c.seed = typeof o.seed === "string" ? parseSeed(o.seed) : BigInt(o.seed);
  if (o.hardwareAD !== undefined) c.hardwareAD = o.hardwareAD;
  if (o.ad !== undefined) applyAdMode(c, o.ad);
  if (o.psc !== undefined) c.psc = parsePsc(c, typeof o.psc === "string" ? o.psc : Object.entries(o.psc).map(([k, v]) => `${k}=${v}`).join(","));
  if (o.subblock !== undefined) c.subblock = validateSubblock(arch, o.subblock, machinesWith("subblock"));
  if (o.pftSize !== undefined) c.pftSize = validatePftSize(arch, c.ramBytes, o.pftSize, machinesWith("pftSize"));
  if (o.pageSize !== undefined) c.pageSize = validatePageSize(arch, o.pageSize);
  return c;
}

/** A check of a --machine file's value, its message naming the file. */
function withFile<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`--machine ${path}: ${e.message}`);
    throw e;
  }
}

/** Bytes as 4K, 2M, 1G. */
export function formatPageSize(bytes: number): string {
  for (const [unit, n] of [["G", 1024 ** 3], ["M", 1024 ** 2], ["K", 1024]] as const) if (bytes % n === 0) return `${bytes / n}${unit}`;
  return String(bytes);
}

/**
 * --page-size: one of the sizes the machine's data file says the hardware maps (whether the kernel's pmap can use
 * it is checked when the machine is made).
 */
export function validatePageSize(arch: Arch, v: number | string): number {
  const size = typeof v === "number" ? v : parseSize(v, "page size");
  const offers = machineData(arch).pageSizes.value;
  if (!offers.includes(size)) {
    throw new ConfigError(`--page-size ${formatPageSize(size)}: ${arch} has no such pages (it offers ${offers.map(formatPageSize).join(", ")})`);
  }
  return size;
}

class CaptureIo implements GuestIo {
  readonly out: Uint8Array[] = [];
  readonly err: Uint8Array[] = [];
  private at = 0;
  constructor(private readonly input: Uint8Array) {}
  read(max: number): Uint8Array {
    const r = this.input.subarray(this.at, this.at + max);
    this.at += r.length;
    return r.slice();
  }
  write(fd: 1 | 2, data: Uint8Array): void { (fd === 1 ? this.out : this.err).push(data.slice()); }
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * The paging options given (--swap, --swap-latency, --pageout), checked: a bad value is a ConfigError (one line,
 * exit status 2). What is not given keeps its default (boot/machine.ts pagingOptions).
 */
export function pagingConfig(o: { swap?: number | string; swapLatency?: string; pageout?: string }): Partial<PagingOptions> {
  const out: Partial<PagingOptions> = {};
  if (o.swap !== undefined) {
    const bytes = typeof o.swap === "number" ? o.swap : parseSize(o.swap, "--swap size");
    if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes % 4096 !== 0) throw new ConfigError(`bad --swap '${o.swap}' (a multiple of 4K, 0 for none)`);
    out.swapBytes = bytes;
  }
  if (o.swapLatency !== undefined) out.latency = parseSwapLatency(o.swapLatency);
  if (o.pageout !== undefined) out.policy = parsePageoutPolicy(o.pageout);
  return out;
}

/** Runs a guest to completion. Throws ConfigError or ElfError for bad input. */
export function runGuest(o: GuestOptions): GuestResult {
  const config = machineConfig(o);
  const image = parseElf(o.elf ?? readProgram(o.path));
  const stdin = typeof o.stdin === "string" ? new TextEncoder().encode(o.stdin) : o.stdin ?? new Uint8Array(0);
  const io = new CaptureIo(stdin);
  const strace: string[] = [];
  const tlbDump: string[][] = [];
  const m: Machine = new Machine(config, {
    ...(o.traceWalk ? { walkTrace: o.traceWalk } : {}), ...(o.traceFaults ? { faultTrace: o.traceFaults } : {}),
    ...(o.dumpTlb ? { onStatsDump: (tag: number) => { tlbDump.push(m.tlbDump(`at statistics dump ${tag}`)); } } : {}),
    io, ...(o.strace ? { strace: (l: string) => { strace.push(l); } } : {}), ...(o.recorder ? { recorder: o.recorder } : {}),
    ...(o.quantum !== undefined ? { quantum: o.quantum } : {}),
    ...(o.pmapCollectEvery !== undefined ? { pmapCollectEvery: o.pmapCollectEvery } : {}),
    ...(o.zeroPage !== undefined ? { zeroPage: o.zeroPage } : {}),
    paging: pagingConfig(o),
  });
  applyMounts(m.fs, o.mounts ?? []);
  m.load(image, {
    argv: [o.argv0 ?? o.path, ...(o.args ?? [])],
    envp: o.env ?? [],
    execfn: o.path,
    exePath: resolve(o.path),
  });
  const maxInsns = o.maxInsns === undefined ? undefined : BigInt(o.maxInsns);
  if (maxInsns !== undefined && maxInsns <= 0n) throw new ConfigError("--max-insns must be positive");
  const r = m.run(maxInsns);
  const out = join(io.out), err = join(io.err);
  const dec = new TextDecoder();
  return {
    ...r,
    stdout: dec.decode(out),
    stderr: dec.decode(err),
    stdoutBytes: out,
    stderrBytes: err,
    strace,
    counters: m.counters(),
    config,
    ...(o.dumpTlb ? { tlbDump: [...tlbDump, m.tlbDump("at exit")] } : {}),
  };
}
