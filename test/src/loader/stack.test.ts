import { describe, expect, it } from "vitest";
import {
  AT_BASE, AT_CLKTCK, AT_EGID, AT_ENTRY, AT_EUID, AT_EXECFN, AT_FLAGS, AT_GID, AT_HWCAP, AT_NULL, AT_PAGESZ,
  AT_PHDR, AT_PHENT, AT_PHNUM, AT_RANDOM, AT_SECURE, AT_UID, buildStack,
} from "../../../src/loader/stack.js";
import { SeededRandom } from "../../../src/kern/random.js";
import { A0, A1, A2, SP, T0, T1, program, TEXT_BASE, HEADER_ROOM } from "../helpers/rv.js";
import { loadedMachine } from "../helpers/machine.js";

function readString(bytes: (va: number, n: number) => Uint8Array | undefined, va: number): string {
  let s = "";
  for (;;) {
    const b = bytes(va + s.length, 1)![0]!;
    if (b === 0) return s;
    s += String.fromCharCode(b);
  }
}

describe("initial stack", () => {
  it("matches Linux's layout, read back from guest memory", () => {
    const elf = program((a) => a.exit(0));
    const { m, exec } = loadedMachine(elf, { args: ["one", "-two"], env: ["HOME=/home/guest", "LANG=C"], config: { seed: 42n } });
    const um = m.task.um;
    const word = (va: number): number => Number(um.readU64(va)!);
    const sp = exec.sp;
    expect(sp % 16).toBe(0);
    expect(m.wasm.getX(SP)).toBe(BigInt(sp));
    expect(word(sp)).toBe(3);
    const argv = [1, 2, 3].map((i) => readString((v, n) => um.copyin(v, n), word(sp + 8 * i)));
    expect(argv).toEqual(["/test/prog", "one", "-two"]);
    expect(word(sp + 8 * 4)).toBe(0);
    const envp = [5, 6].map((i) => readString((v, n) => um.copyin(v, n), word(sp + 8 * i)));
    expect(envp).toEqual(["HOME=/home/guest", "LANG=C"]);
    expect(word(sp + 8 * 7)).toBe(0);

    const aux: [number, number][] = [];
    for (let at = sp + 8 * 8; ; at += 16) {
      aux.push([word(at), word(at + 8)]);
      if (word(at) === AT_NULL) break;
    }
    expect(aux.map(([k]) => k)).toEqual([AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE,
      AT_FLAGS, AT_ENTRY, AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_RANDOM, AT_EXECFN, AT_NULL]);
    const av = new Map(aux);
    expect(av.get(AT_HWCAP)).toBe(0x112D);
    expect(av.get(AT_PAGESZ)).toBe(4096);
    expect(av.get(AT_CLKTCK)).toBe(100);
    expect(av.get(AT_PHDR)).toBe(TEXT_BASE + 64);
    expect(av.get(AT_PHENT)).toBe(56);
    expect(av.get(AT_PHNUM)).toBe(1);
    expect(av.get(AT_BASE)).toBe(0);
    expect(av.get(AT_ENTRY)).toBe(TEXT_BASE + HEADER_ROOM);
    expect(av.get(AT_SECURE)).toBe(0);
    expect(readString((v, n) => um.copyin(v, n), av.get(AT_EXECFN)!)).toBe("/test/prog");
    // AT_RANDOM: the first 16 bytes the seeded generator produces.
    expect(Array.from(um.copyin(av.get(AT_RANDOM)!, 16)!)).toEqual(Array.from(new SeededRandom(42n).bytes(16)));
    // The program headers really are at AT_PHDR.
    expect(Array.from(um.copyin(TEXT_BASE, 4)!)).toEqual([0x7F, 0x45, 0x4C, 0x46]);
    expect(um.readU32(av.get(AT_PHDR)!)).toBe(1);   // PT_LOAD
    // Strings sit at the top: argv strings, then envp strings, then the file name, then 8 zero bytes.
    const top = m.task.layout.stackTop;
    expect(av.get(AT_EXECFN)).toBe(top - 8 - "/test/prog".length - 1);
    expect(word(sp + 8 * 5)).toBeGreaterThan(word(sp + 8 * 3));
    expect(word(top - 8)).toBe(0);
  });

  it("is found by the guest at its entry (argv[1] written to stdout)", () => {
    const elf = program((a) => {
      a.ld(A1, SP, 16);              // argv[1]
      a.addi(A2, 0, 0);
      a.label("len").add(T0, A1, A2).lbu(T1, T0, 0).beq(T1, 0, "done").addi(A2, A2, 1).j("len");
      a.label("done").addi(A0, 0, 1).li(17, 64).ecall();
      a.exit(0);
    });
    for (const arch of ["riscv-sv39", "riscv-sv48", "bare"] as const) {
      const { m, io } = loadedMachine(elf, { arch, args: ["argument-one"] });
      expect(m.run().exitCode).toBe(0);
      expect(io.out).toBe("argument-one");
    }
  });

  it("aligns sp to 16 for every argument count", () => {
    const info = { phdr: 0, phnum: 0, entry: 0, base: 0, uid: 0, gid: 0 };
    for (let n = 0; n < 5; n++) {
      const st = buildStack(0x40000, Array.from({ length: n }, (_, i) => "x".repeat(i)), ["A=1"], "p", info, new Uint8Array(16), 0x10000);
      expect(st.sp % 16).toBe(0);
      expect(st.randomAddr % 16).toBe(0);
      expect(st.bytes.length).toBe(0x40000 - st.sp);
    }
  });
});
