// The /proc file system (Linux fs/proc): a read-only pseudo file system whose files are generated from the kernel's
// state. Each lookup makes fresh file vnodes whose contents are generated at the first read or size query and then
// kept, so one open sees one snapshot, as a seq_file does; stat shows size 0, as on Linux. Directories and
// symbolic links are generated on every lookup too (/proc/self names the caller). Inode numbers are stable per
// path within one boot. procfs needs tasks and address spaces, so it lives in the system-call layer and is
// attached to the file system at boot behind the vnode interface.

import type { ProcessTable } from "../kern/proc.js";
import { GUEST_GID, GUEST_UID, type Task } from "../kern/task.js";
import type { PhysAllocator } from "../vm/phys.js";
import { PAGE_SIZE } from "../vm/vm_prot.js";
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

/** A generated file: its text is made once per lookup, when first read. */
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

  constructor(p: Procfs, path: string, public mode: number, owner: Owner, private readonly make: () => string | Uint8Array) {
    this.dev = p.dev;
    this.ino = p.ino(path);
    this.times = p.times();
    this.uid = owner.uid;
    this.gid = owner.gid;
  }

  private bytes(): Uint8Array {
    if (this.content === undefined) {
      const c = this.make();
      this.content = typeof c === "string" ? Uint8Array.from(c, (ch) => ch.charCodeAt(0) & 0xFF) : c;
    }
    return this.content;
  }

  get size(): number { return this.bytes().length; }
  get blocks(): number { return 0; }
  read(off: number, len: number): Uint8Array { return this.bytes().slice(off, off + len); }
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

  constructor(p: Procfs, path: string, owner: Owner, private readonly to: () => string) {
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

  file(name: string, mode: number, owner: Owner, make: () => string | Uint8Array): ProcFile {
    return new ProcFile(this.p, `${this.path}/${name}`, mode, owner, make);
  }

  link(name: string, owner: Owner, to: () => string): ProcLink {
    return new ProcLink(this.p, `${this.path}/${name}`, owner, to);
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

function rootEntries(p: Procfs): [string, (dir: ProcDir) => Vnode][] {
  const pids = [...p.host.procs.byPid.keys()].sort((x, y) => x - y);
  return [
    ["meminfo", (d) => d.file("meminfo", 0o444, ROOT, () => meminfo(p.host))],
    ["self", (d) => d.link("self", ROOT, () => String(p.host.current()?.pid ?? ""))],
    ...pids.map((pid): [string, (dir: ProcDir) => Vnode] =>
      [String(pid), (d) => d.dir(String(pid), 0o555, TASK_OWNER, () => pidEntries(p, pid))]),
  ];
}

const TASK_OWNER: Owner = { uid: GUEST_UID, gid: GUEST_GID };

function pidEntries(p: Procfs, pid: number): [string, (dir: ProcDir) => Vnode][] {
  const t = p.host.procs.byPid.get(pid);
  if (!t) return [];
  return [
    ["exe", (d) => d.link("exe", TASK_OWNER, () => t.exePath)],
  ];
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
