// Sweep slices (sweep/slice.ts): the I/N syntax, round-robin dealing, and a merge that refuses anything but one
// plan covered exactly once.

import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/machine/config.js";
import { inSlice, mergeSlices, parseSlice, parseSliceDoc, withoutOptions, type SliceDoc } from "../../../src/sweep/slice.js";
import type { MachineRow, SweepSpec, TlbRow } from "../../../src/sweep/plan.js";

const spec = { inputs: [], policies: ["lru"], entries: [16], ways: [4], pageSizes: [4096], archs: [], opt: false, tlbStudy: true,
  seed: "0", ifetch: true, modifyAs: 2, format: "auto", mem: "256M", optLimit: 1, recordArch: "riscv-sv39" } as SweepSpec;
const tlbRow = (k: number) => ({ input: "t", pageSize: 4096, entries: 16, ways: 4, sets: 4, policy: "lru", accesses: 100, misses: k, missRate: k / 100 }) as TlbRow;
const machineRow = (k: number) => ({ input: "t", arch: `m${k}` }) as MachineRow;

/** Slices of a plan of nTlb TLB jobs and nMachine machine jobs, as `sweep --slice` writes them. */
function slices(count: number, nTlb: number, nMachine: number, command = "mmulab sweep t"): SliceDoc[] {
  return [...Array(count).keys()].map((index) => ({
    format: "mmulab-sweep-slice", version: 1, command, spec, slice: { index, count }, tlbJobs: nTlb, machineJobs: nMachine,
    tlb: [...Array(nTlb).keys()].filter((k) => k % count === index).map((k) => ({ job: k, row: tlbRow(k) })),
    machines: [...Array(nMachine).keys()].filter((k) => (nTlb + k) % count === index).map((k) => ({ job: k, row: machineRow(k) })),
  }));
}
const named = (docs: SliceDoc[]) => docs.map((doc, i) => ({ name: `s${i}`, doc }));

describe("sweep slices", () => {
  it("parses I/N counting from 0 and refuses anything else in one line", () => {
    expect(parseSlice("0/1")).toEqual({ index: 0, count: 1 });
    expect(parseSlice(" 7/8 ")).toEqual({ index: 7, count: 8 });
    for (const bad of ["8/8", "1/0", "-1/4", "1", "a/b", "1/2/3", ""]) expect(() => parseSlice(bad), bad).toThrow(ConfigError);
  });

  it("deals jobs round-robin: every job in exactly one slice", () => {
    for (const n of [1, 3, 7]) {
      for (let k = 0; k < 50; k++) expect([...Array(n).keys()].filter((i) => inSlice(k, { index: i, count: n }))).toEqual([k % n]);
    }
  });

  it("removes options with their values in both spellings", () => {
    expect(withoutOptions(["sweep", "t", "--slice", "1/3", "--out=x", "--jobs", "2", "--entries", "16"], ["slice", "out", "jobs"]))
      .toEqual(["sweep", "t", "--entries", "16"]);
    expect(withoutOptions(["--outer", "1"], ["out"])).toEqual(["--outer", "1"]);
  });

  it("merges slices given in any order back into plan order", () => {
    const docs = slices(3, 7, 4);
    const r = mergeSlices(named([docs[2]!, docs[0]!, docs[1]!]));
    expect(r.tlb.map((t) => t.misses)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(r.machines.map((m) => m.arch)).toEqual(["m0", "m1", "m2", "m3"]);
    expect(r.command).toBe("mmulab sweep t");
  });

  it("refuses a missing, doubled, foreign, miscounted or incomplete slice with one line", () => {
    const docs = slices(3, 7, 4);
    const cases: [SliceDoc[], RegExp][] = [
      [[docs[0]!, docs[2]!], /1 of 3 slices missing \(1\)/],
      [[docs[0]!, docs[1]!, docs[1]!, docs[2]!], /slice 1\/3 is given twice/],
      [[docs[0]!, slices(3, 7, 4, "mmulab sweep u")[1]!, docs[2]!], /a slice of another sweep/],
      [[docs[0]!, slices(4, 7, 4)[1]!, docs[2]!], /is slice 1\/4, but s0 is one of 3/],
      [[docs[0]!, { ...docs[1]!, tlb: docs[1]!.tlb.slice(1) }, docs[2]!], /no slice holds TLB job 1 \(slice 1 is incomplete\)/],
      [[docs[0]!, { ...docs[1]!, tlb: [...docs[1]!.tlb, { job: 0, row: tlbRow(0) }] }, docs[2]!], /holds TLB job 0, which is not its own/],
      [[], /no slices given/],
    ];
    for (const [d, re] of cases) {
      expect(() => mergeSlices(named(d))).toThrow(ConfigError);
      expect(() => mergeSlices(named(d))).toThrow(re);
    }
  });

  it("reads only slice documents", () => {
    expect(() => parseSliceDoc("x", "not json")).toThrow(/x is not JSON/);
    expect(() => parseSliceDoc("x", JSON.stringify({ command: "mmulab sweep" }))).toThrow(/not a sweep slice/);
    expect(() => parseSliceDoc("x", JSON.stringify({ ...slices(1, 1, 0)[0], version: 2 }))).toThrow(/version 2/);
    expect(() => parseSliceDoc("x", JSON.stringify({ format: "mmulab-sweep-slice", version: 1 }))).toThrow(/damaged/);
    expect(parseSliceDoc("x", JSON.stringify(slices(1, 1, 0)[0])).slice).toEqual({ index: 0, count: 1 });
  });
});
