// Making system calls on a test machine by hand: scratch memory, C strings, reading a whole file.

import { expect } from "vitest";
import { program } from "./rv.js";
import { BufferIo, loadedMachine } from "./machine.js";
import type { Machine } from "../../../src/boot/machine.js";
import type { MachineConfig } from "../../../src/machine/config.js";

export const AT_FDCWD = -100;
const NR_openat = 56, NR_close = 57, NR_read = 63, NR_mmap = 222;
const PG = 4096;

/** A machine stopped before its first instruction, with 8 pages of scratch memory at `buf`. */
export class SysHarness {
  readonly m: Machine;
  readonly io = new BufferIo();
  readonly buf: number;
  private slot = 0;

  constructor(config: Partial<MachineConfig> = {}) {
    ({ m: this.m } = loadedMachine(program((a) => a.exit(0)), { io: this.io, config }));
    this.buf = this.sys(NR_mmap, 0, 8 * PG, 3, 0x22, -1, 0);
  }

  sys(nr: number, ...a: (number | bigint)[]): number { return Number(this.m.syscall(nr, ...a)); }

  put(va: number, bytes: Uint8Array): void { expect(this.m.task.um.copyout(va, bytes)).toBe(true); }

  /** A C string in one of 8 rotating 256-byte slots of the scratch area's third page. */
  str(s: string): number {
    const va = this.buf + 2 * PG + (this.slot++ % 8) * 256;
    this.put(va, Uint8Array.from(s + "\0", (c) => c.charCodeAt(0)));
    return va;
  }

  /** Scratch bytes from page 4 on (the results of calls). */
  get out(): number { return this.buf + 4 * PG; }

  bytes(va: number, n: number): Uint8Array { return this.m.task.um.copyin(va, n)!; }

  open(path: string, flags = 0, mode = 0o644): number { return this.sys(NR_openat, AT_FDCWD, this.str(path), flags, mode); }

  /** The whole contents of a file, read 1000 bytes at a time ("" and the errno text when open fails). */
  readFile(path: string): string {
    const fd = this.open(path);
    if (fd < 0) return `error ${fd}`;
    let s = "";
    for (;;) {
      const n = this.sys(NR_read, fd, this.out, 1000);
      if (n <= 0) break;
      s += String.fromCharCode(...this.bytes(this.out, n));
    }
    this.sys(NR_close, fd);
    return s;
  }
}
