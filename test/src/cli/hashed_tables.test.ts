// The CLI options of the hashed-table machines: --subblock (hashed) and --pft-size (power) reach the machine, and
// bad values or values for the wrong machine end with one line on stderr and status 2 before the guest starts.

import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../../bin/mmulab.js", import.meta.url));
const hello = fileURLToPath(new URL("../../../guest/bin/hello", import.meta.url));
const cli = (...argv: string[]) => spawnSync(process.execPath, [bin, ...argv], { encoding: "utf8" });

describe.skipIf(!existsSync(hello))("mmulab run --arch power / hashed options", () => {
  it("--subblock and --pft-size change the table, not the output", () => {
    const a = cli("run", hello, "--arch", "hashed", "--subblock", "1", "--stats");
    const b = cli("run", hello, "--arch", "hashed", "--subblock", "64", "--stats");
    const c = cli("run", hello, "--arch", "power", "--pft-size", "18", "--mem", "64M", "--stats");
    for (const r of [a, b, c]) expect(r.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(c.stdout).toBe(a.stdout);
    expect(c.stderr).toMatch(/page-table frames\s+64 now/);   // 256 KiB HTAB
  });

  for (const [argv, msg] of [
    [["--arch", "hashed", "--subblock", "3"], /subblock factor 3 is not a power of two/],
    [["--arch", "hashed", "--subblock", "0"], /--subblock must be a positive integer/],
    [["--arch", "riscv-sv39", "--subblock", "16"], /no clustered page table/],
    [["--arch", "power", "--pft-size", "17"], /from 2\^18 to half of memory/],
    [["--arch", "power", "--mem", "1M", "--pft-size", "20"], /half of memory/],
    [["--arch", "x86-64", "--pft-size", "20"], /no hashed page table/],
    [["--arch", "power", "--tlb", "l1d=48:7:lru"], /48 entries are not divisible by 7 ways/],
    [["--arch", "powerpc"], /unknown architecture 'powerpc'/],
  ] as const) {
    it(`rejects ${argv.join(" ")}`, () => {
      const r = cli("run", hello, ...argv);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    });
  }
});
