// The statistics region of a run: what --stats, --json and --stats-file report is the counters since the last reset
// (the guest's mmulab_reset_stats, or the end of --warmup-insns), and each dump (the guest's mmulab_dump_stats, or
// every --stats-every instructions) is kept as one row of a time series. Cumulative counters are taken relative to
// the reset; levels (frames in use now, peaks, RAM size, live nodes) are what they are.

import type { StatsControl } from "../bsd/sys_mmulab.js";

/** Counters that are a level, not a count of events: never taken relative to a reset. */
export const LEVEL_COUNTERS: ReadonlySet<string> = new Set([
  "user_frames", "user_frames_peak", "ram_frames", "pt_frames", "pt_frames_peak", "pt_bytes", "pt_bytes_peak",
  "cpt_nodes_live",
]);

export interface StatsDump {
  readonly tag: number;             // the guest's tag, or the index of a --stats-every dump
  readonly instret: number;         // instructions retired since boot when the dump was taken
  readonly counters: Record<string, number>;
}

export class StatsRegion implements StatsControl {
  private baseline: Record<string, number> | undefined;
  readonly dumps: StatsDump[] = [];
  resets = 0;

  /** `read` gives every counter as it is now, from boot; `onDump` is told of each dump (--dump-tlb). */
  constructor(private readonly read: () => Record<string, number>, private readonly onDump?: (tag: number) => void) {}

  reset(): void {
    this.baseline = this.read();
    this.resets++;
  }

  dump(tag: number): void {
    const raw = this.read();
    this.dumps.push({ tag, instret: raw["instret"] ?? 0, counters: this.relative(raw) });
    this.onDump?.(tag);
  }

  /** The counters since the last reset (all of them from boot when there was none). */
  view(): Record<string, number> { return this.relative(this.read()); }

  private relative(raw: Record<string, number>): Record<string, number> {
    const b = this.baseline;
    if (!b) return raw;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw)) out[k] = LEVEL_COUNTERS.has(k) ? v : v - (b[k] ?? 0);
    return out;
  }
}
