// The file-descriptor table. Only the three standard streams exist yet; they are connected to the host through
// GuestIo (the CLI writes through to its own fds, the library API captures into buffers). They present as pipes,
// which is what the guest sees under qemu-user when run with its output piped.

/** The host side of the guest's standard streams. */
export interface GuestIo {
  /** Reads up to max bytes from the guest's stdin; an empty array means end of file. */
  read(max: number): Uint8Array;
  /** Writes guest output to fd 1 (stdout) or 2 (stderr). */
  write(fd: 1 | 2, data: Uint8Array): void;
}

export type OpenFile =
  | { kind: "stdin" }
  | { kind: "stdout" }
  | { kind: "stderr" };

export class FileTable {
  /** Bytes read from the host's stdin but not yet consumed (a read whose copy-out faulted gives them back). */
  stdinPending: Uint8Array = new Uint8Array(0);

  private readonly fds = new Map<number, OpenFile>([
    [0, { kind: "stdin" }],
    [1, { kind: "stdout" }],
    [2, { kind: "stderr" }],
  ]);

  get(fd: number): OpenFile | undefined { return this.fds.get(fd); }

  /** Closes fd; false if it was not open. */
  close(fd: number): boolean { return this.fds.delete(fd); }

  get count(): number { return this.fds.size; }

  /** The table a fork child gets: the same open files under the same numbers (descriptions are shared). */
  fork(): FileTable {
    const t = new FileTable();
    t.fds.clear();
    for (const [fd, f] of this.fds) t.fds.set(fd, f);
    t.stdinPending = this.stdinPending;
    return t;
  }

  /** Closes every descriptor (the task exited). */
  closeAll(): void { this.fds.clear(); }
}
