// Trace-driven replay through one modelled TLB in wasm (assembly/trace/replay.ts). The host turns each batch of
// records into page numbers of the study's page size, writes them into the instance's trace buffer and calls
// replayPages; the wasm side counts accesses and misses. A plain binary trace file skips the host work: its raw
// records are read straight into the trace buffer and decoded by replayRecords (feedRaw). The instance is
// configured as a single TLB: TLB 1 (the L1 D-TLB) with the study's geometry, the others disabled.

import { ConfigError, POLICIES } from "../machine/config.js";
import { wasmModule } from "../machine/wasm.js";
import { KIND_CONTROL, type TraceBatch } from "./batch.js";

export interface TlbGeometry {
  entries: number;
  ways: number;
  policy: string;            // one of POLICIES
  seed?: bigint;             // random replacement's seed
}

interface ReplayExports {
  memory: WebAssembly.Memory;
  init(ramBytes: number): number;
  configureTlb(t: number, sets: number, ways: number, policy: number): number;
  resetTlbs(): void;
  replayPages(n: number): number;
  replayRecords(n: number, shift: number, dropIfetch: number): number;
  replayedRefs: WebAssembly.Global;
  droppedIfetch: WebAssembly.Global;
  [name: string]: unknown;
}

function isPowerOfTwo(n: number): boolean { return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n; }

/** log2 of a page size: a power of two from 4 bytes to 1 TiB. Throws ConfigError. */
export function pageShiftOf(size: number): number {
  if (!isPowerOfTwo(size) || size < 4 || size > 2 ** 40) {
    throw new ConfigError(`page size ${size} is not a power of two between 4 and 2^40 bytes`);
  }
  return Math.round(Math.log2(size));
}

/** Checks a single-TLB geometry; returns its set count. Throws ConfigError with a one-line reason. */
export function checkGeometry(g: TlbGeometry, maxEntries: number): number {
  if (!Number.isSafeInteger(g.entries) || g.entries < 1) throw new ConfigError(`--entries must be a positive integer, got ${g.entries}`);
  if (!Number.isSafeInteger(g.ways) || g.ways < 1) throw new ConfigError(`--ways must be a positive integer, got ${g.ways}`);
  if (g.entries % g.ways !== 0) throw new ConfigError(`${g.entries} entries are not divisible by ${g.ways} ways`);
  const sets = g.entries / g.ways;
  if (!isPowerOfTwo(sets)) throw new ConfigError(`${sets} sets (${g.entries} entries / ${g.ways} ways) is not a power of two`);
  if (g.entries > maxEntries) throw new ConfigError(`${g.entries} entries exceed the model's maximum of ${maxEntries}`);
  if (!(POLICIES as readonly string[]).includes(g.policy)) {
    throw new ConfigError(`unknown policy '${g.policy}' (choose ${POLICIES.join(", ")})`);
  }
  return sets;
}

/** Receives each replayed page number as two 32-bit halves (for Belady's MIN, which needs the whole trace). */
export type PageSink = (lo: number, hi: number) => void;

export class TlbReplayer {
  readonly sets: number;
  private readonly ex: ReplayExports;
  private readonly base: number;
  private readonly capacity: number;
  private view: Uint32Array;
  private missCount = 0;
  private accessCount = 0;

  constructor(readonly geometry: TlbGeometry, readonly pageShift: number) {
    const instance = new WebAssembly.Instance(wasmModule(), {
      env: { abort(): never { throw new Error("wasm abort (internal error in the hot path)"); } },
    });
    this.ex = instance.exports as unknown as ReplayExports;
    const num = (name: string): number => {
      const v = this.ex[name];
      if (!(v instanceof WebAssembly.Global)) throw new Error(`build/mmulab.wasm lacks export ${name}: rebuild it`);
      return Number(v.value);
    };
    if (typeof this.ex.replayPages !== "function") throw new Error("build/mmulab.wasm lacks replayPages: rebuild it");
    this.sets = checkGeometry(geometry, num("TLB_MAX_ENTRIES"));
    this.base = num("TRACE_BASE");
    this.capacity = num("TRACE_CAPACITY");
    if (this.ex.init(4096) !== 0) throw new Error("wasm init failed");
    const policy = num(`POLICY_${geometry.policy.toUpperCase().replace(/-/g, "_")}`);
    this.ex.configureTlb(0, 0, 0, 0);
    this.ex.configureTlb(2, 0, 0, 0);
    if (this.ex.configureTlb(1, this.sets, geometry.ways, policy) !== 0) throw new ConfigError("TLB geometry rejected by the model");
    new DataView(this.ex.memory.buffer).setBigUint64(num("CONFIG") + 8 * num("K_SEED"), geometry.seed ?? 0n, true);
    this.ex.resetTlbs();
    this.view = new Uint32Array(this.ex.memory.buffer, this.base, 2 * this.capacity);
  }

  /** The wasm trace buffer as bytes, for a reader that fills it with raw records (see feedRaw). */
  rawBuffer(): Uint8Array {
    if (this.view.buffer !== this.ex.memory.buffer) this.view = new Uint32Array(this.ex.memory.buffer, this.base, 2 * this.capacity);
    return new Uint8Array(this.view.buffer, this.base, 8 * this.capacity);
  }

  /**
   * Replays the first n raw binary-trace records in rawBuffer() (decoded in wasm: control records skipped,
   * instruction fetches too when dropIfetch). Returns the records kept (references and control records), as a
   * batch would hold after dropIfetch.
   */
  feedRaw(n: number, dropIfetch: boolean): number {
    if (n === 0) return 0;
    if (typeof this.ex.replayRecords !== "function") throw new Error("build/mmulab.wasm lacks replayRecords: rebuild it");
    this.missCount += this.ex.replayRecords(n, this.pageShift, dropIfetch ? 1 : 0);
    this.accessCount += Number(this.ex.replayedRefs.value);
    return n - Number(this.ex.droppedIfetch.value);
  }

  get accesses(): number { return this.accessCount; }
  get misses(): number { return this.missCount; }

  /** Replays one batch: every reference except control records, as a page of 2^pageShift bytes. */
  feed(batch: TraceBatch, sink?: PageSink): void {
    if (this.view.buffer !== this.ex.memory.buffer) this.view = new Uint32Array(this.ex.memory.buffer, this.base, 2 * this.capacity);
    const v = this.view, w = batch.words, s = this.pageShift, cap = this.capacity;
    let n = 0;
    for (let i = 0; i < batch.count; i++) {
      const lo = w[2 * i]!, hi = w[2 * i + 1]!;
      if ((lo & 3) === KIND_CONTROL) continue;
      let plo: number, phi: number;
      if (s < 32) { plo = ((lo >>> s) | (hi << (32 - s))) >>> 0; phi = hi >>> s; } else { plo = hi >>> (s - 32); phi = 0; }
      v[2 * n] = plo; v[2 * n + 1] = phi;
      if (sink) sink(plo, phi);
      if (++n === cap) { this.missCount += this.ex.replayPages(n); this.accessCount += n; n = 0; }
    }
    if (n > 0) { this.missCount += this.ex.replayPages(n); this.accessCount += n; }
  }
}
