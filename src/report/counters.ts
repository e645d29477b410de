// What every counter means: its group, unit and a one-line description, for --stats, the --stats-file (one counter
// per line, like gem5's stats.txt), --json and the HTML report. A counter of a machine's own hardware (its group is
// one of that machine's `counterGroups` in the registry) is shown for that machine only, zeros included; a counter
// of every machine is always shown. The descriptions follow the hot path's definitions (assembly/layout.ts) and the
// kernel's (src/vm/vm_system.ts, src/boot/machine.ts).

export type CounterGroup =
  | "cpu" | "tlb" | "walker" | "flush" | "psc" | "riscv" | "mips" | "power" | "hashed" | "sparc" | "vax" | "guarded"
  | "superpages" | "traps" | "faults" | "memory" | "paging" | "vm" | "processes" | "files" | "host";

export interface CounterInfo {
  readonly group: CounterGroup;
  readonly unit: string;
  readonly description: string;
}

/** Groups in the order they are shown, with their headings. */
export const COUNTER_GROUPS: readonly [CounterGroup, string][] = [
  ["cpu", "CPU and cycles"], ["tlb", "TLBs"], ["walker", "page-table walker"], ["psc", "paging-structure caches (x86-64)"],
  ["riscv", "RISC-V accessed/dirty bits"],
  ["mips", "MIPS software refill"], ["power", "POWER hashed page table and SLB"], ["hashed", "clustered hashed page table"],
  ["sparc", "SPARC TSB and software refill"], ["vax", "VAX page tables"], ["guarded", "guarded page tables"],
  ["flush", "TLB invalidation"], ["superpages", "superpages"], ["traps", "kernel: traps"], ["faults", "kernel: page faults"],
  ["memory", "kernel: physical memory and page tables"],
  ["paging", "kernel: paging (page daemon, swap)"], ["vm", "kernel: Mach VM objects and pmaps"],
  ["processes", "kernel: processes"], ["files", "kernel: files"], ["host", "emulator (host speed only)"],
];

const c = (group: CounterGroup, unit: string, description: string): CounterInfo => ({ group, unit, description });

export const COUNTERS: Readonly<Record<string, CounterInfo>> = {
  instret: c("cpu", "instructions", "instructions retired by the guest (each costs one base cycle)"),
  cycles: c("cpu", "cycles", "total emulated cycles: one per instruction plus translation, trap and context-switch cycles"),
  xcycles: c("cpu", "cycles", "cycles beyond the base one per instruction (translation + traps + context switches)"),
  xlate_cycles: c("cpu", "cycles", "cycles charged to address translation (TLB hit latencies, walks, refill handlers)"),
  trap_cycles: c("cpu", "cycles", "cycles charged to kernel entries and returns (system calls, page faults)"),
  context_switch_cycles: c("cpu", "cycles", "cycles charged to context switches between tasks"),
  idle_cycles: c("cpu", "cycles", "time the CPU idled with every task asleep until a timer's deadline (not in cycles: the guest's clock is cycles + idle cycles)"),
  itlb_access: c("tlb", "lookups", "L1 instruction TLB lookups"),
  itlb_hit: c("tlb", "lookups", "L1 instruction TLB hits"),
  itlb_miss: c("tlb", "lookups", "L1 instruction TLB misses"),
  dtlb_access: c("tlb", "lookups", "L1 data TLB lookups"),
  dtlb_hit: c("tlb", "lookups", "L1 data TLB hits"),
  dtlb_miss: c("tlb", "lookups", "L1 data TLB misses"),
  l2_access: c("tlb", "lookups", "unified L2 TLB lookups (one per L1 miss)"),
  l2_hit: c("tlb", "lookups", "L2 TLB hits"),
  l2_miss: c("tlb", "lookups", "L2 TLB misses (each starts a walk or a refill)"),
  walks: c("walker", "walks", "page-table walks or refills started by a TLB miss"),
  walk_refs: c("walker", "references", "memory references made by the walker or refill handler (PTE reads, A/D writes)"),
  walk_faults: c("walker", "walks", "walks that ended in a page fault to the kernel"),
  ad_updates: c("walker", "writes", "PTE writes made by the walker to set the accessed or dirty bit"),
  flushes: c("flush", "requests", "TLB invalidation requests (sfence.vma, INVLPG, tlbie, demap …)"),
  flush_entries: c("flush", "entries", "modelled TLB entries invalidated by those requests"),
  asid_rollovers: c("flush", "rollovers", "wraps of the address-space identifier allocator (each flushes the TLBs)"),
  psc_pde_hit: c("psc", "lookups", "walks that skipped to the PTE level on a PDE-cache hit"),
  psc_pdpte_hit: c("psc", "lookups", "walks that skipped to the PD level on a PDPTE-cache hit"),
  psc_pml4e_hit: c("psc", "lookups", "walks that skipped to the PDPT level on a PML4E-cache hit"),
  psc_pml5e_hit: c("psc", "lookups", "walks that skipped to the PML4 level on a PML5E-cache hit (LA57)"),
  psc_pde_miss: c("psc", "lookups", "PDE-cache misses"),
  psc_pdpte_miss: c("psc", "lookups", "PDPTE-cache misses"),
  psc_pml4e_miss: c("psc", "lookups", "PML4E-cache misses"),
  psc_pml5e_miss: c("psc", "lookups", "PML5E-cache misses"),
  svade_faults: c("riscv", "faults", "Svade (--ad svade): page faults on a clear A, or D for a store, that the pmap resolved by setting them"),
  svade_cycles: c("riscv", "cycles", "cycles those faults cost: trap entry and return plus the pmap's handler"),
  mips_refills: c("mips", "exceptions", "TLB refill exceptions for user addresses (a retaken one counts again)"),
  mips_nested: c("mips", "exceptions", "nested misses: the refill handler's PTE load missed on the linear page table"),
  mips_invalid: c("mips", "exceptions", "TLB invalid exceptions (V = 0): page faults to the kernel"),
  mips_modified: c("mips", "exceptions", "TLB modified exceptions (store to a valid entry with D = 0)"),
  mips_mod_faults: c("mips", "exceptions", "modified exceptions whose PTE forbade writing: store faults to the kernel"),
  mips_handler_insns: c("mips", "instructions", "instructions executed by the modelled refill, nested and Mod handlers"),
  mips_handler_refs: c("mips", "references", "memory references of those handlers (PTE and root-table reads, PTE writes)"),
  mips_tlb_writes: c("mips", "instructions", "TLBWR and TLBWI executed (by the handlers and by the kernel)"),
  mips_ref_faults: c("mips", "faults", "TLB invalid exceptions on pages whose V was cleared to emulate a referenced bit, resolved by the pmap"),
  mips_ref_cycles: c("mips", "cycles", "cycles those faults cost: trap entry and return plus the handler"),
  htab_primary: c("power", "walks", "HTAB searches that found the HPTE in the primary PTEG"),
  htab_secondary: c("power", "walks", "HTAB searches that found the HPTE in the secondary PTEG (H = 1)"),
  htab_miss: c("power", "walks", "HTAB searches that found it in neither PTEG (a hash fault to the kernel)"),
  slb_miss: c("power", "faults", "segment faults: SLB misses handled by the modelled OS handler"),
  tlbie: c("power", "instructions", "tlbie instructions (per-page invalidations broadcast to every TLB)"),
  slbia: c("power", "instructions", "slbia instructions (SLB flushes on context switch)"),
  htab_inserts: c("power", "HPTEs", "HPTEs inserted by the kernel's hash-fault handler"),
  htab_secondary_inserts: c("power", "HPTEs", "of those, inserted in the secondary PTEG (primary full)"),
  htab_evictions: c("power", "HPTEs", "HPTEs evicted from a full PTEG pair to make room"),
  hash_refills: c("power", "faults", "hash faults the kernel resolved from its Linux page tables without a VM fault"),
  cpt_nodes: c("hashed", "nodes", "clustered-table nodes whose tag the walker compared"),
  cpt_holes: c("hashed", "walks", "walks that found the block's node but no mapping for the page"),
  cpt_nodes_live: c("hashed", "nodes", "clustered-table nodes in the first task's table at the end"),
  mmu_miss_traps: c("sparc", "traps", "fast instruction/data MMU miss traps taken"),
  tsb_hits: c("sparc", "probes", "TSB probes whose tag matched (fast misses)"),
  tsb_misses: c("sparc", "probes", "TSB probes that missed: the handler walked the page tables (slow misses)"),
  tsb_fills: c("sparc", "entries", "slow misses that found a valid PTE and wrote it into the TSB"),
  prot_traps: c("sparc", "traps", "fast data access protection traps on a TLB hit"),
  handler_insns: c("sparc", "instructions", "instructions executed by the modelled miss and protection handlers"),
  demap_pages: c("sparc", "operations", "demap-page operations (each an I-MMU and a D-MMU demap)"),
  demap_contexts: c("sparc", "operations", "demap-context operations and whole-TLB flushes"),
  sparc_ref_faults: c("sparc", "faults", "faults on TTEs whose valid bit was cleared to emulate a referenced bit, resolved by the pmap"),
  sparc_ref_cycles: c("sparc", "cycles", "cycles those faults cost: trap entry and return plus the handler"),
  vax_stb_hit: c("vax", "lookups", "process-PTE fetches whose system-space translation hit the TB"),
  vax_stb_miss: c("vax", "lookups", "process-PTE fetches that missed it and read the system page table"),
  vax_length_faults: c("vax", "faults", "length violations (VPN beyond P0LR/SLR, below P1LR, or no such region)"),
  vax_pte_faults: c("vax", "faults", "faults raised while fetching a process PTE"),
  vax_ref_faults: c("vax", "faults", "translation-not-valid faults on pages whose V was cleared to simulate a referenced bit, resolved by the pmap (4.3BSD's fast reclaim)"),
  vax_ref_cycles: c("vax", "cycles", "cycles those faults cost: trap entry and return plus the handler"),
  gpt_guard_bits: c("guarded", "bits", "VPN bits matched by guards (bits a radix walk would index level by level)"),
  gpt_guard_faults: c("guarded", "walks", "walks that ended on a guard mismatch"),
  superpage_promotions: c("superpages", "promotions", "2 MiB superpages made from fully populated reservations"),
  superpage_demotions: c("superpages", "demotions", "superpages broken back into base pages"),
  superpage_reservations: c("superpages", "reservations", "2 MiB physical reservations made at first touch"),
  superpage_reservation_failures: c("superpages", "reservations", "reservations refused (no aligned free 2 MiB run)"),
  superpage_reservations_broken: c("superpages", "reservations", "reservations given up before promotion"),
  traps: c("traps", "traps", "traps taken to the kernel (system calls, page faults, other exceptions)"),
  syscalls: c("traps", "calls", "system calls made"),
  traps_ecall: c("traps", "traps", "traps by ecall (system calls)"),
  traps_page_fault: c("traps", "traps", "traps by page fault (including those the pmap resolved alone)"),
  traps_other: c("traps", "traps", "other traps (illegal instructions, breakpoints, misaligned accesses)"),
  page_faults: c("faults", "faults", "page faults resolved: zero fills + pager fills + soft faults + copy-on-write copies"),
  zero_fills: c("faults", "pages", "pages zero-filled on first touch"),
  pager_fills: c("faults", "pages", "pages whose contents came from a pager (the program file, a mapped file, swap)"),
  soft_faults: c("faults", "faults", "faults that made no page (resident, or the zero page): only the translation was entered"),
  cow_copies: c("faults", "pages", "pages copied on write"),
  page_faults_kernel: c("faults", "faults", "of the faults, those raised by the kernel's own copyin/copyout"),
  fault_errors: c("faults", "faults", "faults that ended in SIGSEGV/SIGBUS or -EFAULT"),
  zero_page_maps: c("faults", "faults", "read faults answered with the shared zero page"),
  major_faults: c("paging", "faults", "faults that asked a pager for the page (a file, the program, swap): getrusage's ru_majflt"),
  minor_faults: c("paging", "faults", "faults resolved without a pager (zero fill, copy on write, soft): ru_minflt"),
  fault_waits: c("paging", "faults", "faults whose page was on its way from the pager: the task slept until it came"),
  pageins: c("paging", "pages", "pages read back from swap by the default pager"),
  pageouts: c("paging", "pages", "pages written to swap by the default pager (data_write of anonymous memory)"),
  pageout_wakeups: c("paging", "wakeups", "times the page daemon ran (free frames below its target)"),
  pages_scanned: c("paging", "pages", "pages the page daemon's policy examined"),
  pages_reclaimed: c("paging", "pages", "pages the page daemon freed"),
  pages_cleaned: c("paging", "pages", "of those, pages written to their pager first (modified: to swap or to their file)"),
  reference_bits_cleared: c("paging", "pages", "reference bits the page daemon cleared (through the pmap)"),
  pages_prefetched: c("paging", "pages", "pages a pager provided beyond the one asked for (madvise WILLNEED)"),
  swap_slots_used: c("paging", "slots", "4 KiB swap slots holding a page at the end"),
  swap_slots_peak: c("paging", "slots", "most swap slots in use at once"),
  paging_cycles: c("paging", "cycles", "cycles the kernel spent paging (scans, page copies, waits inside system calls), in cycles"),
  swap_device_cycles: c("paging", "cycles", "cycles the swap device was busy (reads and writes; a task waiting for one sleeps: idle time when all do)"),
  user_frames: c("memory", "frames", "4 KiB frames holding user pages at the end"),
  user_frames_peak: c("memory", "frames", "most frames holding user pages at once"),
  ram_frames: c("memory", "frames", "4 KiB frames of emulated RAM (--mem)"),
  pt_frames: c("memory", "frames", "frames holding page tables (or the HTAB, TSBs …) at the end"),
  pt_frames_peak: c("memory", "frames", "most frames holding page tables at once"),
  pt_bytes: c("memory", "bytes", "page-table memory at the end"),
  pt_bytes_peak: c("memory", "bytes", "most page-table memory at once"),
  pmap_enters: c("vm", "calls", "pmap_enter: translations entered into a machine's page tables"),
  pmap_removes: c("vm", "calls", "pmap_remove: ranges of translations removed"),
  pmap_protects: c("vm", "calls", "pmap_protect: ranges of translations write-protected or reduced"),
  pmap_flushes: c("vm", "calls", "TLB invalidations the pmaps asked of the hardware"),
  pmap_collections: c("vm", "calls", "pmap_collect: every translation thrown away (--pmap-collect-every)"),
  shadows_created: c("vm", "objects", "shadow objects made for copy-on-write"),
  object_collapses: c("vm", "objects", "backing objects merged into their only shadow (vm_object_collapse)"),
  object_bypasses: c("vm", "objects", "backing objects skipped by a shadow that covers them"),
  virtual_copy_pages: c("vm", "pages", "pages copied by reference (fork, vm_copy): no bytes moved"),
  copied_bytes: c("vm", "bytes", "bytes the Mach calls copied physically (ranges not page aligned)"),
  context_switches: c("processes", "switches", "context switches between tasks"),
  forks: c("processes", "tasks", "tasks created by fork, vfork or clone"),
  task_exits: c("processes", "tasks", "tasks that exited or were killed"),
  file_pages_read: c("files", "pages", "file pages read into memory by the vnode pager"),
  file_pages_written: c("files", "pages", "file pages written back by the vnode pager"),
  fetch_slow: c("host", "fetches", "instruction fetches that took the emulator's slow path (page change or straddle)"),
  data_slow: c("host", "accesses", "data accesses that missed the emulator's host speed cache"),
};

/** Groups every machine has; the others belong to the machines that list them (MachineDef.counterGroups). */
const COMMON: ReadonlySet<CounterGroup> = new Set(["cpu", "tlb", "walker", "flush", "superpages", "traps", "faults",
  "memory", "paging", "vm", "processes", "files", "host"]);

/** Whether counter `name` means something on a machine with these hardware groups (unknown names: yes). */
export function counterApplies(name: string, machineGroups: readonly string[], translates: boolean): boolean {
  const info = COUNTERS[name];
  if (!info) return true;
  if (!translates && (info.group === "tlb" || info.group === "walker" || info.group === "flush")) return false;
  return COMMON.has(info.group) || machineGroups.includes(info.group);
}

/**
 * The stats file: one counter per line — name, value, unit, description — grouped as --stats groups them, like
 * gem5's stats.txt. Only the counters that apply to the machine.
 */
export function statsFile(c: Record<string, number>, machineGroups: readonly string[], translates: boolean,
  dumpTag?: number): string {
  const names = Object.keys(c).filter((k) => counterApplies(k, machineGroups, translates));
  const w = Math.max(...names.map((n) => n.length));
  const vw = Math.max(...names.map((n) => String(c[n]).length));
  const what = dumpTag === undefined ? "statistics" : `statistics dump ${dumpTag}`;
  const lines = [`---------- Begin mmulab ${what} ----------`];
  const order = (n: string): number => {
    const g = COUNTERS[n]?.group;
    return g === undefined ? COUNTER_GROUPS.length : COUNTER_GROUPS.findIndex(([k]) => k === g);
  };
  for (const n of [...names].sort((a, b) => order(a) - order(b))) {
    const info = COUNTERS[n];
    lines.push(`${n.padEnd(w)}  ${String(c[n]).padStart(vw)}  # ${info ? `${info.description} (${info.unit})` : "(no description)"}`);
  }
  lines.push(`---------- End mmulab ${what} ----------`);
  return lines.join("\n") + "\n";
}

/** The descriptions of the given counters, for --json and reports. */
export function counterDescriptions(names: readonly string[]): Record<string, { group: string; unit: string; description: string }> {
  const out: Record<string, { group: string; unit: string; description: string }> = {};
  for (const n of names) { const i = COUNTERS[n]; if (i) out[n] = { group: i.group, unit: i.unit, description: i.description }; }
  return out;
}
