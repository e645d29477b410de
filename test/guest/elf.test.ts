// Static checks of the committed guest binaries that need no toolchain: the set of files in guest/bin is exactly
// the set of guests guest/Makefile knows, and each is a static, non-PIE RV64GC (RVC + double-float ABI) ELF64
// executable with no interpreter.

import { describe, expect, test } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const binDir = join(root, "guest", "bin");

/** Names listed in the Makefile's LIBC_GUESTS and ISA_GUESTS (with their backslash continuations). */
function makefileGuests(): string[] {
  const text = readFileSync(join(root, "guest", "Makefile"), "utf8").replace(/\\\n/g, " ");
  const names: string[] = [];
  for (const v of ["LIBC_GUESTS", "ISA_GUESTS"]) {
    const m = text.match(new RegExp(`^${v}\\s*:=(.*)$`, "m"));
    expect(m, `${v} in guest/Makefile`).not.toBeNull();
    names.push(...m![1]!.trim().split(/\s+/));
  }
  return names.sort();
}

const PT_INTERP = 3;
const EF_RISCV_RVC = 0x1, EF_RISCV_FLOAT_ABI_DOUBLE = 0x4;

describe("committed guest binaries", () => {
  const files = readdirSync(binDir).sort();

  test("guest/bin holds exactly the guests the Makefile builds", () => {
    expect(files).toEqual(makefileGuests());
  });

  for (const f of files) {
    test(`${f} is a static RV64GC ELF executable`, () => {
      const b = readFileSync(join(binDir, f));
      expect(b.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
      expect(b[4], "ELFCLASS64").toBe(2);
      expect(b[5], "little-endian").toBe(1);
      expect(b.readUInt16LE(16), "ET_EXEC").toBe(2);
      expect(b.readUInt16LE(18), "EM_RISCV").toBe(243);
      const flags = b.readUInt32LE(48);
      expect(flags & EF_RISCV_RVC).toBe(EF_RISCV_RVC);
      expect(flags & 0x6).toBe(EF_RISCV_FLOAT_ABI_DOUBLE);
      const phoff = Number(b.readBigUInt64LE(32)), phentsize = b.readUInt16LE(54), phnum = b.readUInt16LE(56);
      const types = Array.from({ length: phnum }, (_, i) => b.readUInt32LE(phoff + i * phentsize));
      expect(types).not.toContain(PT_INTERP);
      expect(types.filter((t) => t === 1).length, "PT_LOAD segments").toBeGreaterThanOrEqual(2);
    });
  }
});
