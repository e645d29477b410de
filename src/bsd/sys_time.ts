// Time, derived from emulated cycles at the nominal clock (costs.ts NOMINAL_HZ) so that runs are deterministic:
// every clock counts cycles since boot; CLOCK_REALTIME adds a fixed epoch.

import { NOMINAL_HZ } from "../machine/costs.js";
import { addr, int } from "./args.js";
import { EFAULT, EINVAL } from "../sys/errno.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

export const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
  CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7,
  CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9, CLOCK_TAI = 11;

/** The guest's boot time on the realtime clock: 2024-01-01T00:00:00Z. */
export const BOOT_EPOCH_SECONDS = 1_704_067_200n;

const REALTIME_CLOCKS = new Set([CLOCK_REALTIME, CLOCK_REALTIME_COARSE, CLOCK_REALTIME_ALARM, CLOCK_TAI]);
const ALL_CLOCKS = new Set([...REALTIME_CLOCKS, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
  CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM]);

/** Nanoseconds on clock `id` now. */
export function clockNs(ctx: SyscallContext, id: number): bigint {
  const ns = (ctx.cycles() * 1_000_000_000n) / BigInt(NOMINAL_HZ);
  return REALTIME_CLOCKS.has(id) ? ns + BOOT_EPOCH_SECONDS * 1_000_000_000n : ns;
}

function pair(a: bigint, b: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  dv.setBigInt64(0, a, true);
  dv.setBigInt64(8, b, true);
  return out;
}

function sysClockGettime(ctx: SyscallContext, a: readonly bigint[]): number {
  const id = int(a[0]!);
  if (!ALL_CLOCKS.has(id)) return -EINVAL;
  const ns = clockNs(ctx, id);
  return ctx.task.um.copyout(addr(a[1]!), pair(ns / 1_000_000_000n, ns % 1_000_000_000n)) ? 0 : -EFAULT;
}

function sysClockGetres(ctx: SyscallContext, a: readonly bigint[]): number {
  const id = int(a[0]!), res = addr(a[1]!);
  if (!ALL_CLOCKS.has(id)) return -EINVAL;
  if (res === 0) return 0;
  return ctx.task.um.copyout(res, pair(0n, 1n)) ? 0 : -EFAULT;
}

function sysGettimeofday(ctx: SyscallContext, a: readonly bigint[]): number {
  const tv = addr(a[0]!), tz = addr(a[1]!);
  if (tv !== 0) {
    const ns = clockNs(ctx, CLOCK_REALTIME);
    if (!ctx.task.um.copyout(tv, pair(ns / 1_000_000_000n, (ns % 1_000_000_000n) / 1000n))) return -EFAULT;
  }
  if (tz !== 0 && !ctx.task.um.copyout(tz, new Uint8Array(8))) return -EFAULT;
  return 0;
}

export const TIME_SYSCALLS: Record<number, SyscallDef> = {
  113: { name: "clock_gettime", args: ["i", "x"], fn: sysClockGettime },
  114: { name: "clock_getres", args: ["i", "x"], fn: sysClockGetres },
  169: { name: "gettimeofday", args: ["x", "x"], fn: sysGettimeofday },
};
