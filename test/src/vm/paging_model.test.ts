// Model-based test of paging: seeded random sequences of anonymous mappings (private and shared), file mappings
// (private and shared, of one file), munmap, mprotect, fork, exit, reads and writes through the kernel path, user
// faults that sleep on a page-in (the device's clock advanced by hand), forced evictions of random resident pages
// and the page daemon's own evictions under memory pressure (RAM cut to a few dozen frames), over every page-out
// policy. After every step every byte of every mapped page of every task is compared with a reference model, as
// the VM holds it without faulting anything in: the resident frame, else the swap slot, else the file's storage,
// else zeros, following the shadow chain. Frames and swap slots are checked too: nothing leaked, nothing shared
// that must not be.

import { describe, expect, it } from "vitest";
import { WasmMachine } from "../../../src/machine/wasm.js";
import { PhysAllocator } from "../../../src/vm/phys.js";
import { VmSystem } from "../../../src/vm/vm_system.js";
import { VmMap, VmMapEntry } from "../../../src/vm/vm_map.js";
import { vmFault } from "../../../src/vm/vm_fault.js";
import type { VmObject } from "../../../src/vm/vm_object.js";
import { UserMemory } from "../../../src/vm/uaccess.js";
import { ManualClock } from "../../../src/vm/pager.js";
import { PAGEOUT_POLICIES } from "../../../src/vm/pageout/index.js";
import { RiscvMmu, SV39 } from "../../../src/arch/riscv/mmu.js";
import { RiscvPmap } from "../../../src/arch/riscv/pmap.js";
import { SeededRandom } from "../../../src/kern/random.js";
import { FileSystem, MemFile } from "../../../src/fs/memfs.js";
import { VnodePager, fileWrite } from "../../../src/fs/vnode_pager.js";
import { type Inheritance, VM_PROT_ALL, VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../../../src/vm/vm_prot.js";

const P = 4096, RAM = 1024 * 1024;
const USABLE = 32;                              // frames left to user pages and page tables: memory is short
const BASE = 0x40_0000, WINDOW = 16;            // pages where everything happens
const FILE_PAGES = 16;
const MAX_TASKS = 3;
const POLICIES = Object.keys(PAGEOUT_POLICIES);
const ZERO = new Uint8Array(P);

/** A page of the model: its bytes; `alias` marks a private file page not yet written (it shows the file). */
interface MPage { prot: number; inherit: Inheritance; shared: boolean; bytes: Uint8Array; alias: boolean }
type Model = Map<number, MPage>;
interface T { map: VmMap; um: UserMemory; model: Model; id: number }

function assertEq<X>(got: X, want: X): void {
  if (got !== want) throw new Error(`expected ${String(want)}, got ${String(got)}`);
}

/** Byte equality without copying (Buffer.from of a typed array would copy it). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

class Rng {
  private r: SeededRandom;
  constructor(seed: number) { this.r = new SeededRandom(BigInt(seed)); }
  int(n: number): number { return Number(this.r.next64() % BigInt(n)); }
  pick<X>(xs: readonly X[]): X { return xs[this.int(xs.length)]!; }
}

function world(policy: string, seed: number) {
  const w = new WasmMachine();
  w.init(RAM);
  const phys = new PhysAllocator(w, RAM);
  for (let i = phys.frames - USABLE; i > 0; i--) phys.alloc("pagetable");    // memory is short: 32 frames left
  const fillers = phys.tableFrames;
  const vm = new VmSystem(phys, false);
  const clock = new ManualClock();
  vm.enablePaging({ swapBytes: 4 * RAM, latency: { name: "test", read: 1000, write: 500 }, policy, seed: BigInt(seed),
    freeMin: 6, freeTarget: 8 }, clock);
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
  const fs = new FileSystem();
  const file = new MemFile(fs, fs.allocIno(), 0o644);
  return { w, phys, vm, clock, pmaps, newTask, fs, file, fillers };
}

function runModel(seed: number, steps: number): { evictions: number; pageins: number; waits: number } {
  const r = new Rng(seed);
  const policy = POLICIES[seed % POLICIES.length]!;
  const W = world(policy, seed);
  const fileBox = new Uint8Array(FILE_PAGES * P);
  for (let i = 0; i < fileBox.length; i += 97) fileBox[i] = 1 + r.int(255);
  expect(fileWrite(W.file, 0, fileBox)).toBe(true);
  let tasks: T[] = [W.newTask()];
  let evictions = 0, waits = 0;

  const randRange = (): [number, number] => {
    const a = r.int(WINDOW), n = 1 + r.int(Math.min(8, WINDOW - a));
    return [a, a + n];
  };
  const prots = [VM_PROT_READ, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_READ | VM_PROT_WRITE, 0, VM_PROT_READ | VM_PROT_EXECUTE];

  /** The bytes the VM holds for page va of map without faulting; undefined while its data is on its way. */
  let stored: Uint8Array | undefined, storedAt = -1;   // the file's storage changes only by the pager's writes                           // the file's storage, read once per check
  function vmBytes(map: VmMap, va: number): Uint8Array | undefined {
    const e = map.lookup(va)!;
    let o: VmObject | null = e.object, off = e.offset + (va - e.start);
    while (o) {
      const p = o.pageLookup(off);
      if (p) return p.busy ? undefined : W.phys.view(p.pa);
      if (o.swapped(off)) return W.vm.swapPager!.peek(o, off);
      if (o.pager) {
        if (!stored) {
          stored = new Uint8Array(FILE_PAGES * P);
          stored.set(W.file.read(0, Math.min(W.file.size, FILE_PAGES * P)));
        }
        return stored.subarray(off, off + P);
      }
      off += o.shadowOffset;
      o = o.shadow;
    }
    return ZERO;
  }

  function writeModel(m: MPage, off: number, v: Uint8Array): void {
    if (m.alias) { m.bytes = m.bytes.slice(); m.alias = false; }
    m.bytes.set(v, off);
  }

  function step(): string {
    const t = r.pick(tasks);
    const op = r.int(100);
    const [a, b] = randRange();
    const s = BASE + a * P, e = BASE + b * P;
    if (op < 8) {                                               // mmap anonymous, private or shared
      const shared = r.int(3) === 0, prot = r.pick(prots);
      t.map.remove(s, e);
      const obj = W.vm.objectAllocate(e - s);
      obj.shared = shared;
      t.map.insert(new VmMapEntry(s, e, obj, 0, prot, VM_PROT_ALL, shared ? "share" : "copy"));
      const box = shared ? new Uint8Array((b - a) * P) : undefined;
      for (let i = a; i < b; i++) {
        t.model.set(i, { prot, inherit: shared ? "share" : "copy", shared, alias: false,
          bytes: box ? box.subarray((i - a) * P, (i - a + 1) * P) : new Uint8Array(P) });
      }
      return `mmap anon ${a}-${b} ${shared ? "shared" : "private"} prot ${prot} in ${t.id}`;
    }
    if (op < 16) {                                              // mmap the file, private or shared
      const shared = r.int(2) === 0, prot = r.pick(prots);
      const fp = r.int(FILE_PAGES - (b - a) + 1);
      t.map.remove(s, e);
      const obj = VnodePager.objectFor(W.vm, W.file, W.fs.pagerStats);
      if (shared) obj.shared = true;
      t.map.insert(new VmMapEntry(s, e, obj, fp * P, prot, VM_PROT_ALL, shared ? "share" : "copy", !shared));
      for (let i = a; i < b; i++) {
        const bytes = fileBox.subarray((fp + i - a) * P, (fp + i - a + 1) * P);
        t.model.set(i, { prot, inherit: shared ? "share" : "copy", shared, alias: !shared, bytes });
      }
      return `mmap file page ${fp} at ${a}-${b} ${shared ? "shared" : "private"} prot ${prot} in ${t.id}`;
    }
    if (op < 22) {
      t.map.remove(s, e);
      for (let i = a; i < b; i++) t.model.delete(i);
      return `munmap ${a}-${b} in ${t.id}`;
    }
    if (op < 28) {
      const prot = r.pick(prots);
      let covered = true;
      for (let i = a; i < b; i++) if (!t.model.has(i)) covered = false;
      assertEq(t.map.protect(s, e, prot), covered ? "ok" : "no-entry");
      if (covered) for (let i = a; i < b; i++) t.model.get(i)!.prot = prot;
      return `mprotect ${a}-${b} ${prot} in ${t.id}`;
    }
    if (op < 33 && tasks.length < MAX_TASKS) {
      const model: Model = new Map();
      for (const [i, m] of t.model) model.set(i, { ...m, bytes: m.shared || m.alias ? m.bytes : m.bytes.slice() });
      const c = W.newTask(model);
      t.map.fork(c.map);
      tasks.push(c);
      return `fork ${t.id} -> ${c.id}`;
    }
    if (op < 37 && tasks.length > 1) {
      t.map.deallocate();
      tasks = tasks.filter((x) => x !== t);
      return `exit ${t.id}`;
    }
    if (op < 55) {                                              // a write of a few bytes through the kernel path
      const i = a, off = r.int(P - 8), v = new Uint8Array([1 + r.int(255), r.int(256), r.int(256)]);
      const m = t.model.get(i);
      const ok = t.um.copyout(BASE + i * P + off, v);
      assertEq(ok, m !== undefined && (m.prot & VM_PROT_WRITE) !== 0);
      if (ok) writeModel(m!, off, v);
      return `write page ${i}+${off} in ${t.id}`;
    }
    if (op < 65) {                                              // a read through the kernel path
      const i = a, m = t.model.get(i);
      const got = t.um.copyin(BASE + i * P, P);
      assertEq(got !== undefined, m !== undefined && (m.prot & (VM_PROT_READ | VM_PROT_WRITE)) !== 0);
      if (got && !same(got, m!.bytes)) throw new Error(`read of page ${i} in task ${t.id} differs`);
      return `read page ${i} in ${t.id}`;
    }
    if (op < 75) {                                              // a user fault, which may sleep on a page-in
      const i = a, m = t.model.get(i);
      if (!m || !(m.prot & (VM_PROT_READ | VM_PROT_WRITE))) return `touch ${i}: not readable`;
      const res = vmFault(t.map, BASE + i * P, VM_PROT_READ, false, true);
      if (res === "wait") {
        waits++;
        const ready = W.vm.waitingFor!;
        assertEq(ready(), false);
        // Sometimes the device completes at once; else the page stays busy across later steps.
        if (r.int(2) === 0) { while (!ready() && W.clock.step()); assertEq(ready(), true); }
        return `touch ${i} in ${t.id}: waits`;
      }
      assertEq(res, "ok");
      return `touch ${i} in ${t.id}`;
    }
    if (op < 85) {                                              // evict random resident pages
      const pages = [...W.vm.live].flatMap((o) => [...o.resident.values()]);
      for (let k = 1 + r.int(6); k > 0 && pages.length > 0; k--) {
        const p = pages.splice(r.int(pages.length), 1)[0]!;
        if (p.object && W.vm.pageout!.evictable(p)) { W.vm.pageout!.reclaim(p); evictions++; }
      }
      return "evict";
    }
    if (op < 92) {                                              // time passes: page-ins complete
      for (let k = r.int(4); k > 0 && W.clock.step(); k--);
      return "clock";
    }
    W.vm.pageout!.run();
    return "daemon";
  }

  function check(what: string): void {
    if (W.fs.pagerStats.pagesWritten !== storedAt) { stored = undefined; storedAt = W.fs.pagerStats.pagesWritten; }
    for (const t of tasks) {
      for (let i = 0; i < WINDOW; i++) {
        const va = BASE + i * P, m = t.model.get(i), ent = t.map.lookup(va);
        if ((ent !== undefined) !== (m !== undefined)) throw new Error(`${what}: page ${i} of task ${t.id} mapped`);
        if (!m) continue;
        const got = vmBytes(t.map, va);
        if (got && !same(got, m.bytes)) throw new Error(`${what}: bytes of page ${i} in task ${t.id}`);
        const x = t.map.pmap.extract(va);
        if (x && (x.prot & VM_PROT_WRITE) && !(ent!.protection & VM_PROT_WRITE)) throw new Error(`${what}: rights of page ${i}`);
      }
    }
    // Frames: every user frame is a page of a live object (or the zero page); page tables are the pmaps'.
    let resident = 0, slots = 0;
    for (const o of W.vm.live) {
      for (const p of o.resident.values()) if (p.object !== o || !W.phys.isAllocated(p.pa)) throw new Error(`${what}: page of object ${o.id}`);
      resident += o.residentCount;
      slots += o.swapCount;
    }
    const zero = W.vm.stats.zeroPageMaps > 0 ? 1 : 0;
    if (W.phys.userFrames !== resident + zero) throw new Error(`${what}: ${W.phys.userFrames} user frames, ${resident + zero} held`);
    if (W.vm.pageout!.queued !== resident) throw new Error(`${what}: ${W.vm.pageout!.queued} pages queued, ${resident} resident`);
    if (W.vm.swapPager!.used !== slots) throw new Error(`${what}: ${W.vm.swapPager!.used} swap slots used, ${slots} held`);
    let tables = W.fillers;
    for (const p of W.pmaps) tables += p.stats.tableFrames;
    if (W.phys.tableFrames !== tables) throw new Error(`${what}: page-table frames`);
  }

  const log: string[] = [];
  for (let n = 0; n < steps; n++) {
    const what = step();
    log.push(what);
    if (log.length > 12) log.shift();
    try { check(what); } catch (err) { throw new Error(`seed ${seed} (${policy}) step ${n}: ${(err as Error).message}\n  ${log.join("\n  ")}`); }
  }
  while (W.clock.step());
  check("after the clock ran out");
  return { evictions, pageins: W.vm.swapPager!.pageins, waits };
}

describe("paging model-based test", () => {
  const SEEDS = Number(process.env["PM_SEEDS"] ?? 40), STEPS = Number(process.env["PM_STEPS"] ?? 2600);
  it(`${SEEDS} seeds × ${STEPS} random steps over every policy: every byte agrees with the model after each step`, { timeout: 120_000 }, () => {
    let evictions = 0, pageins = 0, waits = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runModel(seed, STEPS);
      evictions += r.evictions; pageins += r.pageins; waits += r.waits;
    }
    console.log(`paging model: ${SEEDS * STEPS} steps, ${evictions} forced evictions, ${pageins} page-ins, ${waits} faults slept`);
    if (!process.env["PM_SEEDS"]) expect(SEEDS * STEPS).toBeGreaterThanOrEqual(100_000);
    expect(pageins).toBeGreaterThan(SEEDS * 10);
    expect(waits).toBeGreaterThan(SEEDS);
  });
});
