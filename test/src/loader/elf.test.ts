import { describe, expect, it } from "vitest";
import { ElfError, parseElf, PT_GNU_STACK } from "../../../src/loader/elf.js";
import { Asm, buildElf, program, TEXT_BASE, HEADER_ROOM } from "../helpers/rv.js";

const good = (): Uint8Array => program((a) => a.exit(0));

function reject(bytes: Uint8Array, pattern: RegExp): void {
  let err: unknown;
  try { parseElf(bytes); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(ElfError);
  expect((err as Error).message).toMatch(pattern);
  expect((err as Error).message).not.toContain("\n");
}

describe("parseElf", () => {
  it("accepts a well-formed static executable", () => {
    const img = parseElf(good());
    expect(img.type).toBe("exec");
    expect(img.entry).toBe(TEXT_BASE + HEADER_ROOM);
    expect(img.loads).toHaveLength(1);
    expect(img.phdrVaddr).toBe(TEXT_BASE + 64);
    expect(img.execStack).toBe(false);
  });

  it("rejects files that are not ELF", () => {
    reject(new TextEncoder().encode("#!/bin/sh\necho hi\n"), /not an ELF file/);
    reject(new Uint8Array(0), /not an ELF file/);
    reject(new Uint8Array([0x7F, 0x45]), /not an ELF file/);
  });

  it("rejects a truncated header", () => {
    reject(good().subarray(0, 40), /truncated ELF header \(40 of 64 bytes\)/);
  });

  it("rejects 32-bit and big-endian files", () => {
    const b = good(); b[4] = 1;
    reject(b, /32-bit ELF/);
    const c = good(); c[5] = 2;
    reject(c, /big-endian/);
  });

  it("rejects other machines by name", () => {
    reject(buildElf({ machine: 62, entry: 0x10200, segments: [{ vaddr: 0x10200, flags: 5, data: new Uint8Array(4) }] }),
      /wrong machine: x86-64 \(e_machine 62\)/);
    reject(buildElf({ machine: 183, entry: 0x10200, segments: [{ vaddr: 0x10200, flags: 5, data: new Uint8Array(4) }] }),
      /AArch64/);
  });

  it("rejects relocatable objects and dynamically linked programs", () => {
    reject(buildElf({ type: 1, entry: 0x10200, segments: [{ vaddr: 0x10200, flags: 5, data: new Uint8Array(4) }] }),
      /relocatable object/);
    reject(buildElf({ interp: "/lib/ld-linux-riscv64-lp64d.so.1", entry: 0x10200,
      segments: [{ vaddr: 0x10200, flags: 5, data: new Uint8Array(4) }] }),
    /dynamically linked \(interpreter \/lib\/ld-linux-riscv64-lp64d.so.1\)/);
  });

  it("rejects program headers or segments past the end of the file", () => {
    const b = good();
    reject(b.subarray(0, 100), /truncated: program headers/);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(64 + 32, BigInt(b.length + 1), true);   // p_filesz
    dv.setBigUint64(64 + 40, BigInt(b.length + 1), true);   // p_memsz
    reject(b, /truncated: segment 0 extends past the end/);
  });

  it("rejects inconsistent segments", () => {
    const b = good();
    new DataView(b.buffer).setBigUint64(64 + 40, 1n, true); // memsz < filesz
    reject(b, /file size \d+ exceeds memory size 1/);
    const c = good();
    new DataView(c.buffer).setBigUint64(64 + 16, BigInt(TEXT_BASE + 8), true); // vaddr not congruent with offset 0
    reject(c, /differ modulo the page size/);
    const d = good();
    new DataView(d.buffer).setBigUint64(24, 0x900000n, true);
    reject(d, /entry point 0x900000 is outside/);
    const e = good();
    new DataView(e.buffer).setUint16(54, 32, true);
    reject(e, /program header size 32/);
  });

  it("rejects overlapping and unsorted segments", () => {
    const code = new Asm(0x10200).exit(0).bytes();
    reject(buildElf({ entry: 0x10200, segments: [
      { vaddr: 0x10200, flags: 5, data: code, memsz: 0x2000 },
      { vaddr: 0x11000, flags: 6, data: new Uint8Array(8) },
    ] }), /segment 1 overlaps segment 0/);
    reject(buildElf({ entry: 0x10200, segments: [
      { vaddr: 0x10200, flags: 5, data: code },
      { vaddr: 0x8000, flags: 6, data: new Uint8Array(8) },
    ] }), /ascending/);
  });

  it("reads PT_GNU_STACK", () => {
    const b = buildElf({ entry: 0x10200, segments: [{ vaddr: 0x10200, flags: 5, data: new Uint8Array(4) }],
      extraHeaders: [{ type: PT_GNU_STACK, flags: 7 }] });
    expect(parseElf(b).execStack).toBe(true);
  });
});
