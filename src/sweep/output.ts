// A sweep's results as CSV, Markdown and JSON. Rows come in the plan's order (plan.ts), so the files are the same
// for the same command line.

import type { MachineRow, SweepSpec, TlbRow } from "./plan.js";

export interface SweepResult {
  command: string;           // the command line that made it, quoted for a POSIX shell
  spec: SweepSpec;
  tlb: TlbRow[];
  machines: MachineRow[];
}

const TLB_COLUMNS: (keyof TlbRow)[] = ["input", "pageSize", "entries", "ways", "sets", "policy", "accesses", "misses", "missRate"];
const MACHINE_COLUMNS: (keyof MachineRow)[] = ["input", "arch", "accesses", "itlbMisses", "dtlbMisses", "l2Misses", "walks",
  "walkRefs", "pageFaults", "xlateCycles", "cyclesPerAccess", "instructions", "cycles"];

function csvField(v: unknown): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv<T>(rows: readonly T[], cols: (keyof T)[]): string {
  return [cols.join(","), ...rows.map((r) => cols.map((c) => csvField(r[c])).join(","))].join("\n") + "\n";
}

export function tlbCsv(r: SweepResult): string { return csv(r.tlb, TLB_COLUMNS); }
/** The machine rows that ran (those not available on a machine are listed in sweep.md and sweep.json). */
export function machinesCsv(r: SweepResult): string { return csv(r.machines.filter((m) => m.unavailable === undefined), MACHINE_COLUMNS); }

export function sweepJson(r: SweepResult): string { return JSON.stringify(r, null, 2) + "\n"; }

export function formatPageSize(b: number): string {
  for (const [u, s] of [["G", 2 ** 30], ["M", 2 ** 20], ["K", 2 ** 10]] as const) if (b >= s && b % s === 0) return `${b / s}${u}`;
  return String(b);
}

function pct(x: number): string { return `${(100 * x).toFixed(3)}%`; }
function num(n: number): string { return n.toLocaleString("en-US"); }

function table(head: string[], rows: string[][], right: boolean[]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(right.map((r) => (r ? "---:" : "---"))), ...rows.map(line)].join("\n") + "\n";
}

/**
 * The Markdown tables: miss rate per geometry with one column per policy (and MIN, and each policy's excess over
 * it when the optimum was computed), then one row per input and machine.
 */
export function sweepMarkdown(r: SweepResult): string {
  const parts: string[] = [];
  if (r.tlb.length > 0) {
    const policies = [...new Set(r.tlb.map((t) => t.policy))];
    const key = (t: TlbRow) => `${t.input}\u0000${t.pageSize}\u0000${t.entries}\u0000${t.ways}`;
    const groups = new Map<string, TlbRow[]>();
    for (const t of r.tlb) { const k = key(t); if (!groups.has(k)) groups.set(k, []); groups.get(k)!.push(t); }
    const rows: string[][] = [];
    for (const g of groups.values()) {
      const f = g[0]!;
      const opt = g.find((t) => t.policy === "opt");
      rows.push([f.input, formatPageSize(f.pageSize), String(f.entries), f.ways === f.entries ? `${f.ways} (full)` : String(f.ways),
        num(f.accesses), ...policies.map((p) => {
          const t = g.find((x) => x.policy === p);
          if (!t) return "";
          const over = opt && p !== "opt" && opt.misses > 0 ? ` (+${((100 * (t.misses - opt.misses)) / opt.misses).toFixed(1)}%)` : "";
          return pct(t.missRate) + over;
        })]);
    }
    const head = ["input", "page", "entries", "ways", "accesses", ...policies.map((p) => (p === "opt" ? "MIN (optimum)" : p))];
    parts.push("### Miss rate per TLB geometry" + (policies.includes("opt") ? " (in brackets: misses over the optimum)" : "") + "\n\n" +
      table(head, rows, head.map((_, i) => i >= 2)));
  }
  if (r.machines.length > 0) {
    const head = ["input", "machine", "TLB accesses", "L1 I misses", "L1 D misses", "L2 misses", "walks", "walk refs",
      "page faults", "translation cycles", "cycles / access"];
    const ran = r.machines.filter((m) => m.unavailable === undefined);
    const rows = ran.map((m) => [m.input, m.arch, num(m.accesses), num(m.itlbMisses), num(m.dtlbMisses), num(m.l2Misses),
      num(m.walks), num(m.walkRefs), num(m.pageFaults), num(m.xlateCycles), m.cyclesPerAccess.toFixed(4)]);
    parts.push("### Translation cost per machine\n\n" + table(head, rows, head.map((_, i) => i >= 2)));
    const na = r.machines.filter((m) => m.unavailable !== undefined);
    if (na.length > 0) {
      parts.push("### Not available on some machines\n\n" + na.map((m) => `- ${m.input} on ${m.arch}: ${m.unavailable}`).join("\n") + "\n");
    }
  }
  return parts.join("\n");
}
