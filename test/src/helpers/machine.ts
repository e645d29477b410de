// Helpers to build a machine around a test program without going through the library's file reading.

import type { PagingOptions } from "../../../src/vm/vm_pageout.js";
import type { Arch } from "../../../src/arch/registry.js";
import { defaultConfig, type MachineConfig } from "../../../src/machine/config.js";
import { Machine } from "../../../src/boot/machine.js";
import { parseElf } from "../../../src/loader/elf.js";
import type { GuestIo } from "../../../src/fs/file.js";

export class BufferIo implements GuestIo {
  out = "";
  err = "";
  constructor(private input = new Uint8Array(0)) {}
  read(max: number): Uint8Array {
    const r = this.input.slice(0, max);
    this.input = this.input.slice(r.length);
    return r;
  }
  write(fd: 1 | 2, data: Uint8Array): void {
    const s = new TextDecoder().decode(data);
    if (fd === 1) this.out += s; else this.err += s;
  }
}

export function testConfig(arch: Arch = "riscv-sv39", over: Partial<MachineConfig> = {}): MachineConfig {
  return { ...defaultConfig(arch), ramBytes: 32 * 1024 * 1024, ...over };
}

/** A machine with `elf` loaded as /test/prog with the given argv tail and environment. */
export function loadedMachine(elf: Uint8Array, opts: { arch?: Arch; args?: string[]; env?: string[]; config?: Partial<MachineConfig>; io?: BufferIo; paging?: Partial<PagingOptions> } = {}) {
  const io = opts.io ?? new BufferIo();
  const m = new Machine(testConfig(opts.arch, opts.config), { io, ...(opts.paging ? { paging: opts.paging } : {}) });
  const exec = m.load(parseElf(elf), {
    argv: ["/test/prog", ...(opts.args ?? [])],
    envp: opts.env ?? [],
    execfn: "/test/prog",
    exePath: "/test/prog",
  });
  return { m, io, exec };
}
