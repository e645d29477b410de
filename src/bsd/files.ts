// The file-descriptor table of a process: descriptor → open file description (fs/file.ts), plus the per-descriptor
// close-on-exec flag. Descriptions are shared objects: dup() and fork() make more descriptors referring to the same
// description, so they share its offset and status flags, as on Linux. The table also holds the process's view of
// the file system: which one, and its working directory. The standard streams are connected to the host through
// GuestIo (the CLI writes through to its own fds, the library API captures into buffers).

import { StdioFile, type OpenFile, O_PATH } from "../fs/file.js";
import { FileSystem } from "../fs/memfs.js";
import type { DirNode } from "../fs/vnode.js";
import type { Task } from "../kern/task.js";

interface FdEntry {
  readonly file: OpenFile;
  cloexec: boolean;
}

export class FileTable {
  private readonly fds = new Map<number, FdEntry>();
  cwd: DirNode;
  umask = 0o022;                     // fs_struct state, like cwd: inherited at fork
  private users = 1;                 // tasks sharing the table (CLONE_FILES): files_struct's count

  constructor(readonly fs: FileSystem = new FileSystem(), standardStreams = true) {
    this.cwd = fs.root;
    if (standardStreams) for (const s of [0, 1, 2] as const) this.fds.set(s, { file: new StdioFile(s), cloexec: false });
  }

  /**
   * The description open as fd, for a call that uses the file (Linux fdget): an O_PATH descriptor only names a
   * place in the file system, so for these calls it is as if fd were not open (EBADF).
   */
  get(fd: number): OpenFile | undefined {
    const f = this.fds.get(fd)?.file;
    return f && !(f.flags & O_PATH) ? f : undefined;
  }

  /** The description open as fd, O_PATH ones included (fdget_raw: fstat, dup, fcntl, fchdir, a dirfd...). */
  getRaw(fd: number): OpenFile | undefined { return this.fds.get(fd)?.file; }

  cloexec(fd: number): boolean { return this.fds.get(fd)?.cloexec ?? false; }

  setCloexec(fd: number, on: boolean): void {
    const e = this.fds.get(fd);
    if (e) e.cloexec = on;
  }

  /**
   * Installs a description (taking over one reference) at the lowest free descriptor ≥ min and below limit;
   * undefined when none is free (EMFILE/EINVAL is the caller's choice).
   */
  install(file: OpenFile, cloexec: boolean, limit: number, min = 0): number | undefined {
    for (let fd = min; fd < limit; fd++) {
      if (!this.fds.has(fd)) {
        this.fds.set(fd, { file, cloexec });
        return fd;
      }
    }
    return undefined;
  }

  /** Installs at exactly fd, closing what was there (dup3). */
  installAt(fd: number, file: OpenFile, cloexec: boolean): void {
    this.close(fd);
    this.fds.set(fd, { file, cloexec });
  }

  /** Closes fd; false if it was not open. */
  close(fd: number): boolean {
    const e = this.fds.get(fd);
    if (!e) return false;
    this.fds.delete(fd);
    release(e.file);
    return true;
  }

  /** The child's table at fork: the same descriptions (shared offsets), the same flags and working directory. */
  fork(): FileTable {
    const child = new FileTable(this.fs, false);
    child.cwd = this.cwd;
    child.umask = this.umask;
    for (const [fd, e] of this.fds) {
      e.file.refs++;
      child.fds.set(fd, { file: e.file, cloexec: e.cloexec });
    }
    return child;
  }

  /** Another task uses this table (clone with CLONE_FILES). */
  share(): FileTable {
    this.users++;
    return this;
  }

  /** A task using the table exits: only the last one closes the descriptors (put_files_struct). */
  unshare(): FileTable {
    if (this.users === 1) return this;
    const own = this.fork();
    this.release();
    return own;
  }

  release(): void {
    if (--this.users === 0) this.closeAll();
  }

  /** Closes every descriptor marked close-on-exec (for execve). */
  closeOnExec(): void {
    for (const [fd, e] of [...this.fds]) if (e.cloexec) this.close(fd);
  }

  /** Closes everything (process exit). */
  closeAll(): void {
    for (const fd of [...this.fds.keys()]) this.close(fd);
  }

  get count(): number { return this.fds.size; }

  /** The open descriptors in ascending order with their descriptions (/proc/<pid>/fd). */
  entries(): [number, OpenFile][] {
    return [...this.fds].sort(([a], [b]) => a - b).map(([fd, e]) => [fd, e.file]);
  }
}

/** Drops one reference to a description; the last one releases it. */
export function release(file: OpenFile): void {
  if (--file.refs === 0) file.release();
}

/** Task t's descriptor table: the kernel holds it as TaskFiles (kern/task.ts); every task's is a FileTable. */
export function fileTable(t: Task): FileTable { return t.files as FileTable; }
