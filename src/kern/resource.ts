// Resources (include/uapi/asm-generic/resource.h): the limits a task starts with and a task's limit as the kernel
// reads it (rlimit(); prlimit64 and its older forms set them in bsd/sys_proc.ts), and the usage getrusage reports.

import { STACK_SIZE } from "../loader/layout.js";
import type { VmMap } from "../vm/vm_map.js";
import type { VmObject } from "../vm/vm_object.js";
import { PAGE_SIZE } from "../vm/vm_prot.js";
import { RLIM_INFINITY, type RLimit, type Task } from "./task.js";

export const RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
  RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9, RLIMIT_LOCKS = 10,
  RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14, RLIMIT_RTTIME = 15;
export const RLIM_NLIMITS = 16;

/** Default limits, those of a typical Linux login session. */
export function defaultRlimit(resource: number): RLimit {
  const inf = { cur: RLIM_INFINITY, max: RLIM_INFINITY };
  switch (resource) {
    case RLIMIT_STACK: return { cur: BigInt(STACK_SIZE), max: RLIM_INFINITY };
    case RLIMIT_CORE: return { cur: 0n, max: RLIM_INFINITY };
    case RLIMIT_NPROC: return { cur: 31503n, max: 31503n };
    case RLIMIT_NOFILE: return { cur: 1024n, max: 4096n };
    case RLIMIT_MEMLOCK: return { cur: 8n << 20n, max: 8n << 20n };
    case RLIMIT_SIGPENDING: return { cur: 31503n, max: 31503n };
    case RLIMIT_MSGQUEUE: return { cur: 819200n, max: 819200n };
    case RLIMIT_NICE: case RLIMIT_RTPRIO: return { cur: 0n, max: 0n };
    default: return inf;
  }
}

/** Task t's limit on `resource` (its own setting, else the default). */
export function rlimit(t: Task, resource: number): RLimit { return t.rlimits.get(resource) ?? defaultRlimit(resource); }

/**
 * What getrusage reports of a task (the struct rusage fields Linux fills), kept as it runs: its time on the CPU in
 * emulated cycles (the run loop charges each slice; the cycles spent inside its traps are its system time), its
 * page faults (the VM's count while the kernel handled its traps: a page whose bytes came from a pager — a file —
 * is a major fault, as Linux's VM_FAULT_MAJOR for a page read in; every other is minor), its context switches
 * (voluntary when it blocked, involuntary when preempted or yielding, as __schedule counts them), and the peak of
 * its resident set (hiwater_rss, sampled when getrusage or wait looks and when the task exits).
 */
export class TaskUsage {
  cpuCycles = 0n;
  systemCycles = 0n;
  minflt = 0;
  majflt = 0;
  nvcsw = 0;
  nivcsw = 0;
  maxrssPages = 0;
  /** Cycles when the task last got the CPU; undefined while off it. */
  onCpuSince: bigint | undefined;

  /** Its CPU cycles as of `now` (the running task's current slice included). */
  cpuAt(now: bigint): bigint { return this.cpuCycles + (this.onCpuSince !== undefined ? now - this.onCpuSince : 0n); }

  /** The task gets the CPU at `now`. */
  run(now: bigint): void { this.onCpuSince = now; }

  /** The task leaves the CPU at `now`: it blocked (voluntary), was preempted or yielded (involuntary), or died. */
  stop(now: bigint, why: "voluntary" | "involuntary" | "exit"): void {
    this.cpuCycles = this.cpuAt(now);
    this.onCpuSince = undefined;
    if (why === "voluntary") this.nvcsw++;
    else if (why === "involuntary") this.nivcsw++;
  }

  /** Adds a reaped child's figures (wait_task_zombie: sums, and the larger peak). */
  addChild(c: TaskUsage): void {
    this.cpuCycles += c.cpuCycles;
    this.systemCycles += c.systemCycles;
    this.minflt += c.minflt;
    this.majflt += c.majflt;
    this.nvcsw += c.nvcsw;
    this.nivcsw += c.nivcsw;
    this.maxrssPages = Math.max(this.maxrssPages, c.maxrssPages);
  }

  /** Records the resident set of `map` now if it is the largest yet. */
  sampleRss(map: VmMap): void { this.maxrssPages = Math.max(this.maxrssPages, residentPages(map)); }
}

/** Pages of the map with a resident page in their entry's object chain (the resident set, get_mm_rss). */
export function residentPages(map: VmMap): number {
  let n = 0;
  for (const e of map.entries) {
    const first = e.offset / PAGE_SIZE, pages = (e.end - e.start) / PAGE_SIZE;
    const seen = new Set<number>();   // entry page indexes already found higher in the chain
    let o: VmObject | null = e.object, shift = 0;
    while (o) {
      for (const k of o.resident.keys()) {
        const i = k - first - shift;
        if (i >= 0 && i < pages) seen.add(i);
      }
      shift += o.shadowOffset / PAGE_SIZE;
      o = o.shadow;
    }
    n += seen.size;
  }
  return n;
}

export const RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1;
export const RUSAGE_SIZE = 144;

/**
 * struct rusage on rv64: ru_utime and ru_stime (struct timeval: seconds, microseconds), then 14 longs from
 * ru_maxrss (KiB) to ru_nivcsw; Linux leaves the ones it does not keep (ixrss, idrss, isrss, nswap, msgsnd,
 * msgrcv, nsignals) zero, and so do we, with inblock/oublock (no block I/O here). `u` is one usage or the sum
 * of several (RUSAGE_BOTH for wait4); times convert from cycles at `hz`.
 */
export function encodeRusage(u: TaskUsage, now: bigint, hz: number): Uint8Array {
  const b = new Uint8Array(RUSAGE_SIZE);
  const dv = new DataView(b.buffer);
  const cpu = u.cpuAt(now), sys = u.systemCycles < cpu ? u.systemCycles : cpu;
  const timeval = (at: number, cycles: bigint) => {
    const us = (cycles * 1_000_000n) / BigInt(hz);
    dv.setBigInt64(at, us / 1_000_000n, true);
    dv.setBigInt64(at + 8, us % 1_000_000n, true);
  };
  timeval(0, cpu - sys);
  timeval(16, sys);
  const long = (i: number, v: number) => dv.setBigInt64(32 + 8 * i, BigInt(v), true);
  long(0, u.maxrssPages * (PAGE_SIZE / 1024));
  long(4, u.minflt);
  long(5, u.majflt);
  long(12, u.nvcsw);
  long(13, u.nivcsw);
  return b;
}

/** The sum of a task's own usage and its reaped children's (Linux's RUSAGE_BOTH). */
export function usageBoth(self: TaskUsage, children: TaskUsage): TaskUsage {
  const u = new TaskUsage();
  u.addChild(self);
  u.addChild(children);
  return u;
}
