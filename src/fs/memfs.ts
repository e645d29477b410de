// The in-memory file system (a tmpfs): files keep their bytes in sparse 4 KiB pages in host memory, so holes
// cost nothing; directories keep their entries in creation order with a cookie each, so a getdents64 offset stays
// valid while entries come and go. Space is bounded (ENOSPC) by a byte budget. Times come from the guest's clock.

import { PAGE_SIZE } from "../vm/vm_prot.js";
import { type Pipe, PipeLimits } from "./pipe.js";
import {
  type DirEntry, type DirNode, type FifoNode, type FileNode, type LinkNode, type StatFs, type Times, type Vnode, type WritableDir,
  NAME_MAX, ST_RELATIME, ST_VALID,
} from "./vnode.js";
import type { PagerStats, VnodePager } from "./vnode_pager.js";
import { HostDir } from "./hostfs.js";

export const MEMFS_DEV = 0x1a;
/** tmpfs's f_type (include/uapi/linux/magic.h TMPFS_MAGIC). */
export const TMPFS_MAGIC = 0x01021994;

/** State shared by every node of one file system: inode numbers, space, the clock. */
export class FileSystem {
  private nextIno = 2;
  private usedPages = 0;
  /** Nanoseconds since the epoch, set by the system-call layer from the guest clock before each call. */
  now = 0n;
  /**
   * The caller's fsuid and fsgid, set by the system-call layer with `now`: what it creates is owned by them. What
   * the file system holds before any call (the root, /tmp, mount points) belongs to root, as on Linux.
   */
  uid = 0;
  gid = 0;
  /** Pipe limits and the user's pipe buffers (pipefs; /proc/sys/fs/pipe-*). */
  readonly pipeLimits = new PipeLimits();
  /** statfs of the file systems other than this one attached to its tree (host mounts, /proc), by st_dev. */
  private readonly others = new Map<number, () => StatFs>();
  /** What the file pagers of this file system did (mapped files). */
  readonly pagerStats: PagerStats = { pagesRead: 0, pagesWritten: 0, beyondEof: 0 };
  readonly root: MemDir;
  private nextDev = MEMFS_DEV + 1;

  constructor(readonly limitBytes = 256 * 1024 * 1024) {
    this.root = new MemDir(this, 1, 0o755, null, "/");
    this.root.link("tmp", new MemDir(this, this.allocIno(), 0o1777, this.root, "tmp"));
  }

  allocIno(): number { return this.nextIno++; }
  allocDev(): number { return this.nextDev++; }

  /**
   * What statfs reports for the file system holding a node of device `dev`: this tmpfs (shmem_statfs: its size
   * limit in pages, the pages in use), else what the attached file system says.
   */
  statfs(dev: number): StatFs {
    const other = this.others.get(dev);
    if (other) return other();
    const blocks = Math.floor(this.limitBytes / PAGE_SIZE), free = blocks - this.usedPages;
    // Inodes: tmpfs's default nr_inodes is its size in pages; numbers handed out count as used.
    return { type: TMPFS_MAGIC, bsize: PAGE_SIZE, blocks, bfree: free, bavail: free, files: blocks,
      ffree: Math.max(0, blocks - this.nextIno), fsid: 0, namelen: NAME_MAX, flags: ST_VALID | ST_RELATIME };
  }

  /**
   * Attaches another file system's root at /`name` (procfs at /proc): `make` builds the root under the given parent,
   * `statfs` answers statfs for nodes with its device number.
   */
  attach(name: string, dev: number, make: (parent: DirNode) => DirNode, statfs: () => StatFs): void {
    if (this.root.lookup(name) !== undefined) throw new Error(`/${name} is already in use`);
    this.root.link(name, make(this.root));
    this.others.set(dev, statfs);
  }

  times(): Times { return { atime: this.now, mtime: this.now, ctime: this.now }; }

  /** Takes n pages of space; false when the budget is exhausted. */
  reserve(n: number): boolean {
    if ((this.usedPages + n) * PAGE_SIZE > this.limitBytes) return false;
    this.usedPages += n;
    return true;
  }

  release(n: number): void { this.usedPages -= n; }

  get usedBytes(): number { return this.usedPages * PAGE_SIZE; }

  /**
   * Exposes host directory `hostDir` read-only at the absolute guest path `guestPath`, creating the directories
   * leading to it. Throws Error with a one-line message when the guest path cannot hold a mount.
   */
  mount(hostDir: string, guestPath: string): void {
    if (!guestPath.startsWith("/")) throw new Error(`mount point '${guestPath}' must be an absolute path`);
    const parts = guestPath.split("/").filter((p) => p !== "" && p !== ".");
    if (parts.length === 0) throw new Error("cannot mount over the root directory");
    if (parts.includes("..")) throw new Error(`mount point '${guestPath}' must not contain '..'`);
    let dir: MemDir = this.root;
    for (const name of parts.slice(0, -1)) {
      const next = dir.lookup(name);
      if (next === undefined) {
        const d = new MemDir(this, this.allocIno(), 0o755, dir, name);
        dir.link(name, d);
        dir = d;
      } else if (next instanceof MemDir) {
        dir = next;
      } else {
        throw new Error(`mount point '${guestPath}': '${name}' is already a mount or not a directory`);
      }
    }
    const last = parts[parts.length - 1]!;
    if (dir.lookup(last) !== undefined) throw new Error(`mount point '${guestPath}' is already in use`);
    const root = HostDir.mountRoot(this, hostDir, dir, last);
    dir.link(last, root);
    this.others.set(root.dev, () => root.statfs());
  }
}

export class MemFile implements FileNode {
  readonly type = "reg";
  readonly readOnly = false;
  readonly dev = MEMFS_DEV;
  nlink = 1;
  size = 0;
  /** An O_TMPFILE file opened without O_EXCL: linkat may give it a name although nlink is 0 (I_LINKABLE). */
  linkable = false;
  cache: VnodePager | null = null;
  readonly times: Times;
  uid: number;
  gid: number;
  private readonly pages = new Map<number, Uint8Array>();   // page index → 4 KiB of data (absent: a hole)

  constructor(private readonly fs: FileSystem, readonly ino: number, public mode: number) {
    this.times = fs.times();
    this.uid = fs.uid;
    this.gid = fs.gid;
  }

  get blocks(): number { return this.pages.size * (PAGE_SIZE / 512); }

  dataPages(): number[] { return [...this.pages.keys()].sort((a, b) => a - b); }

  read(off: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let done = 0; done < len;) {
      const at = off + done, idx = Math.floor(at / PAGE_SIZE), inPage = at % PAGE_SIZE;
      const n = Math.min(len - done, PAGE_SIZE - inPage);
      const page = this.pages.get(idx);
      if (page) out.set(page.subarray(inPage, inPage + n), done);
      done += n;
    }
    return out;
  }

  write(off: number, data: Uint8Array): boolean {
    const first = Math.floor(off / PAGE_SIZE), last = Math.floor((off + data.length - 1) / PAGE_SIZE);
    let fresh = 0;
    for (let i = first; data.length > 0 && i <= last; i++) if (!this.pages.has(i)) fresh++;
    if (!this.fs.reserve(fresh)) return false;
    for (let done = 0; done < data.length;) {
      const at = off + done, idx = Math.floor(at / PAGE_SIZE), inPage = at % PAGE_SIZE;
      const n = Math.min(data.length - done, PAGE_SIZE - inPage);
      let page = this.pages.get(idx);
      if (!page) { page = new Uint8Array(PAGE_SIZE); this.pages.set(idx, page); }
      page.set(data.subarray(done, done + n), inPage);
      done += n;
    }
    this.size = Math.max(this.size, off + data.length);
    return true;
  }

  allocate(off: number, len: number): boolean {
    const first = Math.floor(off / PAGE_SIZE), last = Math.floor((off + len - 1) / PAGE_SIZE);
    let fresh = 0;
    for (let i = first; i <= last; i++) if (!this.pages.has(i)) fresh++;
    if (!this.fs.reserve(fresh)) return false;
    for (let i = first; i <= last; i++) if (!this.pages.has(i)) this.pages.set(i, new Uint8Array(PAGE_SIZE));
    return true;
  }

  freePages(off: number, len: number): void {
    const first = Math.ceil(off / PAGE_SIZE), end = Math.floor((off + len) / PAGE_SIZE);
    let freed = 0;
    for (let i = first; i < end; i++) if (this.pages.delete(i)) freed++;
    this.fs.release(freed);
  }

  truncate(size: number): void {
    if (size < this.size) {
      const keep = Math.ceil(size / PAGE_SIZE);
      let freed = 0;
      for (const idx of [...this.pages.keys()]) if (idx >= keep) { this.pages.delete(idx); freed++; }
      this.fs.release(freed);
      const tail = this.pages.get(keep - 1);
      if (tail && size % PAGE_SIZE !== 0) tail.fill(0, size % PAGE_SIZE);
    }
    this.size = size;
  }

  private holds = 0;

  hold(delta: number): void {
    this.holds += delta;
    this.destroyIfUnused();
  }

  /** Gives back the space once the last link, open description and mapping are gone. */
  destroyIfUnused(): void {
    if (this.nlink > 0 || this.holds > 0) return;
    this.fs.release(this.pages.size);
    this.pages.clear();
    this.size = 0;
  }
}

export class MemLink implements LinkNode {
  readonly type = "lnk";
  readonly readOnly = false;
  readonly dev = MEMFS_DEV;
  mode = 0o777;
  nlink = 1;
  readonly times: Times;
  uid: number;
  gid: number;
  constructor(fs: FileSystem, readonly ino: number, readonly target: string) {
    this.times = fs.times();
    this.uid = fs.uid;
    this.gid = fs.gid;
  }
}

export class MemFifo implements FifoNode {
  readonly type = "fifo";
  readonly readOnly = false;
  readonly dev = MEMFS_DEV;
  nlink = 1;
  pipe: Pipe | null = null;
  readonly times: Times;
  uid: number;
  gid: number;
  constructor(fs: FileSystem, readonly ino: number, public mode: number) {
    this.times = fs.times();
    this.uid = fs.uid;
    this.gid = fs.gid;
  }
}

export class MemDir implements WritableDir {
  readonly type = "dir";
  readonly readOnly = false;
  readonly dev = MEMFS_DEV;
  readonly mountRoot = false;
  removed = false;
  readonly times: Times;
  uid: number;
  gid: number;
  parent: DirNode;                         // changes when the directory is renamed into another one
  private readonly entries = new Map<string, DirEntry>();
  private nextCookie = 3;
  private subdirs = 0;

  constructor(private readonly fs: FileSystem, readonly ino: number, public mode: number, parent: DirNode | null,
              public name: string) {
    this.parent = parent ?? this;
    this.times = fs.times();
    this.uid = fs.uid;
    this.gid = fs.gid;
  }

  get nlink(): number { return this.removed ? 0 : 2 + this.subdirs; }

  lookup(name: string): Vnode | undefined { return this.removed ? undefined : this.entries.get(name)?.node; }

  list(): DirEntry[] { return [...this.entries.values()]; }

  get empty(): boolean { return this.entries.size === 0; }

  link(name: string, node: Vnode): void {
    this.entries.set(name, { name, node, cookie: this.nextCookie++ });
    if (node.type === "dir") this.subdirs++;
    this.times.mtime = this.times.ctime = this.fs.now;
  }

  unlink(name: string): void {
    const e = this.entries.get(name);
    if (!e) return;
    this.entries.delete(name);
    if (e.node.type === "dir") this.subdirs--;
    this.times.mtime = this.times.ctime = this.fs.now;
  }

  markRemoved(): void { this.removed = true; }
}
