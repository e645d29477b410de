// Signals as far as this issue needs them: numbers and names (Linux asm-generic), and the termination of a task
// by a fatal signal or by exit. Delivery to guest handlers is a later issue: every signal the kernel raises is
// fatal and ends the guest with status 128 + signal, like a shell reports it.

export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8,
  SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15,
  SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23,
  SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGSYS = 31;

const NAMES = [
  "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
  "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
  "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
  "SIGSYS",
];

/** Highest signal number (real-time signals included), as _NSIG on Linux. */
export const NSIG = 64;

export function signalName(sig: number): string { return NAMES[sig] ?? `SIG${sig}`; }

/**
 * Thrown from anywhere in the kernel to end the task: by a fatal signal (status 128 + signal, `message` explains
 * it) or by exit (signal 0). The machine's run loop catches it.
 */
export class TaskTerminated extends Error {
  override name = "TaskTerminated";
  constructor(readonly status: number, readonly signal: number, message: string) {
    super(message);
  }

  static bySignal(signal: number, detail: string): TaskTerminated {
    return new TaskTerminated(128 + signal, signal, `guest killed by ${signalName(signal)} (${detail})`);
  }

  static byExit(status: number): TaskTerminated {
    return new TaskTerminated(status & 0xFF, 0, `guest exited with status ${status & 0xFF}`);
  }
}
