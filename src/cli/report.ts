// Human-readable and JSON reports of a run's counters (--stats, --json).

import type { MachineConfig } from "../machine/config.js";
import { translates } from "../machine/costs.js";
import { formatTlbLevel } from "../machine/tlbspec.js";

function pct(n: number, d: number): string { return d === 0 ? "-" : `${((100 * n) / d).toFixed(2)}%`; }
function num(n: number): string { return n.toLocaleString("en-US"); }

/** The --stats table (several lines, no trailing newline). */
export function formatStats(c: Record<string, number>, config: MachineConfig): string {
  const g = (k: string): number => c[k] ?? 0;
  const rows: [string, string][] = [];
  const row = (k: string, v: string): void => { rows.push([k, v]); };
  row("architecture", config.arch);
  row("instructions", num(g("instret")));
  row("cycles", num(g("cycles")));
  row("  translation cycles", `${num(g("xlate_cycles"))} (${pct(g("xlate_cycles"), g("cycles"))} of cycles)`);
  row("  trap cycles", `${num(g("trap_cycles"))} (${pct(g("trap_cycles"), g("cycles"))} of cycles)`);
  row("CPI", g("instret") ? (g("cycles") / g("instret")).toFixed(3) : "-");
  if (translates(config.arch)) {
    const levels: [string, string, string, string][] = [
      ["L1 I-TLB", "itlb_access", "itlb_miss", formatTlbLevel(config.tlb.l1i)],
      ["L1 D-TLB", "dtlb_access", "dtlb_miss", formatTlbLevel(config.tlb.l1d)],
      ["L2 TLB", "l2_access", "l2_miss", formatTlbLevel(config.tlb.l2)],
    ];
    for (const [name, acc, miss, geom] of levels) {
      const a = g(acc), m = g(miss);
      row(`${name} (${geom})`, `${num(a)} accesses, ${num(a - m)} hits, ${num(m)} misses, miss rate ${pct(m, a)}`);
    }
    row("page walks", `${num(g("walks"))} (${num(g("walk_faults"))} ended in a fault)`);
    row("walk references", `${num(g("walk_refs"))} (${g("walks") ? (g("walk_refs") / g("walks")).toFixed(2) : "-"} per walk)`);
    row("A/D updates", num(g("ad_updates")));
    if (g("mmu_miss_traps") + g("prot_traps") > 0) {   // a TSB-refilled machine (sparc): its handlers' work
      row("MMU miss traps", `${num(g("mmu_miss_traps"))} (${num(g("tsb_hits"))} TSB hits, ${num(g("tsb_misses"))} TSB misses, ` +
        `${num(g("tsb_fills"))} TSB fills), ${num(g("prot_traps"))} protection traps`);
      row("handler instructions", num(g("handler_insns")));
      row("demaps", `${num(g("demap_pages"))} page, ${num(g("demap_contexts"))} context or whole TLB`);
    }
    row("TLB flushes", `${num(g("flushes"))} invalidation requests, ${num(g("flush_entries"))} entries invalidated`);
    row("page-table frames", `${num(g("pt_frames"))} now, ${num(g("pt_frames_peak"))} peak (${num(g("pt_bytes_peak"))} bytes)`);
  }
  row("page faults", `${num(g("page_faults"))} (${num(g("zero_fills"))} zero-fill, ${num(g("pager_fills"))} from the program file, ` +
    `${num(g("soft_faults"))} soft, ${num(g("page_faults_kernel"))} by the kernel)`);
  row("user frames", `${num(g("user_frames"))} now, ${num(g("user_frames_peak"))} peak of ${num(g("ram_frames"))}`);
  row("traps", `${num(g("traps"))} (${num(g("traps_ecall"))} system calls, ${num(g("traps_page_fault"))} page faults, ` +
    `${num(g("traps_other"))} other)`);
  const w = Math.max(...rows.map(([k]) => k.length));
  return ["mmulab statistics", ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)].join("\n");
}

/** The --json document: configuration, outcome and every counter. */
export function statsJson(c: Record<string, number>, config: MachineConfig, outcome: object): string {
  const cfg = { ...config, seed: config.seed.toString() };
  return JSON.stringify({ config: cfg, ...outcome, counters: c }, null, 2) + "\n";
}
