// A host directory mounted read-only in the guest (--mount host:guest). Nodes are made on first lookup and read
// through the host file system lazily, every time. Nothing outside the host directory is reachable: lookups
// join one component at a time (never ".", ".." or a name with "/"; ".." is the guest's namei walking to the
// parent vnode), the host is asked with lstat and O_NOFOLLOW, and a host symbolic link is shown as a link whose
// target the guest's namei resolves inside the guest's namespace — as a bind mount behaves for a chrooted process.
// Other host file types (devices, sockets, fifos) are not shown.

import {
  closeSync, constants, lstatSync, openSync, readSync, readdirSync, readlinkSync, statfsSync, type BigIntStats,
} from "node:fs";
import type { FileSystem } from "./memfs.js";
import { type DirEntry, type DirNode, type FileNode, type LinkNode, type StatFs, type Times, type Vnode, NAME_MAX,
  ST_RDONLY, ST_VALID } from "./vnode.js";
import type { VnodePager } from "./vnode_pager.js";

function join(dir: Buffer, name: string): Buffer { return Buffer.concat([dir, Buffer.from("/"), Buffer.from(name, "latin1")]); }

function hostStat(path: Buffer): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;   // EACCES, ELOOP...: the guest sees nothing there
  }
}

function timesOf(st: BigIntStats | undefined): Times {
  return st ? { atime: st.atimeNs, mtime: st.mtimeNs, ctime: st.ctimeNs } : { atime: 0n, mtime: 0n, ctime: 0n };
}

/** Shared by the nodes of one mount. */
interface Mount {
  readonly fs: FileSystem;
  readonly dev: number;
}

export class HostFile implements FileNode {
  readonly type = "reg";
  readonly readOnly = true;
  cache: VnodePager | null = null;
  readonly dev: number;

  constructor(m: Mount, readonly ino: number, private readonly path: Buffer) { this.dev = m.dev; }

  private stat(): BigIntStats | undefined { return hostStat(this.path); }
  get size(): number { return Number(this.stat()?.size ?? 0n); }
  get blocks(): number { return Number(this.stat()?.blocks ?? 0n); }
  get mode(): number { return Number((this.stat()?.mode ?? 0n) & 0o7777n); }
  get nlink(): number { return Number(this.stat()?.nlink ?? 1n); }
  get uid(): number { return Number(this.stat()?.uid ?? 0n); }
  get gid(): number { return Number(this.stat()?.gid ?? 0n); }
  get times(): Times { return timesOf(this.stat()); }

  read(off: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let fd: number | undefined;
    try {
      fd = openSync(this.path, constants.O_RDONLY | constants.O_NOFOLLOW);
      let done = 0;
      while (done < len) {
        const n = readSync(fd, out, done, len - done, off + done);
        if (n === 0) break;
        done += n;
      }
    } catch {
      // The file vanished or became unreadable on the host: what was not read reads as zeros.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return out;
  }

  hold(): void { /* the host owns the storage */ }
  write(): boolean { throw new Error("write to a read-only mount"); }
  truncate(): void { throw new Error("truncate on a read-only mount"); }
}

export class HostLink implements LinkNode {
  readonly type = "lnk";
  readonly readOnly = true;
  readonly mode = 0o777;
  readonly dev: number;
  nlink = 1;
  constructor(m: Mount, readonly ino: number, private readonly path: Buffer) { this.dev = m.dev; }
  get target(): string {
    try { return (readlinkSync(this.path, { encoding: "buffer" })).toString("latin1"); } catch { return ""; }
  }
  get uid(): number { return Number(hostStat(this.path)?.uid ?? 0n); }
  get gid(): number { return Number(hostStat(this.path)?.gid ?? 0n); }
  get times(): Times { return timesOf(hostStat(this.path)); }
}

export class HostDir implements DirNode {
  readonly type = "dir";
  readonly readOnly = true;
  readonly removed = false;
  readonly dev: number;
  private readonly children = new Map<string, Vnode>();   // stable vnodes (and inode numbers) per name

  private constructor(private readonly m: Mount, readonly ino: number, private readonly path: Buffer,
                      readonly parent: DirNode, readonly name: string, readonly mountRoot: boolean) {
    this.dev = m.dev;
  }

  /** The root of a new mount of host directory `hostDir` (checked to be a directory) under `parent`. */
  static mountRoot(fs: FileSystem, hostDir: string, parent: DirNode, name: string): HostDir {
    const path = Buffer.from(hostDir);
    const st = hostStat(path);
    if (!st) throw new Error(`cannot mount '${hostDir}': no such directory`);
    if (!st.isDirectory()) throw new Error(`cannot mount '${hostDir}': not a directory`);
    return new HostDir({ fs, dev: fs.allocDev() }, fs.allocIno(), path, parent, name, true);
  }

  private stat(): BigIntStats | undefined { return hostStat(this.path); }
  get mode(): number { return Number((this.stat()?.mode ?? 0o755n) & 0o7777n); }
  get nlink(): number { return Number(this.stat()?.nlink ?? 2n); }
  get uid(): number { return Number(this.stat()?.uid ?? 0n); }
  get gid(): number { return Number(this.stat()?.gid ?? 0n); }
  get times(): Times { return timesOf(this.stat()); }

  /** statfs of the mount: the host file system's figures, read-only (the mount is). */
  statfs(): StatFs {
    let s;
    try { s = statfsSync(this.path); } catch { s = undefined; }
    return { type: s?.type ?? 0, bsize: s?.bsize ?? 4096, blocks: s?.blocks ?? 0, bfree: s?.bfree ?? 0,
      bavail: s?.bavail ?? 0, files: s?.files ?? 0, ffree: s?.ffree ?? 0, fsid: this.dev, namelen: NAME_MAX,
      flags: ST_VALID | ST_RDONLY };
  }

  lookup(name: string): Vnode | undefined {
    if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\0")) return undefined;
    const path = join(this.path, name);
    const st = hostStat(path);
    const type = !st ? undefined : st.isFile() ? "reg" : st.isDirectory() ? "dir" : st.isSymbolicLink() ? "lnk" : undefined;
    if (type === undefined) { this.children.delete(name); return undefined; }
    const known = this.children.get(name);
    if (known?.type === type) return known;
    const ino = this.m.fs.allocIno();
    const node: Vnode = type === "reg" ? new HostFile(this.m, ino, path)
      : type === "dir" ? new HostDir(this.m, ino, path, this, name, false)
      : new HostLink(this.m, ino, path);
    this.children.set(name, node);
    return node;
  }

  list(): DirEntry[] {
    let names: Buffer[];
    try {
      names = readdirSync(this.path, { encoding: "buffer" });
    } catch {
      return [];
    }
    names.sort(Buffer.compare);   // a stable order, so offsets (cookies) stay meaningful between calls
    const out: DirEntry[] = [];
    names.forEach((b, i) => {
      const name = b.toString("latin1");
      const node = this.lookup(name);
      if (node) out.push({ name, node, cookie: i + 3 });
    });
    return out;
  }
}
