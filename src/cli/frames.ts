// `mmulab trace FILE --frames N[,M…]`: a frames study of a trace instead of a TLB study — the page faults of
// Belady's OPT, LRU and FIFO for each number of 4 KiB page frames (src/trace/frames.ts), the floor a page-out
// policy is measured against. Bad input gives one line (status 2 for usage errors, 1 for malformed traces).

import type { GuestIo } from "../fs/file.js";
import { ConfigError } from "../machine/config.js";
import type { ReadStats, TraceSource } from "../trace/batch.js";
import { FRAME_POLICIES, FRAME_SHIFT, runFrameStudy, type FramePolicy, type FrameStudy } from "../trace/frames.js";
import { generate, parseGenSpec } from "../trace/gen.js";
import { readTrace, type TraceFormat } from "../trace/study.js";
import { finishStudy, parseRefs, TraceUsageError, type TraceArgs } from "./trace.js";

function num(n: number): string { return n.toLocaleString("en-US"); }

/** Options of a single-TLB study that a frames study has no use for. */
const TLB_ONLY_OPTIONS = ["entries", "ways", "page-size", "opt", "seed", "write", "mem", "tlb"];

/** `mmulab trace FILE --frames N[,M…]`: page faults of OPT, LRU and FIFO for each number of 4 KiB frames. */
export async function framesTrace(a: TraceArgs, argv: readonly string[], io: GuestIo, say: (line: string) => void): Promise<number> {
  for (const o of TLB_ONLY_OPTIONS) {
    if (argv.some((t) => t === `--${o}` || t.startsWith(`--${o}=`))) throw new TraceUsageError(`--${o} cannot be combined with --frames (a study of 4 KiB page frames, not of a TLB)`);
  }
  const frames = a.frames!.split(",").map((f) => f.trim());
  if (frames.some((f) => !/^\d+$/.test(f) || !Number.isSafeInteger(Number(f)) || Number(f) <= 0)) {
    throw new ConfigError(`--frames: '${a.frames}' is not a list of positive frame counts (e.g. 3,4)`);
  }
  const policyGiven = argv.some((t) => t === "--policy" || t.startsWith("--policy="));
  const policies = (policyGiven ? a.policy.toLowerCase().split(",").map((p) => p.trim()) : [...FRAME_POLICIES]) as FramePolicy[];
  const bad = policies.find((p) => !(FRAME_POLICIES as readonly string[]).includes(p));
  if (bad !== undefined) throw new ConfigError(`--policy '${bad}' has no frames study (choose from ${FRAME_POLICIES.join(", ")})`);
  const stats: ReadStats = { lines: 0, skipped: 0, records: 0 };
  let trace: TraceSource, source: string;
  if (a.gen !== undefined) {
    const refs = parseRefs(a.refs);
    trace = generate(parseGenSpec(a.gen), refs, FRAME_SHIFT);
    source = `--gen ${a.gen} (${num(refs)} references)`;
  } else {
    trace = readTrace(a.file!, a.format as TraceFormat, { ifetch: a.ifetch, modifyAs: a["modify-as"] as 1 | 2, lenient: a.lenient }, stats);
    source = a.file === "-" ? "<stdin>" : a.file!;
  }
  const r = await runFrameStudy(trace, frames.map(Number), policies, a["opt-limit"]);
  io.write(1, new TextEncoder().encode(formatFrames(r, policies, source, stats.skipped)));
  return finishStudy(a, argv, source, stats, r, say);
}

export function formatFrames(r: FrameStudy, policies: readonly FramePolicy[], source: string, skipped: number): string {
  const lines = [
    `trace       ${source}`,
    `references  ${num(r.references)}` + (skipped > 0 ? ` (${num(skipped)} malformed lines skipped)` : ""),
    `pages       ${num(r.pages)} distinct pages of ${r.pageSize / 1024} KiB (each one cold fault)`,
    `page faults (demand paging from empty frames, cold faults included)`,
  ];
  const cells = [["frames", ...policies], ...r.rows.map((row) => [num(row.frames), ...policies.map((p) => num(row.faults[p]!))])];
  const w = cells[0]!.map((_, j) => Math.max(...cells.map((c) => c[j]!.length)));
  for (const c of cells) lines.push(c.map((x, j) => (j === 0 ? x.padEnd(w[j]!) : x.padStart(w[j]!))).join("  ").trimEnd());
  return lines.join("\n") + "\n";
}
