import { describe, expect, it } from "vitest";
import { A0, A1, A2, A7, Asm, HEADER_ROOM, TEXT_BASE, buildElf } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";
import { AT_ENTRY, AT_PHDR } from "../../../src/loader/stack.js";

function auxv(m: ReturnType<typeof loadedMachine>["m"], sp: number): Map<number, number> {
  const um = m.task.um;
  const argc = Number(um.readU64(sp)!);
  let at = sp + 8 * (argc + 2);
  while (um.readU64(at) !== 0n) at += 8;
  at += 8;
  const out = new Map<number, number>();
  for (; um.readU64(at) !== 0n; at += 16) out.set(Number(um.readU64(at)!), Number(um.readU64(at + 8)!));
  return out;
}

describe("execImage", () => {
  it("loads a static PIE (ET_DYN) at the PIE base and biases entry and AT_PHDR", () => {
    const msgAt = 0x11000;
    const a = new Asm(TEXT_BASE + HEADER_ROOM);
    a.pcrel(A1, msgAt).li(A0, 1).li(A2, 4).li(A7, 64).ecall().exit(0);
    const elf = buildElf({ type: 3, entry: TEXT_BASE + HEADER_ROOM, segments: [
      { vaddr: TEXT_BASE + HEADER_ROOM, flags: 5, data: a.bytes() },
      { vaddr: msgAt, flags: 6, data: new TextEncoder().encode("pie\n") },
    ] });
    for (const arch of ["riscv-sv39", "bare"] as const) {
      const { m, io, exec } = loadedMachine(elf, { arch });
      expect(exec.bias).toBe(m.task.layout.pieBase - TEXT_BASE);
      const av = auxv(m, exec.sp);
      expect(av.get(AT_ENTRY)).toBe(TEXT_BASE + HEADER_ROOM + exec.bias);
      expect(av.get(AT_PHDR)).toBe(TEXT_BASE + 64 + exec.bias);
      expect(m.run().exitCode).toBe(0);
      expect(io.out).toBe("pie\n");
    }
  });

  it("zero-fills bss and the rest of the last file page; a shared boundary page gets the later segment", () => {
    // Text ends and data begins in the same page (0x10xxx): the data segment's mapping replaces that page and
    // carries the file bytes of both, as Linux's MAP_FIXED file mapping does.
    const a = new Asm(TEXT_BASE + HEADER_ROOM);
    a.exit(0);
    const text = a.bytes();
    const dataVa = TEXT_BASE + HEADER_ROOM + text.length + 8;
    const elf = buildElf({ entry: TEXT_BASE + HEADER_ROOM, segments: [
      { vaddr: TEXT_BASE + HEADER_ROOM, flags: 5, data: text },
      { vaddr: dataVa, flags: 6, data: new Uint8Array([1, 2, 3, 4]), memsz: 0x3000 },
    ] });
    const { m } = loadedMachine(elf);
    const um = m.task.um;
    expect(Array.from(um.copyin(dataVa, 6)!)).toEqual([1, 2, 3, 4, 0, 0]);
    expect(Array.from(um.copyin(dataVa + 0x2000, 4)!)).toEqual([0, 0, 0, 0]);
    expect(um.readU32(TEXT_BASE + HEADER_ROOM)).toBe(new DataView(text.buffer).getUint32(0, true));
    const e = m.task.map.lookup(TEXT_BASE)!;
    expect(e.protection).toBe(3);   // the shared page now belongs to the writable data segment
    expect(m.task.brkStart).toBe(Math.ceil((dataVa + 0x3000) / 4096) * 4096);
    // As on Linux, the text in that page is no longer executable (linkers avoid sharing a virtual page).
    expect(m.run().message).toMatch(/SIGSEGV \(execute not permitted at 0x10200/);
  });

  it("refuses segments that do not fit under translation off", () => {
    const at = 0x4000_0000 + HEADER_ROOM;
    const a = new Asm(at).exit(0);
    const elf = buildElf({ entry: at, segments: [{ vaddr: at, flags: 5, data: a.bytes() }] });
    expect(() => loadedMachine(elf, { arch: "bare" })).toThrow(/does not fit in the address space \(translation off/);
    expect(loadedMachine(elf).m.run().exitCode).toBe(0);
  });

  it("maps an executable stack only when PT_GNU_STACK asks for it", () => {
    const a = new Asm(TEXT_BASE + HEADER_ROOM).exit(0);
    const plain = buildElf({ entry: TEXT_BASE + HEADER_ROOM, segments: [{ vaddr: TEXT_BASE + HEADER_ROOM, flags: 5, data: a.bytes() }] });
    const { m } = loadedMachine(plain);
    expect(m.task.map.lookup(m.task.layout.stackTop - 1)!.protection).toBe(3);
  });
});
