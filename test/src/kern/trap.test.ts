// The trap path turns every fault the kernel cannot resolve into a signal, however often the same fault recurs with
// nothing retiring, and ends the task when the handler cannot be reached — as Linux does (no "repeated fault" rule:
// the old heuristic called these an internal error, exit 70). guest/src/faultloop.c; qemu-riscv64 gives 139 too.

import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ARCHS } from "../../../src/arch/registry.js";
import { guestBin } from "../helpers/guest_cases.js";
import { loadedMachine } from "../helpers/machine.js";

const elf = existsSync(guestBin("faultloop")) ? new Uint8Array(readFileSync(guestBin("faultloop"))) : undefined;

function run(arch: (typeof ARCHS)[number], mode: string) {
  const { m, io } = loadedMachine(elf!, { arch, args: [mode] });
  return { r: m.run(50_000_000n), io };
}

describe.skipIf(!elf)("a fault that recurs with no instruction retiring", () => {
  // bare has no protection: nothing faults there.
  it.each(ARCHS.filter((a) => a !== "bare"))("%s: a SIGSEGV handler at an unmapped address with SA_NODEFER is re-entered until the stack overflows, then the task dies of SIGSEGV", (arch) => {
    const { r, io } = run(arch, "nodefer");
    expect(io.out).toBe("nodefer: faulting\n");
    expect(r).toMatchObject({ exitCode: 139, reason: "signal", signal: 11 });
    expect(r.message).toMatch(/^guest killed by SIGSEGV \(cannot write the signal frame for SIGSEGV \(sp 0x[0-9a-f]+, pc 0xdead0000\)\)$/);
  });

  it("the same handler without SA_NODEFER: the fault inside it finds SIGSEGV blocked and kills at once", () => {
    const { r } = run("riscv-sv39", "blocked");
    expect(r).toMatchObject({ exitCode: 139, signal: 11, message: "guest killed by SIGSEGV (invalid execute at 0xdead0000, pc 0xdead0000)" });
  });

  it("a handler on the guest's own code page made non-executable: re-entered until the stack overflows", () => {
    const { r } = run("riscv-sv39", "text");
    expect(r).toMatchObject({ exitCode: 139, signal: 11 });
    expect(r.message).toMatch(/cannot write the signal frame for SIGSEGV .*pc 0x12000\)\)$/);
  });

  it.each(["riscv-sv39", "mips-r3000", "hashed"] as const)("%s: forked children faulting at the same pc are each killed, then the parent", (arch) => {
    const { r, io } = run(arch, "children");
    expect(io.out).toBe([0, 1, 2, 3].map((i) => `child ${i}: killed by signal 11\n`).join("") + "children: faulting\n");
    expect(r).toMatchObject({ exitCode: 139, signal: 11 });
    expect(r.message).toMatch(/^guest killed by SIGSEGV \(invalid write at 0x10, pc 0x[0-9a-f]+\)$/);
  });
});
