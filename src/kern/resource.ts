// Resource limits (include/uapi/asm-generic/resource.h): the resources, the limits a task starts with, and a task's
// limit as the kernel reads it (rlimit()). prlimit64 and its older forms set them (bsd/sys_proc.ts).

import { STACK_SIZE } from "../loader/layout.js";
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
