// The kernel's timers (src/kern/timer.ts) on their own: deadlines in order, idling to the next one, interval
// timers on the clock and on a task's CPU time, and the timeouts of sleeping calls.

import { describe, expect, it } from "vitest";
import { ITIMER_PROF, ITIMER_REAL, ITIMER_VIRTUAL, Timers, cyclesToNs, nsToCycles } from "../../../src/kern/timer.js";
import { SIGALRM, SIGPROF, SIGVTALRM, SignalState, sigbit } from "../../../src/kern/signal.js";
import type { Task } from "../../../src/kern/task.js";

/** A clock the test moves by hand, and a stand-in task that only has signals, a state and a one-thread group. */
function setup() {
  const clock = { cycles: 0n };
  const timers = new Timers(() => clock.cycles);
  const task = { state: "run", signals: new SignalState() } as unknown as Task;
  Object.assign(task, { group: { leader: task, get dead() { return task.state === "zombie"; } } });
  return { clock, timers, task };
}

const pending = (t: Task, sig: number): boolean => (t.signals.pendingMask & sigbit(sig)) !== 0n;

describe("Timers", () => {
  it("converts between nanoseconds and cycles at the nominal clock, rounding a deadline up", () => {
    expect(nsToCycles(1_000_000_000n)).toBe(1_000_000_000n);
    expect(cyclesToNs(nsToCycles(123n))).toBe(123n);
  });

  it("fires deadlines in order of time, then of arming, and only once they are reached", () => {
    const { clock, timers } = setup();
    const fired: string[] = [];
    timers.at(300n, () => fired.push("c"));
    timers.at(100n, () => fired.push("a"));
    timers.at(300n, () => fired.push("d"));
    const b = timers.at(200n, () => fired.push("b"));
    timers.cancel(b);
    clock.cycles = 99n;
    expect(timers.expire()).toBe(0);
    clock.cycles = 300n;
    expect(timers.expire()).toBe(3);
    expect(fired).toEqual(["a", "c", "d"]);
    expect(timers.nextDeadline).toBeUndefined();
  });

  it("idles to the next deadline: the clock jumps, the machine's cycles do not", () => {
    const { clock, timers } = setup();
    clock.cycles = 1000n;
    let fired = false;
    timers.at(5000n, () => { fired = true; });
    expect(timers.idle()).toBe(true);
    expect(fired).toBe(true);
    expect(timers.idleCycles).toBe(4000n);
    expect(timers.now()).toBe(5000n);
    expect(clock.cycles).toBe(1000n);
    expect(timers.idle()).toBe(false);   // nothing left to wait for: a deadlock
  });

  it("ITIMER_REAL sends SIGALRM at its expiry and reloads one interval after it", () => {
    const { clock, timers, task } = setup();
    timers.setitimer(task, ITIMER_REAL, { interval: 2000n, value: 1000n });
    expect(timers.getitimer(task, ITIMER_REAL)).toEqual({ interval: 2000n, value: 1000n });
    clock.cycles = 999n;
    timers.expire();
    expect(pending(task, SIGALRM)).toBe(false);
    clock.cycles = 1500n;
    timers.expire();
    expect(pending(task, SIGALRM)).toBe(true);
    expect(timers.nextDeadline).toBe(3000n);
    expect(timers.getitimer(task, ITIMER_REAL).value).toBe(1500n);
    // Disarming returns the old setting and removes the event.
    expect(timers.setitimer(task, ITIMER_REAL, { interval: 0n, value: 0n })).toEqual({ interval: 2000n, value: 1500n });
    expect(timers.nextDeadline).toBeUndefined();
  });

  it("an ignored interval timer cannot keep an idle machine alive forever", () => {
    const { timers, task } = setup();
    task.signals.actions[SIGALRM]!.handler = 1n;   // SIG_IGN: every SIGALRM is dropped
    timers.setitimer(task, ITIMER_REAL, { interval: 10n, value: 10n });
    let jumps = 0;
    while (timers.idle()) if (++jumps > 100) break;
    expect(jumps).toBeLessThan(10);
  });

  it("ITIMER_VIRTUAL and ITIMER_PROF count the task's CPU cycles, not the clock", () => {
    const { clock, timers, task } = setup();
    timers.setitimer(task, ITIMER_VIRTUAL, { interval: 0n, value: 500n });
    timers.setitimer(task, ITIMER_PROF, { interval: 300n, value: 300n });
    clock.cycles = 10_000n;                    // time passes, the task does not run
    timers.expire();
    expect(pending(task, SIGVTALRM) || pending(task, SIGPROF)).toBe(false);
    expect(timers.cpuBudget(task)).toBe(300n);
    timers.charge(task, 400n);
    expect(pending(task, SIGPROF)).toBe(true);
    expect(pending(task, SIGVTALRM)).toBe(false);
    expect(timers.cpuBudget(task)).toBe(100n);  // VIRTUAL at 500, PROF reloaded to 600
    timers.charge(task, 100n);
    expect(pending(task, SIGVTALRM)).toBe(true);
    expect(timers.getitimer(task, ITIMER_VIRTUAL)).toEqual({ interval: 0n, value: 0n });
  });

  it("a sleeping call keeps its deadline when it is made again, and forgets it once it returns", () => {
    const { clock, timers, task } = setup();
    const procs = { sleep: () => { throw new Error("slept"); } } as never;
    const d = timers.deadlineOf(task, () => clock.cycles + 100n);
    expect(() => timers.sleep(procs, task, "nanosleep", d, () => false)).toThrow("slept");
    clock.cycles = 50n;
    expect(timers.deadlineOf(task, () => clock.cycles + 100n)).toBe(100n);
    expect(timers.nextDeadline).toBe(100n);
    timers.callDone(task);
    expect(timers.nextDeadline).toBeUndefined();
    expect(timers.deadlineOf(task, () => clock.cycles + 100n)).toBe(150n);
  });

  it("the exit of a process's last thread cancels its interval timers", () => {
    const { timers, task } = setup();
    timers.setitimer(task, ITIMER_REAL, { interval: 0n, value: 10n });
    timers.exit(task);                           // a thread of a live process: the process's timers stay
    expect(timers.nextDeadline).toBe(10n);
    (task as { state: string }).state = "zombie";
    timers.exit(task);
    expect(timers.nextDeadline).toBeUndefined();
  });
});
