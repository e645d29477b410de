// Human-readable and JSON reports of a run's counters (--stats, --stats-file, --json). What each counter means is
// src/report/counters.ts; which machine-specific counters apply comes from the machine's registry entry.

import type { MachineConfig } from "../machine/config.js";
import { machineData, translates } from "../machine/costs.js";
import { formatTlbLevel } from "../machine/tlbspec.js";
import { machineDef } from "../arch/registry.js";
import { COUNTERS, COUNTER_GROUPS, counterApplies, counterDescriptions, statsFile } from "../report/counters.js";

function pct(n: number, d: number): string { return d === 0 ? "-" : `${((100 * n) / d).toFixed(2)}%`; }
function num(n: number): string { return n.toLocaleString("en-US"); }

function machineGroups(config: MachineConfig): readonly string[] { return machineDef(config.arch).counterGroups ?? []; }

/** The --stats table (several lines, no trailing newline): grouped, every counter that applies to the machine. */
export function formatStats(c: Record<string, number>, config: MachineConfig): string {
  const g = (k: string): number => c[k] ?? 0;
  const xl = translates(config.arch);
  const groups = machineGroups(config);
  const sections: [string, [string, string][]][] = [];
  let rows: [string, string][] = [];
  const section = (title: string): void => { rows = []; sections.push([title, rows]); };
  const row = (k: string, v: string): void => { rows.push([k, v]); };

  section("CPU and cycles");
  row("instructions", num(g("instret")));
  row("cycles", num(g("cycles")));
  // The parts of the total: one base cycle per instruction, then each extra charge; "other" keeps the sum exact.
  const cyc = g("cycles");
  const parts: [string, number][] = [["instructions (1 each)", g("instret")], ["translation", g("xlate_cycles")],
    ["traps", g("trap_cycles")], ["context switches", g("context_switch_cycles")]];
  const other = cyc - parts.reduce((n, [, v]) => n + v, 0);
  if (other !== 0) parts.push(["other", other]);
  for (const [k, v] of parts) row(`  ${k}`, `${num(v)} (${pct(v, cyc)})`);
  row("CPI", g("instret") ? (cyc / g("instret")).toFixed(3) : "-");

  if (xl) {
    section("TLBs");
    const hw = machineData(config.arch).tlb;
    const levels: [string, string, string, string, number, number][] = [
      ["L1 I-TLB", "itlb_access", "itlb_miss", formatTlbLevel(config.tlb.l1i), config.tlb.l1i.entries, hw.l1i.entries],
      ["L1 D-TLB", "dtlb_access", "dtlb_miss", formatTlbLevel(config.tlb.l1d), config.tlb.l1d.entries, hw.l1d.entries],
      ["L2 TLB", "l2_access", "l2_miss", formatTlbLevel(config.tlb.l2), config.tlb.l2.entries, hw.l2.entries],
    ];
    for (const [name, acc, miss, geom, entries, built] of levels) {
      const a = g(acc), m = g(miss);
      if (built === 0 && entries === 0 && a === 0) continue;   // a level the machine does not have (a level turned off is shown)
      // A machine without a separate I-TLB (MIPS) looks fetches up in its one TLB: say so rather than "off".
      const label = entries === 0 && built === 0 && name === "L1 I-TLB" ? "fetch lookups (in the unified TLB)" : `${name} (${geom})`;
      row(label, `${num(a)} accesses, ${num(a - m)} hits, ${num(m)} misses, miss rate ${pct(m, a)}`);
    }
    section("page-table walker");
    row("page walks", `${num(g("walks"))} (${num(g("walk_faults"))} ended in a fault)`);
    row("walk references", `${num(g("walk_refs"))} (${g("walks") ? (g("walk_refs") / g("walks")).toFixed(2) : "-"} per walk)`);
    row("A/D updates", num(g("ad_updates")));
    section("TLB invalidation");
    row("TLB flushes", `${num(g("flushes"))} invalidation requests, ${num(g("flush_entries"))} entries invalidated`);
    row("ASID rollovers", num(g("asid_rollovers")));
  }
  // The machine's own hardware: every counter of its groups, with what it means.
  for (const [group, title] of COUNTER_GROUPS) {
    if (!groups.includes(group)) continue;
    section(title);
    for (const [name, info] of Object.entries(COUNTERS)) {
      if (info.group === group && name in c) row(name, `${num(g(name)).padStart(11)}  ${info.description}`);
    }
  }
  if ("superpage_promotions" in c) {
    section("superpages");
    row("promotions", `${num(g("superpage_promotions"))} (${num(g("superpage_demotions"))} demotions)`);
    row("reservations", `${num(g("superpage_reservations"))} made, ${num(g("superpage_reservation_failures"))} refused, ` +
      `${num(g("superpage_reservations_broken"))} broken`);
  }
  section("kernel");
  row("traps", `${num(g("traps"))} (${num(g("traps_ecall"))} system calls, ${num(g("traps_page_fault"))} page faults, ` +
    `${num(g("traps_other"))} other)`);
  row("page faults", `${num(g("page_faults"))} (${num(g("soft_faults"))} soft, ${num(g("page_faults_kernel"))} raised by the kernel, ` +
    `${num(g("fault_errors"))} errors)`);
  row("pages made", `${num(g("zero_fills"))} zero-filled, ${num(g("pager_fills"))} from a pager, ${num(g("cow_copies"))} copied on write, ` +
    `${num(g("zero_page_maps"))} zero-page maps`);
  row("user frames", `${num(g("user_frames"))} now, ${num(g("user_frames_peak"))} peak of ${num(g("ram_frames"))}`);
  if (xl) row("page-table frames", `${num(g("pt_frames"))} now, ${num(g("pt_frames_peak"))} peak (${num(g("pt_bytes_peak"))} bytes)`);
  row("pmap calls", `${num(g("pmap_enters"))} enter, ${num(g("pmap_removes"))} remove, ${num(g("pmap_protects"))} protect`);
  row("VM objects", `${num(g("shadows_created"))} shadows made, ${num(g("object_collapses"))} collapses, ` +
    `${num(g("object_bypasses"))} bypasses, ${num(g("virtual_copy_pages"))} pages copied by reference`);
  if (g("pageout_wakeups") + g("pageins") > 0) {
    row("paging", `${num(g("major_faults"))} major faults (${num(g("fault_waits"))} slept), ${num(g("pageins"))} page-ins, ` +
      `${num(g("pageouts"))} page-outs, ${num(g("pages_reclaimed"))} reclaimed of ${num(g("pages_scanned"))} scanned`);
    row("swap", `${num(g("swap_slots_used"))} slots used, ${num(g("swap_slots_peak"))} peak; device busy ${num(g("swap_device_cycles"))} cycles, ` +
      `kernel ${num(g("paging_cycles"))} cycles`);
  }
  row("processes", `${num(g("forks"))} forks, ${num(g("task_exits"))} exits, ${num(g("context_switches"))} context switches`);
  if (g("file_pages_read") + g("file_pages_written") > 0) {
    row("file pages", `${num(g("file_pages_read"))} read, ${num(g("file_pages_written"))} written`);
  }

  const w = Math.max(...sections.flatMap(([, r]) => r.map(([k]) => k.length)));
  const lines = [`mmulab statistics: ${config.arch}`];
  for (const [title, r] of sections) {
    if (r.length === 0) continue;
    lines.push(title);
    for (const [k, v] of r) lines.push(`  ${k.padEnd(w)}  ${v}`);
  }
  return lines.join("\n");
}

/** The --stats-file text: every counter that applies, one per line with its unit and description. */
export function formatStatsFile(c: Record<string, number>, config: MachineConfig, dumpTag?: number): string {
  return statsFile(c, machineGroups(config), translates(config.arch), dumpTag);
}

/** The --json document: configuration, outcome, every counter and what each means. */
export function statsJson(c: Record<string, number>, config: MachineConfig, outcome: object): string {
  const cfg = { ...config, seed: config.seed.toString() };
  const applies = Object.keys(c).filter((k) => counterApplies(k, machineGroups(config), translates(config.arch)));
  return JSON.stringify({ config: cfg, ...outcome, counters: c, counterInfo: counterDescriptions(applies) }, null, 2) + "\n";
}
