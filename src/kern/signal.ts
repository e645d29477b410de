// Signals with Linux semantics (kernel/signal.c): numbers and names (asm-generic), dispositions (struct
// k_sigaction), the blocked mask, pending queues (one per thread for tkill/tgkill/faults, one per process for
// kill), the alternate stack, and the choice of the next signal to act on (get_signal). Delivering a signal to a
// handler builds the riscv64 frame (kern/sigframe.ts); a signal whose action is the default "terminate" or "core"
// ends the task with status 128 + signal, like a shell reports it.

export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8,
  SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15,
  SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23,
  SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGSYS = 31;
export const SIGRTMIN = 32;

const NAMES = [
  "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
  "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
  "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
  "SIGSYS",
];

/** Highest signal number (real-time signals included), as _NSIG on Linux. */
export const NSIG = 64;

export function signalName(sig: number): string {
  if (sig >= SIGRTMIN && sig <= NSIG) return sig === SIGRTMIN ? "SIGRTMIN" : `SIGRT_${sig - SIGRTMIN}`;
  return NAMES[sig] ?? `SIG${sig}`;
}

/** The bit of `sig` in a sigset_t (bit n-1 = signal n). */
export function sigbit(sig: number): bigint { return 1n << BigInt(sig - 1); }

/** Every valid signal (the 64-bit sigset_t of riscv64). */
export const SIGSET_ALL = (1n << 64n) - 1n;

// sa_handler values and sa_flags (include/uapi/asm-generic/signal-defs.h, signal.h; riscv has no SA_RESTORER).
export const SIG_DFL = 0n, SIG_IGN = 1n;
export const SA_NOCLDSTOP = 0x1, SA_NOCLDWAIT = 0x2, SA_SIGINFO = 0x4, SA_EXPOSE_TAGBITS = 0x800,
  SA_ONSTACK = 0x0800_0000, SA_RESTART = 0x1000_0000, SA_NODEFER = 0x4000_0000, SA_RESETHAND = 0x8000_0000;
/** Flags the kernel keeps; others are cleared so user space can detect unsupported ones (UAPI_SA_FLAGS). */
export const UAPI_SA_FLAGS = (SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER |
  SA_RESETHAND | SA_EXPOSE_TAGBITS) >>> 0;

// si_code values (include/uapi/asm-generic/siginfo.h).
export const SI_USER = 0, SI_KERNEL = 0x80, SI_QUEUE = -1, SI_TKILL = -6;
export const SEGV_MAPERR = 1, SEGV_ACCERR = 2;
export const BUS_ADRALN = 1, BUS_ADRERR = 2;
export const ILL_ILLOPC = 1;
export const TRAP_BRKPT = 1;

// sigaltstack flags (include/uapi/linux/signal.h) and sizes (asm-generic/signal.h).
export const SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 0x8000_0000;
export const MINSIGSTKSZ = 2048;

// System-call restart codes (include/linux/errno.h): never seen by user space.
export const ERESTARTSYS = 512, ERESTARTNOINTR = 513, ERESTARTNOHAND = 514, ERESTART_RESTARTBLOCK = 516;

/** SIGKILL and SIGSTOP can be neither caught, blocked nor ignored (sig_kernel_only). */
export const UNBLOCKABLE = sigbit(SIGKILL) | sigbit(SIGSTOP);
/** Signals a fault raises, acted on before any other pending signal (kernel/signal.c SYNCHRONOUS_MASK). */
const SYNCHRONOUS_MASK = sigbit(SIGSEGV) | sigbit(SIGBUS) | sigbit(SIGILL) | sigbit(SIGTRAP) | sigbit(SIGFPE) |
  sigbit(SIGSYS);
/** Default action "ignore" (SIG_KERNEL_IGNORE_MASK). */
const KERNEL_IGNORE = sigbit(SIGCONT) | sigbit(SIGCHLD) | sigbit(SIGWINCH) | sigbit(SIGURG);
/** Default action "core": terminate and dump core (SIG_KERNEL_COREDUMP_MASK). */
const KERNEL_COREDUMP = sigbit(SIGQUIT) | sigbit(SIGILL) | sigbit(SIGTRAP) | sigbit(SIGABRT) | sigbit(SIGBUS) |
  sigbit(SIGFPE) | sigbit(SIGSEGV) | sigbit(SIGXCPU) | sigbit(SIGXFSZ) | sigbit(SIGSYS);
/** Is the default action of `sig` to dump core (sig_kernel_coredump)? */
export function sigKernelCoredump(sig: number): boolean { return sig < SIGRTMIN && (KERNEL_COREDUMP & sigbit(sig)) !== 0n; }
/** Default action "stop" (SIG_KERNEL_STOP_MASK): not modelled, a lone task has nobody to continue it. */
const KERNEL_STOP = sigbit(SIGSTOP) | sigbit(SIGTSTP) | sigbit(SIGTTIN) | sigbit(SIGTTOU);

/** A signal's disposition (struct k_sigaction). */
export interface SigAction {
  handler: bigint;   // SIG_DFL, SIG_IGN or the handler's address
  flags: number;     // SA_* (unsigned, within UAPI_SA_FLAGS)
  mask: bigint;      // blocked during the handler, besides the signal itself
}

/**
 * One queued signal (struct kernel_siginfo plus why it was sent). `addr` fills si_addr for faults, `pid`/`uid`
 * si_pid/si_uid for kill; `raw` is a caller-supplied siginfo (rt_sigqueueinfo) copied as is after the header.
 */
export interface SigInfo {
  signo: number;
  code: number;
  errno?: number;
  addr?: bigint;
  pid?: number;
  uid?: number;
  status?: number;     // SIGCHLD: the child's exit status or the signal that killed it (si_status)
  raw?: Uint8Array;
  /** How the termination message explains this signal if it kills the task. */
  detail: string;
}

export const SIGINFO_SIZE = 128;

/** The 128-byte siginfo_t (asm-generic siginfo.h on rv64: signo, errno, code, then the union at offset 16). */
export function encodeSiginfo(info: SigInfo): Uint8Array {
  const b = new Uint8Array(SIGINFO_SIZE);
  if (info.raw) b.set(info.raw.subarray(0, SIGINFO_SIZE));
  const dv = new DataView(b.buffer);
  dv.setInt32(0, info.signo, true);
  dv.setInt32(4, info.errno ?? 0, true);
  dv.setInt32(8, info.code, true);
  if (info.addr !== undefined) dv.setBigUint64(16, BigInt.asUintN(64, info.addr), true);
  if (info.pid !== undefined) dv.setInt32(16, info.pid, true);
  if (info.uid !== undefined) dv.setUint32(20, info.uid >>> 0, true);
  if (info.status !== undefined) dv.setInt32(24, info.status, true);   // _sigchld: pid, uid, status, utime, stime
  return b;
}

/** A set of pending signals and their queued siginfo (struct sigpending). */
export class SigPending {
  mask = 0n;
  readonly queue: SigInfo[] = [];

  add(info: SigInfo): void {
    this.queue.push(info);
    this.mask |= sigbit(info.signo);
  }

  /** Takes the first queued instance of `sig` (collect_signal); the bit stays set while others remain. */
  take(sig: number): SigInfo | undefined {
    const i = this.queue.findIndex((q) => q.signo === sig);
    if (i < 0) return undefined;
    const [info] = this.queue.splice(i, 1);
    if (!this.queue.some((q) => q.signo === sig)) this.mask &= ~sigbit(sig);
    return info;
  }

  /** Discards every instance of the signals in `set` (flush_sigqueue_mask). */
  flush(set: bigint): void {
    if ((this.mask & set) === 0n) return;
    for (let i = this.queue.length - 1; i >= 0; i--) if (sigbit(this.queue[i]!.signo) & set) this.queue.splice(i, 1);
    this.mask &= ~set;
  }
}

/** The alternate signal stack (sas_ss_sp, sas_ss_size, sas_ss_flags). */
export interface AltStack { sp: bigint; size: bigint; flags: number }

/** A signal chosen for delivery to a handler, with the disposition as it was when chosen. */
export interface KSignal { sig: number; info: SigInfo; action: SigAction }

/**
 * The dispositions (Linux sighand_struct): shared by the tasks of a clone with CLONE_SIGHAND (every thread of a
 * process), copied by fork. The sigreturn trampoline's address is kept with them: it lives in the address space,
 * which every task sharing the dispositions shares too (CLONE_SIGHAND requires CLONE_VM).
 */
export class SigHand {
  readonly actions: SigAction[] = Array.from({ length: NSIG + 1 }, () => ({ handler: SIG_DFL, flags: 0, mask: 0n }));
  /** Address of the sigreturn trampoline page, 0 until a handler first runs. */
  sigpage = 0;

  copy(): SigHand {
    const c = new SigHand();
    this.actions.forEach((a, i) => { c.actions[i] = { ...a }; });
    c.sigpage = this.sigpage;
    return c;
  }
}

/**
 * A task's signal state: what Linux keeps per thread in task_struct (blocked, pending, saved_sigmask, sas_ss_*),
 * and references to what it shares: the dispositions (sighand_struct: `hand`, shared with CLONE_SIGHAND) and the
 * process-directed queue (signal_struct's shared_pending, shared by the threads of one thread group).
 */
export class SignalState {
  blocked = 0n;
  readonly pending = new SigPending();        // thread-directed: tkill, tgkill, faults
  altstack: AltStack = { sp: 0n, size: 0n, flags: SS_DISABLE };
  /** rt_sigsuspend's mask to put back once a handler has been set up or nothing was delivered. */
  savedMask: bigint | undefined;
  /** Set by rt_sigreturn: the restored a0 is not a system call result, so no restart applies. */
  returnedFromHandler = false;

  constructor(public hand = new SigHand(), readonly sharedPending = new SigPending()) {}

  /** The dispositions (shared with every CLONE_SIGHAND task). */
  get actions(): SigAction[] { return this.hand.actions; }

  /** Address of the sigreturn trampoline page, 0 until a handler first runs. */
  get sigpage(): number { return this.hand.sigpage; }
  set sigpage(v: number) { this.hand.sigpage = v; }

  /** The state a child starts with at fork: dispositions, mask and alternate stack; nothing pending. */
  fork(): SignalState {
    const c = new SignalState(this.hand.copy());
    c.blocked = this.blocked;
    c.altstack = { ...this.altstack };
    return c;
  }

  /**
   * The state of a task cloned with CLONE_SIGHAND: the same dispositions, and with CLONE_THREAD the same
   * process-directed queue; the mask is inherited, nothing is pending, and the alternate stack is cleared, since
   * the new task shares the address space and so would share the stack (copy_process: sas_ss_flags = SS_DISABLE
   * when CLONE_VM without CLONE_VFORK).
   */
  share(thread: boolean): SignalState {
    const c = new SignalState(this.hand, thread ? this.sharedPending : new SigPending());
    c.blocked = this.blocked;
    return c;
  }

  /**
   * At exec: handled signals go back to SIG_DFL, ignored ones stay ignored (flush_signal_handlers); dispositions
   * shared with another process are copied first (unshare_sighand).
   */
  exec(): void {
    this.hand = this.hand.copy();
    for (const a of this.actions) {
      if (a.handler !== SIG_IGN) a.handler = SIG_DFL;
      a.flags = 0;
      a.mask = 0n;
    }
    this.altstack = { sp: 0n, size: 0n, flags: SS_DISABLE };
    this.sigpage = 0;
  }

  /** Signals pending for the task, thread-directed and process-directed. */
  get pendingMask(): bigint { return this.pending.mask | this.sharedPending.mask; }

  /** Is a pending signal not blocked (TIF_SIGPENDING after recalc_sigpending)? */
  get hasDeliverable(): boolean { return (this.pendingMask & ~this.blocked) !== 0n; }

  /** Sets the blocked mask; SIGKILL and SIGSTOP can never be blocked (set_current_blocked). */
  setBlocked(mask: bigint): void { this.blocked = mask & SIGSET_ALL & ~UNBLOCKABLE; }

  /** Is the signal's current disposition to ignore it (sig_handler_ignored)? */
  handlerIgnored(sig: number): boolean {
    const h = this.actions[sig]!.handler;
    return h === SIG_IGN || (h === SIG_DFL && (KERNEL_IGNORE & sigbit(sig)) !== 0n);
  }

  /** Discards pending instances of `sig` (a disposition changed to "ignore", POSIX 3.3.1.3). */
  flushPending(sig: number): void {
    this.pending.flush(sigbit(sig));
    this.sharedPending.flush(sigbit(sig));
  }

  /** On the alternate stack at sp (on_sig_stack; SS_AUTODISARM stacks never count)? */
  onAltStack(sp: bigint): boolean {
    const a = this.altstack;
    if (a.flags & SS_AUTODISARM) return false;
    return sp > a.sp && sp - a.sp <= a.size;
  }

  /** sigaltstack's view of the flags at sp (sas_ss_flags). */
  altStackFlags(sp: bigint): number {
    if (this.altstack.size === 0n) return SS_DISABLE;
    return this.onAltStack(sp) ? SS_ONSTACK : 0;
  }
}

/**
 * Queues a signal for the task (send_signal_locked): dropped if the task ignores it and does not block it, or if
 * it is a standard signal already pending in the same queue; real-time signals queue every instance.
 * `group` selects the process-wide queue (kill) instead of the thread's (tkill, tgkill). Returns whether queued.
 */
export function queueSignal(s: SignalState, info: SigInfo, group = false): boolean {
  const sig = info.signo;
  if ((s.blocked & sigbit(sig)) === 0n && s.handlerIgnored(sig)) return false;
  const q = group ? s.sharedPending : s.pending;
  if (sig < SIGRTMIN && (q.mask & sigbit(sig)) !== 0n) return false;
  q.add(info);
  return true;
}

/**
 * Sends `sig` to a task (kill for another task once there are several): queued process-wide, acted on when the
 * task next returns to user mode. `info` defaults to a kill from the kernel (SI_USER, pid 0).
 */
export function sendSignal(task: { readonly signals: SignalState }, sig: number,
                           info: Omit<SigInfo, "signo"> = { code: SI_USER, pid: 0, uid: 0, detail: "sent by kill" }): boolean {
  return queueSignal(task.signals, { ...info, signo: sig }, true);
}

/**
 * Raises a signal the task cannot refuse (force_sig_info_to_task with HANDLER_CURRENT): a fault, or a frame that
 * could not be built. If the signal is blocked or ignored its action reverts to SIG_DFL and it is unblocked,
 * so it kills the task; `fatal` forces the default action even when a handler is installed (force_fatal_sig).
 */
export function forceSignal(s: SignalState, info: SigInfo, fatal = false): void {
  const sig = info.signo;
  const act = s.actions[sig]!;
  const blocked = (s.blocked & sigbit(sig)) !== 0n;
  if (blocked || act.handler === SIG_IGN || fatal) {
    act.handler = SIG_DFL;
    if (blocked) s.blocked &= ~sigbit(sig);
  }
  const q = s.pending;
  if (sig < SIGRTMIN && (q.mask & sigbit(sig)) !== 0n) return;
  q.add(info);
}

/** Lowest pending signal not in `blocked`, fault signals first (next_signal). */
function nextSignal(pending: bigint, blocked: bigint): number {
  let x = pending & ~blocked;
  if (x === 0n) return 0;
  if (x & SYNCHRONOUS_MASK) x &= SYNCHRONOUS_MASK;
  let sig = 1;
  while ((x & 1n) === 0n) { x >>= 1n; sig++; }
  return sig;
}

/** Takes the lowest pending signal outside `mask`, the thread's queue before the process's (dequeue_signal). */
export function dequeueSignal(s: SignalState, mask: bigint): SigInfo | undefined {
  for (const p of [s.pending, s.sharedPending]) {
    const sig = nextSignal(p.mask, mask);
    if (sig) return p.take(sig);
  }
  return undefined;
}

/** The next signal to act on: signals raised by faults first (dequeue_synchronous_signal), then dequeue_signal. */
function dequeueForDelivery(s: SignalState): SigInfo | undefined {
  const sync = s.pending.mask & ~s.blocked & SYNCHRONOUS_MASK;
  if (sync) {
    const q = s.pending.queue.find((i) => (sigbit(i.signo) & sync) !== 0n && i.code > SI_USER);
    if (q) return s.pending.take(q.signo);
  }
  return dequeueSignal(s, s.blocked);
}

/** Thrown when a signal's default action ends the task. */
function killedBy(info: SigInfo): TaskTerminated { return TaskTerminated.bySignal(info.signo, info.detail); }

/**
 * The next signal to run a handler for (get_signal): ignored signals are dropped, a default action of "ignore"
 * (or "stop", not modelled) is skipped, and a default action of "terminate" or "core" ends the task by throwing
 * TaskTerminated. A SA_RESETHAND disposition reverts to SIG_DFL as it is taken. `onSignal` sees every signal
 * acted on (for --strace).
 */
export function getSignal(s: SignalState, onSignal?: (info: SigInfo) => void): KSignal | undefined {
  for (;;) {
    const info = dequeueForDelivery(s);
    if (!info) return undefined;
    const sig = info.signo;
    const act = s.actions[sig]!;
    if (act.handler === SIG_IGN) continue;
    if (act.handler !== SIG_DFL) {
      onSignal?.(info);
      const action = { ...act };
      if (act.flags & SA_RESETHAND) act.handler = SIG_DFL;
      return { sig, info, action };
    }
    if ((KERNEL_IGNORE | KERNEL_STOP) & sigbit(sig)) continue;
    onSignal?.(info);
    throw killedBy(info);
  }
}

/**
 * After a handler's frame is in place (signal_delivered): block the handler's mask and, unless SA_NODEFER, the
 * signal itself; an SS_AUTODISARM alternate stack is disarmed.
 */
export function signalDelivered(s: SignalState, k: KSignal): void {
  let blocked = s.blocked | k.action.mask;
  if (!(k.action.flags & SA_NODEFER)) blocked |= sigbit(k.sig);
  s.setBlocked(blocked);
  if (s.altstack.flags & SS_AUTODISARM) s.altstack = { sp: 0n, size: 0n, flags: SS_DISABLE };
}

/**
 * Thrown from anywhere in the kernel to end the task: by a fatal signal (status 128 + signal, `message` explains
 * it), which ends every thread of its process, or by exit_group or exit (signal 0). The machine's run loop catches it.
 */
export class TaskTerminated extends Error {
  override name = "TaskTerminated";
  /** A core dump was made (the wait status's 0x80, WCOREDUMP; SIGCHLD's CLD_DUMPED): see ProcessTable.exit. */
  coreDumped = false;
  /** Only the calling thread ends (exit, not exit_group); the process ends with its last thread. */
  thread = false;
  constructor(readonly status: number, readonly signal: number, message: string) {
    super(message);
  }

  static bySignal(signal: number, detail: string): TaskTerminated {
    return new TaskTerminated(128 + signal, signal, `guest killed by ${signalName(signal)} (${detail})`);
  }

  static byExit(status: number): TaskTerminated {
    return new TaskTerminated(status & 0xFF, 0, `guest exited with status ${status & 0xFF}`);
  }

  /** exit(2): the calling thread ends (Linux do_exit); the thread group ends with its last thread. */
  static byThreadExit(status: number): TaskTerminated {
    const t = TaskTerminated.byExit(status);
    t.thread = true;
    return t;
  }
}
