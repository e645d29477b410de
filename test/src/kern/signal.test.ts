// Queueing and choosing signals (kernel/signal.c semantics) without a machine: which are dropped, which queue,
// the order they are taken in, forced signals, default actions.

import { describe, expect, it } from "vitest";
import {
  forceSignal, getSignal, SA_NODEFER, SA_RESETHAND, SEGV_MAPERR, SI_TKILL, SI_USER, SIG_IGN, type SigInfo, SignalState,
  queueSignal, sendSignal, signalDelivered, TaskTerminated,
} from "../../../src/kern/signal.js";

const SIGHUP = 1, SIGILL = 4, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18,
  SIGSTOP = 19, SIGRT = 40;
const bit = (s: number): bigint => 1n << BigInt(s - 1);
const tkill = (sig: number): SigInfo => ({ signo: sig, code: SI_TKILL, pid: 1000, uid: 1000, detail: "tkill" });
const kill = (sig: number): SigInfo => ({ signo: sig, code: SI_USER, pid: 1000, uid: 1000, detail: "kill" });
const HANDLER = 0x1000n;

function handled(...sigs: number[]): SignalState {
  const s = new SignalState();
  for (const sig of sigs) s.actions[sig] = { handler: HANDLER, flags: 0, mask: 0n };
  return s;
}

/** Signals taken in order until none is left (each handled one is "delivered": its mask applies). */
function drain(s: SignalState): number[] {
  const out: number[] = [];
  for (let k = getSignal(s); k; k = getSignal(s)) out.push(k.sig);
  return out;
}

describe("sending", () => {
  it("drops a standard signal already pending, queues every real-time instance", () => {
    const s = handled(SIGUSR1, SIGRT);
    s.blocked = bit(SIGUSR1) | bit(SIGRT);
    expect(queueSignal(s, tkill(SIGUSR1))).toBe(true);
    expect(queueSignal(s, tkill(SIGUSR1))).toBe(false);
    expect(queueSignal(s, kill(SIGUSR1), true)).toBe(true);   // the process-wide queue is separate
    for (let i = 0; i < 3; i++) expect(queueSignal(s, tkill(SIGRT))).toBe(true);
    s.blocked = 0n;
    expect(drain(s)).toEqual([SIGUSR1, SIGRT, SIGRT, SIGRT, SIGUSR1]);
  });

  it("drops ignored signals unless blocked", () => {
    const s = new SignalState();
    s.actions[SIGTERM] = { handler: SIG_IGN, flags: 0, mask: 0n };
    expect(queueSignal(s, kill(SIGTERM))).toBe(false);
    expect(queueSignal(s, kill(SIGCHLD))).toBe(false);        // default action: ignore
    s.blocked = bit(SIGTERM);
    expect(queueSignal(s, kill(SIGTERM))).toBe(true);
    s.blocked = 0n;
    expect(drain(s)).toEqual([]);                            // still ignored when taken
  });
});

describe("choosing", () => {
  it("takes fault signals first, then the thread's queue lowest first, then the process's", () => {
    const s = handled(SIGHUP, SIGILL, SIGUSR1, SIGSEGV, SIGUSR2);
    s.blocked = -1n;
    queueSignal(s, kill(SIGHUP), true);
    queueSignal(s, tkill(SIGUSR2));
    queueSignal(s, tkill(SIGUSR1));
    queueSignal(s, tkill(SIGILL));                            // sent, not a fault: no priority beyond its number
    s.blocked = 0n;
    forceSignal(s, { signo: SIGSEGV, code: SEGV_MAPERR, addr: 0n, detail: "fault" });
    expect(drain(s)).toEqual([SIGSEGV, SIGILL, SIGUSR1, SIGUSR2, SIGHUP]);
  });

  it("skips default-ignored and stop signals, and ends the task on a fatal default", () => {
    const s = new SignalState();
    s.blocked = -1n;
    queueSignal(s, kill(SIGCONT));
    queueSignal(s, kill(SIGSTOP));
    s.blocked = 0n;
    expect(getSignal(s)).toBeUndefined();
    expect(s.pendingMask).toBe(0n);
    const s2 = new SignalState();
    queueSignal(s2, kill(SIGTERM));
    try {
      getSignal(s2);
      expect.unreachable();
    } catch (e) {
      expect((e as TaskTerminated).status).toBe(128 + SIGTERM);
      expect((e as TaskTerminated).message).toBe("guest killed by SIGTERM (kill)");
    }
  });

  it("SA_RESETHAND reverts to SIG_DFL when taken; delivery blocks the signal unless SA_NODEFER", () => {
    const s = handled();
    s.actions[SIGUSR1] = { handler: HANDLER, flags: SA_RESETHAND >>> 0, mask: bit(SIGUSR2) };
    queueSignal(s, tkill(SIGUSR1));
    const k = getSignal(s)!;
    expect(k.action.handler).toBe(HANDLER);
    expect(s.actions[SIGUSR1]!.handler).toBe(0n);
    signalDelivered(s, k);
    expect(s.blocked).toBe(bit(SIGUSR1) | bit(SIGUSR2));
    s.blocked = 0n;
    s.actions[SIGUSR2] = { handler: HANDLER, flags: SA_NODEFER, mask: 0n };
    queueSignal(s, tkill(SIGUSR2));
    signalDelivered(s, getSignal(s)!);
    expect(s.blocked).toBe(0n);
  });
});

describe("forcing", () => {
  it("a blocked or ignored fault signal reverts to SIG_DFL and is unblocked", () => {
    const s = handled(SIGSEGV);
    s.blocked = bit(SIGSEGV) | bit(SIGUSR1);
    forceSignal(s, { signo: SIGSEGV, code: SEGV_MAPERR, addr: 8n, detail: "invalid read at 0x8" });
    expect(s.blocked).toBe(bit(SIGUSR1));
    expect(s.actions[SIGSEGV]!.handler).toBe(0n);
    expect(() => getSignal(s)).toThrow("guest killed by SIGSEGV (invalid read at 0x8)");
    const t = new SignalState();
    t.actions[SIGSEGV] = { handler: SIG_IGN, flags: 0, mask: 0n };
    forceSignal(t, { signo: SIGSEGV, code: SEGV_MAPERR, addr: 8n, detail: "x" });
    expect(() => getSignal(t)).toThrow(TaskTerminated);
  });

  it("an unblocked fault signal with a handler goes to the handler", () => {
    const s = handled(SIGSEGV);
    forceSignal(s, { signo: SIGSEGV, code: SEGV_MAPERR, addr: 8n, detail: "x" });
    const k = getSignal(s)!;
    expect(k.sig).toBe(SIGSEGV);
    expect(k.info.addr).toBe(8n);
  });

  it("sendSignal queues process-wide, as kill does", () => {
    const task = { signals: handled(SIGUSR1) };
    task.signals.blocked = bit(SIGUSR1);
    expect(sendSignal(task, SIGUSR1)).toBe(true);
    expect(task.signals.sharedPending.mask).toBe(bit(SIGUSR1));
    expect(task.signals.sharedPending.queue[0]).toMatchObject({ signo: SIGUSR1, code: SI_USER });
  });

  it("fork keeps dispositions, mask and alternate stack but nothing pending; exec resets handlers", () => {
    const s = handled(SIGUSR1);
    s.actions[SIGUSR2] = { handler: SIG_IGN, flags: 0, mask: 0n };
    s.blocked = bit(SIGHUP);
    s.blocked |= bit(SIGUSR1);
    queueSignal(s, tkill(SIGUSR1));
    const c = s.fork();
    expect(c.blocked).toBe(s.blocked);
    expect(c.actions[SIGUSR1]!.handler).toBe(HANDLER);
    expect(c.pendingMask).toBe(0n);
    c.actions[SIGUSR1]!.handler = 0n;
    expect(s.actions[SIGUSR1]!.handler).toBe(HANDLER);      // a copy, not shared
    s.exec();
    expect(s.actions[SIGUSR1]!.handler).toBe(0n);
    expect(s.actions[SIGUSR2]!.handler).toBe(SIG_IGN);
  });
});
