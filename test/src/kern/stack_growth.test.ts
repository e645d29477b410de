// Stacks growing down (kern/stack_growth.ts, Linux expand_downwards): a fault below a MAP_GROWSDOWN mapping grows
// it unless the stack would come within stack_guard_gap of the mapping below, or exceed RLIMIT_STACK.
import { beforeEach, describe, expect, it } from "vitest";
import { program } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";
import type { Machine } from "../../../src/boot/machine.js";
import { STACK_GUARD_GAP } from "../../../src/kern/stack_growth.js";
import { VM_PROT_WRITE } from "../../../src/vm/vm_prot.js";

const NR = { munmap: 215, mmap: 222, setrlimit: 164 };
const PAGE = 4096, MAP_PRIVATE_ANON = 0x22, MAP_FIXED = 0x10, MAP_GROWSDOWN = 0x100, RW = 3;

let m: Machine;
const sys = (nr: number, ...a: (number | bigint)[]): number => Number(m.syscall(nr, ...a));
const fault = (va: number) => m.trapHandler.resolvePageFault(m.task, BigInt(va), VM_PROT_WRITE);

describe("MAP_GROWSDOWN stacks", () => {
  beforeEach(() => { ({ m } = loadedMachine(program((a) => a.exit(0)))); });

  /** A free region of `pages` pages with a 4-page growsdown stack mapped at its top; returns the region's start. */
  function stackIn(pages: number): number {
    const start = sys(NR.mmap, 0, pages * PAGE, RW, MAP_PRIVATE_ANON, -1, 0);
    expect(sys(NR.munmap, start, pages * PAGE)).toBe(0);
    const top = start + pages * PAGE;
    expect(sys(NR.mmap, top - 4 * PAGE, 4 * PAGE, RW, MAP_PRIVATE_ANON | MAP_FIXED | MAP_GROWSDOWN, -1, 0)).toBe(top - 4 * PAGE);
    return start;
  }

  it("a fault below the mapping grows it down to the faulting page; a plain mapping does not grow", () => {
    const start = stackIn(300);
    const top = start + 300 * PAGE;
    expect(fault(top - 10 * PAGE + 8)).toBe("ok");
    const e = m.task.map.lookup(top - 10 * PAGE)!;
    expect(e.growsDown).toBe(true);
    expect(e.start).toBe(top - 10 * PAGE);
    expect(m.task.um.readU32(top - 7 * PAGE)).toBe(0);           // the pages between are part of it
    const plain = sys(NR.mmap, 0, 4 * PAGE, RW, MAP_PRIVATE_ANON, -1, 0);
    if (!m.task.map.lookup(plain - PAGE)) expect(fault(plain - PAGE)).toBe("maperr");
  });

  it("keeps stack_guard_gap from an accessible mapping below", () => {
    const start = stackIn(300);
    const top = start + 300 * PAGE;
    expect(sys(NR.mmap, start, PAGE, RW, MAP_PRIVATE_ANON | MAP_FIXED, -1, 0)).toBe(start);
    const lowest = start + PAGE + STACK_GUARD_GAP;               // the lowest page the stack may reach
    expect(fault(lowest - PAGE)).toBe("maperr");
    expect(m.task.map.lookup(top - 5 * PAGE)).toBeUndefined();    // nothing grew
    expect(fault(lowest)).toBe("ok");
  });

  it("stops at RLIMIT_STACK", () => {
    const lim = sys(NR.mmap, 0, PAGE, RW, MAP_PRIVATE_ANON, -1, 0);
    const start = stackIn(300);
    const top = start + 300 * PAGE;
    m.task.um.writeU64(lim, 16n * BigInt(PAGE));
    m.task.um.writeU64(lim + 8, 1n << 40n);
    expect(sys(NR.setrlimit, 3, lim)).toBe(0);
    expect(fault(top - 17 * PAGE)).toBe("maperr");
    expect(fault(top - 16 * PAGE)).toBe("ok");
  });
});
