// The host side of the wasm contract (src/machine/wasm.ts): the layout built from the module's exported constants,
// usable before any machine exists; the 64-bit page-table formats; counter names; the policy list the module defines.

import { describe, expect, it } from "vitest";
import { LAYOUT_NAMES, LAYOUT_NAMES_64, policyNames, WasmMachine, wasmLayout, wasmLayout64 } from "../../../src/machine/wasm.js";
import { POLICIES } from "../../../src/machine/config.js";

describe("wasm layout", () => {
  it("is read at module level, without a machine, and matches a machine's", () => {
    const L = wasmLayout(), L64 = wasmLayout64();
    for (const n of LAYOUT_NAMES) expect(typeof L[n], n).toBe("number");
    for (const n of LAYOUT_NAMES_64) expect(typeof L64[n], n).toBe("bigint");
    const m = new WasmMachine();
    expect(m.layout).toEqual(L);
    expect(m.layout64).toEqual(L64);
  });

  it("gives the machines' formats as the hardware defines them", () => {
    const L = wasmLayout(), L64 = wasmLayout64();
    expect(L64.SV_PTE_V).toBe(1n);
    expect(L64.SV_PTE_D).toBe(0x80n);
    expect(L64.X86_PTE_XD).toBe(1n << 63n);
    expect(L64.TTE_V).toBe(1n << 63n);
    expect(L64.HPTE_R_RPN).toBe(0x0FFF_FFFF_FFFF_F000n);
    expect(L64.MIPS_R4000_ENTRYLO_D).toBe(4n);
    expect(L.VAX_PTE_V).toBe(0x8000_0000);
    expect(L.VAX_PR_MAPEN).toBe(56);
  });

  it("names every counter the module exports", () => {
    const m = new WasmMachine();
    const all = m.layout as unknown as Record<string, number>;
    for (const [name, i] of Object.entries(all)) if (name.startsWith("C_")) expect(m.counterNames[i]).toBe(name.slice(2));
  });
});

describe("policy list", () => {
  it("is the module's POLICY_* exports, in their order, each with its code", () => {
    expect(policyNames()).toEqual(["lru", "plru", "fifo", "random", "nru", "lfu", "srrip", "brrip", "mru", "mips-random"]);
    expect(POLICIES).toEqual(policyNames());
    const L = wasmLayout() as unknown as Record<string, number>;
    const codes = policyNames().map((p) => L[`POLICY_${p.toUpperCase().replace(/-/g, "_")}`]);
    expect(new Set(codes).size).toBe(codes.length);
    expect(Math.max(...codes.map(Number))).toBe(L["NPOLICIES"]! - 1);
  });
});
