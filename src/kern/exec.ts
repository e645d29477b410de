// Loading a program into a fresh task (the work of Linux's load_elf_binary): map each PT_LOAD segment as an
// anonymous object whose pager copies the file's bytes (bss and the tail of the last file page read as zero),
// set the program break after the highest segment, map the stack and build the initial stack image. execve's
// point of no return (Linux fs/exec.c begin_new_exec) is here too: the task lets go of its address space for a
// fresh one and of what a new program must not inherit; bsd/sys_exec.ts finds and checks the program first.

import type { Task } from "./task.js";
import type { ProcessTable } from "./proc.js";
import { exitRobustList, futexKey } from "./futex.js";
import { GUEST_GID, GUEST_UID } from "./task.js";
import type { UserRegs } from "./sigframe.js";
import { SIGSEGV, TaskTerminated } from "./signal.js";
import type { MemoryObjectControl, Pager } from "../vm/pager.js";
import type { VmObject } from "../vm/vm_object.js";
import { type VmMap, VmMapEntry } from "../vm/vm_map.js";
import { vmMapPopulate } from "../vm/vm_fault.js";
import { VM_PROT_ALL, VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE, hex, roundPage, truncPage } from "../vm/vm_prot.js";
import { ElfError, type ElfImage, PF_W, PF_X, segmentProt } from "../loader/elf.js";
import { buildStack, type StackString } from "../loader/stack.js";

/** Supplies a segment's pages from the file: byte `offset` of the object is file byte fileStart + offset. */
export class FileSegmentPager implements Pager {
  readonly name: string;
  constructor(private readonly data: Uint8Array, private readonly fileStart: number, private readonly fileEnd: number,
              index: number) {
    this.name = `segment ${index}`;
  }

  dataRequest(obj: VmObject, control: MemoryObjectControl, offset: number, length: number): void {
    const dst = new Uint8Array(length), from = this.fileStart + offset;
    if (from < this.fileEnd) dst.set(this.data.subarray(from, Math.min(from + length, this.fileEnd)));
    control.dataProvided(obj, offset, dst);
  }
}

export interface ExecArgs {
  argv: readonly StackString[];
  envp: readonly StackString[];
  execfn: StackString;         // the name as given (AT_EXECFN)
  randomBytes: Uint8Array;     // 16 bytes for AT_RANDOM
}

export interface ExecResult {
  entry: number;               // biased entry point
  sp: number;                  // initial stack pointer
  bias: number;                // load bias (0 for ET_EXEC)
  phdr: number;                // AT_PHDR
}

/** Loads `image` into `task` (whose map must be empty). Throws ElfError when it cannot be placed. */
export function execImage(task: Task, image: ElfImage, args: ExecArgs): ExecResult {
  const map = task.map;
  const lay = task.layout;
  const first = image.loads[0]!;
  const bias = image.type === "dyn" ? lay.pieBase - truncPage(first.vaddr) : 0;
  let highest = 0;
  for (const h of image.loads) {
    const start = truncPage(h.vaddr + bias);
    const end = roundPage(h.vaddr + bias + h.memsz);
    const limit = lay.stackTop - lay.stackSize;
    if (start < lay.minAddress || end > limit) {
      const room = task.pmap.identity ? ` (translation off: it must lie in RAM below the stack at ${hex(limit)})` : "";
      throw new ElfError(`segment ${h.index} at ${hex(h.vaddr + bias)} does not fit in the address space${room}`);
    }
    if (h.memsz === 0) continue;
    map.remove(start, end);    // like Linux's MAP_FIXED: a later segment replaces a shared boundary page
    const fileStart = h.offset - (h.vaddr + bias - start);
    const obj = map.vm.objectAllocate(end - start, new FileSegmentPager(image.data, fileStart, h.offset + h.filesz, h.index));
    const name = h.flags & PF_X ? "[text]" : h.flags & PF_W ? "[data]" : "[rodata]";
    map.insert(new VmMapEntry(start, end, obj, 0, segmentProt(h.flags), VM_PROT_ALL, "copy", false, name));
    if (task.pmap.identity) vmMapPopulate(map, start, end);
    highest = Math.max(highest, end);
  }
  task.brkStart = highest;
  task.brk = highest;

  const stackBottom = lay.stackTop - lay.stackSize;
  const stackProt = VM_PROT_READ | VM_PROT_WRITE | (image.execStack ? VM_PROT_EXECUTE : 0);
  const stackObj = map.vm.objectAllocate(lay.stackSize);
  map.insert(new VmMapEntry(stackBottom, lay.stackTop, stackObj, 0, stackProt, VM_PROT_ALL, "copy", false, "[stack]"));

  const phdr = image.phdrVaddr === undefined ? 0 : image.phdrVaddr + bias;
  const entry = image.entry + bias;
  let st;
  try {
    st = buildStack(lay.stackTop, args.argv, args.envp, args.execfn,
      { phdr, phnum: image.phnum, entry, base: 0, uid: GUEST_UID, gid: GUEST_GID }, args.randomBytes, lay.stackSize / 4);
  } catch {
    throw new ElfError("argument list too long for the initial stack");
  }
  if (!task.um.copyout(st.sp, st.bytes)) throw new Error(`cannot write the initial stack at ${hex(st.sp)}`);
  return { entry, sp: st.sp, bias, phdr };
}


const REG_SP = 2;

/** What execve needs from the machine besides the task: a fresh address space with its own pmap, the processes. */
export interface ExecHost {
  newMap(pid: number): VmMap;
  readonly procs?: ProcessTable;
}

/**
 * execve past the point of no return (Linux begin_new_exec, then load_elf_binary and start_thread): every other
 * thread of t's process ends and t, the running task, takes the leader's place (de_thread); it gets a fresh address space and the old one is let go of — a vfork child's borrowed map stays
 * with its parent, which resumes now (mm_release → complete_vfork_done); close-on-exec descriptors are closed,
 * caught signals go back to SIG_DFL and the alternate stack is cleared (pending and blocked signals are kept);
 * the new image is loaded and every register cleared but sp and pc. A failure from here on cannot be returned
 * to the old program, which is gone: the task dies of SIGSEGV, as Linux's bprm_execve forces.
 */
export function execReplace(t: Task, image: ElfImage, args: ExecArgs, exePath: string, host: ExecHost,
                            regs: UserRegs): ExecResult {
  host.procs?.deThread(t);             // de_thread: the other threads end; t becomes the leader
  const old = t.map;
  // exec_mm_release: the robust futexes t holds are released (futex_exec_release), then a CLONE_CHILD_CLEARTID
  // word in a map still shared is cleared and forgotten.
  if (host.procs) exitRobustList(t, host.procs.futexes);
  t.robustList = 0;
  if (t.clearChildTid !== 0 && old.refCount > 1 && t.um.writeU32(t.clearChildTid, 0) && host.procs) {
    const key = futexKey(t, t.clearChildTid, true);
    if (typeof key !== "number") host.procs.futexes.wake(key, 1, 0xFFFF_FFFF);
  }
  t.clearChildTid = 0;
  const map = host.newMap(t.pid);
  t.replaceMap(map);
  map.pmap.activate();
  old.deallocate();                    // a vfork child's borrowed map only loses a reference
  if (t.vforkParent) {
    if (t.vforkParent.state === "vfork") t.vforkParent.state = "run";
    t.vforkParent = null;
  }
  t.execed = true;                     // PF_FORKNOEXEC cleared: a parent's setpgid on it is now EACCES
  t.files = t.files.unshare();          // Linux's unshare_files: a CLONE_FILES table is copied before closing
  t.files.closeOnExec();
  t.signals.exec();
  t.exePath = exePath;
  let r: ExecResult;
  try {
    r = execImage(t, image, args);
  } catch (e) {
    if (e instanceof ElfError) throw TaskTerminated.bySignal(SIGSEGV, `execve: ${e.message}`);
    throw e;
  }
  // start_thread and riscv's ELF_PLAT_INIT: integer registers zero, the FPU state reset (flush_thread).
  for (let i = 1; i < 32; i++) regs.setX(i, 0n);
  for (let i = 0; i < 32; i++) regs.setF(i, 0n);
  regs.fcsr = 0;
  regs.setX(REG_SP, BigInt(r.sp));
  regs.pc = BigInt(r.entry);
  return r;
}
