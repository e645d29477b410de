// Differential suite: every guest in guest/bin runs under qemu-riscv64 (the oracle) and under the emulator CLI
// (`node bin/mmulab.js run <elf> [args..] [options]`) with the same arguments and the same explicit environment;
// stdout and the exit status must be identical. A guest killed by signal N counts as status 128 + N on both sides
// (mmulab reports it that way; qemu-riscv64 kills itself with the signal, which spawnSync reports as `signal`).
// stderr is not compared: qemu and mmulab each describe a fatal signal in their own words.
//
// Without qemu-riscv64 the comparisons are skipped locally and fail under CI (CI installs qemu-user). Without a
// built CLI (bin/mmulab.js importing dist/) the mmulab side is skipped locally and fails under CI.

import { describe, expect, test } from "vitest";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ARCHS } from "../../src/arch/registry.js";
import { machineData } from "../../src/machine/costs.js";
import { PAGEOUT_POLICIES } from "../../src/vm/pageout/index.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CI = Boolean(process.env.CI);
const TIMEOUT_MS = 60_000;
const SPAWN_TIMEOUT_MS = 50_000; // below the test timeout, so a hang is reported as such
const MAX_BUFFER = 64 << 20;

/** Absolute path of qemu-riscv64, or undefined when it is not installed. */
function findQemu(): string | undefined {
  const r = spawnSync("/bin/sh", ["-c", "command -v qemu-riscv64"], { encoding: "utf8" });
  const path = r.status === 0 ? r.stdout.trim() : "";
  return path !== "" ? path : undefined;
}

const qemu = findQemu();
const mmulabJs = join(root, "bin", "mmulab.js");
const mmulabBuilt = existsSync(mmulabJs) && existsSync(join(root, "dist", "cli", "main.js"));

interface Outcome {
  status: number; // exit status, or 128 + signal number
  signal: NodeJS.Signals | null; // the signal that killed the process itself, if one did
  stdout: string;
  stderr: string;
}

function outcome(r: SpawnSyncReturns<string>, what: string): Outcome {
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
    throw new Error(`${what}: still running after ${SPAWN_TIMEOUT_MS} ms (killed)`);
  }
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  let status: number;
  if (r.status !== null) status = r.status;
  else if (r.signal) status = 128 + constants.signals[r.signal];
  else throw new Error(`${what}: neither an exit status nor a signal`);
  return { status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

interface Case {
  guest: string;
  args?: string[];
  /** the guest's whole environment (both sides get exactly this) */
  env?: Record<string, string>;
  /** expected exit status under qemu (128 + N for signal N) */
  status: number;
  /** extra checks on qemu's stdout */
  stdoutMatch?: RegExp;
  /** run qemu in a fresh empty directory (guests that create files work relative to the cwd) */
  scratchCwd?: boolean;
}

const BASE_ENV: Record<string, string> = { MMULAB_SUITE: "diff" };

/**
 * Runs under qemu-riscv64, with core dumps off (qemu-user would otherwise write qemu_*.core files): the soft limit
 * only, so a guest may raise it again (coredump does, in a scratch directory).
 */
function runQemu(c: Case): Outcome {
  const cwd = c.scratchCwd ? mkdtempSync(join(tmpdir(), "mmulab-diff-")) : root;
  const guest = c.scratchCwd ? join(root, "guest", "bin", c.guest) : join("guest", "bin", c.guest);
  try {
    const r = spawnSync("/bin/sh", ["-c", 'ulimit -S -c 0; exec "$0" "$@"', qemu!, guest, ...(c.args ?? [])], {
      cwd,
      env: c.env ?? BASE_ENV,
      encoding: "utf8",
      maxBuffer: MAX_BUFFER,
      timeout: SPAWN_TIMEOUT_MS,
      killSignal: "SIGKILL",
    });
    return outcome(r, `qemu-riscv64 ${c.guest}`);
  } finally {
    if (c.scratchCwd) rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * Runs under the emulator CLI, as `mmulab run <elf> [options] -- [args..]`, the guest environment exactly `env`
 * (--env-clear, then --env for each variable).
 */
function runMmulab(guest: string, args: string[], env: Record<string, string>, options: string[] = []): Outcome {
  const envFlags = Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]);
  const r = spawnSync(
    process.execPath,
    [mmulabJs, "run", join("guest", "bin", guest), ...options, "--env-clear", ...envFlags, "--", ...args],
    { cwd: root, env, encoding: "utf8", maxBuffer: MAX_BUFFER, timeout: SPAWN_TIMEOUT_MS, killSignal: "SIGKILL" },
  );
  return outcome(r, `mmulab ${guest}`);
}

/** A short description of the first difference between two outputs, or undefined when they are equal. */
function firstDifference(expected: string, actual: string): string | undefined {
  if (expected === actual) return undefined;
  const e = expected.split("\n"), a = actual.split("\n");
  let i = 0;
  while (i < e.length && i < a.length && e[i] === a[i]) i++;
  const show = (lines: string[]) => (i < lines.length ? JSON.stringify(lines[i]) : "<end of output>");
  return `stdout differs at line ${i + 1} (of ${e.length} / ${a.length}):\n  qemu:   ${show(e)}\n  mmulab: ${show(a)}`
    + (i > 0 ? `\n  previous line: ${JSON.stringify(e[i - 1])}` : "");
}

const ILL = 128 + 4, TRAP = 128 + 5, ABRT = 128 + 6, BUS = 128 + 7, FPE = 128 + 8, SEGV = 128 + 11, TERM = 128 + 15;

const CASES: Case[] = [
  { guest: "hello", status: 0, stdoutMatch: /^Hello, world!\n/ },
  {
    guest: "echo",
    args: ["alpha", "two words", "", "ünïcode"],
    env: { MMULAB_GREETING: "hi there", MMULAB_A: "1", MMULAB_EMPTY: "", OTHER_VAR: "not printed" },
    status: 0,
    stdoutMatch: /MMULAB_ variables: 3\n/,
  },
  { guest: "echo", args: ["status", "exit=3"], status: 3 },
  { guest: "malloc", args: ["5000"], status: 0, stdoutMatch: /corrupt=0\n/ },
  { guest: "qsort", args: ["50000"], status: 0, stdoutMatch: /sorted=yes permutation=yes/ },
  { guest: "matmul", args: ["48"], status: 0 },
  { guest: "stride", args: ["8", "2"], status: 0 },
  { guest: "hashtable", args: ["16"], status: 0 },
  { guest: "fp", args: ["2000"], status: 0 },
  { guest: "integer", args: ["20000"], status: 0 },
  { guest: "fptest", status: 0, stdoutMatch: /fptest done\n$/ },
  { guest: "divzero", status: 0, stdoutMatch: /no trap\n$/ },
  { guest: "isa_int", status: 0, stdoutMatch: /isa_int done\n$/ },
  { guest: "isa_muldiv", status: 0, stdoutMatch: /isa_muldiv done\n$/ },
  { guest: "isa_amo", status: 0, stdoutMatch: /isa_amo done\n$/ },
  { guest: "isa_rvc", status: 0, stdoutMatch: /isa_rvc done\n$/ },
  { guest: "isa_csr", status: 0, stdoutMatch: /isa_csr done\n$/ },
  { guest: "badjump", status: SEGV },
  { guest: "segv", status: SEGV },
  { guest: "segv", args: ["read"], status: SEGV },
  ...["zero", "ones", "opcode", "csr", "nocsr", "frm"].map((k): Case => ({ guest: "illegal", args: [k], status: ILL })),
  { guest: "illegal", args: ["ebreak"], status: TRAP },
  // fork, copy-on-write, wait4, process trees, MAP_SHARED across fork (output ordered by wait)
  { guest: "fork_cow", status: 0, stdoutMatch: /memory unchanged by the child: yes\n[^]*killed: yes by signal 11\n/ },
  { guest: "fork_cow", args: ["300"], status: 0, stdoutMatch: /child: sees the parent's memory: yes/ },
  { guest: "forktree", status: 0, stdoutMatch: /40 processes/ },
  { guest: "forktree", args: ["5", "2"], status: 0, stdoutMatch: /63 processes/ },
  { guest: "shmem", status: 0, stdoutMatch: /round 3: shared 64 63, private 1 0\n/ },
  // Parent and children through pipes (sleeping readers and writers, EOF at exit), shared offsets, SIGCHLD,
  // wait4 with EINTR and SA_RESTART, kill/tgkill to another process.
  { guest: "pipefork", scratchCwd: true, status: 0, stdoutMatch: /echoes uppercase: yes[^]*digests match: yes[^]*EINTR seen: yes[^]*pipefork done\n$/ },
  { guest: "pipefork", args: ["500", "1000"], scratchCwd: true, status: 0, stdoutMatch: /child counted 1024000 bytes, digests match: yes/ },
  // Time passing while tasks sleep: alarm and pause, nanosleep EINTR with the time left, interval timers, ppoll and
  // pselect on pipes with timeouts and a temporary mask, a futex shared across fork; a spinning guest killed by alarm.
  { guest: "timers", status: 0, stdoutMatch: /ppoll: -1 errno EINTR, handler ran 1, SIGUSR1 blocked again 1\n[^]*child: futex wait returned 0, word 7\n/ },
  { guest: "timers", args: ["watchdog"], status: 128 + 14 },
  // mincore and madvise: residency after writes, zero-page reads, DONTNEED (zero on next touch), WILLNEED, holes.
  // Superpages are invisible to the guest: the same output as qemu, with 4 KiB pages and (below) with --page-size 2M.
  { guest: "superpage", status: 0, stdoutMatch: /range 0: store to the read-only page faults: yes/ },
  { guest: "residency", status: 0, stdoutMatch: /after DONTNEED on page 3 +1000010100000000\n[^]*residency done\n$/ },
  // Signals: handlers, frames, masks, the alternate stack, default actions.
  { guest: "sigsegv", status: 0, stdoutMatch: /faults 21, SIGSEGV blocked after recovery: no\n$/ },
  // An instruction fetch: SEGV_MAPERR where nothing is mapped, SEGV_ACCERR where the rights forbid it.
  { guest: "fetchfault", status: 0, stdoutMatch: /unmapped hole +signal 11 SEGV_MAPERR at target\+0\n[^]*read-only page +signal 11 SEGV_ACCERR/ },
  // Locked memory: MAP_LOCKED populates, MS_INVALIDATE on it is EBUSY, mremap keeps a lock resident.
  { guest: "memlock", status: 0, stdoutMatch: /msync\(MS_INVALIDATE\) on it +EBUSY\n[^]*moved and grown: resident +1111\n[^]*memlock done\n$/ },
  // MADV_DONTNEED on a private file mapping brings the file's bytes back (not zeros), before and after a fork.
  { guest: "dontneed", scratchCwd: true, status: 0, stdoutMatch: /page 0 is the file's again, page 1 private +filedat0 private1\n[^]*dontneed done\n$/ },
  { guest: "dirtypages", status: 0, stdoutMatch: /snapshot matches: yes\n$/ },
  { guest: "dirtypages", args: ["300", "12"], status: 0, stdoutMatch: /snapshot matches: yes\n$/ },
  { guest: "sigorder", status: 0, stdoutMatch: /after unblocking: 36 36 1 14 12 10\n/ },
  { guest: "sigorder", args: ["term"], status: TERM },
  { guest: "sigaltstk", status: 0, stdoutMatch: /stack overflow 1 caught: on alternate stack yes/ },
  { guest: "sigaltstk", args: ["noalt"], status: SEGV },
  { guest: "sigfault", status: 0, stdoutMatch: /misaligned AMO: signal 7 BUS_ADRALN/ },
  { guest: "sigfault", args: ["abort"], status: ABRT },
  { guest: "sigfault", args: ["ill"], status: ILL },
  { guest: "sigfault", args: ["trap"], status: TRAP },
  { guest: "sigfault", args: ["bus"], status: BUS },
  { guest: "sigfault", args: ["fpe"], status: FPE },
  { guest: "sigfault", args: ["segv-ignored"], status: SEGV },
  { guest: "sigfault", args: ["segv-blocked"], status: SEGV },
  { guest: "sigfault", args: ["frame"], status: SEGV },
  // The core-dump bit and CLD_DUMPED: core signals only, and only from RLIMIT_CORE of a page (fs/coredump.c).
  { guest: "coredump", scratchCwd: true, status: 0, stdoutMatch: /RLIMIT_CORE 4096\n[^]*signal 11: CLD_DUMPED 11, status 0x008b[^]*coredump done\n$/ },
  // The same fault again and again with nothing retiring: re-delivered until the handler cannot be reached.
  { guest: "faultloop", args: ["nodefer"], status: SEGV, stdoutMatch: /^nodefer: faulting\n$/ },
  { guest: "faultloop", args: ["blocked"], status: SEGV, stdoutMatch: /^blocked: faulting\n$/ },
  { guest: "faultloop", args: ["text"], status: SEGV, stdoutMatch: /^text: faulting\n$/ },
  { guest: "faultloop", args: ["children"], status: SEGV, stdoutMatch: /child 3: killed by signal 11\nchildren: faulting\n$/ },
  { guest: "files", scratchCwd: true, status: 0, stdoutMatch: /listing: 9 entries\n[^]*files done\n$/ },
  { guest: "pipes", scratchCwd: true, status: 0, stdoutMatch: /capacity: 65536\n[^]*pipes done\n$/ },
  { guest: "filemap", scratchCwd: true, status: 0, stdoutMatch: /file unchanged: bbbbbbb\n[^]*filemap done\n$/ },
  { guest: "opath", scratchCwd: true, status: 0, stdoutMatch: /mmap: EBADF\n[^]*fifo read: through the fifo\nopath done\n$/ },
  ...[1, 2, 3, 4].map((seed): Case => ({
    guest: "fsfuzz", args: [String(seed), "3000"], scratchCwd: true, status: 0, stdoutMatch: /list \. -> \. \.\.\nrmdir -> 0\nfsfuzz done\n$/,
  })),
  ...[1, 2].map((seed): Case => ({
    guest: "mapfuzz", args: [String(seed), "3000"], scratchCwd: true, status: 0, stdoutMatch: /final size \d+ read \d+ [0-9a-f]{16}\n[^]*mapfuzz done\n$/,
  })),
  ...[1, 2].map((seed): Case => ({ guest: "pipefuzz", args: [String(seed), "4000"], status: 0, stdoutMatch: /pipefuzz done\n$/ })),
  { guest: "filemap", args: ["mapdir", "sigbus"], scratchCwd: true, status: BUS, stdoutMatch: /beyond the end...\n$/ },
  { guest: "filemap", args: ["mapdir", "shrink"], scratchCwd: true, status: BUS, stdoutMatch: /ftruncate...\n$/ },
];

const title = (c: Case) => [c.guest, ...(c.args ?? []).map((a) => JSON.stringify(a))].join(" ");

describe("differential: qemu-riscv64 vs mmulab", () => {
  test("qemu-riscv64 is available (required under CI)", () => {
    if (!qemu) {
      if (CI) throw new Error("qemu-riscv64 not found: CI must install qemu-user");
      console.warn("qemu-riscv64 not found: differential tests skipped");
    }
  });

  test("the mmulab CLI is built (required under CI)", () => {
    if (!mmulabBuilt) {
      if (CI) throw new Error("bin/mmulab.js or dist/ missing: CI must build the CLI (npm run build)");
      console.warn("mmulab CLI not built (npm run build): only the qemu side is checked");
    }
  });

  for (const c of CASES) {
    test.skipIf(!qemu)(title(c), { timeout: TIMEOUT_MS }, () => {
      const q = runQemu(c);
      expect(q.status, `qemu-riscv64 status (stderr: ${q.stderr.trim()})`).toBe(c.status);
      if (c.stdoutMatch) expect(q.stdout).toMatch(c.stdoutMatch);
      if (!mmulabBuilt) return;
      const m = runMmulab(c.guest, c.args ?? [], c.env ?? BASE_ENV);
      const diff = firstDifference(q.stdout, m.stdout);
      expect(diff, diff ?? "").toBeUndefined();
      expect(m.status, `mmulab status (stderr: ${m.stderr.trim()})`).toBe(q.status);
    });
  }
});

// The process guests again on every other machine: each task has its own pmap, tagged with the machine's
// ASID/PCID/context allocator (one per machine), and the results must not depend on the translation hardware.
const PROCESS_CASES: Case[] = [
  { guest: "fork_cow", status: 0 },
  { guest: "forktree", args: ["3", "2"], status: 0 },
  { guest: "shmem", status: 0 },
  { guest: "pipefork", args: ["32", "128"], scratchCwd: true, status: 0 },
  { guest: "memlock", status: 0 },
  { guest: "dontneed", scratchCwd: true, status: 0 },
];

describe("differential: process guests on every machine with an MMU", () => {
  for (const arch of ["riscv-sv48", "x86-64", "sparc", "power", "hashed", "vax", "guarded", "mips-r3000", "mips-r4000"]) {
    for (const c of PROCESS_CASES) {
      test.skipIf(!qemu || !mmulabBuilt)(`${title(c)} --arch ${arch}`, { timeout: TIMEOUT_MS }, () => {
        const q = runQemu(c);
        expect(q.status).toBe(c.status);
        const m = runMmulab(c.guest, c.args ?? [], c.env ?? BASE_ENV, ["--arch", arch]);
        const diff = firstDifference(q.stdout, m.stdout);
        expect(diff, diff ?? "").toBeUndefined();
        expect(m.status, `mmulab status (stderr: ${m.stderr.trim()})`).toBe(q.status);
      });
    }
  }
});

// The signal guests again on every other machine with an MMU: delivery, frames and fault codes must not depend
// on the translation hardware (bare has no protection, so mprotect-based guests do not apply there).
const SIGNAL_CASES = CASES.filter((c) => ["sigsegv", "dirtypages", "sigaltstk", "sigfault", "fetchfault"].includes(c.guest) && c.status === 0);

describe("differential: signal guests on every machine with an MMU", () => {
  for (const arch of ["riscv-sv48", "x86-64", "x86-64-la57"]) {
    for (const c of SIGNAL_CASES) {
      test.skipIf(!qemu || !mmulabBuilt)(`${title(c)} --arch ${arch}`, { timeout: TIMEOUT_MS }, () => {
        const q = runQemu(c);
        const m = runMmulab(c.guest, c.args ?? [], c.env ?? BASE_ENV, ["--arch", arch]);
        const diff = firstDifference(q.stdout, m.stdout);
        expect(diff, diff ?? "").toBeUndefined();
        expect(m.status, `mmulab status (stderr: ${m.stderr.trim()})`).toBe(q.status);
      });
    }
  }
});

// Superpages (--page-size 2M) on the machines whose kernel promotes to them: the guests see nothing of it.
const SUPERPAGE_CASES: Case[] = [
  { guest: "superpage", status: 0 },
  { guest: "fork_cow", status: 0 },
  { guest: "stride", args: ["8", "2"], status: 0 },
];

describe("differential: --page-size 2M", () => {
  for (const arch of ["riscv-sv39", "x86-64"]) {
    for (const c of SUPERPAGE_CASES) {
      test.skipIf(!qemu || !mmulabBuilt)(`${title(c)} --arch ${arch} --page-size 2M`, { timeout: TIMEOUT_MS }, () => {
        const q = runQemu(c);
        expect(q.status).toBe(c.status);
        const m = runMmulab(c.guest, c.args ?? [], c.env ?? BASE_ENV, ["--arch", arch, "--page-size", "2M"]);
        const diff = firstDifference(q.stdout, m.stdout);
        expect(diff, diff ?? "").toBeUndefined();
        expect(m.status, `mmulab status (stderr: ${m.stderr.trim()})`).toBe(q.status);
      });
    }
  }
});

// Paging: guests whose working set is several times --mem (1M: 256 frames, some of them page tables) run to
// qemu's output on every machine with an MMU, their pages going to swap and back (a machine without translation
// keeps every page at its own address: nothing can be paged there). Each policy is run once on the default machine.
const PAGING_CASES: Case[] = [
  { guest: "wsweep", args: ["3", "2"], status: 0 },
  { guest: "bigfile", args: ["2"], scratchCwd: true, status: 0 },
  { guest: "forkbig", args: ["2"], status: 0 },
];
const PAGING = ["--mem", "1M", "--swap", "16M"];

describe("differential: paging under memory pressure on every machine", () => {
  for (const arch of ARCHS.filter((a) => machineData(a).walkLevels.value > 0)) {
    for (const c of PAGING_CASES) {
      test.skipIf(!qemu || !mmulabBuilt)(`${title(c)} --arch ${arch} ${PAGING.join(" ")}`, { timeout: TIMEOUT_MS }, () => {
        const q = runQemu(c);
        expect(q.status).toBe(c.status);
        const dir = mkdtempSync(join(tmpdir(), "mmulab-paging-"));
        try {
          const m = runMmulab(c.guest, c.args ?? [], c.env ?? BASE_ENV, ["--arch", arch, ...PAGING, "--json", join(dir, "c.json")]);
          const diff = firstDifference(q.stdout, m.stdout);
          expect(diff, diff ?? "").toBeUndefined();
          expect(m.status, `mmulab status (stderr: ${m.stderr.trim()})`).toBe(q.status);
          const counters = JSON.parse(readFileSync(join(dir, "c.json"), "utf8")).counters as Record<string, number>;
          expect(counters["pageouts"]! + counters["pages_reclaimed"]!, "paged").toBeGreaterThan(100);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }
  for (const policy of Object.keys(PAGEOUT_POLICIES)) {
    const c = PAGING_CASES[0]!;
    test.skipIf(!qemu || !mmulabBuilt)(`${title(c)} ${PAGING.join(" ")} --pageout ${policy}`, { timeout: TIMEOUT_MS }, () => {
      const q = runQemu(c);
      const m = runMmulab(c.guest, c.args ?? [], c.env ?? BASE_ENV, [...PAGING, "--pageout", policy]);
      const diff = firstDifference(q.stdout, m.stdout);
      expect(diff, diff ?? "").toBeUndefined();
      expect(m.status, `mmulab status (stderr: ${m.stderr.trim()})`).toBe(q.status);
    });
  }
});

describe("Linux behaviour qemu-riscv64 7.2 does not reproduce", () => {
  // qemu-user 7.2 has no execveat (ENOSYS); Linux's answers (fs/exec.c, man 2 execveat) are expected instead.
  test.skipIf(!mmulabBuilt)("forkexec execveat: dirfd, AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW and errors", { timeout: TIMEOUT_MS }, () => {
    const m = runMmulab("forkexec", ["execveat", "/guestbin/forkexec"], BASE_ENV, ["--mount", `${join(root, "guest", "bin")}:/guestbin`]);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toBe([
      "  argc 3: [args] [via execveat]", "execveat(dirfd, name): status 5",
      "  argc 3: [args] [via execveat]", 'execveat(fd, "", AT_EMPTY_PATH): status 5',
      "execveat(symlink, AT_SYMLINK_NOFOLLOW): ELOOP", "execveat(bad flags): EINVAL",
      'execveat(fd, "") without AT_EMPTY_PATH: ENOENT', "execveat(bad dirfd, relative): EBADF",
      "execveat(file fd, relative): ENOTDIR", "forkexec done", "",
    ].join("\n"));
  });

  // A signal in the handler's sa_mask, raised inside the handler, must wait until the handler returns (Linux's
  // signal_delivered blocks sa_mask; the host kernel agrees when the guest is compiled natively). qemu-user 7.2
  // runs it at once, so this case is checked against the expected Linux output instead of qemu.
  test.skipIf(!mmulabBuilt)("sigorder samask: sa_mask defers a signal raised inside the handler", { timeout: TIMEOUT_MS }, () => {
    const m = runMmulab("sigorder", ["samask"], BASE_ENV);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toContain("sa_mask (100 = SIGUSR2 was pending inside): 10 100 12\n");
  });

  // qemu-user 7.2 accepts any madvise advice, refuses mincore on PROT_NONE pages and ignores MAP_POPULATE; Linux
  // (mm/madvise.c madvise_behavior_valid, mm/mincore.c, mm/gup.c populate_vma_page_range) does none of these.
  test.skipIf(!mmulabBuilt)("residency linux: bad advice, mincore on PROT_NONE pages, MAP_POPULATE", { timeout: TIMEOUT_MS }, () => {
    const m = runMmulab("residency", ["linux"], BASE_ENV);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stdout).toContain("madvise(bad advice)                -1 Invalid argument\n");
    expect(m.stdout).toContain("page 0 inaccessible, still resident 1001010100000000\n");
    expect(m.stdout).toContain("MAP_POPULATE mapping               11111111\n");
  });
});

describe("differential: --mount shows a host directory as qemu-riscv64 sees it", () => {
  test.skipIf(!qemu)("tree over a mounted directory", { timeout: TIMEOUT_MS }, () => {
    const dir = mkdtempSync(join(tmpdir(), "mmulab-mount-"));
    try {
      mkdirSync(join(dir, "sub", "deeper"), { recursive: true });
      writeFileSync(join(dir, "a.txt"), "hello\n");
      writeFileSync(join(dir, "empty"), "");
      writeFileSync(join(dir, "sub", "big.bin"), Uint8Array.from({ length: 100_003 }, (_, i) => (i * 7919) & 0xFF));
      writeFileSync(join(dir, "sub", "deeper", "one"), "x");
      symlinkSync("sub/big.bin", join(dir, "link"));
      symlinkSync("sub", join(dir, "dirlink"));
      symlinkSync("missing", join(dir, "dangling"));
      const q = runQemu({ guest: "tree", args: [dir], status: 0 });
      expect(q.status, `qemu-riscv64 status (stderr: ${q.stderr.trim()})`).toBe(0);
      expect(q.stdout).toMatch(/size 100003 read 100003 sum [0-9a-f]+ map same\n[^]*tree done\n$/);
      if (!mmulabBuilt) return;
      const m = runMmulab("tree", [dir], BASE_ENV, ["--mount", `${dir}:${dir}`]);
      const diff = firstDifference(q.stdout, m.stdout);
      expect(diff, diff ?? "").toBeUndefined();
      expect(m.status, `mmulab status (stderr: ${m.stderr.trim()})`).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// execve: qemu-user hands a guest's execve to the host kernel, which cannot run a riscv64 ELF itself (no
// binfmt_misc registration is assumed), so on the qemu side the program a guest execs is a host script running
// qemu-riscv64 on it; mmulab execs the same guest from a --mount of guest/bin. What the exec'd program sees from
// argv[1] on, its environment, descriptors and signal state must be the same (argv[0] is the path each side used).
describe("differential: execve (fork, vfork, scripts, errors, a pipeline)", () => {
  test.skipIf(!qemu)("forkexec", { timeout: TIMEOUT_MS }, () => {
    const host = mkdtempSync(join(tmpdir(), "mmulab-exec-"));
    const qcwd = mkdtempSync(join(tmpdir(), "mmulab-diff-"));
    try {
      const wrapper = join(host, "forkexec");
      writeFileSync(wrapper, `#!/bin/sh\nexec "${qemu}" "${join(root, "guest", "bin", "forkexec")}" "$@"\n`, { mode: 0o755 });
      const r = spawnSync(qemu!, [join(root, "guest", "bin", "forkexec"), wrapper], {
        cwd: qcwd, env: BASE_ENV, encoding: "utf8", maxBuffer: MAX_BUFFER, timeout: SPAWN_TIMEOUT_MS, killSignal: "SIGKILL",
      });
      const q = outcome(r, "qemu-riscv64 forkexec");
      expect(q.status, `qemu-riscv64 status (stderr: ${q.stderr.trim()})`).toBe(0);
      expect(q.stdout).toMatch(/close-on-exec descriptor closed: yes\n[^]*8 nested scripts: exec failed ELOOP\n[^]*100\n99\n98\npipeline statuses: 0 0 0\nforkexec done\n$/);
      if (!mmulabBuilt) return;
      const m = runMmulab("forkexec", ["/guestbin/forkexec"], BASE_ENV, ["--mount", `${join(root, "guest", "bin")}:/guestbin`]);
      const diff = firstDifference(q.stdout, m.stdout);
      expect(diff, diff ?? "").toBeUndefined();
      expect(m.status, `mmulab status (stderr: ${m.stderr.trim()})`).toBe(0);
    } finally {
      for (const d of [host, qcwd]) rmSync(d, { recursive: true, force: true });
    }
  });
});

describe("mmulab limits (no qemu counterpart)", () => {
  // qemu-user runs vfork as fork and ignores madvise, and has no Mach calls: these follow Linux's and Mach's
  // documented behaviour (the full expected outputs are in test/src/kern/proc.test.ts and test/src/bsd/mach.test.ts).
  const own: [string, string[], RegExp][] = [
    ["fork_cow", ["vfork"], /^parent: after vfork the child's store is visible: 42\nparent: vfork child exited 3\n$/],
    ["shmem", ["dontfork"], /DONTFORK child: killed by signal 11\nDOFORK child: exited 5\n$/],
    ["mach_vm", ["inherit"], /parent: share "child" copy "parent" none "parent"\n/],
    ["mach_vm", ["copy", "8"], /copy equals source: yes\n/],
  ];
  for (const [g, args, re] of own) {
    test.skipIf(!mmulabBuilt)(`${g} ${args.join(" ")} (Linux/Mach semantics)`, { timeout: TIMEOUT_MS }, () => {
      const m = runMmulab(g, args, BASE_ENV);
      expect(m.status, `stderr: ${m.stderr}`).toBe(0);
      expect(m.stdout).toMatch(re);
    });
  }

  test.skipIf(!mmulabBuilt)("spin stops at --max-insns with a message and a non-zero status", { timeout: TIMEOUT_MS }, () => {
    const m = runMmulab("spin", [], BASE_ENV, ["--max-insns", "1000000"]);
    expect(m.stdout).toBe("spin: looping forever\n");
    expect(m.status).not.toBe(0);
    expect(m.stderr.trim()).not.toBe("");
  });

  test.skipIf(!mmulabBuilt)("hog fails cleanly with --mem 64M", { timeout: TIMEOUT_MS }, () => {
    const m = runMmulab("hog", ["1024"], BASE_ENV, ["--mem", "64M"]);
    expect(m.status, `stderr: ${m.stderr}`).not.toBe(0);
    // a clean failure: the guest's own message or the emulator's, never a host crash (stack trace, abort)
    const said = m.stderr.trim() !== "" || /malloc failed/.test(m.stdout);
    expect(said, `no message; stdout tail: ${m.stdout.slice(-200)}`).toBe(true);
    expect(m.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    expect(m.signal, "the emulator process itself was killed").toBeNull();
    expect(m.stdout).not.toMatch(/hog: done/);
    // progress lines came out in order, each 16 MiB more than the last
    const mib = [...m.stdout.matchAll(/^hog: (\d+) MiB$/gm)].map((x) => Number(x[1]));
    mib.forEach((v, i) => expect(v).toBe(16 * (i + 1)));
  });
});
