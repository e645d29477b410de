// The /proc file system (Linux fs/proc): a read-only pseudo file system whose files are generated from the kernel's
// state. Each lookup makes fresh file vnodes whose contents are generated at the first read or size query and then
// kept, so one open sees one snapshot, as a seq_file does; stat shows size 0, as on Linux. Directories and
// symbolic links are generated on every lookup too (/proc/self names the caller). Inode numbers are stable per
// path within one boot. procfs needs tasks and address spaces, so it lives in the system-call layer and is
// attached to the file system at boot behind the vnode interface.

import type { ProcessTable } from "../kern/proc.js";
import { NSIG, SIG_DFL, SIG_IGN } from "../kern/signal.js";
import { GUEST_GID, GUEST_UID, type Task } from "../kern/task.js";
import type { PhysAllocator } from "../vm/phys.js";
import type { VmMapEntry } from "../vm/vm_map.js";
import { swappedPages } from "../vm/vm_residency.js";
import { PAGE_SIZE, VM_PROT_EXECUTE, VM_PROT_READ, VM_PROT_WRITE } from "../vm/vm_prot.js";
import { VnodeFile } from "../fs/file.js";
import { pathOf } from "../fs/namei.js";
import { VnodePager } from "../fs/vnode_pager.js";
import { fileTable } from "./files.js";
import { openedAs } from "./file_args.js";
import type { FileSystem } from "../fs/memfs.js";
import {
  type DirEntry, type DirNode, type FileNode, type LinkNode, type StatFs, type Times, type Vnode, NAME_MAX,
  ST_NODEV, ST_NOEXEC, ST_NOSUID, ST_RELATIME, ST_VALID,
} from "../fs/vnode.js";

/** include/uapi/linux/magic.h */
export const PROC_SUPER_MAGIC = 0x9fa0;

/** What procfs reads: the process table, the caller, the machine's memory. */
export interface ProcfsHost {
  readonly procs: ProcessTable;
  /** The task making the current system call (/proc/self). */
  current(): Task | undefined;
  readonly phys: PhysAllocator;
  /** The machine's name (--arch), for /proc/cpuinfo's mmu line. */
  readonly machine: string;
}

/** One procfs instance: its device, inode numbers by path, the clock of the file system it is attached to. */
class Procfs {
  private readonly inos = new Map<string, number>();
  constructor(readonly fs: FileSystem, readonly dev: number, readonly host: ProcfsHost) {}

  /** PROC_ROOT_INO is 1; every other path gets the next number the first time it is looked up. */
  ino(path: string): number {
    let n = this.inos.get(path);
    if (n === undefined) { n = this.inos.size + 1; this.inos.set(path, n); }
    return n;
  }

  times(): Times { return { atime: this.fs.now, mtime: this.fs.now, ctime: this.fs.now }; }

  statfs(): StatFs {
    return { type: PROC_SUPER_MAGIC, bsize: PAGE_SIZE, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, fsid: 0,
      namelen: NAME_MAX, flags: ST_VALID | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME };
  }
}

interface Owner { uid: number; gid: number }
const ROOT: Owner = { uid: 0, gid: 0 };

/** Contents read piece by piece (pagemap, too large to make whole): a size and the bytes of a range. */
interface Ranged { readonly size: number; read(off: number, len: number): Uint8Array }

/** A generated file: its text is made once per lookup, when first read (or read by ranges, for pagemap). */
class ProcFile implements FileNode {
  readonly type = "reg";
  readonly readOnly = true;
  readonly generated = true;
  readonly nlink = 1;
  readonly cache = null;
  readonly dev: number;
  readonly ino: number;
  readonly times: Times;
  uid: number;
  gid: number;
  private content: Uint8Array | undefined;

  constructor(p: Procfs, path: string, public mode: number, owner: Owner,
              private readonly make: (() => string | Uint8Array) | Ranged) {
    this.dev = p.dev;
    this.ino = p.ino(path);
    this.times = p.times();
    this.uid = owner.uid;
    this.gid = owner.gid;
  }

  private bytes(): Uint8Array {
    if (this.content === undefined) {
      const c = (this.make as () => string | Uint8Array)();
      this.content = typeof c === "string" ? Uint8Array.from(c, (ch) => ch.charCodeAt(0) & 0xFF) : c;
    }
    return this.content;
  }

  get size(): number { return typeof this.make === "function" ? this.bytes().length : this.make.size; }
  get blocks(): number { return 0; }
  read(off: number, len: number): Uint8Array {
    return typeof this.make === "function" ? this.bytes().slice(off, off + len) : this.make.read(off, len);
  }
  write(): boolean { return false; }
  truncate(): void { /* generated: nothing to cut */ }
  hold(): void { /* nothing stored */ }
}

class ProcLink implements LinkNode {
  readonly type = "lnk";
  readonly readOnly = true;
  readonly nlink = 1;
  mode = 0o777;
  readonly dev: number;
  readonly ino: number;
  readonly times: Times;
  uid: number;
  gid: number;

  constructor(p: Procfs, path: string, owner: Owner, private readonly to: () => string,
              readonly magic?: () => Vnode | undefined) {
    this.dev = p.dev;
    this.ino = p.ino(path);
    this.times = p.times();
    this.uid = owner.uid;
    this.gid = owner.gid;
  }

  get target(): string { return this.to(); }
}

/** A directory's entries: name → how to make the vnode (each lookup makes a fresh one). */
type Entries = () => [string, (dir: ProcDir) => Vnode][];

class ProcDir implements DirNode {
  readonly type = "dir";
  readonly readOnly = true;
  readonly removed = false;
  readonly dev: number;
  readonly ino: number;
  readonly times: Times;
  readonly parent: DirNode;
  uid: number;
  gid: number;

  constructor(readonly p: Procfs, readonly path: string, parent: DirNode | null, readonly name: string,
              public mode: number, owner: Owner, private readonly entries: Entries, readonly mountRoot = false) {
    this.dev = p.dev;
    this.ino = p.ino(path);
    this.times = p.times();
    this.parent = parent ?? this;
    this.uid = owner.uid;
    this.gid = owner.gid;
  }

  get nlink(): number { return 2 + this.entries().length; }

  lookup(name: string): Vnode | undefined {
    const e = this.entries().find(([n]) => n === name);
    return e ? e[1](this) : undefined;
  }

  list(): DirEntry[] {
    return this.entries().map(([name, make], i) => ({ name, node: make(this), cookie: i + 3 }));
  }

  file(name: string, mode: number, owner: Owner, make: (() => string | Uint8Array) | Ranged): ProcFile {
    return new ProcFile(this.p, `${this.path}/${name}`, mode, owner, make);
  }

  link(name: string, owner: Owner, to: () => string, magic?: () => Vnode | undefined): ProcLink {
    return new ProcLink(this.p, `${this.path}/${name}`, owner, to, magic);
  }

  dir(name: string, mode: number, owner: Owner, entries: Entries): ProcDir {
    return new ProcDir(this.p, `${this.path}/${name}`, this, name, mode, owner, entries);
  }
}

/** Attaches a procfs at /proc of `fs`. */
export function mountProcfs(fs: FileSystem, host: ProcfsHost): void {
  const dev = fs.allocDev();
  const p = new Procfs(fs, dev, host);
  fs.attach("proc", dev, (parent) => new ProcDir(p, "", parent, "proc", 0o555, ROOT, () => rootEntries(p), true),
    () => p.statfs());
}

type Entry = [string, (dir: ProcDir) => Vnode];

function rootEntries(p: Procfs): Entry[] {
  const pids = [...p.host.procs.byPid.keys()].sort((x, y) => x - y);
  const sysctl = (name: string, value: () => string | number): Entry =>
    [name, (d) => d.file(name, 0o644, ROOT, () => `${value()}\n`)];
  const pipes = p.fs.pipeLimits;
  return [
    ["cpuinfo", (d) => d.file("cpuinfo", 0o444, ROOT, () => cpuinfo(p.host))],
    ["meminfo", (d) => d.file("meminfo", 0o444, ROOT, () => meminfo(p.host))],
    ["self", (d) => d.link("self", ROOT, () => String(p.host.current()?.pid ?? ""))],
    ["thread-self", (d) => d.link("thread-self", ROOT, () => { const t = p.host.current(); return `${t?.pid}/task/${t?.tid}`; })],
    ["sys", (d) => d.dir("sys", 0o555, ROOT, () => [
      ["fs", (s) => s.dir("fs", 0o555, ROOT, () => [
        sysctl("pipe-max-size", () => pipes.maxSize),
        sysctl("pipe-user-pages-hard", () => pipes.userPagesHard),
        sysctl("pipe-user-pages-soft", () => pipes.userPagesSoft),
      ])],
      ["kernel", (s) => s.dir("kernel", 0o555, ROOT, () => [
        sysctl("pid_max", () => PID_MAX),
        sysctl("tainted", () => 0),
      ])],
    ])],
    ...pids.map((pid): Entry => [String(pid), (d) => d.dir(String(pid), 0o555, TASK_OWNER, () => pidEntries(p, pid))]),
  ];
}

/** kernel/pid.c: PID_MAX_DEFAULT on a 64-bit kernel with few CPUs (pid_max is 32768 there). */
const PID_MAX = 32768;

const TASK_OWNER: Owner = { uid: GUEST_UID, gid: GUEST_GID };

function pidEntries(p: Procfs, pid: number): Entry[] {
  const t = p.host.procs.byPid.get(pid);
  if (!t) return [];
  const live = t.state !== "zombie";
  return [
    ["cmdline", (d) => d.file("cmdline", 0o444, TASK_OWNER, () => "")],
    ["comm", (d) => d.file("comm", 0o644, TASK_OWNER, () => `${comm(t)}\n`)],
    ["cwd", (d) => d.link("cwd", TASK_OWNER, () => pathOf(fileTable(t).cwd) ?? "/", () => fileTable(t).cwd)],
    ["exe", (d) => d.link("exe", TASK_OWNER, () => t.exePath)],
    ["fd", (d) => d.dir("fd", 0o500, TASK_OWNER, () => live ? fdEntries(t) : [])],
    ["maps", (d) => d.file("maps", 0o444, TASK_OWNER, () => live ? maps(t) : "")],
    ["pagemap", (d) => d.file("pagemap", 0o400, TASK_OWNER, pagemap(t))],
    ["smaps", (d) => d.file("smaps", 0o444, TASK_OWNER, () => live ? smaps(t) : "")],
    ["stat", (d) => d.file("stat", 0o444, TASK_OWNER, () => stat(p, t))],
    ["status", (d) => d.file("status", 0o444, TASK_OWNER, () => status(p, t))],
    ["task", (d) => d.dir("task", 0o555, TASK_OWNER, () => taskEntries(p, t))],
  ];
}

/**
 * /proc/<pid>/task: one directory per thread of the process by tid (its leader while the process lives, even if
 * the leader has exited), each with the thread's comm, stat and status (proc_task_readdir).
 */
function taskEntries(p: Procfs, t: Task): Entry[] {
  const g = t.group, leader = g.leader;
  const threads = [leader, ...g.threads.filter((x) => x !== leader)].sort((a, b) => a.tid - b.tid);
  return threads.map((th): Entry => [String(th.tid), (d) => d.dir(String(th.tid), 0o555, TASK_OWNER, () => [
    ["comm", (td) => td.file("comm", 0o644, TASK_OWNER, () => `${comm(th)}\n`)],
    ["stat", (td) => td.file("stat", 0o444, TASK_OWNER, () => stat(p, th))],
    ["status", (td) => td.file("status", 0o444, TASK_OWNER, () => status(p, th))],
  ])]);
}

/**
 * /proc/<pid>/fd: one magic link per descriptor (proc_fd_link): readlink shows the path it was opened by, or
 * pipe:[inode]; following it reaches the open file itself, even unlinked or renamed. A pipe or standard stream is
 * not a vnode here, so following its link finds nothing (Linux would open the pipe again).
 */
function fdEntries(t: Task): Entry[] {
  return fileTable(t).entries().map(([fd, f]): Entry => [String(fd), (d) => d.link(String(fd), TASK_OWNER, () => {
    if (!(f instanceof VnodeFile)) return `pipe:[${f.stat().ino}]`;
    const path = f.node.type === "dir" ? pathOf(f.node) : openedAs.get(f.node);
    const deleted = f.node.type === "dir" ? f.node.removed : f.node.nlink === 0;
    return deleted ? `${path ?? "/"} (deleted)` : path ?? "/";
  }, () => f instanceof VnodeFile ? f.node : undefined)]);
}

/** The command name: the executable's base name, at most 15 bytes (TASK_COMM_LEN − 1). */
function comm(t: Task): string { return (t.exePath.split("/").pop() ?? "").slice(0, 15); }

/** proc(5) state letters. */
function stateOf(t: Task): string {
  switch (t.state) {
    case "run": return "R (running)";
    case "zombie": return "Z (zombie)";
    default: return "S (sleeping)";
  }
}

// ---- memory of a task: sizes, residency, maps, pagemap ------------------------------------------------------------

/** Pages of [e.start, e.end) resident in the entry's object or the objects it shadows. */
function residentPages(e: VmMapEntry): number {
  const first = e.offset / PAGE_SIZE, last = first + e.size / PAGE_SIZE;
  const seen = new Set<number>();
  let delta = 0;
  for (let o = e.object; o; o = o.shadow) {
    for (const k of o.resident.keys()) {
      const idx = k - delta;
      if (idx >= first && idx < last) seen.add(idx);
    }
    delta += o.shadowOffset / PAGE_SIZE;
  }
  return seen.size;
}

interface MemFigures { size: number; rss: number; anon: number; file: number; data: number; stack: number; exe: number; pte: number }

/** VmSize and friends in kB (fs/proc/task_mmu.c task_mem). */
function memFigures(t: Task): MemFigures {
  const kb = (bytes: number): number => bytes / 1024;
  const f: MemFigures = { size: 0, rss: 0, anon: 0, file: 0, data: 0, stack: 0, exe: 0, pte: 0 };
  for (const e of t.map.entries) {
    f.size += kb(e.size);
    const r = kb(residentPages(e) * PAGE_SIZE);
    f.rss += r;
    if (e.object?.pager instanceof VnodePager) f.file += r; else f.anon += r;
    if (e.name === "[stack]") f.stack += kb(e.size);
    else if (e.name === "[text]") f.exe += kb(e.size);
    else if (e.protection & VM_PROT_WRITE && !e.object?.shared) f.data += kb(e.size);
  }
  f.pte = kb(t.pmap.stats.tableFrames * PAGE_SIZE);
  return f;
}

/** Device numbers as proc prints them: major:minor of the encoded st_dev. */
function devString(dev: number): string {
  const hex2 = (n: number): string => n.toString(16).padStart(2, "0");
  return `${hex2((dev >> 8) & 0xfff)}:${hex2((dev & 0xff) | ((dev >> 12) & 0xfff00))}`;
}

/**
 * /proc/<pid>/maps (show_map_vma): "start-end perms offset major:minor inode", padded to column 73 before a name.
 * File mappings name the file; the executable's segments name the executable (their file offset and inode are not
 * kept, so they show 0); [heap], [stack] and the signal trampoline page keep their names; other anonymous memory
 * has none.
 */
function maps(t: Task): string {
  let s = "";
  for (const e of t.map.entries) s += mapsLine(t, e) + "\n";
  return s;
}

/** Whether an entry's memory is shared with other mappings (MAP_SHARED, or inherited shared). */
function isShared(e: VmMapEntry): boolean { return e.inheritance === "share" || (e.object?.shared ?? false); }

/** One line of /proc/<pid>/maps for entry e. */
function mapsLine(t: Task, e: VmMapEntry): string {
  const hex = (n: number, w: number): string => n.toString(16).padStart(w, "0");
  const node = e.object?.pager instanceof VnodePager ? e.object.pager.node : undefined;
  const perms = (e.protection & VM_PROT_READ ? "r" : "-") + (e.protection & VM_PROT_WRITE ? "w" : "-") +
    (e.protection & VM_PROT_EXECUTE ? "x" : "-") + (isShared(e) ? "s" : "p");
  const offset = node ? e.offset : 0;
  const line = `${hex(e.start, 8)}-${hex(e.end, 8)} ${perms} ${hex(offset, 8)} ${devString(node?.dev ?? 0)} ${node?.ino ?? 0} `;
  const name = node ? openedAs.get(node) ?? "" : SEGMENTS.has(e.name) ? t.exePath
    : e.name === "[heap]" || e.name === "[stack]" || e.name === "[sigpage]" ? e.name : "";
  return name !== "" ? line.padEnd(73) + name : line;
}

/**
 * /proc/<pid>/smaps (fs/proc/task_mmu.c show_smap, Linux 6.1's fields): each entry's maps line, then its figures in
 * kB. Rss counts the pages the machine's pmap translates (Linux walks its page tables the same way); Pss divides
 * each by nothing more (every page is counted as mapped once: pages shared copy-on-write after fork are not split);
 * dirtiness is not read from the hardware's bits: the pages of a writable private mapping count as dirty, the others
 * as clean. Locked is the entry's Pss when it is locked (mlock, MAP_LOCKED), as Linux's pss_locked. No swap, no huge
 * pages (superpages are counted by their 4 KiB pages).
 */
function smaps(t: Task): string {
  let s = "";
  for (const e of t.map.entries) {
    let pages = 0;
    for (let va = e.start; va < e.end; va += PAGE_SIZE) if (t.pmap.extract(va)) pages++;
    const rss = (pages * PAGE_SIZE) / 1024, size = e.size / 1024;
    const shared = isShared(e), anon = !(e.object?.pager instanceof VnodePager);
    const dirty = (e.protection & VM_PROT_WRITE) !== 0;
    const kb = (v: number): string => `${String(v).padStart(8)} kB`;
    const rows: [string, string][] = [
      ["Size", kb(size)], ["KernelPageSize", kb(PAGE_SIZE / 1024)], ["MMUPageSize", kb(PAGE_SIZE / 1024)],
      ["Rss", kb(rss)], ["Pss", kb(rss)], ["Pss_Dirty", kb(dirty ? rss : 0)],
      ["Shared_Clean", kb(shared && !dirty ? rss : 0)], ["Shared_Dirty", kb(shared && dirty ? rss : 0)],
      ["Private_Clean", kb(!shared && !dirty ? rss : 0)], ["Private_Dirty", kb(!shared && dirty ? rss : 0)],
      ["Referenced", kb(rss)], ["Anonymous", kb(anon && !shared ? rss : 0)], ["LazyFree", kb(0)],
      ["AnonHugePages", kb(0)], ["ShmemPmdMapped", kb(0)], ["FilePmdMapped", kb(0)], ["Shared_Hugetlb", kb(0)],
      ["Private_Hugetlb", kb(0)], ["Swap", kb(0)], ["SwapPss", kb(0)], ["Locked", kb(e.wiring ? rss : 0)],
      ["THPeligible", `${String(0).padStart(8)}`], ["VmFlags", ` ${vmFlags(e)}`],
    ];
    s += mapsLine(t, e) + "\n";
    for (const [k, v] of rows) s += `${(k + ":").padEnd(16)}${v}\n`;
  }
  return s;
}

/** smaps' VmFlags (show_smap_vma_flags): the two-letter codes of the flags this kernel models. */
function vmFlags(e: VmMapEntry): string {
  const f: string[] = [];
  if (e.protection & VM_PROT_READ) f.push("rd");
  if (e.protection & VM_PROT_WRITE) f.push("wr");
  if (e.protection & VM_PROT_EXECUTE) f.push("ex");
  if (isShared(e)) f.push("sh");
  if (e.maxProtection & VM_PROT_READ) f.push("mr");
  if (e.maxProtection & VM_PROT_WRITE) f.push("mw");
  if (e.maxProtection & VM_PROT_EXECUTE) f.push("me");
  if (isShared(e)) f.push("ms");
  if (e.name === "[stack]") f.push("gd");
  if (e.wiring) f.push("lo");
  if (!isShared(e) && e.protection & VM_PROT_WRITE) f.push("ac");
  return f.join(" ") + " ";
}

const SEGMENTS = new Set(["[text]", "[data]", "[rodata]"]);

/**
 * /proc/<pid>/pagemap (Documentation/admin-guide/mm/pagemap.rst): one 64-bit entry per virtual page, read at
 * offset (va / page size) * 8: bit 63 present, bit 61 file page or shared anonymous, bit 56 mapped exactly once,
 * bits 0–54 the frame number. Since Linux 4.2 an unprivileged reader gets zeros for the frame numbers; here the
 * guest gets the emulated machine's real frame numbers, which is what studying its memory needs. Presence is what
 * the machine's pmap holds (the translations the MMU can use), as Linux reads its page tables.
 */
function pagemap(t: Task): Ranged {
  return {
    size: Math.floor(t.map.maxAddress / PAGE_SIZE) * 8,
    read(off: number, len: number): Uint8Array {
      const out = new Uint8Array(len);
      const first = Math.floor(off / 8), last = Math.floor((off + len + 7) / 8);
      const entry = new DataView(new ArrayBuffer(8));
      for (let i = first; i < last; i++) {
        let v = 0n;
        const va = i * PAGE_SIZE;
        const tr = t.map.lookup(va) ? t.pmap.extract(va) : undefined;
        if (tr) {
          const e = t.map.lookup(va)!;
          const page = t.map.vm.pageOf(tr.pa - (tr.pa % PAGE_SIZE));
          v = 1n << 63n | BigInt(Math.floor(tr.pa / PAGE_SIZE));
          if (e.object?.pager || e.object?.shared) v |= 1n << 61n;
          if (page && page.pv.length === 1) v |= 1n << 56n;
        }
        entry.setBigUint64(0, v, true);
        for (let b = 0; b < 8; b++) {
          const at = i * 8 + b - off;
          if (at >= 0 && at < len) out[at] = entry.getUint8(b);
        }
      }
      return out;
    },
  };
}

// ---- /proc/<pid>/status and stat ---------------------------------------------------------------------------------

function sigMask(t: Task, pick: (sig: number) => boolean): string {
  let m = 0n;
  for (let sig = 1; sig <= NSIG; sig++) if (pick(sig)) m |= 1n << BigInt(sig - 1);
  return m.toString(16).padStart(16, "0");
}

/** fs/proc/array.c proc_pid_status, with the lines a program reads (memory figures in kB). */
function status(p: Procfs, t: Task): string {
  const m = t.state === "zombie" ? undefined : memFigures(t);
  const ids = (n: number): string => `${n}\t${n}\t${n}\t${n}`;
  const vm = (name: string, v: number): string => `${name}:\t${String(v).padStart(8)} kB\n`;
  const sig = t.signals;
  let s = `Name:\t${comm(t)}\nUmask:\t${fileTable(t).umask.toString(8).padStart(4, "0")}\nState:\t${stateOf(t)}\n` +
    `Tgid:\t${t.pid}\nNgid:\t0\nPid:\t${t.tid}\nPPid:\t${t.ppid}\nTracerPid:\t0\n` +
    `Uid:\t${ids(GUEST_UID)}\nGid:\t${ids(GUEST_GID)}\nFDSize:\t64\nGroups:\t\n` +
    `NStgid:\t${t.pid}\nNSpid:\t${t.tid}\nNSpgid:\t${t.pgid}\nNSsid:\t${t.sid}\n`;
  if (m) {
    s += vm("VmPeak", m.size) + vm("VmSize", m.size) + vm("VmLck", 0) + vm("VmPin", 0) + vm("VmHWM", m.rss) +
      vm("VmRSS", m.rss) + vm("RssAnon", m.anon) + vm("RssFile", m.file) + vm("RssShmem", 0) + vm("VmData", m.data) +
      vm("VmStk", m.stack) + vm("VmExe", m.exe) + vm("VmLib", 0) + vm("VmPTE", m.pte) + vm("VmSwap", swappedPages(t.map) * 4) +
      vm("HugetlbPages", 0);
  }
  s += `CoreDumping:\t0\nTHP_enabled:\t1\nThreads:\t${t.group.threads.length}\nSigQ:\t0/${p.host.procs.byPid.size}\n` +
    `SigPnd:\t${sigMask(t, (n) => (sig.pending.mask >> BigInt(n - 1)) & 1n ? true : false)}\n` +
    `ShdPnd:\t${sigMask(t, (n) => (sig.sharedPending.mask >> BigInt(n - 1)) & 1n ? true : false)}\n` +
    `SigBlk:\t${sigMask(t, (n) => (sig.blocked >> BigInt(n - 1)) & 1n ? true : false)}\n` +
    `SigIgn:\t${sigMask(t, (n) => sig.actions[n]!.handler === SIG_IGN)}\n` +
    `SigCgt:\t${sigMask(t, (n) => sig.actions[n]!.handler !== SIG_IGN && sig.actions[n]!.handler !== SIG_DFL)}\n` +
    `CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n` +
    `CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n` +
    `Cpus_allowed:\t1\nCpus_allowed_list:\t0\nMems_allowed:\t1\nMems_allowed_list:\t0\n` +
    `voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n`;
  return s;
}

/**
 * /proc/<pid>/stat (proc(5), fs/proc/array.c do_task_stat): 52 fields on one line. Times are in clock ticks
 * (USER_HZ 100); what is not modelled is 0.
 */
function stat(p: Procfs, t: Task): string {
  const m = t.state === "zombie" ? undefined : memFigures(t);
  const sig = t.signals;
  const low = (x: bigint): string => (x & 0xFFFFFFFFn).toString();
  const ign = [...Array(NSIG).keys()].reduce((acc, i) => sig.actions[i + 1]!.handler === SIG_IGN ? acc | 1n << BigInt(i) : acc, 0n);
  const cgt = [...Array(NSIG).keys()].reduce((acc, i) => {
    const h = sig.actions[i + 1]!.handler;
    return h !== SIG_IGN && h !== SIG_DFL ? acc | 1n << BigInt(i) : acc;
  }, 0n);
  const fields: (string | number)[] = [
    t.tid, `(${comm(t)})`, stateOf(t)[0]!, t.ppid, t.pgid, t.sid,
    0, -1, 0x400040,                       // tty_nr, tpgid (no terminal), flags
    0, 0, 0, 0,                            // minflt, cminflt, majflt, cmajflt
    0, 0, 0, 0,                            // utime, stime, cutime, cstime
    20, 0, 1, 0,                           // priority, nice, num_threads, itrealvalue
    0,                                     // starttime
    (m?.size ?? 0) * 1024, (m?.rss ?? 0) / (PAGE_SIZE / 1024),
    "18446744073709551615",                // rsslim: RLIM_INFINITY
    0, 0, 0, 0, 0,                         // startcode, endcode, startstack, kstkesp, kstkeip (hidden)
    low(sig.pendingMask), low(sig.blocked), low(ign), low(cgt),
    0, 0, 0,                               // wchan, nswap, cnswap
    t.exitSignal, 0, 0, 0,                 // exit_signal, processor, rt_priority, policy
    0, 0, 0,                               // delayacct_blkio_ticks, guest_time, cguest_time
    0, 0, t.brkStart, 0, 0, 0, 0,          // start_data, end_data, start_brk, arg_start, arg_end, env_start, env_end
    t.state === "zombie" ? t.exit?.status ?? 0 : 0,
  ];
  void p;
  return fields.join(" ") + "\n";
}

// ---- /proc/cpuinfo ------------------------------------------------------------------------------------------------

/** arch/riscv/kernel/cpu.c c_show: one hart, the ISA the interpreter runs. */
function cpuinfo(h: ProcfsHost): string {
  return "processor\t: 0\nhart\t\t: 0\nisa\t\t: rv64imafdc_zicsr_zifencei\n" +
    `mmu\t\t: ${h.machine}\nmvendorid\t: 0x0\nmarchid\t\t: 0x0\nmimpid\t\t: 0x0\n\n`;
}

// ---- /proc/meminfo ----------------------------------------------------------------------------------------------

/**
 * fs/proc/meminfo.c: each line the name padded to 16 columns, the figure in kB right-aligned in 8 (show_val_kb).
 * The figures are the emulated machine's: MemTotal is --mem, MemFree its free frames; there is no swap, no page
 * cache in guest memory (the file systems keep their bytes on the host) and no huge page pool. The kernel's own
 * memory beyond page tables is outside the emulated RAM.
 */
function meminfo(h: ProcfsHost): string {
  const kb = (frames: number): number => frames * (PAGE_SIZE / 1024);
  const total = kb(h.phys.frames), free = kb(h.phys.freeFrames);
  const anon = kb(h.phys.userFrames), tables = kb(h.phys.tableFrames);
  const rows: [string, number][] = [
    ["MemTotal", total], ["MemFree", free], ["MemAvailable", free], ["Buffers", 0], ["Cached", 0],
    ["SwapCached", 0], ["Active", anon], ["Inactive", 0], ["Active(anon)", anon], ["Inactive(anon)", 0],
    ["Active(file)", 0], ["Inactive(file)", 0], ["Unevictable", 0], ["Mlocked", 0], ["SwapTotal", 0],
    ["SwapFree", 0], ["Dirty", 0], ["Writeback", 0], ["AnonPages", anon], ["Mapped", 0], ["Shmem", 0],
    ["KReclaimable", 0], ["Slab", 0], ["SReclaimable", 0], ["SUnreclaim", 0], ["KernelStack", 0],
    ["PageTables", tables], ["SecPageTables", 0], ["NFS_Unstable", 0], ["Bounce", 0], ["WritebackTmp", 0],
    // CommitLimit: overcommit_ratio (50) % of RAM plus swap (none).
    ["CommitLimit", Math.floor(total / 2)], ["Committed_AS", anon], ["VmallocTotal", 0], ["VmallocUsed", 0],
    ["VmallocChunk", 0], ["Percpu", 0], ["AnonHugePages", 0], ["ShmemHugePages", 0], ["ShmemPmdMapped", 0],
    ["FileHugePages", 0], ["FilePmdMapped", 0],
  ];
  let s = rows.map(([n, v]) => `${(n + ":").padEnd(16)}${String(v).padStart(8)} kB\n`).join("");
  for (const n of ["HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp"]) {
    s += `${(n + ":").padEnd(16)}${String(0).padStart(8)}\n`;   // hugetlb_report_meminfo: "   %5lu"
  }
  s += `${"Hugetlb:".padEnd(16)}${String(0).padStart(8)} kB\n`;
  return s;
}
