// Vnodes: the file system's objects as the system calls see them — regular files, directories and symbolic
// links — whatever stores them (memory here, the host for a --mount). Names are byte strings: each character of
// a name is one byte (latin1), so any name a guest can pass survives unchanged.

import type { VnodePager } from "./vnode_pager.js";
import type { Pipe } from "./pipe.js";
import type { OpenFile } from "./file.js";

export const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFLNK = 0o120000, S_IFREG = 0o100000, S_IFBLK = 0o060000,
  S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFIFO = 0o010000;
/** getdents64 d_type values (include/linux/fs_types.h). */
export const DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_REG = 8, DT_LNK = 10;
export const NAME_MAX = 255;
/** Largest file size this file system represents exactly (tmpfs allows 2^63 − 1; we keep exact integers). */
export const MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER;

/** Times in nanoseconds since the epoch. */
export interface Times {
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
}

interface NodeBase {
  readonly ino: number;            // inode number, unique within the file system
  readonly dev: number;            // st_dev: which file system holds it
  mode: number;                    // permission bits (07777)
  uid: number;                     // owner (chown); stat reports it
  gid: number;                     // group
  readonly readOnly: boolean;      // on a read-only mount: every change is EROFS
  readonly times: Times;
  /**
   * A file whose contents are generated (procfs): stat reports size 0 and no blocks, as Linux's /proc does, while
   * reads see what was generated.
   */
  readonly generated?: boolean;
}

/** struct statfs before layout (statfs(2)): what a file system reports about itself. */
export interface StatFs {
  type: number;         // f_type: the file system's magic number
  bsize: number;        // f_bsize, also f_frsize
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  fsid: number;
  namelen: number;
  flags: number;        // f_flags: ST_* mount flags, with ST_VALID
}

/** statfs f_flags (include/linux/statfs.h). */
export const ST_RDONLY = 0x1, ST_NOSUID = 0x2, ST_NODEV = 0x4, ST_NOEXEC = 0x8, ST_VALID = 0x20,
  ST_RELATIME = 0x1000;

export interface FileNode extends NodeBase {
  readonly type: "reg";
  nlink: number;
  /** Bytes in the file. */
  readonly size: number;
  /** 512-byte blocks allocated (st_blocks). */
  readonly blocks: number;
  /** The bytes at [off, off + len) of the backing store, len already clipped to the size. */
  read(off: number, len: number): Uint8Array;
  /** Stores bytes at off, growing the file; false when the file system is full (ENOSPC). */
  write(off: number, data: Uint8Array): boolean;
  /** Sets the size; new bytes read as zero. */
  truncate(size: number): void;
  /**
   * Optional (fallocate): gives [off, off + len) storage, zero where nothing was written, without changing the size;
   * false when the file system is full (ENOSPC). Absent: fallocate is not supported (EOPNOTSUPP).
   */
  allocate?(off: number, len: number): boolean;
  /** Optional (fallocate FALLOC_FL_PUNCH_HOLE): frees the whole pages of [off, off + len). */
  freePages?(off: number, len: number): void;
  /**
   * Optional: the indices of the pages that hold data, ascending (a sparse file's; SEEK_DATA and SEEK_HOLE find
   * holes from them, as tmpfs does). Absent: the whole file is data.
   */
  dataPages?(): number[];
  /** The VM object caching the file's pages while it is mapped (vnode_pager.ts), else null. */
  cache: VnodePager | null;
  /**
   * Counts open descriptions and the pager referring to the file (delta ±1). Storage is given back once nothing
   * refers to the file and no name links it (an unlinked file lives on while open or mapped).
   */
  hold(delta: number): void;
}

/** One directory entry as getdents64 reports it: cookie orders entries and is the offset after them. */
export interface DirEntry {
  readonly name: string;
  readonly node: Vnode;
  readonly cookie: number;
}

export interface DirNode extends NodeBase {
  readonly type: "dir";
  /** ".." (the root is its own parent). */
  readonly parent: DirNode;
  /** Its name in the parent (for getcwd); "/" for the root. */
  readonly name: string;
  /** True once removed (rmdir): nothing can be looked up or created in it any more. */
  readonly removed: boolean;
  /** A directory something is mounted on cannot be removed (EBUSY). */
  readonly mountRoot: boolean;
  readonly nlink: number;
  lookup(name: string): Vnode | undefined;
  /** Entries in cookie order; cookies start at 3 (0–2 are the start, "." and ".."). */
  list(): DirEntry[];
}

export interface LinkNode extends NodeBase {
  readonly type: "lnk";
  readonly target: string;
  nlink: number;
  /**
   * A magic link (/proc/<pid>/fd/N, cwd): following it gives this vnode itself, whatever its name now, as Linux's
   * proc links do (nd_jump_link); undefined when it names nothing the file system holds (a pipe). readlink still
   * shows `target`.
   */
  readonly magic?: () => Vnode | undefined;
}

/** A named pipe (mknod S_IFIFO): its pipe exists while some description has it open (Linux inode->i_pipe). */
export interface FifoNode extends NodeBase {
  readonly type: "fifo";
  nlink: number;
  pipe: Pipe | null;
}

/** A character device (/dev/null...): opening it makes the device's own open description. */
export interface DeviceNode extends NodeBase {
  readonly type: "chr";
  nlink: number;
  /** The device number, as st_rdev encodes it (major << 8 | minor for small numbers). */
  readonly rdev: number;
  /** mmap gives anonymous memory (/dev/zero, drivers/char/mem.c mmap_zero); other devices cannot be mapped. */
  readonly mapsAnonymous: boolean;
  open(flags: number): OpenFile;
}

export type Vnode = FileNode | DirNode | LinkNode | FifoNode | DeviceNode;

/** A directory that can be changed (the in-memory file system's). */
export interface WritableDir extends DirNode {
  link(name: string, node: Vnode): void;
  unlink(name: string): void;
  markRemoved(): void;
}

export function isWritableDir(d: DirNode): d is WritableDir { return !d.readOnly && "link" in d; }

export function modeBits(node: Vnode): number {
  switch (node.type) {
    case "reg": return S_IFREG | node.mode;
    case "dir": return S_IFDIR | node.mode;
    case "lnk": return S_IFLNK | node.mode;
    case "fifo": return S_IFIFO | node.mode;
    case "chr": return S_IFCHR | node.mode;
  }
}

export function direntType(node: Vnode): number {
  switch (node.type) {
    case "reg": return DT_REG;
    case "dir": return DT_DIR;
    case "fifo": return DT_FIFO;
    case "chr": return DT_CHR;
    case "lnk": return DT_LNK;
  }
}
