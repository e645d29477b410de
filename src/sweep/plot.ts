// A sweep's plots as SVG, drawn by vega-lite specifications compiled to vega and rendered headless
// (View.toSVG with renderer "none": no canvas, no browser). Text is measured by vega's estimate without a canvas.

import * as vega from "vega";
import * as vl from "vega-lite";
import type { MachineRow, TlbRow } from "./plan.js";
import { formatPageSize } from "./output.js";

type VlSpec = vl.TopLevelSpec;

/** Renders a vega-lite specification to an SVG document. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Miss rate against TLB size (entries, log scale), one line per policy, Belady's optimum as a dashed black line;
 * one panel per input, page size and associativity.
 */
export function missRateSpec(rows: readonly TlbRow[]): VlSpec {
  const values = rows.map((r) => ({
    input: r.input, panel: `${r.input} · ${formatPageSize(r.pageSize)} pages · ${r.ways === r.entries ? "fully associative" : `${r.ways}-way`}`,
    entries: r.entries, missRate: r.missRate, policy: r.policy === "opt" ? "MIN (optimum)" : r.policy,
  }));
  const x = { field: "entries", type: "quantitative", title: "TLB entries", scale: { type: "log", base: 2 }, axis: { values: [...new Set(rows.map((r) => r.entries))] } } as const;
  const y = { field: "missRate", type: "quantitative", title: "miss rate", axis: { format: ".3~%" } } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Miss rate against TLB size", subtitle: "one line per policy; dashed black: Belady's optimum (MIN)" },
    data: { values },
    facet: { field: "panel", type: "nominal", title: null },
    columns: 2,
    spec: {
      width: 320, height: 220,
      layer: [
        {
          transform: [{ filter: "datum.policy !== 'MIN (optimum)'" }],
          mark: { type: "line", point: true },
          encoding: { x, y, color: { field: "policy", type: "nominal", title: "policy" } },
        },
        {
          transform: [{ filter: "datum.policy === 'MIN (optimum)'" }],
          mark: { type: "line", color: "black", strokeDash: [6, 4], strokeWidth: 2 },
          encoding: { x, y, detail: { field: "policy", type: "nominal" } },
        },
      ],
    },
    resolve: { scale: { y: "independent" } },
  } as VlSpec;
}

/** Translation cycles per TLB access for each machine, one group of bars per input. */
export function cyclesSpec(rows: readonly MachineRow[]): VlSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Translation cost per machine", subtitle: "cycles charged to translation per L1 TLB access" },
    data: { values: rows.filter((r) => r.unavailable === undefined).map((r) => ({ input: r.input, arch: r.arch, cyclesPerAccess: r.cyclesPerAccess })) },
    mark: "bar",
    width: { step: 18 },
    height: 240,
    encoding: {
      x: { field: "input", type: "nominal", title: null },
      xOffset: { field: "arch", type: "nominal" },
      y: { field: "cyclesPerAccess", type: "quantitative", title: "translation cycles per TLB access" },
      color: { field: "arch", type: "nominal", title: "machine" },
      tooltip: [{ field: "arch" }, { field: "cyclesPerAccess", format: ".4f" }],
    },
  } as VlSpec;
}
