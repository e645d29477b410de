// `mmulab archs` (every machine and its translation hardware, each default with its source) and `mmulab compare`
// (one guest on several machines: translation must be transparent, only the counters may differ).

import { writeFileSync } from "node:fs";
import { basename } from "node:path";
import type { GuestIo } from "../fs/file.js";
import { parseElf, readProgram } from "../loader/elf.js";
import { BARE_MIN_RAM } from "../arch/bare/layout.js";
import { ARCHS, type Arch } from "../arch/registry.js";
import { ConfigError, type MachineConfig } from "../machine/config.js";
import { COST_KEYS, type MachineData, PSC_KEYS, TLB_LEVELS, machineData, translates } from "../machine/costs.js";
import { formatTlbLevel } from "../machine/tlbspec.js";
import { machineConfig, type GuestOptions, type GuestResult } from "../index.js";
import { runPool } from "../sweep/pool.js";
import type { JobContext } from "../sweep/jobs.js";
import type { GuestJob } from "../sweep/plan.js";

const enc = new TextEncoder();

function sizeName(bytes: number): string {
  const units: [number, string][] = [[2 ** 40, "T"], [2 ** 30, "G"], [2 ** 20, "M"], [2 ** 10, "K"]];
  for (const [u, n] of units) if (bytes % u === 0) return `${bytes / u}${n}`;
  return String(bytes);
}

/** Lays out rows as columns: the first column left-aligned, the others right-aligned. */
export function table(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join("  ").trimEnd()).join("\n");
}

/** Every machine's data file, checked (throws an Error naming the first incomplete one). */
export function allMachines(): MachineData[] {
  return ARCHS.map((a) => machineData(a));
}

/** The `mmulab archs` text: a table of parameters, then each machine's sources. */
export function formatArchs(ms: readonly MachineData[]): string {
  const head = ["machine", "walk levels", "page sizes", "L1 I-TLB", "L1 D-TLB", "L2 TLB", ...COST_KEYS];
  const rows = ms.map((m) => [
    m.arch, String(m.walkLevels.value), m.pageSizes.value.map(sizeName).join(",") || "-",
    ...TLB_LEVELS.map((l) => formatTlbLevel(m.tlb[l])), ...COST_KEYS.map((k) => String(m.costs[k].cycles)),
  ]);
  const out = [table([head, ...rows]), "", "TLB geometry is entries:ways:policy; costs are extra cycles (l1Hit, l2Hit per hit;",
    "walkBase per walk; walkRef per walker reference; trap per kernel entry and return; flush per invalidation; contextSwitch per switch, kernel side).", ""];
  for (const m of ms) {
    out.push(`${m.arch}: ${m.description}`);
    const src: [string, string, string][] = [
      ["walk levels", String(m.walkLevels.value), m.walkLevels.source],
      ["page sizes", m.pageSizes.value.map(sizeName).join(",") || "-", m.pageSizes.source],
      ...TLB_LEVELS.map((l): [string, string, string] => [l, formatTlbLevel(m.tlb[l]), m.tlb[l].source]),
      ...COST_KEYS.map((k): [string, string, string] => [k, `${m.costs[k].cycles}`, m.costs[k].source]),
      ...(m.psc ? [["psc", PSC_KEYS.map((k) => `${k}=${m.psc![k]}`).join(","), m.psc.source] as [string, string, string]] : []),
      ...(m.adModes ? [["A/D bits", m.adModes.value.join("|"), m.adModes.source] as [string, string, string]] : []),
      ...(m.executeProtection ? [["execute protection", m.executeProtection.value ? "yes" : "no", m.executeProtection.source] as [string, string, string]] : []),
      ...Object.entries(m.refill ?? {}).map(([k, r]): [string, string, string] => [k, `${r.value}`, r.source]),
      ...(m.refModEmulation ? [["ref/mod soft fault", `${m.refModEmulation.cycles}`, m.refModEmulation.source] as [string, string, string]] : []),
    ];
    const w0 = Math.max(...src.map((s) => s[0].length)), w1 = Math.max(...src.map((s) => s[1].length));
    for (const [k, v, s] of src) out.push(`  ${k.padEnd(w0)}  ${v.padEnd(w1)}  ${s}`);
    out.push("");
  }
  return out.join("\n");
}

export function archsCommand(json: boolean, io: GuestIo, only?: string): number {
  let ms = allMachines();
  if (only !== undefined) {
    ms = ms.filter((m) => m.arch === only);
    if (ms.length === 0) throw new ConfigError(`unknown machine '${only}' (choose one of ${ARCHS.join(", ")})`);
  }
  const text = json ? JSON.stringify({ machines: ms }, null, 2) + "\n" : formatArchs(ms);
  io.write(1, enc.encode(text));
  return 0;
}

/** Parses --archs: "all" or a comma-separated list of machine names (unknown names are a ConfigError). */
export function parseArchList(s: string): Arch[] {
  const names = s.split(",").map((x) => x.trim()).filter((x) => x !== "");
  if (names.length === 0) throw new ConfigError(`--archs is empty (choose all or some of ${ARCHS.join(", ")})`);
  if (names.length === 1 && names[0] === "all") return [...ARCHS];
  const out: Arch[] = [];
  for (const n of names) {
    if (!(ARCHS as readonly string[]).includes(n)) throw new ConfigError(`unknown machine '${n}' in --archs (choose all or some of ${ARCHS.join(", ")})`);
    if (!out.includes(n as Arch)) out.push(n as Arch);
  }
  return out;
}

export interface CompareArgs {
  elf: string;
  args: string[];
  archs?: string;                      // --archs; absent: every machine, unless machine files are given
  machines: string[];                  // --machine FILE.json (repeatable): machines described by files
  tlb?: string;                        // --tlb: one TLB geometry for every machine compared
  jobs: number;                        // machines run at once, on worker threads
  mem: string;
  maxInsns?: bigint;
  seed: string;
  env: string[];                       // the guest's whole environment (guestEnvironment)
  json?: string;
  showOutput: boolean;
  command?: string;                    // the command line, kept in the JSON document (mmulab report)
  progress?: boolean;                  // a "k/n machines run" line on stderr while they run
}

/** One machine's row of the comparison, with the derived figures the table shows. */
export interface CompareRow {
  arch: Arch;
  label: string;                       // the machine's name, or "arch (FILE.json)" for a machine file
  exitCode: number;
  reason: string;
  signal: number;
  message: string | undefined;
  stdoutBytes: number;
  instructions: number;
  cycles: number;
  translationCycles: number;
  translationShare: number;            // translation cycles / cycles
  walkRefsPerWalk: number;             // walker references per walk (a walk follows each last-level TLB miss)
  counters: Record<string, number>;
  config: MachineConfig;
}

function row(label: string, r: GuestResult): CompareRow {
  const c = r.counters, g = (k: string): number => c[k] ?? 0;
  return {
    arch: r.config.arch as Arch, label, exitCode: r.exitCode, reason: r.reason, signal: r.signal, message: r.message, stdoutBytes: r.stdoutBytes.length,
    instructions: g("instret"), cycles: g("cycles"), translationCycles: g("xlate_cycles"),
    translationShare: g("cycles") ? g("xlate_cycles") / g("cycles") : 0,
    walkRefsPerWalk: g("walks") ? g("walk_refs") / g("walks") : 0,
    counters: c, config: r.config,
  };
}

function num(n: number): string { return n.toLocaleString("en-US"); }

export function formatCompare(rows: readonly CompareRow[]): string {
  const head = ["machine", "instructions", "cycles", "translation", "L1I miss", "L1D miss", "L2 miss", "refs/walk",
    "PT bytes", "page faults", "exit"];
  const body = rows.map((r) => {
    const g = (k: string): number => r.counters[k] ?? 0;
    return [r.label, num(r.instructions), num(r.cycles), `${(100 * r.translationShare).toFixed(2)}%`,
      num(g("itlb_miss")), num(g("dtlb_miss")), num(g("l2_miss")), g("walks") ? r.walkRefsPerWalk.toFixed(2) : "-",
      num(g("pt_bytes_peak")), num(g("page_faults")), String(r.exitCode)];
  });
  return table([head, ...body]);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Runs the guest on every selected machine (--archs, then each --machine file), `jobs` at a time on worker threads;
 * results are taken in that order whatever order they finish in. Every configuration is built and checked (a
 * --tlb geometry every machine must accept, each machine file) before the first guest starts. Returns 1 when a
 * machine's stdout or exit status differs from the first machine's, else the guest's exit status.
 */
export async function compareCommand(a: CompareArgs, io: GuestIo, say: (line: string) => void): Promise<number> {
  if (!Number.isSafeInteger(a.jobs) || a.jobs < 1) throw new ConfigError(`--jobs must be a positive integer, got ${a.jobs}`);
  const archs = a.archs === undefined && a.machines.length > 0 ? [] : parseArchList(a.archs ?? "all");
  const runs: { label: string; options: GuestOptions }[] = [
    ...archs.map((arch) => ({ label: arch as string, options: { arch } as GuestOptions })),
    ...a.machines.map((file) => ({ label: "", options: { machine: file } as GuestOptions })),
  ];
  const elf = readProgram(a.elf);
  parseElf(elf);   // an unusable program is reported before any machine runs
  for (const r of runs) {
    Object.assign(r.options, {
      path: a.elf, elf, args: a.args, env: a.env, mem: a.mem, seed: a.seed,
      ...(a.tlb !== undefined ? { tlb: a.tlb } : {}), ...(a.maxInsns !== undefined ? { maxInsns: a.maxInsns } : {}),
    });
    const c = machineConfig(r.options);
    if (r.label === "") r.label = `${c.arch} (${basename(r.options.machine!)})`;
    if (!translates(c.arch) && c.ramBytes < BARE_MIN_RAM) {
      throw new ConfigError(`${r.label} needs --mem of at least ${sizeName(BARE_MIN_RAM)} (bare: stack and program at VA = PA)`);
    }
  }
  const labels = runs.map((r) => r.label);
  const again = labels.find((l, i) => labels.indexOf(l) !== i);
  if (again !== undefined) throw new ConfigError(`${again} is compared twice`);
  const bar = a.progress ? (done: number, total: number): void => {
    io.write(2, enc.encode(done < total ? `\r\x1b[Kmmulab: compare: ${done}/${total} machines run` : "\r\x1b[K"));
  } : undefined;
  const results = (await runPool(runs.map((r): GuestJob => ({ kind: "guest", options: r.options })), {} as JobContext, a.jobs, bar))
    .map((x) => (x as { result: GuestResult }).result);
  const first = results[0]!;
  const differs = results.findIndex((r) => !equalBytes(r.stdoutBytes, first.stdoutBytes) || r.exitCode !== first.exitCode);
  if (a.showOutput) {
    io.write(1, first.stdoutBytes);
    if (first.stderrBytes.length) io.write(2, first.stderrBytes);
  }
  const rows = results.map((r, i) => row(labels[i]!, r));
  io.write(1, enc.encode(formatCompare(rows) + "\n"));
  for (const r of rows) if (r.message) say(`${r.label}: ${r.message}`);
  let verdict: string;
  if (differs < 0) {
    verdict = `translation is transparent: stdout (${first.stdoutBytes.length} bytes) and exit status ${first.exitCode} ` +
      `are identical on all ${runs.length} machines`;
    io.write(1, enc.encode(verdict + "\n"));
  } else {
    const r = results[differs]!;
    const what = r.exitCode !== first.exitCode ? `exit status ${r.exitCode}, not ${first.exitCode}` : "stdout";
    verdict = `guest output differs on ${labels[differs]} from ${labels[0]} (${what})`;
    say(verdict);
  }
  if (a.json !== undefined) {
    const doc = {
      ...(a.command !== undefined ? { command: a.command } : {}), program: a.elf, args: a.args, identical: differs < 0, firstDifference: differs < 0 ? null : labels[differs], verdict,
      machines: rows.map((r) => ({ ...r, config: { ...r.config, seed: r.config.seed.toString() } })),
    };
    try {
      writeFileSync(a.json, JSON.stringify(doc, null, 2) + "\n");
    } catch (e) {
      say(`cannot write '${a.json}': ${(e as Error).message}`);
      return 1;
    }
  }
  return differs >= 0 ? 1 : first.exitCode;
}
