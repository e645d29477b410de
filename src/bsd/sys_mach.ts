// Mach virtual-memory calls (mach_vm.md §1; guest/include/mach.h) on system-call numbers from 0x1000, above
// Linux's table: vm_allocate, vm_deallocate, vm_protect (current or maximum), vm_inherit, vm_read, vm_write,
// vm_copy, vm_region and mach_task_self. They return kern_return_t codes, not −errno. A task port name is the
// task's pid (any live task may be named). Copies of page-aligned ranges are virtual: the destination maps the
// source's objects copy-on-write (VmMap.copyRange), so their cost is in page references, not bytes.

import type { Task } from "../kern/task.js";
import { VmMapEntry, type VmMap } from "../vm/vm_map.js";
import { type Inheritance, VM_PROT_ALL, VM_PROT_READ, VM_PROT_WRITE, isPageAligned, roundPage, truncPage } from "../vm/vm_prot.js";
import { addr, int, size } from "./args.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

export const MACH_SYSCALL_BASE = 0x1000;
export const KERN_SUCCESS = 0, KERN_INVALID_ADDRESS = 1, KERN_PROTECTION_FAILURE = 2, KERN_NO_SPACE = 3,
  KERN_INVALID_ARGUMENT = 4;
export const VM_INHERIT_SHARE = 0, VM_INHERIT_COPY = 1, VM_INHERIT_NONE = 2;
const INHERIT: Inheritance[] = ["share", "copy", "none"];
const REGION_INFO_SIZE = 24;

/** The task a port name designates, or undefined. */
function taskOf(ctx: SyscallContext, port: bigint): Task | undefined {
  const t = ctx.procs.byPid.get(Number(BigInt.asUintN(32, port)));
  return t && t.state !== "zombie" ? t : undefined;
}

/** [trunc(address), round(address + size)) inside the map, or undefined when it leaves the address space. */
function pageRange(map: VmMap, address: number, len: number): { start: number; end: number } | undefined {
  const start = truncPage(address), end = roundPage(address + len);
  if (!Number.isSafeInteger(address + len) || start < map.minAddress || end > map.maxAddress) return undefined;
  return { start, end };
}

/** Whether every entry over [start, end) has `prot`: success, or the kern_return_t of the failure. */
function checkRange(map: VmMap, start: number, end: number, prot: number): number {
  if (!map.covered(start, end)) return KERN_INVALID_ADDRESS;
  return map.overlapping(start, end).every((e) => (e.protection & prot) === prot) ? KERN_SUCCESS : KERN_PROTECTION_FAILURE;
}

/**
 * Copies len bytes from src in srcTask to dst in dstTask: by reference when everything is page aligned, else
 * byte by byte (counted in copiedBytes). The caller has checked both ranges.
 */
function copyMemory(srcTask: Task, src: number, len: number, dstTask: Task, dst: number): number {
  const vm = srcTask.map.vm;
  if (isPageAligned(src) && isPageAligned(dst) && isPageAligned(len)) {
    srcTask.map.copyRange(src, len, dstTask.map, dst);
    return KERN_SUCCESS;
  }
  const bytes = srcTask.um.copyin(src, len);
  if (!bytes || !dstTask.um.copyout(dst, bytes)) return KERN_INVALID_ADDRESS;
  vm.stats.copiedBytes += len;
  return KERN_SUCCESS;
}

function vmAllocate(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = taskOf(ctx, a[0]!);
  if (!t) return KERN_INVALID_ARGUMENT;
  const addrp = addr(a[1]!), len = roundPage(size(a[2]!)), anywhere = int(a[3]!) !== 0;
  const at = ctx.task.um.readU64(addrp);
  if (at === undefined) return KERN_INVALID_ARGUMENT;
  if (len === 0) return ctx.task.um.writeU64(addrp, 0n) ? KERN_SUCCESS : KERN_INVALID_ARGUMENT;
  const map = t.map;
  let start: number;
  if (anywhere) {
    const found = len <= map.maxAddress - map.minAddress ? map.findSpace(len, 0, t.layout.mmapBase) : undefined;
    if (found === undefined) return KERN_NO_SPACE;
    start = found;
  } else {
    const r = at <= BigInt(Number.MAX_SAFE_INTEGER) ? pageRange(map, Number(at), len) : undefined;
    if (!r) return KERN_INVALID_ADDRESS;
    if (!map.isFree(r.start, r.start + len)) return KERN_NO_SPACE;
    start = r.start;
  }
  map.insert(new VmMapEntry(start, start + len, null, 0, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL, "copy", false, "[vm_allocate]"));
  if (!ctx.task.um.writeU64(addrp, BigInt(start))) {
    map.remove(start, start + len);
    return KERN_INVALID_ARGUMENT;
  }
  return KERN_SUCCESS;
}

function vmDeallocate(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = taskOf(ctx, a[0]!);
  if (!t) return KERN_INVALID_ARGUMENT;
  const len = size(a[2]!);
  if (len === 0) return KERN_SUCCESS;
  const r = pageRange(t.map, addr(a[1]!), len);
  if (!r) return KERN_INVALID_ADDRESS;
  t.map.remove(r.start, r.end);
  return KERN_SUCCESS;
}

function vmProtect(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = taskOf(ctx, a[0]!);
  if (!t) return KERN_INVALID_ARGUMENT;
  const setMax = int(a[3]!) !== 0, prot = int(a[4]!);
  if (prot & ~VM_PROT_ALL) return KERN_INVALID_ARGUMENT;
  const len = size(a[2]!);
  if (len === 0) return KERN_SUCCESS;
  const r = pageRange(t.map, addr(a[1]!), len);
  if (!r || !t.map.covered(r.start, r.end)) return KERN_INVALID_ADDRESS;
  // The maximum can only be lowered; the current protection never exceeds it.
  if (t.map.overlapping(r.start, r.end).some((e) => (prot & ~e.maxProtection) !== 0)) return KERN_PROTECTION_FAILURE;
  return t.map.protect(r.start, r.end, prot, setMax) === "ok" ? KERN_SUCCESS : KERN_PROTECTION_FAILURE;
}

function vmInherit(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = taskOf(ctx, a[0]!);
  if (!t) return KERN_INVALID_ARGUMENT;
  const inh = INHERIT[int(a[3]!)];
  if (inh === undefined) return KERN_INVALID_ARGUMENT;
  const len = size(a[2]!);
  if (len === 0) return KERN_SUCCESS;
  const r = pageRange(t.map, addr(a[1]!), len);
  if (!r) return KERN_INVALID_ADDRESS;
  t.map.setInheritance(r.start, r.end, inh);   // holes are skipped, as in Mach's vm_map_inherit
  return KERN_SUCCESS;
}

function vmRead(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = taskOf(ctx, a[0]!);
  if (!t) return KERN_INVALID_ARGUMENT;
  const address = addr(a[1]!), len = size(a[2]!), datap = addr(a[3]!), countp = addr(a[4]!);
  const r = pageRange(t.map, address, len);
  if (!r || len === 0) return r ? KERN_INVALID_ARGUMENT : KERN_INVALID_ADDRESS;
  const ok = checkRange(t.map, r.start, r.end, VM_PROT_READ);
  if (ok !== KERN_SUCCESS) return ok;
  const me = ctx.task, span = r.end - r.start;
  const dst = me.map.findSpace(span, 0, me.layout.mmapBase);
  if (dst === undefined) return KERN_NO_SPACE;
  me.map.insert(new VmMapEntry(dst, dst + span, null, 0, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL, "copy", false, "[vm_read]"));
  t.map.copyRange(r.start, span, me.map, dst);
  const data = dst + (address - r.start);
  if (!me.um.writeU64(datap, BigInt(data)) || !me.um.writeU64(countp, BigInt(len))) {
    me.map.remove(dst, dst + span);
    return KERN_INVALID_ARGUMENT;
  }
  return KERN_SUCCESS;
}

function vmWrite(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = taskOf(ctx, a[0]!);
  if (!t) return KERN_INVALID_ARGUMENT;
  const address = addr(a[1]!), data = addr(a[2]!), len = size(a[3]!);
  if (len === 0) return KERN_SUCCESS;
  const d = pageRange(t.map, address, len), s = pageRange(ctx.task.map, data, len);
  if (!d || !s) return KERN_INVALID_ADDRESS;
  const src = checkRange(ctx.task.map, s.start, s.end, VM_PROT_READ);
  if (src !== KERN_SUCCESS) return src === KERN_INVALID_ADDRESS ? KERN_INVALID_ARGUMENT : src;
  const dst = checkRange(t.map, d.start, d.end, VM_PROT_WRITE);
  if (dst !== KERN_SUCCESS) return dst;
  return copyMemory(ctx.task, data, len, t, address);
}

function vmCopy(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = taskOf(ctx, a[0]!);
  if (!t) return KERN_INVALID_ARGUMENT;
  const src = addr(a[1]!), len = size(a[2]!), dst = addr(a[3]!);
  if (len === 0) return KERN_SUCCESS;
  const s = pageRange(t.map, src, len), d = pageRange(t.map, dst, len);
  if (!s || !d) return KERN_INVALID_ADDRESS;
  const rs = checkRange(t.map, s.start, s.end, VM_PROT_READ);
  if (rs !== KERN_SUCCESS) return rs;
  const rd = checkRange(t.map, d.start, d.end, VM_PROT_WRITE);
  if (rd !== KERN_SUCCESS) return rd;
  return copyMemory(t, src, len, t, dst);
}

function vmRegion(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = taskOf(ctx, a[0]!);
  if (!t) return KERN_INVALID_ARGUMENT;
  const addrp = addr(a[1]!), sizep = addr(a[2]!), infop = addr(a[3]!);
  const at = ctx.task.um.readU64(addrp);
  if (at === undefined) return KERN_INVALID_ARGUMENT;
  const from = at > BigInt(t.map.maxAddress) ? t.map.maxAddress : Number(at);
  const e = t.map.overlapping(from, t.map.maxAddress)[0];
  if (!e) return KERN_INVALID_ADDRESS;
  const info = new Uint8Array(REGION_INFO_SIZE);
  const dv = new DataView(info.buffer);
  dv.setInt32(0, e.protection, true);
  dv.setInt32(4, e.maxProtection, true);
  dv.setUint32(8, INHERIT.indexOf(e.inheritance), true);
  dv.setInt32(12, e.object && (e.object.shared || !e.object.oneMapping) ? 1 : 0, true);
  dv.setBigUint64(16, BigInt(e.offset), true);
  if (!ctx.task.um.writeU64(addrp, BigInt(e.start)) || !ctx.task.um.writeU64(sizep, BigInt(e.size)) ||
      !ctx.task.um.copyout(infop, info)) return KERN_INVALID_ARGUMENT;
  return KERN_SUCCESS;
}

const B = MACH_SYSCALL_BASE;
export const MACH_SYSCALLS: Record<number, SyscallDef> = {
  [B + 0]: { name: "mach_task_self", args: [], fn: (c) => c.task.pid },
  [B + 1]: { name: "vm_allocate", args: ["i", "x", "u", "i"], fn: vmAllocate },
  [B + 2]: { name: "vm_deallocate", args: ["i", "x", "u"], fn: vmDeallocate },
  [B + 3]: { name: "vm_protect", args: ["i", "x", "u", "i", "x"], fn: vmProtect },
  [B + 4]: { name: "vm_inherit", args: ["i", "x", "u", "i"], fn: vmInherit },
  [B + 5]: { name: "vm_read", args: ["i", "x", "u", "x", "x"], fn: vmRead },
  [B + 6]: { name: "vm_write", args: ["i", "x", "x", "u"], fn: vmWrite },
  [B + 7]: { name: "vm_copy", args: ["i", "x", "u", "x"], fn: vmCopy },
  [B + 8]: { name: "vm_region", args: ["i", "x", "x", "x"], fn: vmRegion },
};

