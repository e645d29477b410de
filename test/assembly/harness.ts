// Shared helpers for the hot-path tests: build the wasm core once per source state, drive one instance directly
// (registers and guest RAM through linear memory, run(budget), exit codes and counters), assemble RISC-V snippets
// with the system toolchain, and build Sv39/Sv48 page tables in guest RAM.
//
// Nothing here hard-codes a layout offset: every address, counter index and exit code is read from the module's
// exported globals (the contract in assembly/index.ts).

import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CACHE = path.join(os.tmpdir(), "mmulab-test-cache");

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// ---------------------------------------------------------------------------------------------------------------
// Building the wasm core

/**
 * True when the FPU arithmetic (assembly/cpu/fpu.ts) exists; until then the build uses a stub that returns 0
 * (MMULAB_FPU_STUB=1 forces the stub, to test the rest while fpu.ts does not compile).
 */
export const hasRealFpu = fs.existsSync(path.join(ROOT, "assembly/cpu/fpu.ts")) && !process.env.MMULAB_FPU_STUB;

// Exactly the names assembly/cpu/fpexec.ts, csr.ts and index.ts import from fpu.ts.
const FPU_STUB = (() => {
  const lines = [
    "export let fpFlags: u32 = 0;",
    "export function setFpFlags(v: u32): void { fpFlags = v & 0x1F; }",
  ];
  const bin = ["add", "sub", "mul", "div"];
  for (const [t, w] of [["f32", "u32"], ["f64", "u64"]]) {
    for (const op of bin) lines.push(`export function ${t}_${op}(a: ${w}, b: ${w}, rm: u32): ${w} { return 0; }`);
    lines.push(`export function ${t}_sqrt(a: ${w}, rm: u32): ${w} { return 0; }`);
    lines.push(`export function ${t}_fma(a: ${w}, b: ${w}, c: ${w}, rm: u32): ${w} { return 0; }`);
    for (const op of ["min", "max"]) lines.push(`export function ${t}_${op}(a: ${w}, b: ${w}): ${w} { return 0; }`);
    for (const op of ["eq", "lt", "le"]) lines.push(`export function ${t}_${op}(a: ${w}, b: ${w}): u32 { return 0; }`);
    lines.push(`export function ${t}_class(a: ${w}): u32 { return 0; }`);
    for (const i of ["i32", "u32", "i64", "u64"]) {
      lines.push(`export function ${t}_to_${i}(a: ${w}, rm: u32): u64 { return 0; }`);
      lines.push(`export function ${i}_to_${t}(a: u64, rm: u32): ${w} { return 0; }`);
    }
  }
  lines.push("export function f64_to_f32(a: u64, rm: u32): u32 { return 0; }");
  lines.push("export function f32_to_f64(a: u32): u64 { return 0; }");
  return lines.join("\n") + "\n";
})();

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

/** Compiles assembly/ (plus the FPU stub when fpu.ts is missing) once per source state; returns the wasm bytes. */
function buildWasm(): Uint8Array<ArrayBuffer> {
  const srcDir = path.join(ROOT, "assembly");
  const files = listFiles(srcDir);
  const h = crypto.createHash("sha256");
  const ascPkg = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/assemblyscript/package.json"), "utf8"));
  h.update(ascPkg.version);
  h.update(fs.readFileSync(path.join(ROOT, "asconfig.json")));
  for (const f of files) { h.update(path.relative(srcDir, f)); h.update(fs.readFileSync(f)); }
  if (!hasRealFpu) h.update(FPU_STUB);
  const key = h.digest("hex").slice(0, 24);
  fs.mkdirSync(CACHE, { recursive: true });
  const out = path.join(CACHE, `mmulab-${key}.wasm`);
  const lock = out + ".lock";
  const deadline = Date.now() + 180_000;
  while (!fs.existsSync(out)) {
    try {
      fs.mkdirSync(lock);
    } catch {
      // Another test worker is compiling the same sources: wait for it (or take over a stale lock).
      try { if (Date.now() - fs.statSync(lock).mtimeMs > 120_000) fs.rmSync(lock, { recursive: true, force: true }); } catch { /* gone */ }
      if (Date.now() > deadline) throw new Error("timed out waiting for another worker's wasm build");
      sleepMs(100);
      continue;
    }
    try {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), "mmulab-build-"));
      try {
        fs.cpSync(srcDir, path.join(work, "assembly"), { recursive: true });
        fs.copyFileSync(path.join(ROOT, "asconfig.json"), path.join(work, "asconfig.json"));
        if (!hasRealFpu) fs.writeFileSync(path.join(work, "assembly/cpu/fpu.ts"), FPU_STUB);
        const asc = path.join(ROOT, "node_modules/assemblyscript/bin/asc.js");
        try {
          execFileSync(process.execPath, [asc, "assembly/index.ts", "--target", "release", "--outFile", "out.wasm"],
            { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
        } catch (e: any) {
          const blocks = (e.stderr?.toString() ?? String(e)).split(/\n\s*\n/).filter((b: string) => /ERROR|FAILURE/.test(b));
          throw new Error(`assembly/ does not compile${hasRealFpu ? "" : " (with the FPU stub)"}:\n${blocks.slice(0, 8).join("\n\n")}`);
        }
        fs.copyFileSync(path.join(work, "out.wasm"), out + ".part");
        fs.renameSync(out + ".part", out);
        pruneCache(out);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
  return new Uint8Array(fs.readFileSync(out));
}

/** Drops cached builds of older source states (a day old or more) other than `keep`. */
function pruneCache(keep: string): void {
  for (const f of fs.readdirSync(CACHE)) {
    const p = path.join(CACHE, f);
    try {
      if (p !== keep && f.endsWith(".wasm") && Date.now() - fs.statSync(p).mtimeMs > 86_400_000) fs.rmSync(p, { force: true });
    } catch { /* another worker pruned it */ }
  }
}

// Built when the harness is imported, so a test's time limit never covers the (multi-second) compile.
const wasmModule = new WebAssembly.Module(buildWasm());
function module(): WebAssembly.Module { return wasmModule; }

// ---------------------------------------------------------------------------------------------------------------
// One machine

/** Every exported constant of the wasm module, as a number (addresses, counter and config indices, exit codes). */
export type Consts = Record<string, number>;

const ABI = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6",
  "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"];
/** Register number of an ABI name ("a0") or xN. */
export function xr(name: string | number): number {
  if (typeof name === "number") return name;
  if (name === "fp") return 8;
  const i = ABI.indexOf(name);
  if (i >= 0) return i;
  const m = /^x(\d+)$/.exec(name);
  if (m) return Number(m[1]);
  throw new Error(`unknown register ${name}`);
}
const FABI = ["ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4",
  "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"];
export function fr(name: string | number): number {
  if (typeof name === "number") return name;
  const i = FABI.indexOf(name);
  if (i >= 0) return i;
  const m = /^f(\d+)$/.exec(name);
  if (m) return Number(m[1]);
  throw new Error(`unknown FP register ${name}`);
}

export const M64 = (1n << 64n) - 1n;
export const u64 = (v: bigint | number): bigint => BigInt.asUintN(64, BigInt(v));
export const s64 = (v: bigint | number): bigint => BigInt.asIntN(64, BigInt(v));
/** Sign-extends the low 32 bits to 64 (as an unsigned 64-bit value). */
export const sx32 = (v: bigint | number): bigint => u64(BigInt.asIntN(32, BigInt(v)));

export class Machine {
  readonly ex: any;
  readonly K: Consts;
  readonly memory: WebAssembly.Memory;
  readonly ramSize: number;

  constructor(ramBytes = 4 << 20) {
    const inst = new WebAssembly.Instance(module(), {});
    this.ex = inst.exports;
    this.memory = this.ex.memory;
    const K: Consts = {};
    for (const [k, v] of Object.entries(this.ex)) {
      if (v instanceof WebAssembly.Global) K[k] = Number(v.value);
    }
    this.K = K;
    const r = this.ex.init(ramBytes);
    if (r !== 0) throw new Error(`init(${ramBytes}) returned ${r}`);
    this.ramSize = ramBytes;
  }

  /** A fresh view: linear memory may have grown since the last call. */
  private get dv(): DataView { return new DataView(this.memory.buffer); }

  x(r: string | number): bigint { return this.dv.getBigUint64(this.K.XREGS + 8 * xr(r), true); }
  setX(r: string | number, v: bigint | number): void { this.dv.setBigUint64(this.K.XREGS + 8 * xr(r), u64(v), true); }
  /** Sets many registers: { a0: 1n, sp: 0x8000 }. */
  regs(values: Record<string, bigint | number>): void { for (const [k, v] of Object.entries(values)) this.setX(k, v); }
  f(r: string | number): bigint { return this.dv.getBigUint64(this.K.FREGS + 8 * fr(r), true); }
  setF(r: string | number, v: bigint | number): void { this.dv.setBigUint64(this.K.FREGS + 8 * fr(r), u64(v), true); }
  /** All 32 integer registers. */
  xs(): bigint[] { return Array.from({ length: 32 }, (_, i) => this.x(i)); }
  fs(): bigint[] { return Array.from({ length: 32 }, (_, i) => this.f(i)); }

  // u64 results cross the boundary as i64: JavaScript sees them signed, so convert back.
  get pc(): bigint { return u64(this.ex.getPc()); }
  set pc(v: bigint | number) { this.ex.setPcValue(u64(v)); }
  run(budget: bigint | number): number { return this.ex.run(u64(budget)); }
  get fcsr(): number { return this.ex.getFcsr(); }
  set fcsr(v: number) { this.ex.setFcsr(v); }
  trapCause(): number { return this.ex.trapCause(); }
  trapValue(): bigint { return u64(this.ex.trapValue()); }
  illegalInsn(): number { return this.ex.illegalInsn() >>> 0; }
  instret(): bigint { return u64(this.ex.getInstret()); }
  setSatp(v: bigint): void { this.ex.setSatp(u64(v)); }
  sfence(va: bigint | number, asid: number, byVa: boolean, byAsid: boolean): void {
    this.ex.sfenceVma(u64(va), asid, byVa ? 1 : 0, byAsid ? 1 : 0);
  }
  configureTlb(t: number, sets: number, ways: number, policy = 0): void {
    const r = this.ex.configureTlb(t, sets, ways, policy);
    if (r !== 0) throw new Error(`configureTlb(${t}, ${sets}, ${ways}, ${policy}) returned ${r}`);
  }

  // Guest physical memory (pa is a guest physical address).
  private host(pa: number | bigint, n: number): number {
    const p = Number(pa);
    if (p < 0 || p + n > this.ramSize + 0x1000) throw new Error(`guest PA ${p.toString(16)} outside RAM`);
    return this.K.RAM_BASE + p;
  }
  write(pa: number | bigint, bytes: Uint8Array): void { new Uint8Array(this.memory.buffer).set(bytes, this.host(pa, bytes.length)); }
  read(pa: number | bigint, n: number): Uint8Array { const a = this.host(pa, n); return new Uint8Array(this.memory.buffer.slice(a, a + n)); }
  r8(pa: number | bigint): number { return this.dv.getUint8(this.host(pa, 1)); }
  r16(pa: number | bigint): number { return this.dv.getUint16(this.host(pa, 2), true); }
  r32(pa: number | bigint): number { return this.dv.getUint32(this.host(pa, 4), true); }
  r64(pa: number | bigint): bigint { return this.dv.getBigUint64(this.host(pa, 8), true); }
  w8(pa: number | bigint, v: number): void { this.dv.setUint8(this.host(pa, 1), v); }
  w16(pa: number | bigint, v: number): void { this.dv.setUint16(this.host(pa, 2), v, true); }
  w32(pa: number | bigint, v: number): void { this.dv.setUint32(this.host(pa, 4), v >>> 0, true); }
  w64(pa: number | bigint, v: bigint | number): void { this.dv.setBigUint64(this.host(pa, 8), u64(v), true); }

  counter(i: number): bigint { return this.dv.getBigUint64(this.K.COUNTERS + 8 * i, true); }
  /** Snapshot of every counter, keyed by its C_* name. */
  counters(): Record<string, bigint> {
    const out: Record<string, bigint> = {};
    for (const [k, v] of Object.entries(this.K)) if (k.startsWith("C_")) out[k] = this.counter(v);
    return out;
  }
  config(i: number): bigint { return this.dv.getBigUint64(this.K.CONFIG + 8 * i, true); }
  setConfig(i: number, v: bigint | number): void { this.dv.setBigUint64(this.K.CONFIG + 8 * i, u64(v), true); }

  /** Writes code at pa and points pc at va (default: the same address, bare mode). */
  load(code: Uint8Array, pa: number, va: bigint | number = pa): void { this.write(pa, code); this.pc = va; }
}

/** Counter deltas between two snapshots, only the ones that changed. */
export function delta(before: Record<string, bigint>, after: Record<string, bigint>): Record<string, bigint> {
  const d: Record<string, bigint> = {};
  for (const k of Object.keys(after)) if (after[k] !== before[k]) d[k] = after[k] - before[k];
  return d;
}

// ---------------------------------------------------------------------------------------------------------------
// Assembling snippets

export interface Snippet { src: string; rvc?: boolean }
type Tool = { kind: "llvm" | "gnu"; as: string[]; ld: string };

function which(names: string[], args: string[]): string | null {
  for (const n of names) {
    try { execFileSync(n, args, { stdio: "ignore" }); return n; } catch { /* next */ }
  }
  return null;
}

function findTool(): Tool | null {
  const vers = ["", "-20", "-19", "-18", "-17", "-16", "-15", "-14", "-13"];
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), "mmulab-asmprobe-"));
  try {
    fs.writeFileSync(path.join(probe, "p.s"), "addi a0, a0, 1\n");
    const ok = (cmd: string[]): boolean => {
      try { execFileSync(cmd[0], [...cmd.slice(1), "-o", path.join(probe, "p.o"), path.join(probe, "p.s")], { stdio: "ignore" }); return true; }
      catch { return false; }
    };
    // MMULAB_ASM_GNU=1 skips clang, to exercise the GNU binutils fallback (which needs the link step below).
    for (const v of (process.env.MMULAB_ASM_GNU ? [] : vers)) {
      const cmd = [`clang${v}`, "--target=riscv64-unknown-elf", "-march=rv64gc", "-mno-relax", "-c"];
      if (ok(cmd)) {
        const ld = which([`ld.lld${v}`, "ld.lld", ...vers.map((w) => `ld.lld${w}`)], ["--version"]) ?? "ld.lld";
        return { kind: "llvm", as: cmd, ld };
      }
    }
    for (const pre of ["riscv64-linux-gnu-", "riscv64-unknown-elf-", "riscv64-elf-"]) {
      const cmd = [`${pre}as`, "-march=rv64gc", "-mno-relax"];
      if (ok(cmd)) return { kind: "gnu", as: cmd, ld: `${pre}ld` };
    }
    return null;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const tool = findTool();
/** Whether snippets can be assembled here. CI must have a toolchain: there the suites fail instead of skipping. */
export const asmAvailable = tool !== null;
if (!tool && process.env.CI) throw new Error("no RISC-V assembler (clang with the riscv64 target, or riscv64-linux-gnu-as) in CI");

// Assembled snippets, kept for the whole test process; the toolchain's files live only as long as one batch.
const asmCache = new Map<string, Uint8Array>();
const keyOf = (s: Snippet): string => crypto.createHash("sha256").update(s.rvc ? "rvc\n" : "norvc\n").update(s.src).digest("hex").slice(0, 32);

interface Section { name: string; type: number; data: Uint8Array }
function elfSections(file: string): Section[] {
  const b = fs.readFileSync(file);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a), shnum = b.readUInt16LE(0x3c), shstrndx = b.readUInt16LE(0x3e);
  const hdr = (i: number) => {
    const o = shoff + i * shentsize;
    return { name: b.readUInt32LE(o), type: b.readUInt32LE(o + 4), off: Number(b.readBigUInt64LE(o + 0x18)), size: Number(b.readBigUInt64LE(o + 0x20)) };
  };
  const strs = hdr(shstrndx);
  const out: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const h = hdr(i);
    let end = strs.off + h.name;
    while (b[end] !== 0) end++;
    const name = b.toString("latin1", strs.off + h.name, end);
    out.push({ name, type: h.type, data: h.type === 8 ? new Uint8Array(h.size) : new Uint8Array(b.subarray(h.off, h.off + h.size)) });
  }
  return out;
}

/**
 * Assembles snippets in one toolchain call (each in its own section, so every snippet starts at offset 0 and is
 * position independent). Snippets must use numeric local labels ("1:", "1f") to stay independent of each other.
 * The result of each is the raw bytes of its code. Cached per snippet for the whole test process.
 */
export function asmMany(snippets: (Snippet | string)[]): Uint8Array[] {
  if (!tool) throw new Error("no RISC-V assembler available");
  const sn = snippets.map((s) => (typeof s === "string" ? { src: s } : s));
  const todo = [...new Map(sn.filter((s) => !asmCache.has(keyOf(s))).map((s) => [keyOf(s), s])).values()];
  if (todo.length > 0) {
    try {
      assembleBatch(todo);
    } catch (e) {
      if (todo.length === 1) throw e;
      for (const s of todo) assembleBatch([s]); // find the culprit, and keep the others
    }
  }
  return sn.map((s) => asmCache.get(keyOf(s))!);
}

/** Assembles one snippet (default `.option norvc`). */
export function asm(src: string, rvc = false): Uint8Array { return asmMany([{ src, rvc }])[0]; }

function assembleBatch(todo: Snippet[]): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mmulab-asm-"));
  try {
    assembleIn(dir, todo);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function assembleIn(dir: string, todo: Snippet[]): void {
  const t = tool!;
  const sfile = path.join(dir, "s.s"), ofile = path.join(dir, "s.o");
  const parts = [".option norelax"];
  todo.forEach((s, i) => {
    parts.push(`.section .text.s${i},"ax",@progbits`, ".option push", s.rvc ? ".option rvc" : ".option norvc", s.src, ".option pop");
  });
  fs.writeFileSync(sfile, parts.join("\n") + "\n");
  try {
    execFileSync(t.as[0], [...t.as.slice(1), "-o", ofile, sfile], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e: any) {
    throw new Error(`assembler failed:\n${e.stderr?.toString() ?? e}\n--- source ---\n${parts.join("\n")}`);
  }
  let secs = elfSections(ofile);
  if (secs.some((s) => s.type === 4 && /^\.rela\.text\.s\d+$/.test(s.name))) {
    // The assembler left pc-relative fixups to the linker (GNU as does this even without relaxation): link each
    // snippet section into its own output section; pc-relative code does not care where it lands.
    const lfile = path.join(dir, "s.ld"), efile = path.join(dir, "s.elf");
    const script = ["SECTIONS {", ...todo.map((_, i) => `  .text.s${i} 0x${(0x10000 + i * 0x100000).toString(16)} : { *(.text.s${i}) }`), "}"];
    fs.writeFileSync(lfile, script.join("\n") + "\n");
    execFileSync(t.ld, ["-T", lfile, "--no-relax", "-o", efile, ofile], { stdio: ["ignore", "pipe", "pipe"] });
    secs = elfSections(efile);
  }
  todo.forEach((s, i) => {
    const sec = secs.find((x) => x.name === `.text.s${i}`);
    asmCache.set(keyOf(s), sec ? sec.data : new Uint8Array(0));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Page tables (Sv39 / Sv48), written into guest RAM

export const PTE = { V: 1, R: 2, W: 4, X: 8, U: 16, G: 32, A: 64, D: 128 } as const;

/** A radix page table in guest RAM. Intermediate tables come from `alloc` (zeroed 4 KiB frames). */
export class PageTable {
  constructor(readonly m: Machine, readonly root: number, readonly alloc: () => number, readonly levels = 3) {}

  /** satp for this table: MODE (8 = Sv39, 9 = Sv48) | ASID | root PPN. */
  satp(asid = 0): bigint {
    return (BigInt(this.levels === 4 ? 9 : 8) << 60n) | (BigInt(asid) << 44n) | BigInt(this.root >>> 12);
  }

  private vpn(va: bigint, i: number): number { return Number((va >> BigInt(12 + 9 * i)) & 0x1ffn); }

  /** Guest PA of the PTE for va at level `level` (0 = 4 KiB leaf), creating tables above it as needed. */
  pteAddr(va: bigint | number, level = 0, create = true): number {
    const v = BigInt(va);
    let a = this.root;
    for (let i = this.levels - 1; i > level; i--) {
      const pa = a + 8 * this.vpn(v, i);
      const pte = this.m.r64(pa);
      if ((pte & 1n) === 0n) {
        if (!create) throw new Error(`no table for ${v.toString(16)} at level ${i}`);
        const t = this.alloc();
        this.m.write(t, new Uint8Array(4096));
        this.m.w64(pa, (BigInt(t >>> 12) << 10n) | 1n);
        a = t;
      } else {
        a = Number((pte >> 10n) & ((1n << 44n) - 1n)) << 12;
      }
    }
    return a + 8 * this.vpn(v, level);
  }

  /** Maps the page of va (size 4 KiB << 9·level) to pa with the given low PTE bits (V is added). */
  map(va: bigint | number, pa: bigint | number, flags: number, level = 0): number {
    const a = this.pteAddr(va, level);
    this.m.w64(a, (BigInt(pa) >> 12n << 10n) | BigInt(flags | PTE.V));
    return a;
  }
  /** Writes a raw PTE value for va at level. */
  setPte(va: bigint | number, raw: bigint, level = 0): number {
    const a = this.pteAddr(va, level);
    this.m.w64(a, raw);
    return a;
  }
  pte(va: bigint | number, level = 0): bigint { return this.m.r64(this.pteAddr(va, level, false)); }
}

/** A bump allocator of zeroed 4 KiB frames from [start, end). */
export function frames(start: number, end: number): () => number {
  let next = start;
  return () => {
    if (next >= end) throw new Error("out of page-table frames");
    const f = next;
    next += 4096;
    return f;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A paged machine: page tables at ROOT, code mapped at CODE_VA (user, read + execute, accessed), satp set.

export const PAGED = {
  CODE_PA: 0x1000,
  CODE_VA: 0x10000n,
  ROOT: 0x100000,            // root table; further tables are taken from [ROOT + 4 KiB, TABLES_END)
  TABLES_END: 0x180000,
} as const;

export interface Paged { m: Machine; pt: PageTable; alloc: () => number }

/** A machine with Sv39 (levels = 3) or Sv48 (levels = 4) page tables and the code page mapped; satp ASID `asid`. */
export function pagedMachine(levels = 3, asid = 0, ramBytes = 4 << 20): Paged {
  const m = new Machine(ramBytes);
  const alloc = frames(PAGED.ROOT + 0x1000, PAGED.TABLES_END);
  const pt = new PageTable(m, PAGED.ROOT, alloc, levels);
  pt.map(PAGED.CODE_VA, PAGED.CODE_PA, PTE.R | PTE.X | PTE.U | PTE.A);
  m.setSatp(pt.satp(asid));
  return { m, pt, alloc };
}

/** Writes code (at most one page) at CODE_PA and points pc at CODE_VA. */
export function loadPaged(m: Machine, code: Uint8Array): void {
  if (code.length > 0x1000) throw new Error("code longer than the code page");
  m.write(PAGED.CODE_PA, new Uint8Array(0x1000));
  m.write(PAGED.CODE_PA, code);
  m.pc = PAGED.CODE_VA;
}
