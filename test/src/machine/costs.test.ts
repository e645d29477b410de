import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { ARCHS } from "../../../src/arch/registry.js";
import { defaultConfig } from "../../../src/machine/config.js";
import { COST_KEYS, TLB_LEVELS, checkMachineData, defaultCosts, machineData, machineDataUrl } from "../../../src/machine/costs.js";
import { validateLevel } from "../../../src/machine/tlbspec.js";
import { wasmLayout } from "../../../src/machine/wasm.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("machine data files", () => {
  it("every machine has a complete file, each default with a source", () => {
    for (const arch of ARCHS) {
      const d = machineData(arch);
      expect(d.arch).toBe(arch);
      expect(d.walkLevels.source.length).toBeGreaterThan(10);
      expect(d.pageSizes.source.length).toBeGreaterThan(10);
      for (const k of COST_KEYS) {
        expect(Number.isSafeInteger(d.costs[k].cycles), `${arch} ${k}`).toBe(true);
        expect(d.costs[k].source.length, `${arch} ${k}`).toBeGreaterThan(10);
      }
      for (const l of TLB_LEVELS) {
        expect(d.tlb[l].source.length, `${arch} ${l}`).toBeGreaterThan(10);
        expect(() => validateLevel(l, d.tlb[l], wasmLayout().TLB_MAX_ENTRIES)).not.toThrow();
      }
      if (arch === "bare") expect(d.walkLevels.value).toBe(0);
      else expect(d.pageSizes.value.some((p) => 4096 % p === 0), `${arch}: the kernel's 4 KiB page is whole machine pages`).toBe(true);
    }
  });

  it("the x86-64 and x86-64-la57 files are complete (ahead of or alongside their machines)", () => {
    for (const a of ["riscv-sv39", "riscv-sv48", "bare", "x86-64", "x86-64-la57"]) {
      expect(existsSync(machineDataUrl(a)), a).toBe(true);
      checkMachineData(a, JSON.parse(readFileSync(machineDataUrl(a), "utf8")));
    }
  });

  it("the defaults come from the files", () => {
    for (const arch of ARCHS) {
      const d = machineData(arch), c = defaultConfig(arch);
      for (const k of COST_KEYS) expect(c.costs[k]).toBe(d.costs[k].cycles);
      for (const l of TLB_LEVELS) expect(c.tlb[l]).toEqual({ entries: d.tlb[l].entries, ways: d.tlb[l].ways, policy: d.tlb[l].policy });
    }
    expect(defaultCosts("riscv-sv39")).toEqual(defaultConfig("riscv-sv39").costs);
  });

  it("rejects an incomplete or unsourced file, naming the field", () => {
    const good = JSON.parse(readFileSync(join(root, "src/arch/riscv/riscv-sv39.json"), "utf8"));
    const drop = (f: (d: any) => void): unknown => { const d = structuredClone(good); f(d); return d; };
    expect(() => checkMachineData("riscv-sv39", drop((d) => { delete d.costs.walkRef; }))).toThrow(/costs\.walkRef/);
    expect(() => checkMachineData("riscv-sv39", drop((d) => { delete d.costs.l2Hit.source; }))).toThrow(/costs\.l2Hit: missing its source/);
    expect(() => checkMachineData("riscv-sv39", drop((d) => { delete d.tlb.l2; }))).toThrow(/tlb\.l2/);
    expect(() => checkMachineData("riscv-sv39", drop((d) => { d.tlb.l1d.policy = "belady"; }))).toThrow(/policy/);
    expect(() => checkMachineData("riscv-sv39", drop((d) => { d.pageSizes.value = [3000]; }))).toThrow(/page size 3000/);
    expect(() => checkMachineData("riscv-sv48", good)).toThrow(/names arch 'riscv-sv39'/);
    expect(() => machineData("no-such-machine")).toThrow(/cannot read the machine data file/);
  });

  it("the files are found from the compiled module too (dist/machine), and are published", () => {
    const fromDist = new URL("../../src/arch/x86-64/x86-64.json", pathToFileURL(join(root, "dist/machine/costs.js")));
    expect(existsSync(fromDist)).toBe(true);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { files?: string[] };
    if (pkg.files) expect(pkg.files.some((f) => "src/arch/bare/bare.json".startsWith(f.replace(/\*.*$/, "")))).toBe(true);
  });
});
