// The fuzz families (issue 17). Each turns a seeded generator into one input: the command line of `mmulab` and
// the files it names (in the child's scratch directory), and says which file a minimisation should shrink.

import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { randomProgram } from "./insn_stream.js";
import { JSON_NAME } from "./runner.js";

export const ARCHS = ["riscv-sv39", "riscv-sv48", "bare", "x86-64", "x86-64-la57", "mips-r3000", "mips-r4000", "sparc",
  "power", "hashed", "vax", "guarded"];

const guestPath = (g) => fileURLToPath(new URL(`../../guest/bin/${g}`, import.meta.url));
const cache = new Map();
const guest = (g) => { if (!cache.has(g)) cache.set(g, readFileSync(guestPath(g))); return cache.get(g); };

/** Options of `mmulab run` that the run-type families add. */
function runOptions(rng, maxInsns) {
  const arch = rng.pick(ARCHS), seed = String(rng.below(1000));
  const a = [];
  if (rng.chance(0.2)) a.push("--mem", rng.pick(["16M", "64M", "128M"]));
  if (rng.chance(0.1)) a.push("--quantum", String(rng.range(1, 100000)));
  if (rng.chance(0.1)) {
    // Throwing every translation away every few traps makes each instruction fault: 30-90 us an instruction
    // (linear, by design), so these runs get at most 200k instructions, well inside the budget on a loaded host.
    a.push("--pmap-collect-every", String(rng.range(1, 50)));
    maxInsns = Math.min(maxInsns, 200_000);
  }
  return ["--arch", arch, "--max-insns", String(maxInsns), "--seed", seed, "--json", JSON_NAME, ...a];
}

// ---- mutated ELF files of the shipped guests -------------------------------------------------------------------

const EXTREMES = [0n, 1n, 0x7Fn, 0x80n, 0xFFn, 0xFFFFn, 0x7FFFFFFFn, 0x80000000n, 0xFFFFFFFFn, 0x100000000n,
  0x7FFFFFFFFFFFFFFFn, 0x8000000000000000n, 0xFFFFFFFFFFFFFFFFn, 0xFFFFFFFFFFFFF000n, 0x1000n, 0xFFFn, 0x3FFFFFF000n];
const EHDR_FIELDS = [[4, 1], [5, 1], [6, 1], [7, 1], [16, 2], [18, 2], [20, 4], [24, 8], [32, 8], [40, 8], [48, 4],
  [52, 2], [54, 2], [56, 2], [58, 2], [60, 2], [62, 2]];
const PHDR_FIELDS = [[0, 4], [4, 4], [8, 8], [16, 8], [24, 8], [32, 8], [40, 8], [48, 8]];

function writeField(buf, off, size, v) {
  if (off + size > buf.length) return;
  const x = BigInt.asUintN(size * 8, v);
  for (let k = 0; k < size; k++) buf[off + k] = Number((x >> BigInt(8 * k)) & 0xFFn);
}

function readField(buf, off, size) {
  let v = 0n;
  for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(buf[off + k] ?? 0);
  return v;
}

function mutateElf(rng, src) {
  const b = Buffer.from(src);
  const phoff = Number(readField(b, 32, 8)), phnum = Number(readField(b, 56, 2));
  const value = (old) => rng.weighted({ extreme: 4, near: 3, random: 2 }) === "extreme" ? rng.pick(EXTREMES)
    : rng.chance(0.5) ? BigInt.asUintN(64, old + BigInt(rng.range(-0x2000, 0x2000))) : rng.u64();
  const n = rng.range(1, 4);
  for (let k = 0; k < n; k++) {
    switch (rng.weighted({ ehdr: 3, phdr: 6, flip: 2, copyph: 1 })) {
      case "ehdr": { const [o, s] = rng.pick(EHDR_FIELDS); writeField(b, o, s, value(readField(b, o, s))); break; }
      case "phdr": {
        const p = phoff + 56 * rng.below(Math.max(phnum, 1));
        const [o, s] = rng.pick(PHDR_FIELDS);
        writeField(b, p + o, s, value(readField(b, p + o, s)));
        break;
      }
      case "flip": { const at = rng.below(Math.min(b.length, 8192)); b[at] ^= 1 << rng.below(8); break; }
      default: {
        const from = phoff + 56 * rng.below(Math.max(phnum, 1)), to = phoff + 56 * rng.below(Math.max(phnum, 1));
        if (to + 56 <= b.length) b.copy(b, to, from, from + 56);
      }
    }
  }
  if (rng.chance(0.15)) return b.subarray(0, rng.below(b.length));
  return b;
}

const ELF_GUESTS = ["hello", "echo", "isa_int", "isa_rvc", "segv", "badjump", "divzero", "sigsegv"];

export const elf = {
  name: "elf",
  generate(rng) {
    const file = mutateElf(rng, guest(rng.pick(ELF_GUESTS)));
    return { argv: ["run", "prog", ...runOptions(rng, 2_000_000)], files: { prog: file }, shrink: "prog" };
  },
};

// ---- random instruction streams -------------------------------------------------------------------------------

export const insn = {
  name: "insn",
  generate(rng) {
    const file = randomProgram(rng, rng.range(20, 600));
    return { argv: ["run", "prog", ...runOptions(rng, rng.pick([100_000, 1_000_000, 3_000_000]))], files: { prog: file }, shrink: "prog" };
  },
};

// ---- random system calls (guest/src/sysfuzz.c) ----------------------------------------------------------------

export const syscall = {
  name: "syscall",
  generate(rng) {
    const argv = ["run", guestPath("sysfuzz"), String(rng.u32()), String(rng.range(50, 3000)), ...runOptions(rng, 20_000_000)];
    return { argv, files: {}, shrink: undefined };
  },
};

// ---- random trace files for `mmulab trace` --------------------------------------------------------------------

function lackeyTrace(rng) {
  const lines = [];
  const n = rng.range(0, 400);
  const page = () => rng.pick([0x10000, 0x7FF000, 0x3FFFFFF000, 0xFFFFFFFFFFFFF000n, 0, rng.u64() & 0xFFFFFFFFFFFFn]);
  for (let k = 0; k < n; k++) {
    const kind = rng.pick(["I ", " L", " S", " M", "X ", "  ", "I", "==", "--"]);
    const addr = BigInt(page()) + BigInt(rng.below(0x3000));
    const hex = rng.chance(0.9) ? addr.toString(16) : rng.pick(["", "zz", "-1", "0x10", "1".repeat(rng.range(17, 40)), " "]);
    const size = rng.chance(0.9) ? String(rng.pick([1, 2, 4, 8, 16])) : rng.pick(["", "0", "-3", "99999999999", "x"]);
    lines.push(rng.chance(0.05) ? rng.bytes(rng.range(0, 40)).toString("latin1") : `${kind}${rng.chance(0.9) ? " " : ""}${hex},${size}`);
  }
  return Buffer.from(lines.join(rng.chance(0.9) ? "\n" : "\r\n") + (rng.chance(0.8) ? "\n" : ""), "latin1");
}

function binaryTrace(rng) {
  const n = rng.range(0, 600);
  const h = Buffer.alloc(32);
  h.write("MMUTRACE", 0, "latin1");
  h.writeUInt16LE(rng.chance(0.8) ? 3 : rng.below(6), 8);
  h.writeUInt16LE(rng.chance(0.8) ? rng.below(8) : rng.below(0x10000), 10);
  h.writeUInt16LE(rng.chance(0.9) ? 8 : rng.below(0x10000), 12);
  h.writeUInt16LE(rng.pick([0, 12, 9, 21, 63, 64, rng.below(0x10000)]), 14);
  h.writeBigUInt64LE(rng.chance(0.5) ? BigInt(n) : rng.chance(0.5) ? 0xFFFFFFFFFFFFFFFFn : rng.u64(), 16);
  const recs = Buffer.alloc(8 * n);
  let task = 0n;
  for (let k = 0; k < n; k++) {
    let r;
    const va = rng.pick([0x10000n, 0x7FF000n, 0x3FFFFFF000n, rng.u64()]) + BigInt(rng.below(0x4000));
    switch (rng.weighted({ ref: 6, ctl: 4, raw: 1 })) {
      case "ref": r = (va & ~3n) | BigInt(rng.below(3)); break;
      case "ctl": {
        const type = BigInt(rng.below(16)), prot = BigInt(rng.below(8)), acc = BigInt(rng.below(8));
        const hi = type === 0n ? (task = BigInt(rng.below(70000))) << 12n : va & ~0xFFFn;
        r = (type === 7n ? (va & ~0x1FFn) | (BigInt(rng.below(4)) << 7n) : hi | (acc << 9n) | (prot << 6n)) | (type << 2n) | 3n;
        break;
      }
      default: r = rng.u64();
    }
    recs.writeBigUInt64LE(BigInt.asUintN(64, r), 8 * k);
  }
  const body = Buffer.concat([h, recs]);
  return rng.chance(0.1) ? body.subarray(0, rng.below(body.length + 1)) : body;
}

const traceAddress = (rng) => BigInt.asUintN(64, rng.pick([0n, 0x10000n, 0x7FF000n, 0x3FFFFFF000n, 0xFFFFFFFFFFFFF000n, rng.u64() & 0xFFFFFFFFFFFFn]) + BigInt(rng.below(0x3000)));

/** ChampSim input_instr records (64 bytes: ip, is_branch, branch_taken, registers, 2 stores, 4 loads), some broken. */
function champsimTrace(rng) {
  const n = rng.range(0, 300);
  const b = Buffer.alloc(64 * n);
  for (let k = 0; k < n; k++) {
    if (rng.chance(0.03)) { rng.bytes(64).copy(b, 64 * k); continue; }
    b.writeBigUInt64LE(traceAddress(rng), 64 * k);
    b[64 * k + 8] = rng.chance(0.95) ? rng.below(2) : rng.below(256);
    b[64 * k + 9] = rng.chance(0.95) ? rng.below(2) : rng.below(256);
    for (let m = 0; m < 6; m++) if (rng.chance(0.3)) b.writeBigUInt64LE(traceAddress(rng), 64 * k + 16 + 8 * m);
  }
  return rng.chance(0.1) ? b.subarray(0, rng.below(b.length + 1)) : b;
}

/** drmemtrace trace_entry_t (u16 type, u16 size, u64 addr): a header with a version, then entries of every type. */
function drmemtraceTrace(rng) {
  const n = rng.range(0, 400);
  const b = Buffer.alloc(12 * (n + 1));
  b.writeUInt16LE(rng.chance(0.9) ? 25 : rng.below(60), 0);
  b.writeBigUInt64LE(BigInt(rng.chance(0.8) ? rng.range(2, 7) : rng.below(20)), 4);
  for (let k = 1; k <= n; k++) {
    b.writeUInt16LE(rng.chance(0.97) ? rng.pick([0, 1, 10, 10, 14, 17, 22, 28, 29, 3, 20, 26, 47, 48]) : rng.below(0x10000), 12 * k);
    b.writeUInt16LE(rng.chance(0.9) ? rng.pick([0, 2, 4, 8, 9, 12]) : rng.below(0x10000), 12 * k + 2);
    b.writeBigUInt64LE(traceAddress(rng), 12 * k + 4);
  }
  return rng.chance(0.1) ? b.subarray(0, rng.below(b.length + 1)) : b;
}

/** A zstd frame of raw blocks (RFC 8878: header descriptor 0, a 128 KiB window, no checksum) around `data`. */
function zstdRaw(data) {
  const parts = [Buffer.from([0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x38])];
  for (let at = 0; at < data.length || at === 0; at += 0x20000) {
    const piece = data.subarray(at, at + 0x20000);
    const last = at + 0x20000 >= data.length ? 1 : 0;
    const h = (piece.length << 3) | last;
    parts.push(Buffer.from([h & 0xFF, (h >> 8) & 0xFF, (h >> 16) & 0xFF]), piece);
  }
  return Buffer.concat(parts);
}

/** The trace as it is, or gzip- or zstd-compressed, sometimes with bytes of the compressed stream overwritten. */
function compressed(rng, file) {
  const kind = rng.weighted({ none: 6, gzip: 1, zstd: 1 });
  if (kind === "none") return file;
  const z = Buffer.from(kind === "gzip" ? gzipSync(file) : zstdRaw(file));
  if (rng.chance(0.2) && z.length > 0) for (let k = rng.range(1, 4); k > 0; k--) z[rng.below(z.length)] = rng.below(256);
  return rng.chance(0.1) ? z.subarray(0, rng.below(z.length + 1)) : z;
}

export const trace = {
  name: "trace",
  generate(rng) {
    const format = rng.weighted({ bin: 4, lackey: 4, champsim: 2, drmemtrace: 2 });
    const raw = format === "bin" ? binaryTrace(rng) : format === "lackey" ? lackeyTrace(rng)
      : format === "champsim" ? champsimTrace(rng) : drmemtraceTrace(rng);
    const file = compressed(rng, raw);
    const argv = ["trace", "t"];
    if (rng.chance(0.5)) argv.push("--arch", rng.pick(ARCHS));
    if (format === "champsim" ? rng.chance(0.9) : rng.chance(0.3)) {
      argv.push("--format", format === "champsim" ? "champsim" : rng.pick(["auto", "lackey", "bin", "champsim", "drmemtrace"]));
    }
    if (rng.chance(0.3)) argv.push("--lenient");
    if (rng.chance(0.2)) argv.push("--opt");
    if (rng.chance(0.3)) argv.push("--policy", rng.pick(["lru", "plru", "fifo", "random", "nru", "lfu", "srrip", "brrip", "mru", "mips-random"]));
    if (rng.chance(0.2)) argv.push("--entries", String(rng.pick([1, 2, 64, 4096])), "--ways", String(rng.pick([1, 2, 4, 64])));
    if (rng.chance(0.2)) argv.push("--page-size", rng.pick(["4K", "2M", "512", "1G", "64K"]));
    if (rng.chance(0.2)) argv.push("--modify-as", rng.pick(["1", "2"]));
    if (rng.chance(0.1)) argv.push("--no-ifetch");
    if (rng.chance(0.1)) argv.push("--write", "out.bin");
    if (rng.chance(0.1)) argv.push("--mem", rng.pick(["1M", "16M"]));
    return { argv, files: { t: file }, shrink: "t" };
  },
};

// ---- random command lines -------------------------------------------------------------------------------------

const NUMBERS = ["0", "1", "-1", "7", "64", "4096", "1e3", "0x10", "99999999999999999999", "", " ", "NaN", "-0", "3.5", "1G", "4K", "2M", "abc"];
const OPTIONS = {
  run: ["--arch", "--tlb", "--mem", "--ad", "--psc", "--max-insns", "--stats", "--json", "--strace", "--seed", "--env",
    "--subblock", "--pft-size", "--mount", "--quantum", "--pmap-collect-every", "--page-size", "--help"],
  trace: ["--gen", "--refs", "--entries", "--ways", "--policy", "--page-size", "--format", "--ifetch", "--no-ifetch",
    "--modify-as", "--lenient", "--opt", "--opt-limit", "--seed", "--json", "--write", "--arch", "--mem", "--tlb"],
  compare: ["--archs", "--mem", "--seed", "--env", "--show-output", "--max-insns", "--json"],
  record: ["--output", "-o", "--arch", "--max-insns", "--mem"],
  archs: ["--json"],
  report: ["--output", "-o"],
};
const VALUES = {
  "--arch": () => ARCHS.concat(["riscv", "x86", "", "vax,mips-r3000"]),
  "--archs": () => ["all", "riscv-sv39,mips-r3000", "nope", "", ",", "bare,bare"],
  "--tlb": () => ["l1i=32:8:lru,l1d=32:8:lru,l2=512:4:lru", "l1d=0:1:lru", "l1d=3:2:lru", "l2=1:1:fifo", "x=1", "l1d=32:8:nope", "=", "l1d=4294967296:1:lru"],
  "--mem": () => ["1M", "16M", "256M", "0", "1", "4G", "64G", "1T", "-5M", "3.5M", "0x1000000"],
  "--ad": () => ["svadu", "svade", "x"],
  "--psc": () => ["pde=32,pdpte=4,pml4e=2,pml5e=2", "0", "pde=-1", "pde=99999999", "zzz=3"],
  "--gen": () => ["seq", "stride:4096", "stride:0", "stride:-1:3", "loop:10", "loop:0", "uniform:100:1", "zipf:100:1.2:3", "zipf:0:0:0", "uniform:99999999999:1", "bad"],
  "--policy": () => ["lru", "plru", "fifo", "random", "nru", "lfu", "srrip", "brrip", "mru", "mips-random", "x"],
  "--page-size": () => ["4K", "2M", "1G", "512", "3K", "0", "4k", "64K"],
  "--format": () => ["auto", "lackey", "bin", "champsim", "drmemtrace", "x"],
  "--modify-as": () => ["1", "2", "3"],
  "--env": () => ["A=1", "NOEQUALS", "=x", "PATH=/bin"],
  "--mount": () => [".:/mnt", "nonexistent:/x", ":", "/:", ".:relative"],
  "--json": () => ["out.json", "", "nodir/out.json"],
  "--write": () => ["out.bin", "nodir/out.bin"],
  "--output": () => ["rec.bin", "nodir/rec.bin"],
  "-o": () => ["rec.bin"],
};
const FILES = ["prog", "missing", "t", "dir", "", "-", "prog prog"];

export const cli = {
  name: "cli",
  generate(rng) {
    const cmd = rng.pick(["run", "run", "trace", "trace", "compare", "record", "archs", "report", "sweep", "bogus", ""]);
    const argv = cmd ? [cmd] : [];
    const opts = OPTIONS[cmd] ?? OPTIONS.run;
    if (cmd !== "archs" && rng.chance(0.85)) argv.push(rng.pick(FILES));
    const n = rng.range(0, 6);
    let insns = false;
    for (let k = 0; k < n; k++) {
      const o = rng.chance(0.9) ? rng.pick(opts) : rng.pick(Object.values(OPTIONS).flat());
      argv.push(o);
      if (o === "--max-insns") insns = true;
      if (["--stats", "--strace", "--help", "--ifetch", "--no-ifetch", "--lenient", "--opt", "--show-output"].includes(o)) continue;
      if (rng.chance(0.9)) argv.push(VALUES[o] ? rng.pick(VALUES[o]()) : rng.pick(NUMBERS));
    }
    if (rng.chance(0.3)) argv.push("--", rng.pick(NUMBERS));
    // Guests and generated traces must stay small: the budget is for finding hangs, not for long honest runs.
    if ((cmd === "run" || cmd === "compare" || cmd === "record") && !insns) argv.push("--max-insns", "3000000");
    if (cmd === "trace" && !argv.includes("--refs")) argv.push("--refs", "20000");
    const files = { prog: rng.chance(0.8) ? guest(rng.pick(["hello", "echo", "isa_rvc"])) : rng.bytes(rng.below(200)), t: lackeyTrace(rng) };
    return { argv, files, shrink: "argv" };
  },
};

export const FAMILIES = { elf, insn, syscall, trace, cli };
