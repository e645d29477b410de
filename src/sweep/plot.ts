// A sweep's plots as SVG, drawn by vega-lite specifications compiled to vega and rendered headless
// (View.toSVG with renderer "none": no canvas, no browser). Text is measured by vega's estimate without a canvas.

import * as vega from "vega";
import * as vl from "vega-lite";
import type { MachineRow, TlbRow } from "./plan.js";
import { formatPageSize } from "./output.js";

type VlSpec = vl.TopLevelSpec;

/** Renders a vega-lite specification to an SVG document. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  // vega-lite warns on stderr about layers of one facet drawing one field from two filtered copies of the data (it
  // assumes, rightly here, that they are the same field): only errors matter.
  const compiled = vl.compile(spec, { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

// Log-axis labels: only at 1, 2 and 5 times a power of ten (the other ticks keep their grid lines, as on log paper).
const ONE_TWO_FIVE = "indexof([1, 2, 5], round(datum.value / pow(10, floor(log(datum.value) / LN10 + 1e-9)))) >= 0";
/** Axis labels of a fraction as a percentage with at most two significant digits (0.0012 → "0.12%"). */
const PERCENT_LABEL = `${ONE_TWO_FIVE} ? format(datum.value * 100, '.3~g') + '%' : ''`;
const NUMBER_LABEL = `${ONE_TWO_FIVE} ? format(datum.value, '.3~g') : ''`;

/**
 * Miss rate against TLB size, both on log scales (rates from tens of percent down to thousandths sit apart), one line
 * per policy, Belady's optimum as a dashed black line; one panel per input, page size and associativity, in the
 * sweep's order (inputs as given, smaller pages first), each panel with its own axes. A geometry without a single
 * miss has no place on a log axis: it is left out and the subtitle says how many were.
 */
export function missRateSpec(rows: readonly TlbRow[]): VlSpec {
  const panelOf = (r: TlbRow) =>
    `${r.input} · ${formatPageSize(r.pageSize)} pages · ${r.ways === r.entries ? "fully associative" : `${r.ways}-way`}`;
  const inputs = [...new Set(rows.map((r) => r.input))];
  const panels = [...new Map(rows.map((r) => [panelOf(r), r])).values()]
    .sort((a, b) => inputs.indexOf(a.input) - inputs.indexOf(b.input) || a.pageSize - b.pageSize ||
      Number(a.ways === a.entries) - Number(b.ways === b.entries) || a.ways - b.ways)
    .map(panelOf);
  const shown = rows.filter((r) => r.missRate > 0);
  const values = shown.map((r) => ({
    panel: panelOf(r), entries: r.entries, missRate: r.missRate, policy: r.policy === "opt" ? "MIN (optimum)" : r.policy,
  }));
  const x = { field: "entries", type: "quantitative", title: "TLB entries", scale: { type: "log", base: 2 },
    axis: { values: [...new Set(rows.map((r) => r.entries))] } } as const;
  const y = { field: "missRate", type: "quantitative", title: "miss rate (log)", scale: { type: "log" },
    axis: { labelExpr: PERCENT_LABEL } } as const;
  const dropped = rows.length - shown.length;
  const subtitle = ["one line per policy; dashed black: Belady's optimum (MIN)"];
  if (dropped > 0) subtitle.push(`${dropped} point${dropped === 1 ? "" : "s"} with no miss at all left out (no place on a log axis)`);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Miss rate against TLB size", subtitle },
    data: { values },
    facet: { field: "panel", type: "nominal", title: null, sort: panels },
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
    resolve: { scale: { y: "independent" }, axis: { x: "independent", y: "independent" } },
  } as VlSpec;
}

/**
 * Translation cycles per TLB access for each machine, one panel per input: a dot per machine on a log axis, with
 * its value written beside it, so a machine a hundred times cheaper than another is still seen and read.
 */
export function cyclesSpec(rows: readonly MachineRow[]): VlSpec {
  const live = rows.filter((r) => r.unavailable === undefined && r.cyclesPerAccess > 0);
  const inputs = [...new Set(rows.map((r) => r.input))];
  const x = { field: "cyclesPerAccess", type: "quantitative", title: "translation cycles per TLB access (log)",
    scale: { type: "log" }, axis: { labelExpr: NUMBER_LABEL } } as const;
  const y = { field: "arch", type: "nominal", title: null, sort: { field: "cyclesPerAccess", order: "descending" } } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Translation cost per machine", subtitle: "cycles charged to translation per L1 TLB access" },
    data: { values: live.map((r) => ({ input: r.input, arch: r.arch, cyclesPerAccess: r.cyclesPerAccess })) },
    facet: { row: { field: "input", type: "nominal", title: null, sort: inputs, header: { labelAngle: 0, labelAlign: "left" } } },
    spec: {
      width: 420, height: { step: 18 },
      layer: [
        { mark: { type: "point", filled: true, size: 60 }, encoding: { x, y, color: { field: "arch", type: "nominal", legend: null } } },
        { mark: { type: "text", align: "left", dx: 7, fontSize: 10 },
          encoding: { x, y, text: { field: "cyclesPerAccess", type: "quantitative", format: ".3~g" } } },
      ],
    },
    resolve: { scale: { y: "independent" }, axis: { x: "independent" } },
  } as VlSpec;
}
