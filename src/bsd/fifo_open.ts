// Opening a named pipe (Linux fs/pipe.c fifo_open): the pipe is made by the first open and shared by every later
// one until the last close. A read-only open waits for a writer to open (unless O_NONBLOCK); a write-only open
// waits for a reader, or with O_NONBLOCK fails with ENXIO when there is none; O_RDWR never waits (a Linux
// extension POSIX leaves undefined). An opener counts as reader or writer while it waits, so the other side's
// open sees it, and waits until the other side's open counter moves (wait_for_partner).
//
// Waiting is a sleep after which the call is made again (kern/proc.ts sleep): the end made by the first attempt
// is kept aside for the task and taken up by the next attempt, or dropped if a signal ends the wait.

import { ERESTARTSYS } from "../kern/signal.js";
import type { Task } from "../kern/task.js";
import { ENXIO } from "../sys/errno.js";
import type { SyscallContext } from "./syscall.js";
import { O_ACCMODE, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY } from "../fs/file.js";
import { Pipe, PipeEnd } from "../fs/pipe.js";
import type { FifoNode } from "../fs/vnode.js";
import { release } from "./files.js";
import { files } from "./file_args.js";

interface Waiting { readonly node: FifoNode; readonly end: PipeEnd; readonly seen: number }
const waiting = new WeakMap<Task, Waiting>();

/** The open description for a FIFO, or a negative errno; may sleep (throws Blocked). */
export function fifoOpen(ctx: SyscallContext, node: FifoNode, flags: number): PipeEnd | number {
  const t = ctx.task;
  const w = waiting.get(t);
  if (w) {
    waiting.delete(t);
    if (w.node === node) {
      if (t.signals.hasDeliverable) { release(w.end); return -ERESTARTSYS; }
      const counter = (w.end.flags & O_ACCMODE) === O_RDONLY ? w.end.pipe.wCounter : w.end.pipe.rCounter;
      if (counter !== w.seen) return w.end;
      return wait(ctx, w);
    }
    release(w.end);   // a different call after an ended wait: what the first made goes
  }
  const acc = flags & O_ACCMODE;
  const nonblock = (flags & O_NONBLOCK) !== 0;
  const pipe = node.pipe ?? (node.pipe = new Pipe(node.ino, false, files(ctx).fs.pipeLimits));
  if (acc === O_WRONLY && nonblock && pipe.readers === 0) {
    if (pipe.writers === 0) { pipe.free(); node.pipe = null; }
    return -ENXIO;
  }
  const end = new PipeEnd(pipe, flags, node);
  if (acc === O_RDWR || nonblock) return end;
  if (acc === O_RDONLY && pipe.writers > 0) return end;
  if (acc === O_WRONLY && pipe.readers > 0) return end;
  if (t.signals.hasDeliverable) { release(end); return -ERESTARTSYS; }
  return wait(ctx, { node, end, seen: acc === O_RDONLY ? pipe.wCounter : pipe.rCounter });
}

function wait(ctx: SyscallContext, w: Waiting): number {
  waiting.set(ctx.task, w);
  const reader = (w.end.flags & O_ACCMODE) === O_RDONLY;
  const what = reader ? "open of a FIFO for reading (no writer)" : "open of a FIFO for writing (no reader)";
  return ctx.procs.sleep(ctx.task, what, () => (reader ? w.end.pipe.wCounter : w.end.pipe.rCounter) !== w.seen);
}
