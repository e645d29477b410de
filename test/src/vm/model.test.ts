// Model-based test of the machine-independent VM with real Sv39 page tables: seeded random sequences of mmap
// (private/shared, fixed over existing mappings), munmap, mprotect, madvise (DONTNEED, DONTFORK, DOFORK), fork,
// exit, reads and writes, pmap collections, mremap's map operations (moving ranges, growing mappings) and locking
// (wiring and unwiring ranges), across several tasks. After every step each task's memory is
// compared with a reference model (a map of page → protection and bytes, shared pages being one object), and an
// invariant checker runs:
//   - every translation in a pmap agrees with the map entry, the object chain and the protection it caches
//     (the frame is the page the chain resolves to, or the zero page; writable only for the top object's own
//     page of a writable entry);
//   - no frame is leaked (allocated frames = resident pages of live objects + the zero page; page-table frames =
//     those of live pmaps) and none is wrongly shared (a frame writable in one task and mapped in another
//     belongs to a shared object);
//   - wiring is exact: each page's wireCount is the number of locked entries wiring it, and a locked entry wires
//     the very page its chain resolves to (a copy-on-write fault moves the wiring to the copy);
//   - shadow chains stay bounded: no longer than the number of live tasks + 2. (A chain gains a level per fork
//     whose parent and child are both alive; collapse takes it back when one side exits. One level more can stay
//     when the pieces of a clipped entry diverge — one piece copied, the other still needs-copy on the object
//     below — since Mach's collapse needs a single reference to the backing object.)

import { describe, expect, it } from "vitest";
import { WasmMachine } from "../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../src/vm/phys.js";
import { VmSystem } from "../../../src/vm/vm_system.js";
import { VmMap, VmMapEntry } from "../../../src/vm/vm_map.js";
import { vmMapUnwire, vmMapWire } from "../../../src/vm/vm_wire.js";
import type { VmObject } from "../../../src/vm/vm_object.js";
import type { VmPage } from "../../../src/vm/vm_page.js";
import { UserMemory } from "../../../src/vm/uaccess.js";
import { RiscvMmu, SV39 } from "../../../src/arch/riscv/mmu.js";
import { RiscvPmap } from "../../../src/arch/riscv/pmap.js";
import { SeededRandom } from "../../../src/kern/random.js";
import { type Inheritance, VM_PROT_ALL, VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../../src/vm/vm_prot.js";

const P = 4096, RAM = 32 * 1024 * 1024;
const BASE = 0x40_0000, WINDOW = 48;           // pages where everything happens
const MAX_TASKS = 6;

/** The reference model: per task, page index → page. A page's bytes object is shared by sharing tasks. */
interface MPage { prot: number; inherit: Inheritance; shared: boolean; bytes: Uint8Array }
type Model = Map<number, MPage>;

interface T { map: VmMap; um: UserMemory; model: Model; id: number }

class Rng {
  private r: SeededRandom;
  constructor(seed: number) { this.r = new SeededRandom(BigInt(seed)); }
  int(n: number): number { return Number(this.r.next64() % BigInt(n)); }
  pick<X>(xs: readonly X[]): X { return xs[this.int(xs.length)]!; }
}

function world() {
  const w = new WasmMachine();
  w.init(RAM);
  const phys = new PhysAllocator(w, RAM);
  const vm = new VmSystem(phys, false);
  const mmu = new RiscvMmu(w, SV39);
  const pmaps = new Set<RiscvPmap>();
  let ids = 0;
  const newTask = (model: Model = new Map()): T => {
    const pmap = new RiscvPmap({ machine: w, phys, pageOf: (pa) => vm.pageOf(pa) }, mmu);
    pmaps.add(pmap);
    const map = new VmMap(vm, pmap, 0x1000, 1 << 30);
    map.onDestroy = () => pmaps.delete(pmap);
    return { map, um: new UserMemory(map, w), model, id: ids++ };
  };
  return { w, phys, vm, pmaps, newTask };
}

/** The bytes the VM shows at page va of map, following its chain without faulting (zero when not resident). */
function vmPage(map: VmMap, va: number): { page: VmPage | undefined; top: boolean } | undefined {
  const e = map.lookup(va);
  if (!e) return undefined;
  let o: VmObject | null = e.object, off = e.offset + (va - e.start);
  while (o) {
    const p = o.pageLookup(off);
    if (p) return { page: p, top: o === e.object };
    off += o.shadowOffset;
    o = o.shadow;
  }
  return { page: undefined, top: false };
}

function runModel(seed: number, steps: number): { steps: number; forks: number; maxChain: number } {
  const r = new Rng(seed);
  const W = world();
  let tasks: T[] = [W.newTask()];
  let forks = 0, maxChain = 0;

  const randRange = (): [number, number] => {
    const a = r.int(WINDOW), n = 1 + r.int(Math.min(12, WINDOW - a));
    return [a, a + n];
  };
  const prots = [VM_PROT_READ, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_NONE_,
    VM_PROT_READ | VM_PROT_EXECUTE];

  function step(): string {
    const t = r.pick(tasks);
    const op = r.int(112);
    const [a, b] = randRange();
    const s = BASE + a * P, e = BASE + b * P;
    if (op < 12) {                                              // mmap fixed, private or shared
      const shared = r.int(3) === 0, prot = r.pick(prots);
      t.map.remove(s, e);
      const obj = t.map.vm.objectAllocate(e - s);
      obj.shared = shared;
      t.map.insert(new VmMapEntry(s, e, obj, 0, prot, VM_PROT_ALL, shared ? "share" : "copy"));
      const box = shared ? new Uint8Array((b - a) * P) : undefined;
      for (let i = a; i < b; i++) {
        t.model.set(i, { prot, inherit: shared ? "share" : "copy", shared,
          bytes: box ? box.subarray((i - a) * P, (i - a + 1) * P) : new Uint8Array(P) });
      }
      return `mmap ${a}-${b} ${shared ? "shared" : "private"} prot ${prot} in ${t.id}`;
    }
    if (op < 20) {
      t.map.remove(s, e);
      for (let i = a; i < b; i++) t.model.delete(i);
      return `munmap ${a}-${b} in ${t.id}`;
    }
    if (op < 30) {
      const prot = r.pick(prots);
      let covered = true;
      for (let i = a; i < b; i++) if (!t.model.has(i)) covered = false;
      const res = t.map.protect(s, e, prot);
      expect(res).toBe(covered ? "ok" : "no-entry");
      if (covered) for (let i = a; i < b; i++) t.model.get(i)!.prot = prot;
      return `mprotect ${a}-${b} ${prot} in ${t.id}`;
    }
    if (op < 36) {
      if (t.map.overlapping(s, e).some((x) => x.wiring)) return `DONTNEED ${a}-${b} in ${t.id} refused: locked`;
      t.map.dontneed(s, e);
      for (let i = a; i < b; i++) { const m = t.model.get(i); if (m && !m.shared) m.bytes = new Uint8Array(P); }
      return `DONTNEED ${a}-${b} in ${t.id}`;
    }
    if (op < 40) {
      const none = r.int(2) === 0;
      t.map.setInheritance(s, e, none ? "none" : (x) => (x.object?.shared ? "share" : "copy"));
      for (let i = a; i < b; i++) { const m = t.model.get(i); if (m) m.inherit = none ? "none" : m.shared ? "share" : "copy"; }
      return `${none ? "DONTFORK" : "DOFORK"} ${a}-${b} in ${t.id}`;
    }
    if (op < 48 && tasks.length < MAX_TASKS) {
      const model: Model = new Map();
      for (const [i, m] of t.model) {
        if (m.inherit === "none") continue;
        model.set(i, { ...m, bytes: m.inherit === "share" ? m.bytes : m.bytes.slice() });
      }
      const c = W.newTask(model);
      t.map.fork(c.map);
      tasks.push(c);
      forks++;
      return `fork ${t.id} -> ${c.id}`;
    }
    if (op < 54 && tasks.length > 1) {
      t.map.deallocate();
      tasks = tasks.filter((x) => x !== t);
      return `exit ${t.id}`;
    }
    if (op < 56) {
      for (const p of W.pmaps) p.collect();
      return "collect";
    }
    if (op < 80) {                                              // a write of a few bytes through the kernel path
      const i = a, off = r.int(P - 8), v = new Uint8Array([1 + r.int(255), r.int(256), r.int(256)]);
      const m = t.model.get(i);
      const ok = t.um.copyout(BASE + i * P + off, v);
      expect(ok).toBe(m !== undefined && (m.prot & VM_PROT_WRITE) !== 0);
      if (ok) m!.bytes.set(v, off);
      return `write page ${i}+${off} in ${t.id}`;
    }
    if (op < 100) {
      const i = a, m = t.model.get(i);                          // a read through the kernel path
      const got = t.um.copyin(BASE + i * P, P);
      const readable = m !== undefined && (m.prot & (VM_PROT_READ | VM_PROT_WRITE)) !== 0;
      expect(got !== undefined).toBe(readable);
      if (got) expect(Buffer.from(got).equals(Buffer.from(m!.bytes))).toBe(true);
      return `read page ${i} in ${t.id}`;
    }
    if (op < 104) {                                             // mremap: move [a, b) to a free place (FIXED)
      const n = b - a, c = r.int(WINDOW - n + 1);
      if (c < b && c + n > a) return `move ${a}-${b} to ${c}: overlaps`;
      t.map.remove(BASE + c * P, BASE + (c + n) * P);
      for (let i = c; i < c + n; i++) t.model.delete(i);
      t.map.move(s, n * P, BASE + c * P);
      const moved = new Map<number, MPage>();
      for (let i = a; i < b; i++) { const m = t.model.get(i); if (m) moved.set(i - a + c, m); t.model.delete(i); }
      for (const [i, m] of moved) t.model.set(i, m);
      return `move ${a}-${b} to ${c} in ${t.id}`;
    }
    if (op < 108) {                                             // mremap: grow the mapping ending at b
      const last = t.map.lookup(e - 1);
      if (!last || last.end !== e || b >= WINDOW) return `grow at ${b} in ${t.id}: nothing to grow`;
      const n = 1 + r.int(Math.min(4, WINDOW - b));
      t.map.remove(e, e + n * P);
      for (let i = b; i < b + n; i++) t.model.delete(i);
      const prev = t.model.get(b - 1)!;
      t.map.grow(e, n * P);
      for (let i = b; i < b + n; i++) t.model.set(i, { prot: prev.prot, inherit: prev.inherit, shared: prev.shared, bytes: new Uint8Array(P) });
      return `grow ${b}+${n} in ${t.id}`;
    }
    if (op < 111) {                                             // mlock, MLOCK_ONFAULT
      vmMapWire(t.map, s, e, r.int(3) === 0);
      return `lock ${a}-${b} in ${t.id}`;
    }
    vmMapUnwire(t.map, s, e);
    return `unlock ${a}-${b} in ${t.id}`;
  }

  /** Wiring: every locked entry wires the page its chain resolves to; page wire counts are exactly those. */
  function checkWiring(what: string): void {
    const counts = new Map<VmPage, number>();
    for (const t of tasks) {
      for (const ent of t.map.entries) {
        if (!ent.wiring) continue;
        ent.wiring.pages.forEach((p, i) => {
          if (!p) return;
          counts.set(p, (counts.get(p) ?? 0) + 1);
          const v = vmPage(t.map, ent.start + i * P);
          assert(v?.page === p, `${what}: locked page ${i} of ${ent} in task ${t.id} is the one its chain resolves to`);
        });
      }
    }
    for (const o of W.vm.live) {
      for (const p of o.resident.values()) assert(p.wireCount === (counts.get(p) ?? 0), `${what}: wire count of a page of object ${o.id}`);
    }
  }

  /** full: compare every page's bytes (else a few random pages per task, to keep the run short). */
  function check(what: string, full = false): void {
    const live = tasks.length;
    const writableBy = new Map<number, T>(), mappedBy = new Map<number, Set<T>>();
    const zero = W.vm.isZeroPage.bind(W.vm);
    for (const t of tasks) {
      for (let i = 0; i < WINDOW; i++) {
        const va = BASE + i * P, m = t.model.get(i);
        const v = vmPage(t.map, va);
        // Model ⇔ map.
        assert((v !== undefined) === (m !== undefined), `${what}: page ${i} of task ${t.id} mapped`);
        if (!m || !v) { assert((t.map.pmap.extract(va)) === undefined, `${what}: unmapped page ${i} of task ${t.id} has a translation`); continue; }
        const ent = t.map.lookup(va)!;
        assert((ent.protection) === (m.prot), `${what}: ent.protection`);
        // Contents, read from the frame the chain resolves to.
        if (full || r.int(WINDOW) < 3) {
          const bytes = v.page ? W.phys.view(v.page.pa) : new Uint8Array(P);
          assert((Buffer.from(bytes).equals(Buffer.from(m.bytes))) === (true), `${what}: contents of page ${i} in task ${t.id}`);
        }
        // The pmap caches the map.
        const x = t.map.pmap.extract(va);
        if (!x) continue;
        const allowed = ent.protection | (ent.protection & VM_PROT_WRITE ? VM_PROT_READ : 0);
        assert((x.prot & ~allowed) === (0), `${what}: rights of page ${i} in task ${t.id}`);
        const page = W.vm.pageOf(x.pa);
        if (v.page) assert((x.pa) === (v.page.pa), `${what}: frame of page ${i} in task ${t.id}`);
        else assert((zero(page)) === (true), `${what}: page ${i} of task ${t.id} maps the zero page`);
        if (x.prot & VM_PROT_WRITE) {
          assert((v.top && !ent.needsCopy && !zero(page)) === (true), `${what}: writable page ${i} of task ${t.id} is its own`);
          const other = writableBy.get(x.pa);
          if (other && other !== t) assert((page!.object!.shared) === (true), `${what}: page!.object!.shared`);
          writableBy.set(x.pa, t);
        }
        if (!mappedBy.has(x.pa)) mappedBy.set(x.pa, new Set());
        mappedBy.get(x.pa)!.add(t);
      }
      for (const ent of t.map.entries) {
        const n = ent.object?.chainLength ?? 0;
        maxChain = Math.max(maxChain, n);
        assert((n) <= (live + 2), `${what}: chain of ${ent} in task ${t.id}`);
      }
    }
    for (const [pa, owner] of writableBy) {
      for (const t of mappedBy.get(pa)!) if (t !== owner) assert((W.vm.pageOf(pa)!.object!.shared) === (true), `${what}: W.vm.pageOf(pa)!.object!.shared`);
    }
    // Frames: nothing leaked, nothing freed that is still in use.
    let resident = 0;
    for (const o of W.vm.live) {
      assert((o.dead) === (false), `${what}: o.dead`);
      for (const p of o.resident.values()) { assert((p.object) === (o), `${what}: p.object`); assert((W.phys.isAllocated(p.pa)) === (true), `${what}: W.phys.isAllocated(p.pa)`); }
      resident += o.residentCount;
    }
    const zeroFrames = W.vm.stats.zeroPageMaps > 0 ? 1 : 0;
    assert((W.phys.userFrames) === (resident + zeroFrames), `${what}: user frames`);
    let tables = 0;
    for (const p of W.pmaps) tables += p.stats.tableFrames;
    assert((W.phys.tableFrames) === (tables), `${what}: page-table frames`);
  }

  for (let n = 0; n < steps; n++) {
    const what = step();
    check(what, n % 50 === 49);
    checkWiring(what);
  }
  // Every task but one exits: the survivor's chains collapse back.
  while (tasks.length > 1) { tasks.pop()!.map.deallocate(); }
  check("after the exits", true);
  for (const ent of tasks[0]!.map.entries) expect(ent.object?.chainLength ?? 0).toBeLessThanOrEqual(2);
  return { steps, forks, maxChain };
}

const VM_PROT_NONE_ = 0;

/** A cheap check for the hot loop (vitest's expect costs microseconds a call). */
function assert(ok: boolean, msg: string): void { if (!ok) throw new Error(`invariant broken: ${msg}`); }

describe("VM model-based test", () => {
  const SEEDS = 24, STEPS = 400;
  it(`${SEEDS} seeds × ${STEPS} random steps agree with the reference model and keep every invariant`, { timeout: 120_000 }, () => {
    let total = 0, forks = 0, maxChain = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runModel(seed, STEPS);
      total += r.steps;
      forks += r.forks;
      maxChain = Math.max(maxChain, r.maxChain);
    }
    console.log(`model: ${total} random steps, ${forks} forks, longest chain ${maxChain}`);
    expect(total).toBe(SEEDS * STEPS);
    expect(forks).toBeGreaterThan(SEEDS);
  });
});
