// The TypeScript side of the wasm ⇄ TypeScript contract (shared DESIGN.md, "Contracts"; assembly/index.ts and
// assembly/layout.ts are the other side). One instance is one machine. Every offset and code is read from the
// instance's exported globals; nothing here repeats a number from layout.ts.

import { readFileSync } from "node:fs";

/**
 * The 32-bit layout constants the TypeScript side uses by name (its type for them; each must exist in the module,
 * which is checked at load). The layout itself holds every constant the module exports (every upper-case global),
 * so a name the module gains is there without an edit here; listing it adds only its type.
 */
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
  "C_VAX_STB_HIT", "C_VAX_STB_MISS", "C_VAX_LENGTH_FAULTS", "C_VAX_PTE_FAULTS", "C_GPT_GUARD_BITS",
  "C_GPT_GUARD_FAULTS",
  "C_MIPS_REFILLS", "C_MIPS_NESTED", "C_MIPS_INVALID", "C_MIPS_MODIFIED", "C_MIPS_MOD_FAULTS", "C_MIPS_HANDLER_INSNS",
  "C_MIPS_HANDLER_REFS", "C_MIPS_TLB_WRITES", "K_MIPS_EXC_CYCLES", "K_MIPS_REFILL_INSNS", "K_MIPS_NESTED_INSNS",
  "K_MIPS_MOD_INSNS", "K_MIPS_INSN_CYCLES", "K_MIPS_WIRED", "XMODE_MIPS_R3000", "XMODE_MIPS_R4000",
  "POLICY_MIPS_RANDOM",
  "NPOLICIES", "XMODE_BARE", "XMODE_SV39", "XMODE_SV48", "XMODE_X86_4L", "XMODE_X86_5L", "XMODE_SPARC_TSB",
  "XMODE_VAX", "XMODE_GUARDED", "PSC_MAX_ENTRIES", "SLB_BASE", "K_VAX_STB_SETS", "K_VAX_STB_WAYS", "VAX_STB_MAX",
  "MR_DONE", "MR_FAULT", "MR_CONTROL",
  // Page-table and register formats (assembly/arch/<machine>/format.ts) that fit in 32 bits.
  "SV_PTE_PPN_SHIFT", "SV_PTE_SIZE", "SV_PTES_PER_TABLE", "SV_SATP_MODE_SHIFT", "SV_SATP_ASID_SHIFT", "SV39_LEVELS",
  "SV48_LEVELS",
  "X86_PF_P", "X86_PF_W", "X86_PF_U", "X86_PF_RSVD", "X86_PF_I", "X86_VEC_GP", "X86_VEC_PF", "X86_LEVELS",
  "X86_LA57_LEVELS",
  "TTE_PA_SHIFT", "TSB_MIN_BYTES", "TSB_MAX_BYTES", "TSB_ENTRY_BYTES", "TSB_TAG_SHIFT", "SPARC_PT_LEVELS",
  "SPARC_CTX_BITS",
  "HPTE_V_AVPN_SHIFT", "HPTE_PP_RW", "HPTE_PP_RO", "HPTE_AVPN_VA_SHIFT", "HTAB_MIN_SHIFT", "HPTE_SIZE",
  "HPTES_PER_GROUP", "PTEG_SIZE", "DSISR_NOHPTE", "DSISR_PROTFAULT",
  "DSISR_ISSTORE", "POWER_VEC_DSI", "POWER_VEC_DSEG", "POWER_VEC_ISI", "POWER_VEC_ISEG", "SLB_VSID_SHIFT",
  "SLB_NUM_BOLTED", "POWER_SID_SHIFT", "POWER_VSID_BITS_256M", "POWER_ESID_BITS",
  "HASHED_NODE_HEADER", "HASHED_TAG_VPBN_SHIFT", "HASHED_MAX_SUBBLOCK_LOG2", "HASHED_MAX_BUCKETS_LOG2",
  "VAX_PTE_V", "VAX_PTE_PROT_SHIFT", "VAX_PTE_PROT_MASK", "VAX_PTE_M", "VAX_PFN_MASK", "VAX_PAGE_SHIFT",
  "VAX_PROT_NA", "VAX_PROT_KW",
  "VAX_PROT_UW", "VAX_PROT_UR", "VAX_P1_BASE", "VAX_S0_BASE", "VAX_MODE_KERNEL", "VAX_MODE_USER", "VAX_SCB_ACV",
  "VAX_SCB_TNV", "VAX_MM_LENGTH", "VAX_MM_PTEREF", "VAX_MM_WRITE", "VAX_PR_P0BR", "VAX_PR_P0LR", "VAX_PR_P1BR",
  "VAX_PR_P1LR", "VAX_PR_SBR", "VAX_PR_SLR", "VAX_PR_MAPEN", "VAX_PR_TBIA", "VAX_PR_TBIS", "VAX_LR_MASK",
  "GPT_GUARD_LEN_SHIFT", "GPT_GUARD_LEN_MASK", "GPT_CHILD_BITS_SHIFT", "GPT_CHILD_BITS_MASK", "GPT_GUARD_SHIFT",
  "GPT_VPN_BITS", "GPT_ENTRY_SIZE",
  "GPT_MAX_NODE_BITS",
  "MIPS_R4000_ENTRYLO_PFN_SHIFT", "MIPS_R3000_ASIDS", "MIPS_R4000_ASIDS", "MIPS_R3000_PTE_BYTES",
  "MIPS_R4000_PTE_BYTES",
  // Walk tracing (assembly/mmu/walk_trace.ts): the buffer, record kinds, value formats and entry roles.
  "WALK_TRACE_BASE", "WALK_TRACE_CAPACITY", "WT_RECORD_SIZE",
  "WT_BEGIN", "WT_END", "WT_PAIR", "WT_ENTRY", "WT_WRITE", "WT_PSC", "WT_SLB", "WT_PTEG", "WT_TSB", "WT_REFILL",
  "WT_NESTED", "WT_MODIFIED", "WT_STB", "WT_HANDLER", "WT_NODE",
  "WF_NONE", "WF_SV", "WF_X86", "WF_TTE", "WF_HPTE", "WF_MIPS1", "WF_MIPS3", "WF_VAX", "WF_GPT", "WF_CPT",
  "WL_TSB", "WL_LINEAR", "WL_ROOT", "WL_KPT", "WL_SYSTEM", "WL_HEAD", "WL_WORD", "WL_HPTE",
  "TLBE_STAMP", "TLBE_AUX", "TLBE_AUXT", "PAIR_ODD",
] as const;

/**
 * The 64-bit layout constants the TypeScript side uses (layout64): page-table and register formats whose bits lie above bit
 * 31 or which are written as 64-bit words (assembly/arch/<machine>/format.ts), as the exported i64 globals give
 * them (bigint).
 */
export const LAYOUT_NAMES_64 = [
  "SV_PTE_V", "SV_PTE_R", "SV_PTE_W", "SV_PTE_X", "SV_PTE_U", "SV_PTE_G", "SV_PTE_A", "SV_PTE_D", "SV_PTE_PPN_MASK",
  "SV_PTE_RESERVED",
  "X86_PTE_P", "X86_PTE_RW", "X86_PTE_US", "X86_PTE_PWT", "X86_PTE_PCD", "X86_PTE_A", "X86_PTE_D", "X86_PTE_PS",
  "X86_PTE_G", "X86_PTE_XD", "X86_PTE_ADDR_MASK", "X86_CR4_LA57", "X86_CR4_PCIDE", "X86_CR3_NOFLUSH", "X86_CR3_BASE",
  "X86_CR3_PCID",
  "TTE_V", "TTE_SIZE", "TTE_PMD_HUGE", "TTE_PA", "TTE_EXEC", "TTE_MODIFIED", "TTE_ACCESSED", "TTE_READ",
  "TTE_WRITE", "TTE_PRESENT", "TTE_L", "TTE_CP", "TTE_CV", "TTE_E", "TTE_P", "TTE_W", "TTE_G", "TSB_SPLIT",
  "TSB_TAG_LOCK", "TSB_TAG_INVALID", "SPARC_VA_USER_END",
  "HPTE_V_VALID", "HPTE_V_SECONDARY", "HPTE_V_LARGE", "HPTE_V_BOLTED", "HPTE_V_COMPARE", "HPTE_R_RPN", "HPTE_R_R",
  "HPTE_R_C", "HPTE_R_M", "HPTE_R_N", "HPTE_R_PP", "HTAB_HASH_MASK_39", "SLB_ESID_V", "SLB_VSID_KP", "SLB_VSID_N",
  "POWER_VSID_MULTIPLIER_256M", "POWER_USER_EA_LIMIT",
  "HASHED_MAP_V", "HASHED_MAP_R", "HASHED_MAP_W", "HASHED_MAP_X", "HASHED_MAP_REF", "HASHED_MAP_MOD",
  "HASHED_MAP_FRAME", "HASHED_TAG_VALID",
  "GPT_V", "GPT_LEAF", "GPT_R", "GPT_W", "GPT_X", "GPT_A", "GPT_D", "GPT_SW_WIRED",
  "MIPS_R3000_ENTRYLO_G", "MIPS_R3000_ENTRYLO_V", "MIPS_R3000_ENTRYLO_D", "MIPS_R3000_ENTRYLO_N",
  "MIPS_R3000_ENTRYLO_RO", "MIPS_R3000_ENTRYLO_WIRED", "MIPS_R3000_ENTRYLO_PFN", "MIPS_R4000_ENTRYLO_G",
  "MIPS_R4000_ENTRYLO_V", "MIPS_R4000_ENTRYLO_D", "MIPS_R4000_ENTRYLO_CACHED", "MIPS_R4000_ENTRYLO_RO",
  "MIPS_R4000_ENTRYLO_WIRED", "MIPS_R4000_ENTRYLO_PFN_MASK", "MIPS_R3000_USER_TOP", "MIPS_R3000_PTEBASE",
  "MIPS_R4000_USER_TOP", "MIPS_R4000_PTEBASE", "MIPS_KSEG0",
] as const;

export type LayoutName = (typeof LAYOUT_NAMES)[number];
export type LayoutName64 = (typeof LAYOUT_NAMES_64)[number];
export type Layout = Readonly<Record<LayoutName, number>>;
export type Layout64 = Readonly<Record<LayoutName64, bigint>>;

/** Layout constants are the module's upper-case globals (its other globals are mutable state, e.g. recFill). */
const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/;

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
  hashedSetTable(table: bigint, bucketsLog2: number, asid: number): number;
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
  setWalkTrace(on: number): void;
  setWtFill(n: number): void;
  tlbPageGeometry(): number;
  wtFill: WebAssembly.Global;
  wtLost: WebAssembly.Global;
}

const FUNCTION_NAMES: readonly (keyof RawExports)[] = [
  "init", "configureTlb", "resetTlbs", "run", "getPc", "setPcValue", "getInstret", "getFcsr", "setFcsr",
  "trapCause", "trapValue", "illegalInsn", "clearReservation", "setSatp", "sfenceVma",
  "setCr4", "writeCr3", "invlpg", "invpcid", "trapVector", "pfErrorCode",
  "sparcSwitch", "sparcDemap", "sparcFlushAll",
  "setSdr1", "switchContext", "slbia", "tlbie", "slbWord", "hashedSetTable",
  "vaxMtpr", "vaxMfpr", "vaxLdpctx", "vaxSystemTb", "gptSetRoot", "gptInvalidate",
  "mipsSetContext", "mipsSetWired", "mipsRandom", "mipsTlbProbe", "mipsTlbWriteIndexed", "mipsTlbWriteRandom",
  "mipsFlushPage", "mipsFlushAll", "mipsUpdateTlb", "setWalkTrace", "setWtFill", "tlbPageGeometry",
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

/**
 * The layout constants an instance exports, unsigned: every 32-bit one as a number (layout) and every 64-bit one
 * as a bigint (layout64), after checking that each name the TypeScript side uses is there with its width. Throws a one-line
 * Error naming the first one missing.
 */
function layoutsOf(ex: Readonly<Record<string, unknown>>): { layout: Layout; layout64: Layout64 } {
  const layout: Record<string, number> = {};
  const layout64: Record<string, bigint> = {};
  for (const [name, g] of Object.entries(ex)) {
    if (!CONSTANT_NAME.test(name) || !(g instanceof WebAssembly.Global)) continue;
    const v: unknown = g.value;
    // wasm globals are signed; every constant here is a count, an offset or a bit pattern: read them unsigned.
    if (typeof v === "bigint") layout64[name] = BigInt.asUintN(64, v);
    else layout[name] = Number(v) >>> 0;
  }
  for (const name of LAYOUT_NAMES) {
    if (layout[name] === undefined) throw new Error(`build/mmulab.wasm lacks export ${name}: rebuild it`);
  }
  for (const name of LAYOUT_NAMES_64) {
    if (layout64[name] === undefined) throw new Error(`build/mmulab.wasm lacks 64-bit export ${name}: rebuild it`);
  }
  return { layout: layout as Layout, layout64: layout64 as Layout64 };
}

const IMPORTS = { env: { abort(): never { throw new Error("wasm abort (internal error in the hot path)"); } } };

let cachedLayouts: { layout: Layout; layout64: Layout64 } | undefined;

function wasmLayouts(): { layout: Layout; layout64: Layout64 } {
  cachedLayouts ??= layoutsOf(new WebAssembly.Instance(wasmModule(), IMPORTS).exports as Record<string, unknown>);
  return cachedLayouts;
}

/**
 * The 32-bit layout constants of build/mmulab.wasm (from a throwaway instance, once per process). Usable at module
 * level: it needs no machine.
 */
export function wasmLayout(): Layout { return wasmLayouts().layout; }

/** The 64-bit layout constants (page-table formats) of build/mmulab.wasm, as wasmLayout; usable at module level. */
export function wasmLayout64(): Layout64 { return wasmLayouts().layout64; }

let cachedPolicyNames: readonly string[] | undefined;

/**
 * The replacement policies' names, from the module's POLICY_<NAME> exports (assembly/index.ts: the name lower-cased
 * with "_" as "-"), in the order the module exports them, which is the order they are listed in. Needs no instance.
 */
export function policyNames(): readonly string[] {
  cachedPolicyNames ??= WebAssembly.Module.exports(wasmModule())
    .filter((e) => e.kind === "global" && e.name.startsWith("POLICY_"))
    .map((e) => e.name.slice("POLICY_".length).toLowerCase().replace(/_/g, "-"));
  return cachedPolicyNames;
}

/** The wasm layout constant that is a policy's code (POLICY_<NAME>). */
export function policyConstant(name: string): string {
  return `POLICY_${name.toUpperCase().replace(/-/g, "_")}`;
}

const U64_MASK = (1n << 64n) - 1n;

/**
 * One instantiated machine: raw exports, the layout, and typed views over its linear memory. Views are re-taken
 * whenever the memory has grown (its buffer changes identity).
 */
export class WasmMachine {
  readonly layout: Layout;
  readonly layout64: Layout64;
  readonly counterNames: readonly string[];   // index → C_* name without the prefix ("" where unnamed)
  /** Every export of the instance, for modules that bring their own functions (trace recording and replay). */
  readonly exports: Readonly<Record<string, unknown>>;
  private readonly raw: RawExports;
  private buf: ArrayBuffer;
  private u8v: Uint8Array;
  private dvv: DataView;
  private ramBytes = 0;

  constructor(module: WebAssembly.Module = wasmModule()) {
    const instance = new WebAssembly.Instance(module, IMPORTS);
    const ex = instance.exports as Record<string, unknown>;
    this.exports = ex;
    ({ layout: this.layout, layout64: this.layout64 } = layoutsOf(ex));
    for (const name of FUNCTION_NAMES) {
      if (typeof ex[name] !== "function") throw new Error(`build/mmulab.wasm lacks function ${name}: rebuild it`);
    }
    this.raw = ex as unknown as RawExports;
    // Every exported counter index (C_*) gets its name, whether or not the TypeScript side names it.
    const names: string[] = new Array<string>(this.layout.NCOUNTERS).fill("");
    for (const [name, v] of Object.entries(this.layout)) if (name.startsWith("C_")) names[v] = name.slice(2);
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

  // ---- x86-64 translation hardware (assembly/arch/x86-64/control.ts) ----

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

  // ---- SPARC sun4u translation hardware (assembly/arch/sparc/control.ts) ----

  /** Context switch: TSB register of both MMUs, the trap block's pgd_paddr, the primary context (13 bits). */
  sparcSwitch(tsbReg: bigint, pgdPa: number, ctx: number): void { this.raw.sparcSwitch(BigInt.asIntN(64, tsbReg), BigInt(pgdPa), ctx); }
  /** Demap page (va's page in ctx, and global entries for it) or demap context (ctx's non-global entries). */
  sparcDemap(va: number, ctx: number, page: boolean): void { this.raw.sparcDemap(BigInt(va), ctx, page ? 1 : 0); }
  /** Every TLB entry (a context wrap). */
  sparcFlushAll(): void { this.raw.sparcFlushAll(); }

  // ---- POWER hash MMU (assembly/arch/power/control.ts) ----

  /** Writes SDR1 (HTABORG | HTABSIZE); false where the value is rejected (size > 28, origin not aligned). */
  setSdr1(v: bigint): boolean { return this.raw.setSdr1(BigInt.asIntN(64, v)) === 0; }
  /** The kernel's switch_slb: the context id becomes current, then slbia. */
  switchContext(context: number): void { this.raw.switchContext(context); }
  slbia(): void { this.raw.slbia(); }
  /** tlbie for the 4 KiB page of ea in address space `context`. */
  tlbie(ea: number, context: number): void { this.raw.tlbie(BigInt(ea), context); }
  /** SLB entry i: which 0 = ESID word, 1 = VSID word. */
  slbWord(i: number, which: number): bigint { return BigInt.asUintN(64, this.raw.slbWord(i, which)); }

  // ---- hashed: the clustered hashed page table (assembly/arch/hashed/control.ts) ----

  /** Makes the clustered table at pa (2^bucketsLog2 buckets) current with tag asid; false if rejected. */
  hashedSetTable(pa: number, bucketsLog2: number, asid: number): boolean {
    return this.raw.hashedSetTable(BigInt(pa), bucketsLog2, asid) === 0;
  }

  // ---- VAX translation hardware (assembly/arch/vax/control.ts) ----

  /** MTPR v, #ipr; false for a register the model lacks. */
  vaxMtpr(ipr: number, v: number): boolean { return this.raw.vaxMtpr(ipr, v | 0) === 0; }
  vaxMfpr(ipr: number): number { return this.raw.vaxMfpr(ipr) >>> 0; }
  /** LDPCTX: the process's P0BR/P0LR/P1BR/P1LR, and the process half of the TB dropped. */
  vaxLdpctx(p0br: number, p0lr: number, p1br: number, p1lr: number): void {
    this.raw.vaxLdpctx(p0br | 0, p0lr | 0, p1br | 0, p1lr | 0);
  }
  /** Geometry of the TB's system half; false if impossible. */
  vaxSystemTb(sets: number, ways: number): boolean { return this.raw.vaxSystemTb(sets, ways) === 0; }

  // ---- guarded page tables (assembly/arch/guarded/control.ts) ----

  /** The root register: root node, its index bits, ASID; false if impossible. */
  gptSetRoot(root: number, bits: number, asid: number): boolean { return this.raw.gptSetRoot(BigInt(root), bits, asid) === 0; }
  /** The invalidation instruction (sfence.vma semantics). */
  gptInvalidate(va: number, asid: number, byVa: boolean, byAsid: boolean): void {
    this.raw.gptInvalidate(BigInt(va), asid, byVa ? 1 : 0, byAsid ? 1 : 0);
  }

  // ---- MIPS TLB control (assembly/arch/mips/control.ts) ----

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

  // ---- views (boot/walk_trace.ts, boot/tlb_dump.ts) ----

  /** Switches walk tracing on or off (assembly/mmu/walk_trace.ts). */
  setWalkTrace(on: boolean): void { this.raw.setWalkTrace(on ? 1 : 0); }
  /** Walk-trace records in the buffer, and records dropped since the last drain. */
  walkTraceFill(): { fill: number; lost: number } {
    return { fill: Number(this.raw.wtFill.value) >>> 0, lost: Number(this.raw.wtLost.value) >>> 0 };
  }
  /** Empties the walk-trace buffer (after the host has read it). */
  walkTraceClear(): void { this.raw.setWtFill(0); }
  /** The TLB entries' page geometry: the smallest page's shift, the shift step per level, pair entries. */
  tlbPageGeometry(): { baseShift: number; stepShift: number; pairs: boolean } {
    const g = this.raw.tlbPageGeometry() >>> 0;
    return { baseShift: g & 0xFF, stepShift: (g >> 8) & 0xFF, pairs: (g & 0x10000) !== 0 };
  }
}
