// One self-contained HTML page for a run, a compare, a trace study or a sweep, built from the JSON document the
// command wrote: its tables, its plots (vega-lite rendered headless to SVG and inlined), its configuration, and the
// command line that reproduces it. No script, no external file: the page opens anywhere, offline.

import type { TopLevelSpec } from "vega-lite";
import { renderSvg, cyclesSpec, missRateSpec } from "../sweep/plot.js";
import { sweepMarkdown, type SweepResult } from "../sweep/output.js";
import type { MachineRow } from "../sweep/plan.js";

export type DocKind = "run" | "machine-trace" | "compare" | "tlb-trace" | "sweep";

type Json = Record<string, unknown>;

export class ReportError extends Error {
  override name = "ReportError";
}

/** Which command wrote a JSON document (by its shape). */
export function docKind(d: Json): DocKind {
  if (Array.isArray(d.tlb) && Array.isArray(d.machines) && typeof d.spec === "object") return "sweep";
  if (Array.isArray(d.machines) && typeof d.verdict === "string") return "compare";
  if (typeof d.config === "object" && typeof d.counters === "object") return typeof d.trace === "string" ? "machine-trace" : "run";
  if (typeof d.entries === "number" && typeof d.policy === "string" && typeof d.misses === "number") return "tlb-trace";
  throw new ReportError("not a JSON document of mmulab run, compare, trace or sweep");
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function num(n: unknown): string {
  if (typeof n !== "number") return escapeHtml(String(n ?? ""));
  return Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 4 });
}

function table(head: string[], rows: unknown[][], numeric?: boolean[]): string {
  const cls = (i: number) => (numeric?.[i] ? ' class="n"' : "");
  const thead = head.some((h) => h !== "") ? `<thead><tr>${head.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join("")}</tr></thead>` : "";
  return `<div class="scroll"><table>${thead}<tbody>` +
    rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${typeof c === "number" ? num(c) : escapeHtml(String(c ?? ""))}</td>`).join("")}</tr>`).join("") +
    "</tbody></table></div>";
}

/** Markdown tables (| a | b | rows, as sweepMarkdown writes them) as HTML. */
function markdownTables(md: string): string {
  const out: string[] = [];
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith("### ")) { out.push(`<h3>${escapeHtml(l.slice(4))}</h3>`); continue; }
    if (l.startsWith("- ")) {   // a list (inputs not available on some machines)
      const items = [l];
      while (i + 1 < lines.length && lines[i + 1]!.startsWith("- ")) items.push(lines[++i]!);
      out.push(`<ul>${items.map((x) => `<li>${escapeHtml(x.slice(2))}</li>`).join("")}</ul>`);
      continue;
    }
    if (!l.startsWith("|")) continue;
    const cells = (s: string) => s.slice(1, -1).split("|").map((c) => c.trim());
    const head = cells(l);
    const align = cells(lines[++i]!).map((a) => a.endsWith(":"));
    const rows: string[][] = [];
    while (i + 1 < lines.length && lines[i + 1]!.startsWith("|")) rows.push(cells(lines[++i]!));
    out.push(table(head, rows, align));
  }
  return out.join("\n");
}

/**
 * Every counter that applies to the machine, with its unit and meaning (the document's counterInfo, written by
 * --json since counters were described; older documents list every counter bare).
 */
function counterTable(c: Json, info: Json | undefined): string {
  if (!info) return table(["counter", "value"], Object.entries(c).map(([k, v]) => [k, v]), [false, true]);
  const rows = Object.entries(info as Record<string, { unit: string; description: string }>)
    .map(([k, i]) => [k, c[k], i.unit, i.description]);
  return table(["counter", "value", "unit", "what it counts"], rows, [false, true, false, false]);
}

function tlbLevels(c: Json, config: Json): unknown[][] {
  const g = (k: string) => Number(c[k] ?? 0);
  const tlb = (config.tlb ?? {}) as Record<string, { entries: number; ways: number; policy: string }>;
  const geo = (k: string) => (tlb[k] ? `${tlb[k]!.entries} entries, ${tlb[k]!.ways}-way, ${tlb[k]!.policy}` : "");
  return [["L1 I-TLB", geo("l1i"), g("itlb_access"), g("itlb_miss")], ["L1 D-TLB", geo("l1d"), g("dtlb_access"), g("dtlb_miss")],
    ["L2 TLB", geo("l2"), g("l2_access"), g("l2_miss")]].map((r) => [...r, Number(r[2]) === 0 ? "-" : `${((100 * Number(r[3])) / Number(r[2])).toFixed(3)}%`]);
}

function barSpec(title: string, values: { label: string; value: number; group?: string }[], yTitle: string): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title, data: { values }, mark: "bar", width: { step: 36 }, height: 220,
    encoding: {
      x: { field: "label", type: "nominal", title: null, sort: null },
      y: { field: "value", type: "quantitative", title: yTitle },
      color: { field: values.some((v) => v.group) ? "group" : "label", type: "nominal", legend: values.some((v) => v.group) ? {} : null },
    },
  } as TopLevelSpec;
}

interface Section { title: string; html: string }

let figures = 0;

/** Inlines an SVG with its ids (vega's clip paths) made unique in the page, so several figures do not collide. */
function figure(svg: string): string {
  const p = `f${++figures}-`;
  return `<figure>${svg.replace(/\bid="([^"]+)"/g, `id="${p}$1"`).replace(/url\(#([^)]+)\)/g, `url(#${p}$1)`)}</figure>`;
}

async function runSections(d: Json, kind: DocKind): Promise<Section[]> {
  const c = d.counters as Json, config = d.config as Json;
  const g = (k: string) => Number(c[k] ?? 0);
  const summary: unknown[][] = kind === "run"
    ? [["machine", config.arch], ["program", [d.program, ...((d.args as string[]) ?? [])].join(" ")], ["exit", `${d.exitCode} (${d.reason})`],
      ["instructions", g("instret")], ["cycles", g("cycles")], ["translation cycles", g("xlate_cycles")],
      ["translation share", g("cycles") ? `${((100 * g("xlate_cycles")) / g("cycles")).toFixed(2)}%` : "-"]]
    : [["machine", config.arch], ["trace", d.trace], ["references", d.references], ["replayed after a page fault", d.retries], ["control records", d.controls],
      ["instruction fetches", d.ifetch === false ? "dropped" : "included"], ["a modify counts as", `${d.modifyAs ?? 2} access(es)`],
      ["translation cycles", g("xlate_cycles")]];
  const levels = tlbLevels(c, config);
  const plot = await renderSvg(barSpec("Misses per TLB level and page walks",
    [...levels.map((l) => ({ label: String(l[0]), value: Number(l[3]) })), { label: "page walks", value: g("walks") }], "count"));
  const series = Array.isArray(d.dumps) && (d.dumps as Json[]).length > 1
    ? [{ title: "Over time", html: figure(await renderSvg(timeSeriesSpec(d.dumps as Json[]))) }] : [];
  return [
    { title: "Summary", html: table(["", ""], summary, [false, true]) },
    { title: "Plot", html: figure(plot) },
    ...series,
    { title: "TLBs", html: table(["level", "geometry", "accesses", "misses", "miss rate"], levels, [false, false, true, true, true]) },
    { title: "Every counter", html: counterTable(c, d.counterInfo as Json | undefined) },
  ];
}

/**
 * The miss rate of each TLB level and the page faults per thousand instructions in each interval between two dumps
 * (--stats-every), on a symmetric-log axis: rates from 0 to tens of percent stay readable together.
 */
function timeSeriesSpec(dumps: Json[]): TopLevelSpec {
  const values: { instructions: number; series: string; value: number }[] = [];
  for (let i = 1; i < dumps.length; i++) {
    const a = dumps[i - 1]!.counters as Json, b = dumps[i]!.counters as Json;
    const d = (k: string) => Number(b[k] ?? 0) - Number(a[k] ?? 0);
    const at = Number(dumps[i]!.instret);
    for (const [name, acc, miss] of [["L1 I-TLB miss %", "itlb_access", "itlb_miss"], ["L1 D-TLB miss %", "dtlb_access", "dtlb_miss"],
      ["L2 TLB miss %", "l2_access", "l2_miss"]] as const) {
      if (d(acc) > 0) values.push({ instructions: at, series: name, value: (100 * d(miss)) / d(acc) });
    }
    if (d("instret") > 0) values.push({ instructions: at, series: "page faults per 1k instructions", value: (1000 * d("page_faults")) / d("instret") });
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "Over time", subtitle: "each point: the interval since the previous dump" },
    data: { values }, mark: { type: "line", point: true }, width: 560, height: 240,
    encoding: {
      x: { field: "instructions", type: "quantitative", title: "instructions retired", axis: { format: "~s" } },
      y: { field: "value", type: "quantitative", title: "per interval", scale: { type: "symlog" } },
      color: { field: "series", type: "nominal", title: null },
    },
  } as TopLevelSpec;
}

async function compareSections(d: Json): Promise<Section[]> {
  const ms = d.machines as Json[];
  const rows = ms.map((m) => {
    const c = m.counters as Json;
    return [m.label ?? m.arch, m.exitCode, m.instructions, m.cycles, m.translationCycles, `${(100 * Number(m.translationShare)).toFixed(2)}%`,
      c.itlb_miss, c.dtlb_miss, c.l2_miss, c.walks, Number(m.walkRefsPerWalk).toFixed(2), c.page_faults];
  });
  const head = ["machine", "exit", "instructions", "cycles", "translation cycles", "translation share", "L1 I misses", "L1 D misses",
    "L2 misses", "walks", "refs / walk", "page faults"];
  const plot = await renderSvg(barSpec("Translation cycles per machine",
    ms.map((m) => ({ label: String(m.label ?? m.arch), value: Number(m.translationCycles) })), "translation cycles"));
  return [
    { title: "Verdict", html: `<p>${escapeHtml(String(d.verdict))}</p>` },
    { title: "Machines", html: table(head, rows, head.map((_, i) => i > 0)) },
    { title: "Plot", html: figure(plot) },
  ];
}

function tlbTraceSections(d: Json): Section[] {
  const rows: unknown[][] = [["trace", d.source], ["TLB", `${d.entries} entries, ${d.ways}-way (${d.sets} sets), ${d.policy}`],
    ["page size", d.pageSize], ["accesses", d.accesses], ["misses", d.misses], ["miss rate", `${(100 * Number(d.missRate)).toFixed(4)}%`]];
  const opt = d.opt as Json | undefined;
  if (opt) rows.push(["Belady's MIN misses", opt.misses], [`${d.policy} − MIN`, opt.excessMisses]);
  if (typeof d.skippedLines === "number" && d.skippedLines > 0) rows.push(["malformed lines skipped", d.skippedLines]);
  return [{ title: "Result", html: table(["", ""], rows, [false, true]) }];
}

/** The plots first (what a reader looks at), then the tables they are drawn from. */
async function sweepSections(d: SweepResult): Promise<Section[]> {
  const out: Section[] = [];
  if (d.tlb.length > 0) out.push({ title: "Miss rate against TLB size", html: figure(await renderSvg(missRateSpec(d.tlb))) });
  if (d.machines.length > 0) out.push({ title: "Cycles per access per machine", html: figure(await renderSvg(cyclesSpec(d.machines as MachineRow[]))) });
  out.push({ title: "Tables", html: markdownTables(sweepMarkdown(d)) });
  return out;
}

/** A configuration as a table of dotted keys and values (lists of scalars on one line); nested lists by index. */
function configRows(v: unknown, key = "", out: unknown[][] = []): unknown[][] {
  if (Array.isArray(v) && v.every((x) => x === null || typeof x !== "object")) out.push([key, v.join(", ")]);
  else if (Array.isArray(v)) v.forEach((x, i) => configRows(x, `${key}[${i}]`, out));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) configRows(x, key ? `${key}.${k}` : k, out);
  else out.push([key, v]);
  return out;
}

const TITLES: Record<DocKind, string> = {
  run: "mmulab run", "machine-trace": "mmulab trace (whole machine)", compare: "mmulab compare", "tlb-trace": "mmulab trace (one TLB)",
  sweep: "mmulab sweep",
};

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.2em .6em;text-align:left}
th{background:#f4f4f4}td,th{white-space:nowrap}.scroll{overflow-x:auto}
.n{text-align:right;font-variant-numeric:tabular-nums}pre{background:#f6f6f6;padding:.8em;overflow:auto}
figure{margin:1em 0}figure svg{max-width:100%;height:auto}`;

/**
 * The page for document d. `source` names the JSON file. A document without the command line that made it (an
 * older file) gets the nearest command that would make it, marked as such.
 */
export async function reportHtml(d: Json, source: string): Promise<string> {
  const kind = docKind(d);
  const sections = kind === "sweep" ? await sweepSections(d as unknown as SweepResult)
    : kind === "compare" ? await compareSections(d)
    : kind === "tlb-trace" ? tlbTraceSections(d)
    : await runSections(d, kind);
  const config = kind === "sweep" ? (d as unknown as SweepResult).spec
    : kind === "compare" ? (d.machines as Json[]).map((m) => m.config)
    : kind === "tlb-trace" ? Object.fromEntries(["entries", "ways", "sets", "policy", "pageSize"].map((k) => [k, d[k]]))
    : d.config;
  let command = typeof d.command === "string" ? d.command : undefined;
  let note = "";
  if (command === undefined) {
    note = "<p>The document does not record its command line; this is the nearest one that makes it.</p>";
    command = kind === "run" ? ["mmulab run", d.program, ...((d.args as string[]) ?? []), "--arch", (d.config as Json).arch].join(" ")
      : kind === "compare" ? ["mmulab compare", d.program, ...((d.args as string[]) ?? []), "--archs",
        (d.machines as Json[]).map((m) => m.arch).join(",")].join(" ")
      : kind === "tlb-trace" ? `mmulab trace ${d.source} --entries ${d.entries} --ways ${d.ways} --policy ${d.policy} --page-size ${d.pageSize}`
      : `mmulab trace ${d.trace} --arch ${(d.config as Json).arch}`;
  }
  const body = sections.map((s) => `<h2>${escapeHtml(s.title)}</h2>\n${s.html}`).join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(TITLES[kind])}: ${escapeHtml(source)}</title>
<style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(TITLES[kind])}</h1>
<p>From <code>${escapeHtml(source)}</code>.</p>
${body}
<h2>Configuration</h2>
${table(["setting", "value"], configRows(config), [false, false])}
<details><summary>as JSON</summary><pre>${escapeHtml(JSON.stringify(config, null, 2))}</pre></details>
<h2>How to reproduce</h2>
${note}<pre><code>${escapeHtml(command)}</code></pre>
<p>mmulab is deterministic: the same program, configuration and seed give the same output, cycles and counters.</p>
</body></html>
`;
}
