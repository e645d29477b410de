// The TypeScript side of the wasm ⇄ TypeScript contract (shared DESIGN.md, "Contracts"; assembly/index.ts and
// assembly/layout.ts are the other side). One instance is one machine. Every offset and code is read from the
// instance's exported globals; nothing here repeats a number from layout.ts.

import { readFileSync } from "node:fs";

/** The names of the layout constants assembly/index.ts exports; each must exist in the module. */
export const LAYOUT_NAMES = [
  "STATE_BASE", "XREGS", "FREGS", "COUNTERS", "NCOUNTERS", "CONFIG", "NCONFIG", "RAM_BASE", "TLB_BASE",
  "TLB_STRIDE", "TLBE_SIZE", "TLB_MAX_ENTRIES",
  "C_INSTRET", "C_XCYCLES", "C_ITLB_ACCESS", "C_ITLB_MISS", "C_DTLB_ACCESS", "C_DTLB_MISS", "C_L2_ACCESS",
  "C_L2_MISS", "C_WALKS", "C_WALK_REFS", "C_WALK_FAULTS", "C_AD_UPDATES", "C_XLATE_CYCLES", "C_FLUSHES",
  "C_FLUSH_ENTRIES", "C_TRAPS", "C_FETCH_SLOW", "C_DATA_SLOW",
  "C_PSC_PDE_HIT", "C_PSC_PDPTE_HIT", "C_PSC_PML4E_HIT", "C_PSC_PML5E_HIT", "C_PSC_PDE_MISS", "C_PSC_PDPTE_MISS",
  "C_PSC_PML4E_MISS", "C_PSC_PML5E_MISS", "K_PSC_PDE", "K_PSC_PDPTE", "K_PSC_PML4E", "K_PSC_PML5E",
  "K_SETS", "K_WAYS", "K_POLICY", "K_COST_L1_HIT", "K_COST_L2_HIT", "K_COST_WALK_REF", "K_COST_WALK_BASE",
  "K_COST_TRAP", "K_COST_FLUSH", "K_SEED", "K_TIMEBASE_DIV", "K_AD_MODE",
  "POLICY_LRU", "POLICY_FIFO", "POLICY_RANDOM", "POLICY_PLRU", "POLICY_NRU", "POLICY_LFU", "POLICY_SRRIP",
  "POLICY_BRRIP", "POLICY_MRU", "K_POLICY_PARAM",
  "EXIT_BUDGET", "EXIT_ECALL", "EXIT_PAGE_FAULT", "EXIT_ILLEGAL", "EXIT_BREAKPOINT", "EXIT_ACCESS_FAULT",
  "EXIT_MISALIGNED", "EXIT_TRACE_FULL", "K_RECORD", "TRACE_BASE", "TRACE_CAPACITY",
  "PERM_R", "PERM_W", "PERM_X", "PERM_U", "PERM_G", "PERM_A", "PERM_D",
  "CAUSE_FETCH_ACCESS", "CAUSE_MISALIGNED_LOAD", "CAUSE_LOAD_ACCESS", "CAUSE_MISALIGNED_STORE", "CAUSE_STORE_ACCESS",
  "CAUSE_FETCH_PAGE_FAULT", "CAUSE_LOAD_PAGE_FAULT", "CAUSE_STORE_PAGE_FAULT",
  "C_MMU_MISS_TRAPS", "C_TSB_HITS", "C_TSB_MISSES", "C_TSB_FILLS", "C_PROT_TRAPS", "C_HANDLER_INSNS", "C_DEMAP_PAGES",
  "C_DEMAP_CONTEXTS", "K_SPARC_PROBE", "K_SPARC_LOAD_D", "K_SPARC_LOAD_I", "K_SPARC_MISS", "K_SPARC_FILL",
  "K_SPARC_TAIL_D", "K_SPARC_TAIL_I", "K_SPARC_PROT",
  "C_HTAB_PRIMARY", "C_HTAB_SECONDARY", "C_HTAB_MISS", "C_SLB_MISS", "C_TLBIE", "C_SLBIA", "C_CPT_NODES",
  "C_CPT_HOLES", "K_SLB_ENTRIES", "K_SLB_MISS_COST", "K_CPT_SUBBLOCK_LOG2", "XMODE_POWER_HASH", "XMODE_CLUSTERED",
  "SLB_MAX",
  "C_VAX_STB_HIT", "C_VAX_STB_MISS", "C_VAX_LENGTH_FAULTS", "C_VAX_PTE_FAULTS", "C_GPT_GUARD_BITS", "C_GPT_GUARD_FAULTS",
  "C_MIPS_REFILLS", "C_MIPS_NESTED", "C_MIPS_INVALID", "C_MIPS_MODIFIED", "C_MIPS_MOD_FAULTS", "C_MIPS_HANDLER_INSNS",
  "C_MIPS_HANDLER_REFS", "C_MIPS_TLB_WRITES", "K_MIPS_EXC_CYCLES", "K_MIPS_REFILL_INSNS", "K_MIPS_NESTED_INSNS",
  "K_MIPS_MOD_INSNS", "K_MIPS_INSN_CYCLES", "K_MIPS_WIRED", "XMODE_MIPS_R3000", "XMODE_MIPS_R4000",
  "POLICY_MIPS_RANDOM",
] as const;

export type LayoutName = (typeof LAYOUT_NAMES)[number];
export type Layout = Readonly<Record<LayoutName, number>>;

/** The functions assembly/index.ts exports, as raw wasm sees them (u64 ⇄ bigint, bool ⇄ i32). */
interface RawExports {
  memory: WebAssembly.Memory;
  init(ramBytes: number): number;
  configureTlb(t: number, sets: number, ways: number, policy: number): number;
  resetTlbs(): void;
  run(budget: bigint): number;
  getPc(): bigint;
  setPcValue(v: bigint): void;
  getInstret(): bigint;
  getFcsr(): number;
  setFcsr(v: number): void;
  trapCause(): number;
  trapValue(): bigint;
  illegalInsn(): number;
  clearReservation(): void;
  setSatp(v: bigint): void;
  sfenceVma(va: bigint, asid: number, byVa: number, byAsid: number): void;
  setCr4(v: bigint): void;
  writeCr3(v: bigint): void;
  invlpg(va: bigint): void;
  invpcid(type: number, pcid: number, va: bigint): number;
  trapVector(): number;
  pfErrorCode(): number;
  sparcSwitch(tsb: bigint, pgdPa: bigint, ctx: number): void;
  sparcDemap(va: bigint, ctx: number, page: number): void;
  sparcFlushAll(): void;
  setSdr1(v: bigint): number;
  switchContext(context: number): void;
  slbia(): void;
  tlbie(ea: bigint, context: number): void;
  slbWord(i: number, which: number): bigint;
  setClusteredTable(table: bigint, bucketsLog2: number, asid: number): number;
  vaxMtpr(ipr: number, v: number): number;
  vaxMfpr(ipr: number): number;
  vaxLdpctx(p0br: number, p0lr: number, p1br: number, p1lr: number): void;
  vaxSystemTb(sets: number, ways: number): number;
  gptSetRoot(root: bigint, bits: number, asid: number): number;
  gptInvalidate(va: bigint, asid: number, byVa: number, byAsid: number): void;
  mipsSetContext(mode: number, asid: number, root: bigint): number;
  mipsSetWired(n: number): number;
  mipsRandom(): number;
  mipsTlbProbe(va: bigint, asid: number): number;
  mipsTlbWriteIndexed(index: number, va: bigint, asid: number, lo0: bigint, lo1: bigint, level: number): number;
  mipsTlbWriteRandom(va: bigint, asid: number, lo0: bigint, lo1: bigint, level: number): number;
  mipsFlushPage(va: bigint, asid: number): number;
  mipsFlushAll(): void;
  mipsUpdateTlb(va: bigint, asid: number, lo0: bigint, lo1: bigint): number;
}

const FUNCTION_NAMES: readonly (keyof RawExports)[] = [
  "init", "configureTlb", "resetTlbs", "run", "getPc", "setPcValue", "getInstret", "getFcsr", "setFcsr",
  "trapCause", "trapValue", "illegalInsn", "clearReservation", "setSatp", "sfenceVma",
  "setCr4", "writeCr3", "invlpg", "invpcid", "trapVector", "pfErrorCode",
  "sparcSwitch", "sparcDemap", "sparcFlushAll",
  "setSdr1", "switchContext", "slbia", "tlbie", "slbWord", "setClusteredTable",
  "vaxMtpr", "vaxMfpr", "vaxLdpctx", "vaxSystemTb", "gptSetRoot", "gptInvalidate",
  "mipsSetContext", "mipsSetWired", "mipsRandom", "mipsTlbProbe", "mipsTlbWriteIndexed", "mipsTlbWriteRandom",
  "mipsFlushPage", "mipsFlushAll", "mipsUpdateTlb",
];

/** Where the compiled hot path lives, relative to this module (src/machine or dist/machine). */
export const WASM_URL = new URL("../../build/mmulab.wasm", import.meta.url);

let cachedModule: WebAssembly.Module | undefined;

/** Compiles build/mmulab.wasm once per process. Throws an Error with a one-line message if it is missing. */
export function wasmModule(): WebAssembly.Module {
  if (cachedModule) return cachedModule;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(WASM_URL));
  } catch {
    throw new Error(`cannot read ${WASM_URL.pathname} (run "npm run build:wasm")`);
  }
  cachedModule = new WebAssembly.Module(bytes);
  return cachedModule;
}

let cachedLayout: Layout | undefined;

/** The layout constants of build/mmulab.wasm (from a throwaway instance, once per process). */
export function wasmLayout(): Layout {
  cachedLayout ??= new WasmMachine().layout;
  return cachedLayout;
}

const U64_MASK = (1n << 64n) - 1n;

/**
 * One instantiated machine: raw exports, the layout, and typed views over its linear memory. Views are re-taken
 * whenever the memory has grown (its buffer changes identity).
 */
export class WasmMachine {
  readonly layout: Layout;
  readonly counterNames: readonly string[];   // index → C_* name without the prefix ("" where unnamed)
  /** Every export of the instance, for modules that bring their own functions (trace recording and replay). */
  readonly exports: Readonly<Record<string, unknown>>;
  private readonly raw: RawExports;
  private buf: ArrayBuffer;
  private u8v: Uint8Array;
  private dvv: DataView;
  private ramBytes = 0;

  constructor(module: WebAssembly.Module = wasmModule()) {
    const instance = new WebAssembly.Instance(module, {
      env: {
        abort(): never { throw new Error("wasm abort (internal error in the hot path)"); },
      },
    });
    const ex = instance.exports as Record<string, unknown>;
    this.exports = ex;
    const layout: Record<string, number> = {};
    for (const name of LAYOUT_NAMES) {
      const g = ex[name];
      if (!(g instanceof WebAssembly.Global)) throw new Error(`build/mmulab.wasm lacks export ${name}: rebuild it`);
      layout[name] = Number(g.value);
    }
    for (const name of FUNCTION_NAMES) {
      if (typeof ex[name] !== "function") throw new Error(`build/mmulab.wasm lacks function ${name}: rebuild it`);
    }
    this.layout = layout as Layout;
    this.raw = ex as unknown as RawExports;
    const names: string[] = new Array<string>(this.layout.NCOUNTERS).fill("");
    for (const name of LAYOUT_NAMES) if (name.startsWith("C_")) names[this.layout[name]] = name.slice(2);
    this.counterNames = names;
    this.buf = this.raw.memory.buffer;
    this.u8v = new Uint8Array(this.buf);
    this.dvv = new DataView(this.buf);
  }

  /** Sizes guest RAM and resets the machine. Throws with a clear message when the instance cannot hold it. */
  init(ramBytes: number): void {
    const rc = this.raw.init(ramBytes >>> 0);
    if (rc === -1) throw new Error(`cannot allocate ${ramBytes} bytes of guest memory in the wasm instance`);
    if (rc !== 0) throw new Error(`wasm init failed (${rc}): static data overlaps the state area`);
    this.ramBytes = ramBytes;
  }

  get ramSize(): number { return this.ramBytes; }

  private refresh(): void {
    if (this.buf !== this.raw.memory.buffer) {
      this.buf = this.raw.memory.buffer;
      this.u8v = new Uint8Array(this.buf);
      this.dvv = new DataView(this.buf);
    }
  }

  /** Whole linear memory as bytes (re-taken after growth). */
  get u8(): Uint8Array { this.refresh(); return this.u8v; }
  get dv(): DataView { this.refresh(); return this.dvv; }

  // ---- guest physical memory ----

  private physOffset(pa: number, len: number): number {
    if (!(pa >= 0 && len >= 0 && pa + len <= this.ramBytes)) {
      throw new RangeError(`physical range 0x${pa.toString(16)}+${len} outside guest RAM`);
    }
    return this.layout.RAM_BASE + pa;
  }

  /** A live view of guest physical bytes [pa, pa + len). Do not keep it across run(). */
  phys(pa: number, len: number): Uint8Array {
    const off = this.physOffset(pa, len);
    return this.u8.subarray(off, off + len);
  }

  readPhys64(pa: number): bigint { return this.dv.getBigUint64(this.physOffset(pa, 8), true); }
  writePhys64(pa: number, v: bigint): void { this.dv.setBigUint64(this.physOffset(pa, 8), v & U64_MASK, true); }
  fillPhys(pa: number, len: number, value = 0): void { this.phys(pa, len).fill(value); }

  // ---- registers ----

  getX(r: number): bigint { return r === 0 ? 0n : this.dv.getBigUint64(this.layout.XREGS + 8 * r, true); }
  setX(r: number, v: bigint): void { if (r !== 0) this.dv.setBigUint64(this.layout.XREGS + 8 * r, v & U64_MASK, true); }
  getF(r: number): bigint { return this.dv.getBigUint64(this.layout.FREGS + 8 * r, true); }
  setF(r: number, v: bigint): void { this.dv.setBigUint64(this.layout.FREGS + 8 * r, v & U64_MASK, true); }
  get pc(): bigint { return BigInt.asUintN(64, this.raw.getPc()); }
  set pc(v: bigint) { this.raw.setPcValue(BigInt.asIntN(64, v)); }
  get instret(): bigint { return BigInt.asUintN(64, this.raw.getInstret()); }
  /** fcsr: frm in bits 7:5, fflags in bits 4:0 (the other bits read as zero). */
  get fcsr(): number { return this.raw.getFcsr() >>> 0; }
  set fcsr(v: number) { this.raw.setFcsr(v >>> 0); }

  // ---- counters and configuration words ----

  counter(i: number): bigint { return this.dv.getBigUint64(this.layout.COUNTERS + 8 * i, true); }
  setCounter(i: number, v: bigint): void { this.dv.setBigUint64(this.layout.COUNTERS + 8 * i, v & U64_MASK, true); }
  addCounter(i: number, by: bigint): void { this.setCounter(i, this.counter(i) + by); }
  config(k: number): bigint { return this.dv.getBigUint64(this.layout.CONFIG + 8 * k, true); }
  setConfig(k: number, v: bigint): void { this.dv.setBigUint64(this.layout.CONFIG + 8 * k, v & U64_MASK, true); }

  /** Emulated cycles so far: one per retired instruction plus the extra cycles the model charged. */
  cycles(): bigint { return this.counter(this.layout.C_INSTRET) + this.counter(this.layout.C_XCYCLES); }

  // ---- control ----

  /** Configures TLB t (0 L1I, 1 L1D, 2 L2). Returns false if the geometry is impossible for the hot path. */
  configureTlb(t: number, sets: number, ways: number, policy: number): boolean {
    return this.raw.configureTlb(t, sets, ways, policy) === 0;
  }
  resetTlbs(): void { this.raw.resetTlbs(); }
  run(budget: bigint): number { return this.raw.run(budget); }
  trapCause(): number { return this.raw.trapCause() >>> 0; }
  trapValue(): bigint { return BigInt.asUintN(64, this.raw.trapValue()); }
  illegalInsn(): number { return this.raw.illegalInsn() >>> 0; }
  clearReservation(): void { this.raw.clearReservation(); }
  setSatp(v: bigint): void { this.raw.setSatp(BigInt.asIntN(64, v)); }
  /** sfence.vma with the privileged spec's rs1/rs2 semantics (byVa: rs1 ≠ x0, byAsid: rs2 ≠ x0). */
  sfenceVma(va: number, asid: number, byVa: boolean, byAsid: boolean): void {
    this.raw.sfenceVma(BigInt(va), asid, byVa ? 1 : 0, byAsid ? 1 : 0);
  }

  // ---- x86-64 translation hardware (assembly/mmu/x86.ts) ----

  /** MOV to CR4 (LA57 bit 12, PCIDE bit 17). */
  setCr4(v: bigint): void { this.raw.setCr4(BigInt.asIntN(64, v)); }
  /** MOV to CR3: table base, PCID in bits 11:0, bit 63 = do not flush. */
  writeCr3(v: bigint): void { this.raw.writeCr3(BigInt.asIntN(64, v)); }
  invlpg(va: number): void { this.raw.invlpg(BigInt(va)); }
  /** INVPCID; false where the instruction raises #GP. */
  invpcid(type: number, pcid: number, va: number): boolean { return this.raw.invpcid(type, pcid, BigInt(va)) === 0; }
  /** The last translation fault as the modelled machine raised it: vector (x86-64: 14 #PF, 13 #GP; 0 on RISC-V). */
  trapVector(): number { return this.raw.trapVector() >>> 0; }
  /** The x86-64 #PF error code of the last translation fault (on the VAX: the fault parameter). */
  pfErrorCode(): number { return this.raw.pfErrorCode() >>> 0; }

  // ---- SPARC sun4u translation hardware (assembly/mmu/sparc.ts) ----

  /** Context switch: TSB register of both MMUs, the trap block's pgd_paddr, the primary context (13 bits). */
  sparcSwitch(tsbReg: bigint, pgdPa: number, ctx: number): void { this.raw.sparcSwitch(BigInt.asIntN(64, tsbReg), BigInt(pgdPa), ctx); }
  /** Demap page (va's page in ctx, and global entries for it) or demap context (ctx's non-global entries). */
  sparcDemap(va: number, ctx: number, page: boolean): void { this.raw.sparcDemap(BigInt(va), ctx, page ? 1 : 0); }
  /** Every TLB entry (a context wrap). */
  sparcFlushAll(): void { this.raw.sparcFlushAll(); }

  // ---- POWER hash MMU (assembly/mmu/power.ts) ----

  /** Writes SDR1 (HTABORG | HTABSIZE); false where the value is rejected (size > 28, origin not aligned). */
  setSdr1(v: bigint): boolean { return this.raw.setSdr1(BigInt.asIntN(64, v)) === 0; }
  /** The kernel's switch_slb: the context id becomes current, then slbia. */
  switchContext(context: number): void { this.raw.switchContext(context); }
  slbia(): void { this.raw.slbia(); }
  /** tlbie for the 4 KiB page of ea in address space `context`. */
  tlbie(ea: number, context: number): void { this.raw.tlbie(BigInt(ea), context); }
  /** SLB entry i: which 0 = ESID word, 1 = VSID word. */
  slbWord(i: number, which: number): bigint { return BigInt.asUintN(64, this.raw.slbWord(i, which)); }

  // ---- clustered page table (assembly/mmu/clustered.ts) ----

  /** Makes the clustered table at pa (2^bucketsLog2 buckets) current with tag asid; false if rejected. */
  setClusteredTable(pa: number, bucketsLog2: number, asid: number): boolean {
    return this.raw.setClusteredTable(BigInt(pa), bucketsLog2, asid) === 0;
  }

  // ---- VAX translation hardware (assembly/mmu/vax.ts) ----

  /** MTPR v, #ipr; false for a register the model lacks. */
  vaxMtpr(ipr: number, v: number): boolean { return this.raw.vaxMtpr(ipr, v | 0) === 0; }
  vaxMfpr(ipr: number): number { return this.raw.vaxMfpr(ipr) >>> 0; }
  /** LDPCTX: the process's P0BR/P0LR/P1BR/P1LR, and the process half of the TB dropped. */
  vaxLdpctx(p0br: number, p0lr: number, p1br: number, p1lr: number): void {
    this.raw.vaxLdpctx(p0br | 0, p0lr | 0, p1br | 0, p1lr | 0);
  }
  /** Geometry of the TB's system half; false if impossible. */
  vaxSystemTb(sets: number, ways: number): boolean { return this.raw.vaxSystemTb(sets, ways) === 0; }

  // ---- guarded page tables (assembly/mmu/guarded.ts) ----

  /** The root register: root node, its index bits, ASID; false if impossible. */
  gptSetRoot(root: number, bits: number, asid: number): boolean { return this.raw.gptSetRoot(BigInt(root), bits, asid) === 0; }
  /** The invalidation instruction (sfence.vma semantics). */
  gptInvalidate(va: number, asid: number, byVa: boolean, byAsid: boolean): void {
    this.raw.gptInvalidate(BigInt(va), asid, byVa ? 1 : 0, byAsid ? 1 : 0);
  }

  // ---- MIPS TLB control (assembly/mmu/mips.ts) ----

  /** Selects the MIPS mode with the current ASID (EntryHi) and root table; false for a bad mode or ASID. */
  mipsSetContext(mode: number, asid: number, root: number): boolean {
    return this.raw.mipsSetContext(mode, asid, BigInt(root)) === 0;
  }
  /** MTC0 Wired; false when n is not below the TLB size. */
  mipsSetWired(n: number): boolean { return this.raw.mipsSetWired(n) === 0; }
  mipsRandom(): number { return this.raw.mipsRandom(); }
  /** TLBP: index of the entry matching (va, asid), or −1. */
  mipsTlbProbe(va: number | bigint, asid: number): number { return this.raw.mipsTlbProbe(BigInt.asIntN(64, BigInt(va)), asid); }
  /** TLBWI with EntryHi (va, asid), EntryLo0/1 and a PageMask level (0 = 4K pages). */
  mipsTlbWriteIndexed(index: number, va: number | bigint, asid: number, lo0: bigint, lo1: bigint, level = 0): boolean {
    return this.raw.mipsTlbWriteIndexed(index, BigInt.asIntN(64, BigInt(va)), asid, BigInt.asIntN(64, lo0), BigInt.asIntN(64, lo1), level) === 0;
  }
  /** TLBWR; returns the index written. */
  mipsTlbWriteRandom(va: number | bigint, asid: number, lo0: bigint, lo1: bigint, level = 0): number {
    return this.raw.mipsTlbWriteRandom(BigInt.asIntN(64, BigInt(va)), asid, BigInt.asIntN(64, lo0), BigInt.asIntN(64, lo1), level);
  }
  /** local_flush_tlb_page: TLBP + TLBWI of an invalid entry; true if an entry was removed. */
  mipsFlushPage(va: number | bigint, asid: number): boolean { return this.raw.mipsFlushPage(BigInt.asIntN(64, BigInt(va)), asid) !== 0; }
  /** local_flush_tlb_all: every entry from Wired up. */
  mipsFlushAll(): void { this.raw.mipsFlushAll(); }
  /** __update_tlb: TLBP, then TLBWI over the match or TLBWR; returns the index written. */
  mipsUpdateTlb(va: number | bigint, asid: number, lo0: bigint, lo1: bigint): number {
    return this.raw.mipsUpdateTlb(BigInt.asIntN(64, BigInt(va)), asid, BigInt.asIntN(64, lo0), BigInt.asIntN(64, lo1));
  }
}
