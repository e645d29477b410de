// System-call dispatch with Linux riscv64 numbers (asm-generic unistd.h; shared reference linux_riscv64_abi.md
// §1–2): a7 = number, a0–a5 = arguments, a0 = result or −errno. Unknown calls return −ENOSYS. With --strace
// every call is printed as `name(args) = result`, formatted from guest memory without faulting anything in.

import type { Task } from "../kern/task.js";
import type { UserRegs } from "../kern/sigframe.js";
import { TaskTerminated } from "../kern/signal.js";
import type { SeededRandom } from "../kern/random.js";
import type { ProcessTable } from "../kern/proc.js";
import type { Timers } from "../kern/timer.js";
import type { FutexQueues } from "../kern/futex.js";
import type { GuestIo } from "../fs/file.js";
import type { VmMap } from "../vm/vm_map.js";
import { MapCountExceeded } from "../vm/vm_map.js";
import { ENOMEM, ENOSYS, errnoName, errnoText } from "../sys/errno.js";
import { addr, int, long } from "./args.js";
import type { StatsControl } from "./sys_mmulab.js";

/** What a system call can reach: the calling task and the machine services around it. */
export interface SyscallContext {
  readonly task: Task;
  readonly io: GuestIo;
  readonly random: SeededRandom;
  /** The calling task's user registers (rt_sigreturn replaces them; sigaltstack reads sp). */
  readonly regs: UserRegs;
  /** The process tree (fork, wait, other tasks by pid). */
  readonly procs: ProcessTable;
  /** The clock, deadlines, interval timers and timeouts of sleeping calls (time is derived from the clock). */
  readonly timers: Timers;
  /** The futex wait queues. */
  readonly futexes: FutexQueues;
  /** The run's statistics region (mmulab_reset_stats, mmulab_dump_stats); absent outside a whole machine. */
  readonly stats?: StatsControl;
  /** A fresh address space with its own pmap for the task with `pid` (execve). */
  newMap(pid: number): VmMap;
}

/**
 * How --strace shows an argument: i int, l long, u unsigned, x pointer/hex, o octal, s C string,
 * b buffer whose length is the next argument (or the result, for reads), f file descriptor / AT_FDCWD.
 */
export type ArgFormat = "i" | "l" | "u" | "x" | "o" | "s" | "b" | "f";

export interface SyscallDef {
  readonly name: string;
  readonly args: readonly ArgFormat[];
  readonly hexResult?: boolean;   // print the result in hex (addresses)
  readonly readsResult?: boolean; // a "b" argument's length is the result (read-like calls)
  readonly argsBefore?: boolean;  // format the arguments before the call (execve: its memory is gone after it)
  /** The result for a0: a number, or a bigint when it is a full 64-bit register value (rt_sigreturn). */
  fn(ctx: SyscallContext, a: readonly bigint[]): number | bigint;
}

export class SyscallTable {
  private readonly defs = new Map<number, SyscallDef>();
  calls = 0;
  readonly counts = new Map<string, number>();

  constructor(...groups: Record<number, SyscallDef>[]) {
    for (const g of groups) for (const [nr, def] of Object.entries(g)) this.defs.set(Number(nr), def);
  }

  lookup(nr: number): SyscallDef | undefined { return this.defs.get(nr); }

  /**
   * Runs system call `nr`; returns the value for a0. TaskTerminated (exit, fatal signal) propagates after
   * being traced. `trace` receives the --strace line when given.
   */
  dispatch(ctx: SyscallContext, nr: number, a: readonly bigint[], trace?: (line: string) => void): bigint {
    this.calls++;
    const def = this.defs.get(nr);
    const name = def?.name ?? `syscall_${nr}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    if (!def) {
      trace?.(`${name}(${a.map((v) => "0x" + v.toString(16)).join(", ")}) = -1 ENOSYS (${errnoText(ENOSYS)})`);
      return BigInt(-ENOSYS);
    }
    const before = trace && def.argsBefore ? formatArgs(ctx, def, a, undefined) : undefined;
    let r: number | bigint;
    try {
      r = def.fn(ctx, a);
    } catch (e) {
      if (e instanceof MapCountExceeded) r = -ENOMEM;   // an entry could not be split (vm.max_map_count)
      else {
        if (e instanceof TaskTerminated && trace) trace(`${name}(${before ?? formatArgs(ctx, def, a, undefined)}) = ?`);
        throw e;
      }
    }
    if (trace) trace(`${name}(${before ?? formatArgs(ctx, def, a, Number(r))}) = ${formatResult(def, r)}`);
    return BigInt(r);
  }
}

function formatResult(def: SyscallDef, r: number | bigint): string {
  const v = BigInt.asIntN(64, BigInt(r));
  if (v < 0n && v >= -4095n) return `-1 ${errnoName(Number(-v))} (${errnoText(Number(-v))})`;
  return def.hexResult ? "0x" + BigInt.asUintN(64, v).toString(16) : v.toString();
}

const MAX_SHOWN = 32;

function quote(bytes: Uint8Array, truncated: boolean): string {
  let s = '"';
  for (const b of bytes) {
    if (b === 0x0A) s += "\\n";
    else if (b === 0x09) s += "\\t";
    else if (b === 0x22) s += '\\"';
    else if (b === 0x5C) s += "\\\\";
    else if (b >= 0x20 && b < 0x7F) s += String.fromCharCode(b);
    else s += "\\" + b.toString(8);
  }
  return s + '"' + (truncated ? "..." : "");
}

function formatArgs(ctx: SyscallContext, def: SyscallDef, a: readonly bigint[], result: number | undefined): string {
  const um = ctx.task.um;
  return def.args.map((f, i) => {
    const v = a[i] ?? 0n;
    switch (f) {
      case "i": return String(int(v));
      case "l": return String(long(v));
      case "u": return BigInt.asUintN(64, v).toString();
      case "o": return "0" + BigInt.asUintN(64, v).toString(8);
      case "f": return int(v) === -100 ? "AT_FDCWD" : String(int(v));
      case "x": return v === 0n ? "NULL" : "0x" + BigInt.asUintN(64, v).toString(16);
      case "s": {
        const s = um.peekString(addr(v), 256);
        return s === undefined ? "0x" + v.toString(16) : quote(s.bytes, s.truncated);
      }
      case "b": {
        const n = def.readsResult ? (result !== undefined && result > 0 ? result : 0) : addr(a[i + 1] ?? 0n);
        const shown = Math.min(n, MAX_SHOWN);
        const bytes = def.readsResult && (result === undefined || result < 0) ? undefined : um.peek(addr(v), shown);
        return bytes === undefined ? "0x" + v.toString(16) : quote(bytes, n > shown);
      }
    }
  }).join(", ");
}
