// Several tasks with signals and files: pipes between processes under heavy preemption, and a deadlock (every
// task asleep) ending the run with one line. The same guest is compared with qemu-riscv64 in test/diff.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { runGuest } from "../../../src/index.js";

const GUEST = (g: string) => join(import.meta.dirname, "../../../guest/bin", g);

describe("tasks, pipes and signals", () => {
  it("pipefork gives the same output whatever the quantum (sleeps and wakeups, not timing, order it)", () => {
    const base = runGuest({ path: GUEST("pipefork"), args: ["16", "96"] });
    expect(base.exitCode).toBe(0);
    expect(base.stdout).toMatch(/EINTR seen: yes[^]*returned the child: yes[^]*pipefork done\n$/);
    for (const quantum of [3000, 40000]) {
      const r = runGuest({ path: GUEST("pipefork"), args: ["16", "96"], quantum });
      expect(r.stdout, `quantum ${quantum}`).toBe(base.stdout);
      expect(r.exitCode).toBe(0);
      expect(r.counters.context_switches).toBeGreaterThan(base.counters.context_switches!);
    }
  });

  it("every task asleep is a deadlock: the run ends with SIGKILL and says what the last one waits for", () => {
    const r = runGuest({ path: GUEST("pipefork"), args: ["deadlock"] });
    expect(r.exitCode).toBe(137);
    expect(r.signal).toBe(9);
    expect(r.message).toBe("guest killed by SIGKILL: deadlock: read from an empty pipe would wait forever (every task is waiting)");
    expect(r.stdout).toBe("both processes read an empty pipe they both could write\n");
    expect(r.counters.forks).toBe(1);
  });

  it("each context switch is charged the machine's contextSwitch cost from its data file", () => {
    for (const arch of ["riscv-sv39", "mips-r3000"]) {
      const r = runGuest({ path: GUEST("pipefork"), args: ["16", "96"], arch, quantum: 20000 });
      expect(r.exitCode, arch).toBe(0);
      expect(r.counters.context_switches, arch).toBeGreaterThan(10);
      expect(r.counters.context_switch_cycles, arch).toBe(r.counters.context_switches! * r.config.costs.contextSwitch);
      const dear = runGuest({
        path: GUEST("pipefork"), args: ["16", "96"], arch, quantum: 20000, costs: { contextSwitch: 5000 },
      });
      expect(dear.stdout).toBe(r.stdout);
      expect(dear.counters.context_switch_cycles, arch).toBe(dear.counters.context_switches! * 5000);
    }
  });
});
