import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError, DEFAULT_GUEST_ENV, ElfError, guestEnvironment, runGuest } from "../../src/index.js";
import { program } from "./helpers/rv.js";

const guestHello = fileURLToPath(new URL("../../guest/bin/hello", import.meta.url));

const hello = program((a) => { a.syscall(64, 1, 0x20000, 6); a.exit(0); },
  { vaddr: 0x20000, bytes: new TextEncoder().encode("Hello\n") });

describe("guestEnvironment (the CLI's --env and --env-clear)", () => {
  it("starts from the defaults, replaces a default in place, appends new names in order", () => {
    expect(guestEnvironment([])).toEqual([...DEFAULT_GUEST_ENV]);
    expect(guestEnvironment(["B=2", "HOME=/root", "A=1", "B=3"]))
      .toEqual(["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/root", "B=3", "A=1"]);
    expect(guestEnvironment(["A=x=y", "E="], true)).toEqual(["A=x=y", "E="]);
    expect(() => guestEnvironment(["=1"])).toThrow(ConfigError);
    expect(() => guestEnvironment(["NAME"])).toThrow(/NAME=value/);
  });
});

describe("runGuest (library API)", () => {
  it("returns exit status, output and counters", () => {
    const r = runGuest({ path: "/virtual/hello", elf: hello, mem: "16M" });
    expect(r.exitCode).toBe(0);
    expect(r.reason).toBe("exit");
    expect(r.stdout).toBe("Hello\n");
    expect(r.stderr).toBe("");
    expect(r.counters["instret"]).toBeGreaterThan(0);
    expect(r.counters["cycles"]).toBe(r.counters["instret"]! + r.counters["xcycles"]!);
    expect(r.config.ramBytes).toBe(16 * 1024 * 1024);
  });

  it("collects --strace lines separately", () => {
    const r = runGuest({ path: "/virtual/hello", elf: hello, mem: "16M", strace: true });
    expect(r.strace).toEqual(['write(1, "Hello\\n", 6) = 6', "exit_group(0) = ?"]);
  });

  it("validates its options", () => {
    expect(() => runGuest({ path: "x", elf: hello, mem: "3K" })).toThrow(ConfigError);
    expect(() => runGuest({ path: "x", elf: hello, tlb: "l1i=3:2" })).toThrow(ConfigError);
    expect(() => runGuest({ path: "x", elf: new Uint8Array(10) })).toThrow(ElfError);
  });

  it("costs change cycles but not instructions", () => {
    const a = runGuest({ path: "h", elf: hello, mem: "16M" });
    const b = runGuest({ path: "h", elf: hello, mem: "16M", costs: { walkRef: 100 } });
    expect(b.counters["instret"]).toBe(a.counters["instret"]);
    expect(b.counters["cycles"]).toBeGreaterThan(a.counters["cycles"]!);
  });
});

describe.skipIf(!existsSync(guestHello))("guest/bin/hello (glibc, end to end)", () => {
  for (const arch of ["riscv-sv39", "riscv-sv48", "bare"]) {
    it(`prints Hello under ${arch}`, () => {
      const r = runGuest({ path: guestHello, arch, mem: "64M" });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/^Hello/);
    });
  }
});
