// Kernel (machine-independent VM) operations per second, on the real Sv39 pmap and wasm physical memory:
//   fork+exit of a 64 MiB task  — vm_map fork of a task whose 16384 pages are resident, then the child's exit
//                                 (with and without the parent writing one page after each fork: shadow, collapse)
//   page-fault storm            — 100,000 write faults on fresh anonymous pages (zero-fill, pmap enter), then unmap
//   mmap/munmap churn           — mmap(64 KiB anonymous) + touch one page + munmap through the system calls,
//                                 in an empty map and in one holding 10,000 other entries (lookups stay logarithmic)
// Run with `npm run build && node bench/kern.js`. Prints a table of operations per second.

import { Bench } from "tinybench";
import { WasmMachine } from "../dist/machine/wasm.js";
import { PhysAllocator } from "../dist/vm/phys.js";
import { VmSystem } from "../dist/vm/vm_system.js";
import { VmMap, VmMapEntry } from "../dist/vm/vm_map.js";
import { vmFault } from "../dist/vm/vm_fault.js";
import { UserMemory } from "../dist/vm/uaccess.js";
import { RiscvMmu, SV39 } from "../dist/arch/riscv/mmu.js";
import { RiscvPmap } from "../dist/arch/riscv/pmap.js";
import { Machine } from "../dist/boot/machine.js";
import { defaultConfig } from "../dist/machine/config.js";

const P = 4096, BASE = 0x1000_0000;
const RW = 3, ALL = 7;

function world(ram) {
  const w = new WasmMachine();
  w.init(ram);
  const phys = new PhysAllocator(w, ram);
  const vm = new VmSystem(phys, false);
  const mmu = new RiscvMmu(w, SV39);
  const space = () => {
    const pmap = new RiscvPmap({ machine: w, phys, pageOf: (pa) => vm.pageOf(pa) }, mmu);
    const map = new VmMap(vm, pmap, 0x1000, 2 ** 38);
    return { map, um: new UserMemory(map, w) };
  };
  return { w, phys, vm, space };
}

function anon(map, start, bytes) {
  map.insert(new VmMapEntry(start, start + bytes, map.vm.objectAllocate(bytes), 0, RW, ALL, "copy"));
}

const bench = new Bench({ time: 2000, warmupTime: 300 });
const perOp = new Map();   // task name → unit per operation, for the table

// fork+exit of a 64 MiB task
{
  const W = world(192 << 20);
  const parent = W.space();
  anon(parent.map, BASE, 64 << 20);
  for (let i = 0; i < 16384; i++) vmFault(parent.map, BASE + i * P, 2);
  bench.add("fork+exit 64 MiB", () => {
    const child = W.space();
    parent.map.fork(child.map);
    child.map.deallocate();
  });
  let k = 0;
  bench.add("fork+exit 64 MiB, parent writes a page", () => {
    const child = W.space();
    parent.map.fork(child.map);
    parent.um.copyout(BASE + (k++ % 16384) * P, new Uint8Array([1]));
    child.map.deallocate();
  });
}

// page-fault storm: 100k fresh pages
{
  const W = world(512 << 20);
  const s = W.space();
  const N = 100_000;
  perOp.set("page-fault storm (100k pages)", N);
  bench.add("page-fault storm (100k pages)", () => {
    anon(s.map, BASE, N * P);
    for (let i = 0; i < N; i++) vmFault(s.map, BASE + i * P, 2);
    s.map.remove(BASE, BASE + N * P);
  });
}

// mmap/munmap churn through the system calls
for (const background of [0, 10_000]) {
  const io = { read: () => new Uint8Array(0), write: () => {} };
  const m = new Machine({ ...defaultConfig("riscv-sv39"), ramBytes: 64 << 20 }, { io });
  const map = m.task.map;
  for (let i = 0; i < background; i++) {
    // entries with holes between them, so they cannot merge
    map.insert(new VmMapEntry(0x2000_0000 + i * 2 * P, 0x2000_0000 + i * 2 * P + P, null, 0, RW, ALL, "copy"));
  }
  const MMAP = 222, MUNMAP = 215;
  bench.add(`mmap/munmap churn (${background} other entries)`, () => {
    const a = m.syscall(MMAP, 0, 65536, 3, 0x22, -1, 0);
    if (a < 0n) throw new Error(`mmap failed: ${a}`);
    m.task.um.copyout(Number(a) + P, new Uint8Array([1]));
    if (m.syscall(MUNMAP, a, 65536) !== 0n) throw new Error("munmap failed");
  });
}

await bench.run();
console.table(bench.tasks.map((t) => {
  const r = t.result;
  const ops = r.throughput.mean;
  const unit = perOp.get(t.name);
  return {
    operation: t.name,
    "ops/s": Number(ops.toFixed(ops < 100 ? 2 : 0)),
    "mean ms": Number(r.latency.mean.toFixed(3)),
    ...(unit ? { "faults/s": Math.round(ops * unit) } : {}),
    samples: r.latency.samples.length,
  };
}));
