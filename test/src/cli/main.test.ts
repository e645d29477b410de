import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main, runCli, splitGuestArgs } from "../../../src/cli/main.js";
import { BufferIo } from "../helpers/machine.js";
import { A0, A1, A7, SP, T0, T1, ZERO, program } from "../helpers/rv.js";

const dir = mkdtempSync(join(tmpdir(), "mmulab-cli-"));
const hello = join(dir, "hello");
writeFileSync(hello, program((a) => { a.syscall(64, 1, 0x20000, 3); a.exit(5); },
  { vaddr: 0x20000, bytes: new TextEncoder().encode("hi\n") }));
// Prints argc as one byte ('0' + argc) and exits with argc.
const argc = join(dir, "argc");
writeFileSync(argc, program((a) => {
  a.ld(A1, SP, 0).addi(A1, A1, 48).sd(A1, SP, -8).addi(A1, SP, -8);
  a.addi(A0, 0, 1).li(12, 1).li(17, 64).ecall();
  a.ld(A0, SP, 0).li(17, 94).ecall();
}));
// Exits with the number of environment strings it was given.
const envc = join(dir, "envc");
writeFileSync(envc, program((a) => {
  a.ld(T0, SP, 0).addi(T0, T0, 2).slli(T0, T0, 3).add(T0, T0, SP).li(A0, 0);
  a.label("loop").ld(T1, T0, 0).beq(T1, ZERO, "done").addi(A0, A0, 1).addi(T0, T0, 8).j("loop");
  a.label("done").li(A7, 94).ecall();
}));
const notElf = join(dir, "script.sh");
writeFileSync(notElf, "#!/bin/sh\necho hi\n");

function cli(...argv: string[]): { status: number; out: string; err: string } {
  const io = new BufferIo();
  const status = main(argv, io);
  return { status, out: io.out, err: io.err };
}

function oneLine(err: string): void {
  expect(err.endsWith("\n")).toBe(true);
  expect(err.trimEnd().split("\n")).toHaveLength(1);
  expect(err).toMatch(/^mmulab: /);
  expect(err).not.toMatch(/\s+at .*\(.*:\d+:\d+\)/);   // no stack frames
}

describe("mmulab run", () => {
  it("runs a program; its exit status is ours", () => {
    expect(cli("run", hello)).toEqual({ status: 5, out: "hi\n", err: "" });
  });

  it("takes options before or after the program; after '--' everything is the guest's", () => {
    expect(cli("run", argc, "x", "--stats", "y").status).toBe(3);           // argv = [prog, x, y]
    expect(cli("run", argc, "--", "-x", "--stats", "y").status).toBe(4);    // argv = [prog, -x, --stats, y]
    expect(cli("run", "--mem", "64M", "--", argc, "-z").status).toBe(2);
    expect(cli("run", argc, "-x").status).toBe(2);                          // unknown option: usage error
    // a repeatable option before the program takes exactly one value each time, not the program too
    expect(cli("run", "--env", "A=1", "--env", "B=2", argc, "y").status).toBe(2);
    expect(splitGuestArgs(["run", "--tlb", "l2=0", "p", "a", "--json", "f", "--", "--stats"]))
      .toEqual({ own: ["run", "--tlb=l2=0", "p", "--json=f"], guest: ["a", "--stats"] });
  });

  it("gives the guest PATH and HOME unless --env-clear; --env adds or replaces; never the host's environment", () => {
    expect(cli("run", envc).status).toBe(2);
    expect(cli("run", envc, "--env", "X=1").status).toBe(3);
    expect(cli("run", envc, "--env", "PATH=/x", "--env", "HOME=/h").status).toBe(2);
    expect(cli("run", envc, "--env-clear").status).toBe(0);
    expect(cli("run", "--env-clear", "--env", "A=1", envc).status).toBe(1);
    const r = cli("run", envc, "--env", "NOEQUALS");
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/--env expects NAME=value, got 'NOEQUALS'/);
  });

  it("bad input: one line on stderr, non-zero status, no stack trace", () => {
    const cases: [string[], number, RegExp][] = [
      [["run", "--bogus", hello], 2, /unknown option '--bogus'/],
      [["frobnicate"], 2, /Unknown argument: frobnicate/],
      [[], 2, /missing command/],
      [["run"], 2, /missing the program/],
      [["run", join(dir, "nope")], 1, /cannot read '.*nope': no such file/],
      [["run", notElf], 1, /not an ELF file/],
      [["run", dir], 1, /is a directory/],
      [["run", "--tlb", "l1d=48:4", hello], 2, /12 sets \(48\/4\) is not a power of two/],
      [["run", "--tlb", "l1d=30:4", hello], 2, /not divisible by 4 ways/],
      [["run", "--tlb", "l2=8192:8", hello], 2, /exceed the maximum of 4096/],
      [["run", "--tlb", "l3=8:8", hello], 2, /unknown level 'l3'/],
      [["run", "--mem", "lots", hello], 2, /bad memory size 'lots'/],
      [["run", "--arch", "pdp11", hello], 2, /unknown architecture 'pdp11'/],
      [["run", "--max-insns", "-5", hello], 2, /--max-insns must be a positive integer/],
      [["run", "--seed", "x", hello], 2, /bad seed 'x'/],
      [["run", hello, "--tlb", "l1d=64:4", "--tlb", "l2=512:4"], 2, /^mmulab: --tlb given more than once\n$/],
      [["run", hello, "--arch"], 2, /option '--arch' needs a value/],
      [["run", hello, "--json"], 2, /option '--json' needs a value/],
      [["run", "--mem", "-5M", hello], 2, /bad memory size '-5M'/],
      [["run", "--mem", "1K", hello], 2, /below the minimum of 1M/],
      [["run", "--json", join(dir, "no/such/dir/x.json"), hello], 2, /--json '.*x.json': no such directory/],
      [["run", "--json", dir, hello], 2, /--json '.*' is a directory/],
      [["archs", "pdp11"], 2, /unknown machine 'pdp11'/],
    ];
    for (const [argv, status, msg] of cases) {
      const r = cli(...argv);
      expect(r.status, argv.join(" ")).toBe(status);
      expect(r.err).toMatch(msg);
      oneLine(r.err);
    }
  });

  it("checks --json before the run: nothing runs when the file cannot be written", () => {
    const r = cli("run", "--json", join(dir, "no/such/dir/x.json"), hello);
    expect(r.out).toBe("");
  });

  it("--version, -h and archs NAME", () => {
    const v = cli("--version");
    expect(v.status).toBe(0);
    const a = cli("archs", "x86-64");
    expect(a.status).toBe(0);
    expect(a.out).toMatch(/^machine .*\nx86-64 /);
    expect(a.out).toContain("x86-64: x86-64 4-level paging");
    expect(a.out).not.toMatch(/^(riscv-sv39|mips-r3000|power)\b/m);
  });

  it("reports the instruction limit with status 124", () => {
    const loop = join(dir, "loop");
    writeFileSync(loop, program((a) => { a.label("l").j("l"); }));
    const r = cli("run", "--max-insns", "1000", loop);
    expect(r.status).toBe(124);
    expect(r.err).toBe("mmulab: instruction limit reached (--max-insns 1000)\n");
  });

  it("reports a fatal signal in one line with status 128 + signal", () => {
    const segv = join(dir, "segv");
    writeFileSync(segv, program((a) => { a.li(5, 0xdead0000).sd(0, 5, 0); }));
    const r = cli("run", segv);
    expect(r.status).toBe(139);
    expect(r.err).toMatch(/^mmulab: guest killed by SIGSEGV \(invalid write at 0xdead0000, pc 0x[0-9a-f]+\)\n$/);
  });

  it("an option that takes one value, given twice, is a usage error (found by the cli fuzzer: a crash before)", async () => {
    const io0 = new BufferIo();   // an option where its value belongs: the value is what is missing
    expect(await runCli(["compare", "missing", "--max-insns", "--max-insns"], io0)).toBe(2);
    expect(io0.err).toBe("mmulab: option '--max-insns' needs a value\n");
    for (const argv of [["run", hello, "--max-insns", "5", "--max-insns", "7"], ["compare", "missing", "--max-insns", "1", "--max-insns", "2"],
      ["run", hello, "--arch", "vax", "--arch", "bare"], ["trace", "--gen", "seq", "--entries", "3", "--entries", "4"],
      ["report", "x.json", "-o", "a", "-o", "b"]]) {
      const io = new BufferIo();
      expect(await runCli(argv, io)).toBe(2);
      oneLine(io.err);
      expect(io.err).toMatch(/^mmulab: -?-[a-z-]+ given more than once\n$/);
    }
    expect(cli("run", hello, "--env", "A=1", "--env", "B=2").status).toBe(5);   // repeatable options stay lists
  });

  it("reports a death by SIGPIPE in one line too (a write to a pipe with no reader)", () => {
    const sigpipe = join(dir, "sigpipe");
    writeFileSync(sigpipe, program((a) => {
      a.li(A0, 0x20000).li(A1, 0).li(17, 59).ecall();                          // pipe2(fds, 0)
      a.li(5, 0x20000).lbu(A0, 5, 0).li(17, 57).ecall();                       // close(fds[0])
      a.li(5, 0x20000).lbu(A0, 5, 4).li(A1, 0x20000).li(12, 1).li(17, 64).ecall();   // write(fds[1], .., 1)
      a.exit(0);
    }, { vaddr: 0x20000, bytes: new Uint8Array(8) }));
    const r = cli("run", sigpipe);
    expect(r.status).toBe(141);
    oneLine(r.err);
    expect(r.err).toBe("mmulab: guest killed by SIGPIPE (write to a pipe with no reader)\n");
  });

  it("--stats prints a table, --json writes every counter, --strace traces", () => {
    const json = join(dir, "out.json");
    const r = cli("run", "--stats", "--json", json, "--strace", "--tlb", "l1d=16:4:fifo,l2=off", hello);
    expect(r.status).toBe(5);
    expect(r.err).toContain('write(1, "hi\\n", 3) = 3');
    expect(r.err).toContain("exit_group(5) = ?");
    expect(r.err).toMatch(/L1 D-TLB \(16:4:fifo\)\s+\d+ accesses/);
    expect(r.err).toMatch(/L2 TLB \(off\)/);
    expect(r.err).toMatch(/page-table frames/);
    const doc = JSON.parse(readFileSync(json, "utf8"));
    expect(doc.exitCode).toBe(5);
    expect(doc.config.tlb.l1d).toEqual({ entries: 16, ways: 4, policy: "fifo" });
    for (const k of ["instret", "cycles", "itlb_access", "walks", "walk_refs", "page_faults", "pt_frames", "traps"]) {
      expect(typeof doc.counters[k]).toBe("number");
    }
  });
});

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("mmulab run --mount", () => {
  const host = mkdtempSync(join(tmpdir(), "mmulab-cli-mount-"));
  writeFileSync(join(host, "file.txt"), "from the host\n");
  const tree = join(root, "guest", "bin", "tree");

  it("shows a host directory read-only at the guest path (repeatable, before or after the program)", () => {
    const r = cli("run", "--mount", `${host}:/data`, tree, "/data", "--mount", `${host}:/again/here`);
    expect(r.err).toBe("");
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^file\.txt\n  size 14 read 14 sum [0-9a-f]{16} map same\n/);
    expect(cli("run", tree, "/again/here", "--mount", `${host}:/again/here`).out).toBe(r.out.replace(/\/data/g, "/again/here"));
    expect(cli("run", tree, "/data").out).toMatch(/^opendir: ENOENT\n/);
  });

  it("bad mount specifications: one line, status 2", () => {
    for (const [spec, msg] of [
      ["nocolon", /expects HOSTDIR:GUESTPATH/], [`${host}:rel`, /must be absolute/], [`${host}/nope:/x`, /no such directory/],
      [`${host}/file.txt:/x`, /not a directory/], [`${host}:/`, /root directory/], [":/x", /expects HOSTDIR:GUESTPATH/],
    ] as const) {
      const r = cli("run", "--mount", spec, tree, "/x");
      expect(r.status, spec).toBe(2);
      expect(r.err).toMatch(msg);
      oneLine(r.err);
    }
  });
});
const built = existsSync(join(root, "dist/cli/main.js"));

describe.skipIf(!built)("bin/mmulab.js (built CLI)", () => {
  const bin = join(root, "bin/mmulab.js");
  it("runs a guest with output on our stdout", () => {
    const r = spawnSync(process.execPath, [bin, "run", hello], { encoding: "utf8" });
    expect(r.status).toBe(5);
    expect(r.stdout).toBe("hi\n");
    expect(r.stderr).toBe("");
  });
  it("fails cleanly on bad input", () => {
    for (const argv of [["run", "--nope", hello], ["run", notElf], ["run", join(dir, "missing")]]) {
      const r = spawnSync(process.execPath, [bin, ...argv], { encoding: "utf8" });
      expect(r.status).not.toBe(0);
      oneLine(r.stderr);
    }
  });
});
