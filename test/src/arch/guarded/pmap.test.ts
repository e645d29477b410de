import { beforeEach, describe, expect, it } from "vitest";
import { WasmMachine } from "../../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../../src/vm/phys.js";
import { VmSystem } from "../../../../src/vm/vm_system.js";
import { GuardedMmu } from "../../../../src/arch/guarded/mmu.js";
import { GPT_A, GPT_D, GPT_LEAF, GPT_V, GPT_W, GuardedPmap } from "../../../../src/arch/guarded/pmap.js";
import { VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../../../src/vm/vm_prot.js";
import { SeededRandom } from "../../../../src/kern/random.js";

const RAM = 8 * 1024 * 1024;
const RW = VM_PROT_READ | VM_PROT_WRITE, RX = VM_PROT_READ | VM_PROT_EXECUTE;

type Op = ["root", number, number] | ["inv", number, number, boolean, boolean];

function setup(maxAsid?: number) {
  const w = new WasmMachine();
  w.init(RAM);
  const ops: Op[] = [];
  const m = w as WasmMachine & Record<string, (...a: never[]) => unknown>;
  const orig = { root: w.gptSetRoot.bind(w), inv: w.gptInvalidate.bind(w) };
  m.gptSetRoot = (r: number, b: number, a: number) => { ops.push(["root", r, a]); return orig.root(r, b, a); };
  m.gptInvalidate = (va: number, a: number, bv: boolean, ba: boolean) => { ops.push(["inv", va, a, bv, ba]); orig.inv(va, a, bv, ba); };
  const phys = new PhysAllocator(w, RAM);
  const vm = new VmSystem(phys, false);
  const mmu = new GuardedMmu(w, maxAsid);
  const ctx = { machine: w, phys, pageOf: (pa: number) => vm.pageOf(pa) };
  const pmap = new GuardedPmap(ctx, mmu);
  return { w, phys, vm, mmu, ctx, pmap, ops };
}

interface Decoded { pa: number; refs: number; w0: bigint }
/** An independent software walk of the tree (the walker's algorithm in the header of assembly/arch/guarded/walker.ts). */
function walk(w: WasmMachine, root: number, va: number): Decoded | undefined {
  const vpn = BigInt(Math.floor(va / 4096));
  let node = root, s = 4, left = 36, refs = 0;
  for (;;) {
    const idx = Number((vpn >> BigInt(left - s)) & ((1n << BigInt(s)) - 1n));
    left -= s;
    const w0 = w.readPhys64(node + 16 * idx), w1 = Number(w.readPhys64(node + 16 * idx + 8));
    refs++;
    if ((w0 & GPT_V) === 0n) return undefined;
    const g = Number((w0 >> 8n) & 63n);
    const want = g === 0 ? 0n : (vpn >> BigInt(left - g)) & ((1n << BigInt(g)) - 1n);
    if ((w0 >> 28n) !== want) return undefined;
    left -= g;
    if (w0 & GPT_LEAF) return left === 0 ? { pa: w1, refs, w0 } : undefined;
    node = w1;
    s = Number((w0 >> 16n) & 15n);
  }
}

/** Every non-root node has at least two valid entries (the tree is fully compressed); returns the node count. */
function checkCompressed(w: WasmMachine, root: number): number {
  let nodes = 0;
  const visit = (node: number, s: number, isRoot: boolean): void => {
    nodes++;
    let valid = 0;
    for (let i = 0; i < 2 ** s; i++) {
      const w0 = w.readPhys64(node + 16 * i);
      if ((w0 & GPT_V) === 0n) continue;
      valid++;
      if (!(w0 & GPT_LEAF)) visit(Number(w.readPhys64(node + 16 * i + 8)), Number((w0 >> 16n) & 15n), false);
    }
    if (!isRoot) expect(valid, `node ${node.toString(16)}`).toBeGreaterThanOrEqual(2);
  };
  visit(root, 4, true);
  return nodes;
}

describe("GuardedPmap", () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => { s = setup(); });

  it("an isolated page is one root entry whose guard holds the other 32 VPN bits: one reference", () => {
    s.pmap.enter(0x5555_5555_5000, 0x200000, RW, false);
    const d = walk(s.w, s.pmap.root, 0x5555_5555_5000)!;
    expect(d.pa).toBe(0x200000);
    expect(d.refs).toBe(1);
    expect(Number((d.w0 >> 8n) & 63n)).toBe(32);
    expect(s.pmap.nodeCount).toBe(1);
  });

  it("a page whose path diverges inside a guard splits the entry: common prefix, a new node, two leaves", () => {
    const a = 0x1234_5678_0000, b = 0x1234_5678_3000;       // VPNs differ in bits 1:0
    s.pmap.enter(a, 0x200000, RW, false);
    s.pmap.enter(b, 0x201000, RW, false);
    expect(s.pmap.nodeCount).toBe(2);
    const rootEntry = s.w.readPhys64(s.pmap.root + 16 * 0x1);
    // Root indexes VPN bits 35:32 (= 1); the guards agree down to bit 2 and differ in bits 1:0, so the new node
    // indexes the digit 3:0 (16 entries), the root entry keeps bits 31:4 (28 bits), the leaves have empty guards.
    expect(Number((rootEntry >> 8n) & 63n)).toBe(28);
    expect(Number((rootEntry >> 16n) & 15n)).toBe(4);
    for (const [va, pa] of [[a, 0x200000], [b, 0x201000]]) {
      const d = walk(s.w, s.pmap.root, va!)!;
      expect(d.pa).toBe(pa);
      expect(d.refs).toBe(2);
      expect(Number((d.w0 >> 8n) & 63n)).toBe(0);
    }
    // A third page diverging higher up splits the root entry again, above the first split.
    s.pmap.enter(0x1234_0000_0000, 0x202000, RW, false);
    expect(s.pmap.nodeCount).toBe(3);
    expect(walk(s.w, s.pmap.root, a)!.refs).toBe(3);
    expect(walk(s.w, s.pmap.root, 0x1234_0000_0000)!.refs).toBe(2);
    checkCompressed(s.w, s.pmap.root);
  });

  it("removal merges a node left with one entry back into its parent's guard, and frees emptied nodes", () => {
    const a = 0x1234_5678_0000, b = 0x1234_5678_3000, c = 0x1234_0000_0000;
    for (const [i, va] of [a, b, c].entries()) s.pmap.enter(va, 0x200000 + 0x1000 * i, RW, false);
    expect(s.pmap.nodeCount).toBe(3);
    s.pmap.remove(b, b + 4096);
    expect(s.pmap.nodeCount).toBe(2);
    expect(walk(s.w, s.pmap.root, a)!.refs).toBe(2);
    s.pmap.remove(c, c + 4096);
    expect(s.pmap.nodeCount).toBe(1);
    const d = walk(s.w, s.pmap.root, a)!;
    expect(d.refs).toBe(1);
    expect(Number((d.w0 >> 8n) & 63n)).toBe(32);
    s.pmap.remove(a, a + 4096);
    expect(walk(s.w, s.pmap.root, a)).toBeUndefined();
    expect(s.pmap.stats.tableFrames).toBe(1);
  });

  it("random inserts and removals: every page translates as a plain map says, the tree stays compressed, memory returns", () => {
    const rnd = new SeededRandom(7n);
    const model = new Map<number, number>();
    const frames0 = s.phys.tableFrames;
    const pick = () => {
      const r = rnd.bytes(4);
      // Clustered addresses: a few regions, pages within them, so splits happen at every depth.
      const region = [0x10000, 0x7fff_f000_0000, 0x3f_0000_0000, 0x55_5000_0000][r[0]! % 4]!;
      return region + ((r[1]! | (r[2]! << 8)) % 1024) * 4096;
    };
    for (let i = 0; i < 600; i++) {
      const va = pick();
      if (i % 3 === 2 && model.size > 0) {
        const victim = [...model.keys()][(rnd.bytes(1)[0]!) % model.size]!;
        s.pmap.remove(victim, victim + 4096);
        model.delete(victim);
      } else {
        const pa = 0x100000 + (i % 256) * 4096;
        s.pmap.enter(va, pa, RW, false);
        model.set(va, pa);
      }
    }
    for (const [va, pa] of model) {
      expect(walk(s.w, s.pmap.root, va)?.pa, va.toString(16)).toBe(pa);
      expect(s.pmap.extract(va + 12)!.pa).toBe(pa + 12);
    }
    expect(s.pmap.extract(0x20_0000_0000)).toBeUndefined();
    expect(checkCompressed(s.w, s.pmap.root)).toBe(s.pmap.nodeCount);
    s.pmap.remove(0, 2 ** 47);
    expect(s.pmap.nodeCount).toBe(1);
    expect(s.phys.tableFrames).toBe(frames0);
  });

  it("a dense run of 256 pages: 16-entry nodes below a guarded path; references per walk as the tree implies", () => {
    for (let i = 0; i < 256; i++) s.pmap.enter(0x40_0000_0000 + i * 4096, 0x100000 + i * 4096, RW, false);
    const n = checkCompressed(s.w, s.pmap.root);
    expect(n).toBe(s.pmap.nodeCount);
    expect(n).toBe(1 + 1 + 16);   // root, one node for VPN bits 7:4, 16 leaf nodes for bits 3:0
    for (let i = 0; i < 256; i += 17) expect(walk(s.w, s.pmap.root, 0x40_0000_0000 + i * 4096)!.refs).toBe(3);
  });

  it("invalidates only when a valid leaf changes frame or rights; ranges beyond 64 pages by ASID", () => {
    s.pmap.activate();
    const asid = s.pmap.asid;
    let n0 = s.ops.length;
    s.pmap.enter(0x10000, 0x200000, RW, false);
    s.pmap.enter(0x10000, 0x200000, RW, false);   // same frame, same rights: nothing
    expect(s.ops.slice(n0)).toEqual([]);
    // A right gained too: the kernel enters it at the fault the old rights caused (a write after copy-on-write
    // or mprotect), so an entry kept with the old rights would fault again forever.
    s.pmap.enter(0x10000, 0x200000, RW | VM_PROT_EXECUTE, false);
    expect(s.ops.slice(n0)).toEqual([["inv", 0x10000, asid, true, true]]);
    n0 = s.ops.length;
    s.pmap.enter(0x10000, 0x201000, RW, false);
    expect(s.ops.slice(n0)).toEqual([["inv", 0x10000, asid, true, true]]);
    n0 = s.ops.length;
    s.pmap.protect(0x10000, 0x11000, VM_PROT_READ);
    expect(s.ops.slice(n0)).toEqual([["inv", 0x10000, asid, true, true]]);
    for (let i = 0; i < 100; i++) s.pmap.enter(0x100000 + i * 4096, 0x300000 + i * 4096, RW, false);
    n0 = s.ops.length;
    s.pmap.remove(0x100000, 0x100000 + 100 * 4096);
    expect(s.ops.slice(n0)).toEqual([["inv", 0, asid, false, true]]);
  });

  it("ASIDs: exhaustion starts a new generation with a full flush; stale address spaces take new ASIDs", () => {
    const t = setup(3);
    const pms = [t.pmap, new GuardedPmap(t.ctx, t.mmu), new GuardedPmap(t.ctx, t.mmu), new GuardedPmap(t.ctx, t.mmu)];
    pms.slice(0, 3).forEach((p) => p.activate());
    expect(pms.slice(0, 3).map((p) => p.asid)).toEqual([1, 2, 3]);
    const n0 = t.ops.length;
    pms[3]!.activate();
    expect(t.ops.slice(n0)).toEqual([["inv", 0, 0, false, false], ["root", pms[3]!.root, 1]]);
    expect(pms[3]!.asid).toBe(1);
    pms[0]!.activate();
    expect(pms[0]!.asid).toBe(2);
    // An address space of the old generation needs no invalidation: the flush emptied the TLB of its entries.
    pms[1]!.enter(0x10000, 0x200000, RW, false);
    const n1 = t.ops.length;
    pms[1]!.enter(0x10000, 0x201000, RW, false);
    expect(t.ops.length).toBe(n1);
  });

  it("reads and clears A/D through the pv list", () => {
    s.pmap.activate();
    const obj = s.vm.objectAllocate(4096);
    const page = s.vm.pageAlloc(obj, 0, 0x10000);
    s.pmap.enter(0x10000, page.pa, RW, false, VM_PROT_WRITE);
    s.pmap.enter(0x20000, page.pa, VM_PROT_READ, false, VM_PROT_READ);
    expect(s.pmap.isModified(page)).toBe(true);
    s.pmap.clearModify(page);
    expect(s.pmap.isModified(page)).toBe(false);
    expect(s.pmap.isReferenced(page)).toBe(true);
    s.pmap.clearReference(page);
    expect(s.pmap.isReferenced(page)).toBe(false);
    s.pmap.pageProtect(page, VM_PROT_READ);
    expect(s.pmap.extract(0x10000)!.prot & VM_PROT_WRITE).toBe(0);
    s.pmap.pageProtect(page, 0);
    expect(page.pv).toHaveLength(0);
  });

  it("collect keeps wired pages; destroy frees every node", () => {
    const f0 = s.phys.tableFrames;
    s.pmap.enter(0x10000, 0x200000, VM_PROT_READ, true);
    s.pmap.enter(0x11000, 0x201000, VM_PROT_READ, false);
    s.pmap.enter(0x7fff_ffff_f000, 0x202000, RW, false);
    s.pmap.collect();
    expect(s.pmap.extract(0x10000)).toBeDefined();
    expect(s.pmap.extract(0x11000)).toBeUndefined();
    expect(s.pmap.nodeCount).toBe(1);
    s.pmap.destroy();
    expect(s.phys.tableFrames).toBe(f0 - 1);
  });

  it("is walked by the hardware walker with the references the tree implies, and A/D set by hardware", () => {
    const code = 0x10000, data = 0x10_0000_0000, codePa = 0x300000, dataPa = 0x301000;
    s.w.writePhys64(dataPa + 8, 0x1122334455667788n);
    const insns = [
      0x100002b7,   // lui t0, 0x10000
      0x00829293,   // slli t0, t0, 8     (t0 = 0x10_0000_0000)
      0x0082b303,   // ld t1, 8(t0)
      0x0062b823,   // sd t1, 16(t0)
      0x00100073,   // ebreak
    ];
    insns.forEach((v, i) => s.w.phys(codePa + 4 * i, 4).set(new Uint8Array(new Uint32Array([v]).buffer)));
    s.pmap.enter(code, codePa, RX, false);
    s.pmap.enter(data, dataPa, RW, false);
    s.pmap.enter(data + 0x5000, 0x302000, RW, false);   // splits the data path: 2 references for data
    s.pmap.activate();
    s.w.pc = BigInt(code);
    expect(s.w.run(100n)).toBe(s.w.layout.EXIT_BREAKPOINT);
    expect(s.w.readPhys64(dataPa + 16)).toBe(0x1122334455667788n);
    expect(s.pmap.extract(data)!.modified).toBe(true);
    expect(walk(s.w, s.pmap.root, data)!.w0 & (GPT_A | GPT_D | GPT_W)).toBe(GPT_A | GPT_D | GPT_W);
    const L = s.w.layout;
    const refs = walk(s.w, s.pmap.root, code)!.refs + walk(s.w, s.pmap.root, data)!.refs * 2;
    // Code walk, data walk, the store's walk to set D (+ its D write); A was set by enter.
    expect(s.w.counter(L.C_WALKS)).toBe(3n);
    expect(s.w.counter(L.C_WALK_REFS)).toBe(BigInt(refs + 1));
  });
});
