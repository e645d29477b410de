// The riscv64 signal frame (arch/riscv/kernel/signal.c): struct rt_sigframe { siginfo_t info; struct ucontext
// uc; } written below the interrupted stack pointer (or at the top of the alternate stack), and read back by
// rt_sigreturn. Handlers return through a trampoline page mapped read+execute into the task: Linux points ra at
// the vDSO's __vdso_rt_sigreturn (`li a7, 139; ecall`); mmulab has no vDSO, so it maps just that code, as ARM
// Linux maps its "[sigpage]". The page holds the same two instructions, so unwinders that recognise the
// sequence (libgcc's riscv linux-unwind.h) see a signal frame.

import type { Task } from "./task.js";
import {
  encodeSiginfo, forceSignal, getSignal, type KSignal, MINSIGSTKSZ, SA_ONSTACK, SA_RESTART,
  SI_KERNEL, SIGSEGV, type SigInfo, type SignalState, SS_AUTODISARM, SS_DISABLE, SS_ONSTACK,
  ERESTART_RESTARTBLOCK, ERESTARTNOHAND, ERESTARTNOINTR, ERESTARTSYS, signalDelivered, signalName,
} from "./signal.js";
import { EINTR, EINVAL, ENOMEM, EPERM } from "../sys/errno.js";
import type { MemoryObjectControl, Pager } from "../vm/pager.js";
import type { VmObject } from "../vm/vm_object.js";
import { VmMapEntry } from "../vm/vm_map.js";
import { vmMapPopulate } from "../vm/vm_fault.js";
import { PAGE_SIZE, VM_PROT_EXECUTE, VM_PROT_READ, hex } from "../vm/vm_prot.js";

/** The running task's user registers, as the trap saved them (pt_regs): the wasm machine while it runs. */
export interface UserRegs {
  getX(r: number): bigint;
  setX(r: number, v: bigint): void;
  getF(r: number): bigint;
  setF(r: number, v: bigint): void;
  pc: bigint;
  fcsr: number;
}

const REG_RA = 1, REG_SP = 2, REG_A0 = 10, REG_A1 = 11, REG_A2 = 12, REG_A7 = 17;
const NR_RESTART_SYSCALL = 128;

// Offsets, from the uapi headers (asm/ucontext.h, asm/sigcontext.h, asm/ptrace.h) with LP64 layout rules.
export const FRAME = {
  INFO: 0,                       // siginfo_t, 128 bytes
  UC: 128,                       // struct ucontext
  UC_FLAGS: 128 + 0,
  UC_LINK: 128 + 8,
  UC_STACK: 128 + 16,            // stack_t { ss_sp 0, ss_flags 8, ss_size 16 }
  UC_SIGMASK: 128 + 40,          // sigset_t (8 bytes), then 120 bytes kept for a larger sigset
  MCONTEXT: 128 + 176,           // struct sigcontext, 16-byte aligned
  SC_REGS: 304,                  // user_regs_struct: pc, ra, sp, gp, tp, t0-t2, s0, s1, a0-a7, s2-s11, t3-t6
  SC_FPREGS: 304 + 256,          // union __riscv_fp_state: the D view is f[32] then fcsr
  SC_FCSR: 304 + 256 + 256,
  SC_RESERVED: 304 + 256 + 516,  // __riscv_extra_ext_header.reserved: zero, checked on return
  SC_EXT_HDR: 304 + 256 + 520,   // first __riscv_ctx_hdr { magic, size }: END_MAGIC 0, size 0 (no vector state)
  SIZE: 1088,                    // sizeof(struct rt_sigframe), already a multiple of 16
} as const;

/** sizeof(struct __riscv_d_ext_state): f[32] and fcsr, padded to 8 bytes. */
const D_STATE_SIZE = 264;
const END_MAGIC = 0, END_HDR_SIZE = 0;

/** `li a7, 139` (addi a7, zero, __NR_rt_sigreturn) and `ecall`: __vdso_rt_sigreturn. */
export const SIGRETURN_CODE = [0x08B0_0893, 0x0000_0073];

class SigpagePager implements Pager {
  readonly name = "[sigpage]";
  dataRequest(obj: VmObject, control: MemoryObjectControl, offset: number, length: number): void {
    const dst = new Uint8Array(length);
    const dv = new DataView(dst.buffer);
    if (offset === 0) SIGRETURN_CODE.forEach((w, i) => dv.setUint32(4 * i, w, true));
    control.dataProvided(obj, offset, dst);
  }
}

/**
 * Maps the trampoline page the first time a handler runs: in the page above the stack if it is free (it is
 * unused in every translated layout), else top-down below mmap_base, where Linux puts its vDSO. Returns its
 * address, or 0 when there is no room.
 */
export function ensureSigpage(task: Task): number {
  const s = task.signals;
  if (s.sigpage !== 0) return s.sigpage;
  const map = task.map;
  const at = map.findSpace(PAGE_SIZE, task.layout.stackTop, task.layout.mmapBase);
  if (at === undefined) return 0;
  const obj = map.vm.objectAllocate(PAGE_SIZE, new SigpagePager());
  const rx = VM_PROT_READ | VM_PROT_EXECUTE;
  map.insert(new VmMapEntry(at, at + PAGE_SIZE, obj, 0, rx, rx, "copy", false, "[sigpage]"));
  // Without translation nothing faults pages in: place the code in its frame now, as exec does for segments.
  if (task.pmap.identity) vmMapPopulate(map, at, at + PAGE_SIZE);
  s.sigpage = at;
  return at;
}

/** Where the frame goes (get_sigframe): below sp, or at the top of the alternate stack with SA_ONSTACK. */
export function sigframeAddress(s: SignalState, k: KSignal, sp: bigint, size: number): bigint {
  const len = BigInt(size);
  // Already on the alternate stack and the frame would overflow it: an always-bad address, so SIGSEGV.
  if (s.onAltStack(sp) && !s.onAltStack(sp - len)) return (1n << 64n) - 1n;
  let top = sp;
  if ((k.action.flags & SA_ONSTACK) && s.altStackFlags(sp) === 0) top = s.altstack.sp + s.altstack.size;
  return BigInt.asUintN(64, top - len) & ~0xFn;
}

/**
 * Writes the frame for `k` (setup_rt_frame) and points the registers at the handler: pc = handler, sp = frame,
 * a0 = signal, a1 = &info, a2 = &uc, ra = trampoline; every other register keeps its interrupted value.
 * `oldset` is the mask rt_sigreturn will restore. Returns false when the frame cannot be written.
 */
export function setupRtFrame(task: Task, regs: UserRegs, k: KSignal, oldset: bigint): boolean {
  const s = task.signals, um = task.um;
  const sp = regs.getX(REG_SP);
  const frame = sigframeAddress(s, k, sp, FRAME.SIZE);
  if (frame + BigInt(FRAME.SIZE) > BigInt(task.map.maxAddress)) return false;   // access_ok
  const f = Number(frame);

  const head = new Uint8Array(FRAME.MCONTEXT - FRAME.UC);   // uc_flags, uc_link, uc_stack, uc_sigmask
  const hv = new DataView(head.buffer);
  hv.setBigUint64(16, BigInt.asUintN(64, s.altstack.sp), true);
  hv.setInt32(24, s.altstack.flags | 0, true);             // the raw sas_ss_flags, as __save_altstack stores it
  hv.setBigUint64(32, BigInt.asUintN(64, s.altstack.size), true);
  hv.setBigUint64(40, oldset, true);

  const mc = new Uint8Array(256 + D_STATE_SIZE);            // sc_regs and the D-extension state
  const mv = new DataView(mc.buffer);
  mv.setBigUint64(0, regs.pc, true);
  for (let r = 1; r < 32; r++) mv.setBigUint64(8 * r, regs.getX(r), true);
  for (let r = 0; r < 32; r++) mv.setBigUint64(256 + 8 * r, regs.getF(r), true);
  mv.setUint32(256 + 256, regs.fcsr >>> 0, true);

  const tail = new Uint8Array(12);                          // reserved = 0, then the END header
  new DataView(tail.buffer).setUint32(4, END_MAGIC, true);
  new DataView(tail.buffer).setUint32(8, END_HDR_SIZE, true);

  // Only the fields Linux writes: the unused sigset room and padding keep whatever the stack held.
  const ok = um.copyout(f + FRAME.INFO, encodeSiginfo(k.info)) &&
    um.copyout(f + FRAME.UC, head.subarray(0, FRAME.UC_SIGMASK - FRAME.UC + 8)) &&
    um.copyout(f + FRAME.SC_REGS, mc) &&
    um.copyout(f + FRAME.SC_RESERVED, tail);
  if (!ok) return false;
  const tramp = ensureSigpage(task);
  if (tramp === 0) return false;

  regs.setX(REG_RA, BigInt(tramp));
  regs.pc = k.action.handler;
  regs.setX(REG_SP, frame);
  regs.setX(REG_A0, BigInt(k.sig));
  regs.setX(REG_A1, frame + BigInt(FRAME.INFO));
  regs.setX(REG_A2, frame + BigInt(FRAME.UC));
  return true;
}

/** Why rt_sigreturn refused a frame (its "badframe" path). */
export type SigreturnResult = { ok: true; a0: bigint } | { ok: false; why: string };

/**
 * rt_sigreturn: reads the frame at sp, restores the blocked mask, every integer and FP register, and the
 * alternate stack. Validation as Linux: the frame must lie in user space, reserved must be zero and the
 * extension chain must end with an END header of size 0 (this machine has no vector state to restore).
 */
export function restoreRtFrame(task: Task, regs: UserRegs): SigreturnResult {
  const s = task.signals, um = task.um;
  const sp = regs.getX(REG_SP);
  if (sp + BigInt(FRAME.SIZE) > BigInt(task.map.maxAddress)) return { ok: false, why: `frame at ${hex(sp)} outside user space` };
  const f = Number(sp);
  const mask = um.readU64(f + FRAME.UC_SIGMASK);
  if (mask === undefined) return { ok: false, why: `frame at ${hex(sp)} unreadable` };
  s.setBlocked(mask);
  const mc = um.copyin(f + FRAME.SC_REGS, 256 + D_STATE_SIZE);
  if (!mc) return { ok: false, why: `frame at ${hex(sp)} unreadable` };
  const mv = new DataView(mc.buffer);
  // sepc bit 0 always reads as zero (IALIGN = 16), so an odd saved pc resumes at the even address below it.
  regs.pc = mv.getBigUint64(0, true) & ~1n;
  for (let r = 1; r < 32; r++) regs.setX(r, mv.getBigUint64(8 * r, true));
  for (let r = 0; r < 32; r++) regs.setF(r, mv.getBigUint64(256 + 8 * r, true));
  regs.fcsr = mv.getUint32(512, true);
  const tail = um.copyin(f + FRAME.SC_RESERVED, 12);
  if (!tail) return { ok: false, why: `frame at ${hex(sp)} unreadable` };
  const tv = new DataView(tail.buffer);
  if (tv.getUint32(0, true) !== 0) return { ok: false, why: "reserved word of the signal context is not zero" };
  if (tv.getUint32(4, true) !== END_MAGIC) return { ok: false, why: `unknown signal context extension 0x${tv.getUint32(4, true).toString(16)}` };
  if (tv.getUint32(8, true) !== END_HDR_SIZE) return { ok: false, why: "END header of the signal context with a non-zero size" };
  const st = um.copyin(f + FRAME.UC_STACK, 24);
  if (!st) return { ok: false, why: `frame at ${hex(sp)} unreadable` };
  const sv = new DataView(st.buffer);
  // restore_altstack: errors other than EFAULT are ignored (e.g. still running on the alternate stack).
  doSigaltstack(s, { sp: sv.getBigUint64(0, true), flags: sv.getInt32(8, true), size: sv.getBigUint64(16, true) },
    regs.getX(REG_SP));
  return { ok: true, a0: regs.getX(REG_A0) };
}

/** do_sigaltstack's change of the alternate stack; returns 0 or a negative errno. */
export function doSigaltstack(s: SignalState, ss: { sp: bigint; flags: number; size: bigint }, sp: bigint): number {
  if (s.onAltStack(sp)) return -EPERM;                     // cannot change the stack one runs on
  const flags = ss.flags >>> 0;
  const mode = flags & ~SS_AUTODISARM;
  if (mode !== SS_DISABLE && mode !== SS_ONSTACK && mode !== 0) return -EINVAL;
  const a = s.altstack;
  if (a.sp === ss.sp && a.size === ss.size && a.flags === flags) return 0;
  if (mode === SS_DISABLE) {
    s.altstack = { sp: 0n, size: 0n, flags };
    return 0;
  }
  if (ss.size < BigInt(MINSIGSTKSZ)) return -ENOMEM;
  s.altstack = { sp: ss.sp, size: ss.size, flags };
  return 0;
}

/** Where a trap came from, for system-call restart (Linux checks regs->cause == EXC_SYSCALL). */
export interface TrapOrigin {
  syscall: boolean;
  origA0?: bigint;   // a0 as the system call received it
}

/**
 * Return to user mode (arch_do_signal_or_restart, looped as exit_to_user_mode_loop does): restarts an
 * interrupted system call or turns it into EINTR, then sets up a frame for every deliverable signal, each on top
 * of the previous one, so the last one set up runs first. Ends the task (throws TaskTerminated) on a fatal one.
 */
export function deliverSignals(task: Task, regs: UserRegs, from: TrapOrigin, trace?: (line: string) => void): void {
  const s = task.signals;
  let restart = 0;
  let continuePc = 0n;
  if (from.syscall && !s.returnedFromHandler) {
    const r = Number(BigInt.asIntN(64, regs.getX(REG_A0)));
    if (r === -ERESTARTNOHAND || r === -ERESTARTSYS || r === -ERESTARTNOINTR || r === -ERESTART_RESTARTBLOCK) {
      restart = -r;
      continuePc = regs.pc;
      regs.setX(REG_A0, from.origA0 ?? 0n);
      regs.pc = continuePc - 4n;
    }
  }
  s.returnedFromHandler = false;
  if (!s.hasDeliverable) {
    if (restart === ERESTART_RESTARTBLOCK) regs.setX(REG_A7, BigInt(NR_RESTART_SYSCALL));
    if (s.savedMask !== undefined) { s.setBlocked(s.savedMask); s.savedMask = undefined; }
    return;
  }
  const onSignal = trace ? (i: SigInfo) => trace(`--- ${signalName(i.signo)} ${describeSiginfo(i)} ---`) : undefined;
  for (;;) {
    const k = getSignal(s, onSignal);
    if (!k) break;
    if (restart && (restart === ERESTARTNOHAND || restart === ERESTART_RESTARTBLOCK ||
        (restart === ERESTARTSYS && !(k.action.flags & SA_RESTART)))) {
      regs.setX(REG_A0, BigInt(-EINTR));
      regs.pc = continuePc;
    }
    restart = 0;
    const oldset = s.savedMask ?? s.blocked;
    const sp = regs.getX(REG_SP);
    if (setupRtFrame(task, regs, k, oldset)) {
      s.savedMask = undefined;
      signalDelivered(s, k);
      continue;
    }
    // signal_setup_done(failed) → force_sigsegv: fatal if the frame was for SIGSEGV itself.
    const detail = `cannot write the signal frame for ${signalName(k.sig)} (sp ${hex(sp)}, pc ${hex(regs.pc)})`;
    forceSignal(s, { signo: SIGSEGV, code: SI_KERNEL, detail }, k.sig === SIGSEGV);
  }
  if (restart === ERESTART_RESTARTBLOCK) regs.setX(REG_A7, BigInt(NR_RESTART_SYSCALL));
  if (s.savedMask !== undefined) { s.setBlocked(s.savedMask); s.savedMask = undefined; }
}

/** A signal raised by a fault (force_sig_fault), followed by the return to user mode. */
export function userFault(task: Task, regs: UserRegs, signo: number, code: number, addr: bigint, detail: string,
                          trace?: (line: string) => void): void {
  forceSignal(task.signals, { signo, code, addr, detail });
  deliverSignals(task, regs, { syscall: false }, trace);
}

const CODE_NAMES: Record<number, Record<number, string>> = {
  [SIGSEGV]: { 1: "SEGV_MAPERR", 2: "SEGV_ACCERR" },
  7: { 1: "BUS_ADRALN", 2: "BUS_ADRERR" },
  4: { 1: "ILL_ILLOPC" },
  5: { 1: "TRAP_BRKPT" },
};

/** strace's rendering of a siginfo. */
export function describeSiginfo(i: SigInfo): string {
  const generic: Record<number, string> = { 0: "SI_USER", [SI_KERNEL]: "SI_KERNEL", [-1]: "SI_QUEUE", [-6]: "SI_TKILL" };
  const code = (i.code > 0 && i.code !== SI_KERNEL ? CODE_NAMES[i.signo]?.[i.code] : generic[i.code]) ?? String(i.code);
  let s = `{si_signo=${signalName(i.signo)}, si_code=${code}`;
  if (i.addr !== undefined) s += `, si_addr=${i.addr === 0n ? "NULL" : hex(i.addr)}`;
  if (i.pid !== undefined) s += `, si_pid=${i.pid}, si_uid=${i.uid ?? 0}`;
  return s + "}";
}
