// mmulab's own system calls: regions of interest, the way gem5's m5 ops mark them from inside a guest. A guest
// resets the statistics where its interesting part begins and dumps them where it ends (or at any point, several
// times: each dump is one row of a time series). Numbers from MMULAB_SYSCALL_BASE (0x2000), above Linux's table and
// the Mach calls (0x1000); guest/include/mmulab.h is the guest side. They return 0.

import { int } from "./args.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

export const MMULAB_SYSCALL_BASE = 0x2000;

/** What the calls act on: the machine's statistics region (boot/stats_region.ts). */
export interface StatsControl {
  /** Counting starts again from zero here (cumulative counters; levels such as frames in use are kept). */
  reset(): void;
  /** Records the counters since the last reset, under the guest's tag. */
  dump(tag: number): void;
}

function control(ctx: SyscallContext): StatsControl | undefined { return ctx.stats; }

export const MMULAB_SYSCALLS: Record<number, SyscallDef> = {
  [MMULAB_SYSCALL_BASE + 0]: { name: "mmulab_reset_stats", args: [], fn: (c) => { control(c)?.reset(); return 0; } },
  [MMULAB_SYSCALL_BASE + 1]: { name: "mmulab_dump_stats", args: ["i"], fn: (c, a) => { control(c)?.dump(int(a[0]!)); return 0; } },
  [MMULAB_SYSCALL_BASE + 2]: {
    name: "mmulab_dump_reset_stats", args: ["i"],
    fn: (c, a) => { const s = control(c); s?.dump(int(a[0]!)); s?.reset(); return 0; },
  },
};
