import { describe, expect, it } from "vitest";
import { ARCHS, MACHINES, machineDef, parseArch } from "../../../src/arch/registry.js";
import { ConfigError } from "../../../src/machine/config.js";
import { machineData, machineDataFiles } from "../../../src/machine/costs.js";

describe("machine registry", () => {
  it("every registry entry has a data file, and every data file a registry entry", () => {
    const files = [...machineDataFiles().keys()].sort();
    expect(files).toEqual([...ARCHS].sort());
    for (const a of ARCHS) expect(machineData(a).arch).toBe(a);
  });

  it("lists the machines once each, in the order of mmulab archs", () => {
    expect(new Set(ARCHS).size).toBe(MACHINES.length);
    expect(ARCHS).toEqual([
      "riscv-sv39", "riscv-sv48", "bare", "x86-64", "x86-64-la57", "mips-r3000", "mips-r4000", "sparc", "power", "hashed",
      "vax", "guarded",
    ]);
  });

  it("finds an entry by name and refuses an unknown one", () => {
    for (const a of ARCHS) expect(machineDef(a).name).toBe(a);
    expect(parseArch("power")).toBe("power");
    expect(() => parseArch("pdp-11")).toThrow(ConfigError);
    expect(() => machineDef("pdp-11")).toThrow(/no machine 'pdp-11'/);
  });

  it("keeps each data file in its machine family's folder", () => {
    for (const [a, url] of machineDataFiles()) expect(url.pathname).toMatch(new RegExp(`/src/arch/[a-z0-9-]+/${a}\\.json$`));
  });
});
