// The kernel's accesses to user memory (Linux copy_from_user/copy_to_user). Every byte goes through the address
// space's own translation (pmap.extract reads the real page tables); a page that is not mapped yet, or lacks
// the referenced/modified state the hardware would set, is faulted in through the VM like a user access. A range
// the VM cannot resolve yields undefined/false, which system calls turn into -EFAULT.

import type { PmapMachine } from "./pmap.js";
import { vmFault } from "./vm_fault.js";
import type { VmMap } from "./vm_map.js";
import { PAGE_SIZE, VM_PROT_READ, VM_PROT_WRITE } from "./vm_prot.js";

export class UserMemory {
  constructor(private readonly map: VmMap, private readonly machine: PmapMachine) {}

  /** Physical address for one byte at va accessible for `access`, faulting it in if needed. */
  private translate(va: number, access: number): number | undefined {
    for (let attempt = 0; attempt < 2; attempt++) {
      const t = this.map.pmap.extract(va);
      if (t) {
        const ok = access === VM_PROT_WRITE
          ? (t.prot & VM_PROT_WRITE) !== 0 && t.modified
          : (t.prot & VM_PROT_READ) !== 0 && t.referenced;
        if (ok) return t.pa;
      }
      if (attempt === 0 && vmFault(this.map, va, access, true) !== "ok") return undefined;
    }
    return undefined;
  }

  private inRange(va: number, len: number): boolean {
    return Number.isSafeInteger(va) && va >= 0 && len >= 0 && va + len <= this.map.maxAddress;
  }

  /** Visits [va, va + len) page by page with the physical address of each chunk; false on a fault. */
  private each(va: number, len: number, access: number, fn: (pa: number, done: number, n: number) => void): boolean {
    if (len === 0) return true;
    if (!this.inRange(va, len)) return false;
    let done = 0;
    while (done < len) {
      const a = va + done;
      const n = Math.min(len - done, PAGE_SIZE - (a % PAGE_SIZE));
      const pa = this.translate(a, access);
      if (pa === undefined) return false;
      fn(pa, done, n);
      done += n;
    }
    return true;
  }

  /** Copies len bytes in from user va; undefined on a fault. */
  copyin(va: number, len: number): Uint8Array | undefined {
    const out = new Uint8Array(len);
    const ok = this.each(va, len, VM_PROT_READ, (pa, done, n) => out.set(this.machine.phys(pa, n), done));
    return ok ? out : undefined;
  }

  /** Copies bytes out to user va; false on a fault (bytes before the faulting page may have been written). */
  copyout(va: number, bytes: Uint8Array): boolean {
    return this.each(va, bytes.length, VM_PROT_WRITE,
      (pa, done, n) => this.machine.phys(pa, n).set(bytes.subarray(done, done + n)));
  }

  /** Copies bytes out until the first fault; returns how many bytes were written (Linux's short copy). */
  copyoutPartial(va: number, bytes: Uint8Array): number {
    let written = 0;
    for (let done = 0; done < bytes.length;) {
      const a = va + done;
      const n = Math.min(bytes.length - done, PAGE_SIZE - (a % PAGE_SIZE));
      if (!this.inRange(a, n)) break;
      const pa = this.translate(a, VM_PROT_WRITE);
      if (pa === undefined) break;
      this.machine.phys(pa, n).set(bytes.subarray(done, done + n));
      done += n;
      written = done;
    }
    return written;
  }

  /** Checks that [va, va + len) is writable user memory (faulting it in), without writing. */
  writable(va: number, len: number): boolean { return this.each(va, len, VM_PROT_WRITE, () => {}); }

  /**
   * Reads a NUL-terminated string of at most `max` bytes (terminator included). Returns the bytes without the NUL,
   * "fault", or "toolong" when no NUL appears within max bytes.
   */
  copyinString(va: number, max: number): Uint8Array | "fault" | "toolong" {
    const parts: Uint8Array[] = [];
    let total = 0;
    while (total < max) {
      const a = va + total;
      const n = Math.min(max - total, PAGE_SIZE - (a % PAGE_SIZE));
      if (!this.inRange(a, 1)) return "fault";
      const pa = this.translate(a, VM_PROT_READ);
      if (pa === undefined) return "fault";
      const chunk = this.machine.phys(pa, Math.min(n, this.map.maxAddress - a));
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        parts.push(chunk.slice(0, nul));
        total += nul;
        return concat(parts, total);
      }
      parts.push(chunk.slice());
      total += chunk.length;
    }
    return "toolong";
  }

  /** Reads bytes that are already mapped and readable, without faulting (for tracing); undefined otherwise. */
  peek(va: number, len: number): Uint8Array | undefined {
    if (!this.inRange(va, len)) return undefined;
    const out = new Uint8Array(len);
    for (let done = 0; done < len;) {
      const a = va + done;
      const n = Math.min(len - done, PAGE_SIZE - (a % PAGE_SIZE));
      const t = this.map.pmap.extract(a);
      if (!t || (t.prot & VM_PROT_READ) === 0) return undefined;
      out.set(this.machine.phys(t.pa, n), done);
      done += n;
    }
    return out;
  }

  /** Like peek for a NUL-terminated string of at most max bytes. */
  peekString(va: number, max: number): { bytes: Uint8Array; truncated: boolean } | undefined {
    const parts: number[] = [];
    for (let i = 0; i < max; i++) {
      if (!this.inRange(va + i, 1)) return undefined;
      const t = this.map.pmap.extract(va + i);
      if (!t || (t.prot & VM_PROT_READ) === 0) return undefined;
      const b = this.machine.phys(t.pa, 1)[0]!;
      if (b === 0) return { bytes: Uint8Array.from(parts), truncated: false };
      parts.push(b);
    }
    return { bytes: Uint8Array.from(parts), truncated: true };
  }

  readU64(va: number): bigint | undefined {
    const b = this.copyin(va, 8);
    return b ? new DataView(b.buffer).getBigUint64(0, true) : undefined;
  }

  writeU64(va: number, v: bigint): boolean {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    return this.copyout(va, b);
  }

  readU32(va: number): number | undefined {
    const b = this.copyin(va, 4);
    return b ? new DataView(b.buffer).getUint32(0, true) : undefined;
  }

  writeU32(va: number, v: number): boolean {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    return this.copyout(va, b);
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
