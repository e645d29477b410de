// Memory-management system calls on top of the machine-independent VM: brk, mmap, munmap, mprotect, madvise,
// msync, mincore. Argument checks and return values follow Linux (mm/mmap.c, mm/mprotect.c, mm/madvise.c, mm/msync.c).
// A file mapping maps the file's VM object (fs/vnode_pager.ts): MAP_SHARED directly, MAP_PRIVATE as a needs-copy
// entry that gets a shadow object on its first write, so the file never sees private stores.

import { MAX_MAP_COUNT, VmMapEntry } from "../vm/vm_map.js";
import { vmMapPopulate } from "../vm/vm_fault.js";
import { vmMapRewire, vmMapWire } from "../vm/vm_wire.js";
import { chainPlace, madviseCold, madvisePageout, madviseWillneed } from "../vm/vm_residency.js";
import { PAGE_SIZE, VM_PROT_ALL, isPageAligned, roundPage, truncPage } from "../vm/vm_prot.js";
import type { Task } from "../kern/task.js";
import { addr, int, size } from "./args.js";
import { EACCES, EAGAIN, EBADF, EBUSY, EEXIST, EFAULT, EINVAL, ENODEV, ENOMEM, EOPNOTSUPP, EOVERFLOW, EPERM } from "../sys/errno.js";
import { MLOCK_SYSCALLS, canLock, lockFits } from "./sys_mlock.js";
import { VnodeFile } from "../fs/file.js";
import { fileTable } from "./files.js";
import { FileCopyPager, VnodePager } from "../fs/vnode_pager.js";
import { MAX_FILE_SIZE } from "../fs/vnode.js";
import type { VmMap } from "../vm/vm_map.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

export const PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_SEM = 8;
export const PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
export const MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0F;
export const MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_GROWSDOWN = 0x100, MAP_DENYWRITE = 0x800,
  MAP_EXECUTABLE = 0x1000, MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000,
  MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000, MAP_HUGETLB = 0x40000, MAP_SYNC = 0x80000,
  MAP_FIXED_NOREPLACE = 0x100000;
export const MAP_UNINITIALIZED = 0x4000000;
/** Flags MAP_SHARED_VALIDATE accepts (Linux LEGACY_MAP_MASK; MAP_SYNC would need a DAX file). */
const LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE |
  MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK |
  MAP_HUGETLB;

export const MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;

export const MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3, MADV_DONTNEED = 4,
  MADV_FREE = 8, MADV_REMOVE = 9, MADV_DONTFORK = 10, MADV_DOFORK = 11, MADV_MERGEABLE = 12,
  MADV_UNMERGEABLE = 13, MADV_HUGEPAGE = 14, MADV_NOHUGEPAGE = 15, MADV_DONTDUMP = 16, MADV_DODUMP = 17,
  MADV_WIPEONFORK = 18, MADV_KEEPONFORK = 19, MADV_COLD = 20, MADV_PAGEOUT = 21;
const KNOWN_ADVICE = new Set([MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE,
  MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
  MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT]);

/** Maps fresh anonymous zero-fill memory at [start, start + len) (the range must be free). */
export function mapAnonymous(task: Task, start: number, len: number, prot: number, shared: boolean, name: string): void {
  const obj = task.map.vm.objectAllocate(len);
  obj.shared = shared;
  task.map.insert(new VmMapEntry(start, start + len, obj, 0, prot & VM_PROT_ALL, VM_PROT_ALL,
    shared ? "share" : "copy", false, name));
}

/**
 * Linux's default overcommit heuristic (OVERCOMMIT_GUESS, mm/util.c __vm_enough_memory): one request for more
 * committed memory than the whole of RAM and swap fails with ENOMEM at once instead of at the first touch.
 */
function exceedsRam(task: Task, bytes: number): boolean {
  const vm = task.map.vm;
  return bytes > vm.phys.ramBytes + (vm.swapPager?.slots ?? 0) * PAGE_SIZE;
}

function sysBrk(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = ctx.task;
  const want = addr(a[0]!);
  if (want < t.brkStart) return t.brk;
  const oldEnd = roundPage(t.brk), newEnd = roundPage(want);
  if (newEnd === oldEnd) { t.brk = want; return t.brk; }
  if (newEnd < oldEnd) {
    t.map.remove(newEnd, oldEnd);
    t.brk = want;
    return t.brk;
  }
  // Growing: the new pages and a guard page above them must be free.
  if (newEnd > t.map.maxAddress || !t.map.isFree(oldEnd, Math.min(newEnd + PAGE_SIZE, t.map.maxAddress))) return t.brk;
  if (exceedsRam(t, newEnd - oldEnd)) return t.brk;
  if (t.map.lockFuture && !lockFits(t, newEnd - oldEnd)) return t.brk;   // mlockall(MCL_FUTURE): the heap is locked too
  mapAnonymous(t, oldEnd, newEnd - oldEnd, PROT_READ | PROT_WRITE, false, "[heap]");
  lockNew(t, oldEnd, newEnd, false);
  t.map.simplify(oldEnd - PAGE_SIZE, newEnd);
  t.brk = want;
  return t.brk;
}

/**
 * Locks a new mapping made under MAP_LOCKED or mlockall(MCL_FUTURE) and faults it in, unless the lock is on-fault
 * (MCL_ONFAULT). Pages that cannot be provided are left for later (mm_populate ignores errors).
 */
function lockNew(t: Task, start: number, end: number, mapLocked: boolean): void {
  const future = t.map.lockFuture;
  if (!mapLocked && !future) return;
  vmMapWire(t.map, start, end, future?.onFault ?? false);
}

/** The file's pager if the entry maps a file's object itself (shared, or private before its first write). */
function filePager(e: VmMapEntry): VnodePager | undefined {
  const p = e.object?.pager;
  return p instanceof VnodePager ? p : undefined;
}

/**
 * Returns the pages of shared file mappings in [start, end) to their files (data_return); with `flush` also
 * drops them so that the next access reads the file again (MS_INVALIDATE).
 */
function cleanFileMappings(map: VmMap, start: number, end: number, flush = false): void {
  for (const e of map.overlapping(start, end)) {
    const pager = filePager(e);
    if (!pager) continue;
    const s = e.offset + (Math.max(start, e.start) - e.start), f = e.offset + (Math.min(end, e.end) - e.start);
    if (flush) pager.flush(s, f); else pager.clean(s, f);
  }
}

/** Unmaps [start, end), writing shared file pages back first (munmap, and MAP_FIXED replacing a mapping). */
function unmapRange(map: VmMap, start: number, end: number): void {
  cleanFileMappings(map, start, end);
  map.remove(start, end);
}

/** What a file descriptor may be mapped as: the file's object and maximum protection, or a negative errno. */
function fileMapping(t: Task, fd: number, shared: boolean, prot: number): { open: VnodeFile; maxProt: number } | { anonymous: number } | number {
  const f = fileTable(t).get(fd);
  if (!f) return -EBADF;
  if (shared && (prot & PROT_WRITE) && !f.writable) return -EACCES;
  if (!f.readable) return -EACCES;
  // /dev/zero: anonymous memory, which a shared mapping of a read-only descriptor may never make writable.
  if (f instanceof VnodeFile && f.node.type === "chr" && f.node.mapsAnonymous) return { anonymous: shared && !f.writable ? VM_PROT_ALL & ~PROT_WRITE : VM_PROT_ALL };
  if (!(f instanceof VnodeFile) || f.node.type !== "reg") return -ENODEV;
  // Without translation one frame cannot appear at two addresses, which sharing a file's pages needs: as on
  // NOMMU Linux, shared file mappings are refused and private ones are copies (FileCopyPager).
  if (shared && t.map.vm.identity) return -ENODEV;
  return { open: f, maxProt: shared && !f.writable ? VM_PROT_ALL & ~PROT_WRITE : VM_PROT_ALL };
}

function sysMmap(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = ctx.task, map = t.map;
  const hint = addr(a[0]!), len0 = size(a[1]!), prot = int(a[2]!), flags = int(a[3]!), fd = int(a[4]!);
  const off = BigInt.asUintN(64, a[5]!);
  if (off % BigInt(PAGE_SIZE) !== 0n) return -EINVAL;
  const anonymous = (flags & MAP_ANONYMOUS) !== 0;
  if (!anonymous && !fileTable(t).get(fd)) return -EBADF;
  if (len0 === 0) return -EINVAL;
  const len = roundPage(len0);
  if (len > map.maxAddress - map.minAddress) return -ENOMEM;
  if (map.entries.length > MAX_MAP_COUNT) return -ENOMEM;   // do_mmap: mm->map_count > sysctl_max_map_count
  if (!anonymous && off + BigInt(len) > BigInt(MAX_FILE_SIZE)) return -EOVERFLOW;
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return -EINVAL;
  if (type === MAP_SHARED_VALIDATE && (flags & ~LEGACY_MAP_MASK) !== 0) return -EOPNOTSUPP;
  const shared = type !== MAP_PRIVATE;
  const mapping = anonymous ? undefined : fileMapping(t, fd, shared, prot);
  if (typeof mapping === "number") return mapping;
  const file = mapping && "anonymous" in mapping ? undefined : mapping;
  if ((prot & PROT_WRITE) && !(flags & MAP_NORESERVE) && !(file && shared) && exceedsRam(t, len)) return -ENOMEM;
  // do_mmap: MAP_LOCKED needs the right to lock at all, and a locked mapping must fit under RLIMIT_MEMLOCK.
  const locked = (flags & MAP_LOCKED) !== 0;
  if (locked && !canLock(t)) return -EPERM;
  if ((locked || map.lockFuture) && !lockFits(t, len)) return -EAGAIN;
  let start: number;
  if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
    if (!isPageAligned(hint)) return -EINVAL;
    if (hint > map.maxAddress - len) return -ENOMEM;
    if (hint < map.minAddress) return -EPERM;
    if (!(flags & MAP_FIXED) && !map.isFree(hint, hint + len)) return -EEXIST;
    start = hint;
    unmapRange(map, start, start + len);
  } else {
    const found = map.findSpace(len, truncPage(hint), t.layout.mmapBase);
    if (found === undefined) return -ENOMEM;
    start = found;
  }
  if (file) {
    const node = file.open.node;
    if (node.type !== "reg") return -ENODEV;
    const stats = fileTable(t).fs.pagerStats;
    if (map.vm.identity) {
      const copy = map.vm.objectAllocate(len, new FileCopyPager(node, Number(off), stats));
      map.insert(new VmMapEntry(start, start + len, copy, 0, prot & VM_PROT_ALL, file.maxProt, "copy", false,
        `[copy of file ${node.ino}]`));
      vmMapPopulate(map, start, start + len);   // nothing faults without an MMU: copy now, as NOMMU Linux does
    } else {
      const obj = VnodePager.objectFor(map.vm, node, stats);
      if (shared) obj.shared = true;   // stores through it are seen by every task mapping it (never copied at fork)
      map.insert(new VmMapEntry(start, start + len, obj, Number(off), prot & VM_PROT_ALL, file.maxProt,
        shared ? "share" : "copy", !shared, `[file ${node.ino}]`));
    }
  } else {
    mapAnonymous(t, start, len, prot, shared, "[anon]");
    if (mapping && "anonymous" in mapping) map.lookup(start)!.maxProtection = mapping.anonymous;
    if (flags & MAP_GROWSDOWN) map.lookup(start)!.growsDown = true;   // VM_GROWSDOWN
  }
  if (locked || map.lockFuture) lockNew(t, start, start + len, locked);
  else if (flags & MAP_POPULATE) vmMapPopulate(map, start, start + len);
  return start;
}

function sysMunmap(ctx: SyscallContext, a: readonly bigint[]): number {
  const map = ctx.task.map;
  const start = addr(a[0]!), len0 = size(a[1]!);
  if (!isPageAligned(start) || len0 === 0) return -EINVAL;
  const len = roundPage(len0);
  if (start > map.maxAddress || len > map.maxAddress - start) return -EINVAL;
  unmapRange(map, start, start + len);
  return 0;
}

/**
 * msync: MS_SYNC and MS_ASYNC return shared file pages to the file (Linux's MS_ASYNC leaves that to writeback;
 * here it happens at once, which no guest can tell apart), MS_INVALIDATE then drops them so they are read again.
 * Private pages are never written back. A hole in the range is ENOMEM after the mapped parts are done.
 */
function sysMsync(ctx: SyscallContext, a: readonly bigint[]): number {
  const map = ctx.task.map;
  const start = addr(a[0]!), len0 = size(a[1]!), flags = int(a[2]!);
  if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -EINVAL;
  if (!isPageAligned(start)) return -EINVAL;
  if ((flags & MS_ASYNC) && (flags & MS_SYNC)) return -EINVAL;
  const end = start + roundPage(len0);
  if (end < start || end > Number.MAX_SAFE_INTEGER) return -ENOMEM;
  if (end === start) return 0;
  // mm/msync.c walks the mappings in order: a hole is remembered as ENOMEM, MS_INVALIDATE on a locked mapping
  // stops the walk with EBUSY (its pages cannot be dropped), the parts before it already done.
  const invalidate = (flags & MS_INVALIDATE) !== 0;
  let at = start, hole = false;
  for (const e of map.overlapping(start, end)) {
    if (e.start > at) hole = true;
    if (invalidate && e.wiring) return -EBUSY;
    cleanFileMappings(map, Math.max(start, e.start), Math.min(end, e.end), invalidate);
    at = e.end;
  }
  return hole || at < end ? -ENOMEM : 0;
}

function sysMprotect(ctx: SyscallContext, a: readonly bigint[]): number {
  const map = ctx.task.map;
  const start = addr(a[0]!), len0 = size(a[1]!);
  let prot = int(a[2]!);
  if (!isPageAligned(start)) return -EINVAL;
  if ((prot & (PROT_GROWSDOWN | PROT_GROWSUP)) === (PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) return -EINVAL;
  if (len0 === 0) return 0;
  const len = roundPage(len0);
  if (len === 0 || start + len > Number.MAX_SAFE_INTEGER) return -ENOMEM;
  // A locked private mapping that becomes writable gets its own copies now (mprotect_fixup populates it), so
  // its wired pages stay its own through the writes to come.
  const gaining = (prot & PROT_WRITE) ? map.overlapping(start, start + len)
    .filter((e) => e.wiring && !e.wiring.onFault && !(e.protection & PROT_WRITE) && anonymousOrFilePrivate(e)) : [];
  const r = map.protect(start, start + len, prot & VM_PROT_ALL);
  if (r === "ok" && gaining.length > 0) vmMapRewire(map, start, start + len);
  return r === "ok" ? 0 : r === "no-entry" ? -ENOMEM : -EACCES;
}

/** Private memory, anonymous or a file's (copy-on-write): not shared. */
function anonymousOrFilePrivate(e: VmMapEntry): boolean { return e.inheritance !== "share" && !e.object?.shared; }

function sysMadvise(ctx: SyscallContext, a: readonly bigint[]): number {
  const map = ctx.task.map;
  const start = addr(a[0]!), len0 = size(a[1]!), advice = int(a[2]!);
  if (!KNOWN_ADVICE.has(advice)) return -EINVAL;
  if (!isPageAligned(start)) return -EINVAL;
  const len = roundPage(len0);
  if (len0 !== 0 && len === 0) return -EINVAL;
  if (len === 0) return 0;
  const end = start + len;
  const covered = map.overlapping(start, end);
  if (advice === MADV_DONTNEED || advice === MADV_FREE || advice === MADV_REMOVE) {
    // Locked pages cannot be discarded (madvise_dontneed_free_valid_vma): EINVAL at the first locked mapping.
    const firstLocked = covered.find((e) => e.wiring);
    if (firstLocked) {
      if (advice !== MADV_REMOVE && firstLocked.start > start) map.dontneed(start, firstLocked.start);
      return -EINVAL;
    }
  }
  if (advice === MADV_WIPEONFORK && covered.some((e) => !anonymousPrivate(e))) return -EINVAL;   // anonymous private only
  // Locked memory cannot be aged or paged out (mm/madvise.c can_madv_lru_vma): EINVAL.
  if ((advice === MADV_COLD || advice === MADV_PAGEOUT) && covered.some((e) => e.wiring)) return -EINVAL;
  if (advice === MADV_PAGEOUT) madvisePageout(map, start, end);
  if (advice === MADV_COLD) madviseCold(map, start, end);
  if (advice === MADV_WILLNEED) madviseWillneed(map, start, end);
  if (advice === MADV_DONTNEED || advice === MADV_FREE) map.dontneed(start, end);
  if (advice === MADV_WIPEONFORK || advice === MADV_KEEPONFORK) map.setWipeOnFork(start, end, advice === MADV_WIPEONFORK);
  if (advice === MADV_DONTFORK) map.setInheritance(start, end, "none");
  if (advice === MADV_DOFORK) map.setInheritance(start, end, (e) => (e.object?.shared && !e.needsCopy ? "share" : "copy"));
  let at = start;
  for (const e of covered) { if (e.start > at) return -ENOMEM; at = e.end; }
  return at < end ? -ENOMEM : 0;
}

export const MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;

/** Whether two neighbouring entries belong to one Linux VMA (same rights, sharing, lock and name). */
function sameVma(a: VmMapEntry, b: VmMapEntry): boolean {
  return a.end === b.start && a.protection === b.protection && a.maxProtection === b.maxProtection &&
    a.inheritance === b.inheritance && (a.wiring === null) === (b.wiring === null) && a.name === b.name &&
    (a.object?.shared ?? false) === (b.object?.shared ?? false);
}

/** The end of the VMA holding va: the run of entries from va's that sameVma joins. */
function vmaEnd(map: VmMap, e: VmMapEntry): number {
  let last = e;
  for (;;) {
    const next = map.lookup(last.end);
    if (!next || !sameVma(last, next)) return last.end;
    last = next;
  }
}

/** Anonymous private memory: no pager anywhere below, not shared. */
function anonymousPrivate(e: VmMapEntry): boolean {
  if (e.inheritance === "share" || e.object?.shared) return false;
  for (let o = e.object; o; o = o.shadow) if (o.pager) return false;
  return true;
}

/**
 * mm/mremap.c's vma_to_resize: may [old, old + oldLen) become newLen bytes? Returns the entry at old or an errno.
 * A zero oldLen asks to duplicate a shared mapping (private ones: EINVAL); the old range must lie in one VMA
 * (EFAULT); a locked mapping may only grow within RLIMIT_MEMLOCK (EAGAIN).
 */
function vmaToResize(t: Task, old: number, oldLen: number, newLen: number, flags: number): VmMapEntry | number {
  const e = t.map.lookup(old);
  if (!e) return -EFAULT;
  const shared = e.inheritance === "share" || (e.object?.shared ?? false);
  if (oldLen === 0 && !shared) return -EINVAL;
  // MREMAP_DONTUNMAP moves anonymous private memory only (Linux 5.7's rule; the old range stays mapped, empty).
  if ((flags & MREMAP_DONTUNMAP) && !anonymousPrivate(e)) return -EINVAL;
  if (oldLen > vmaEnd(t.map, e) - old) return -EFAULT;
  if (newLen === oldLen) return e;
  if (e.wiring && !lockFits(t, newLen - oldLen)) return -EAGAIN;
  if ((e.protection & PROT_WRITE) && !shared && exceedsRam(t, newLen - oldLen)) return -ENOMEM;
  return e;
}

/**
 * move_vma: the mapping of [old, old + oldLen) moves to dst with its objects and pages (mapped again there) and
 * grows to newLen. The old range is unmapped, or with MREMAP_DONTUNMAP stays mapped with no pages (a fresh
 * anonymous entry, unlocked: Linux clears VM_LOCKED on it). A zero oldLen duplicates a shared mapping instead.
 */
function moveVma(t: Task, e: VmMapEntry, old: number, oldLen: number, newLen: number, dst: number, flags: number): number {
  const map = t.map;
  if (oldLen === 0) {
    const obj = e.object ?? (e.object = map.vm.objectAllocate(e.size));
    map.vm.objectReference(obj);
    obj.oneMapping = false;
    map.insert(new VmMapEntry(dst, dst + newLen, obj, e.offset + (old - e.start), e.protection, e.maxProtection,
      e.inheritance, false, e.name));
    return dst;
  }
  const wired = e.wiring !== null;
  cleanFileMappings(map, old, old + oldLen);
  const moved = map.move(old, oldLen, dst);
  if (flags & MREMAP_DONTUNMAP) {
    const first = moved[0]!;
    map.insert(new VmMapEntry(old, old + oldLen, null, 0, first.protection, first.maxProtection, first.inheritance,
      false, first.name));
    map.simplify(old, old + oldLen);
  }
  if (newLen > oldLen) map.grow(dst + oldLen, newLen - oldLen);
  if (wired) vmMapRewire(map, dst, dst + newLen);
  return dst;
}

/** A size_t length rounded up to pages as PAGE_ALIGN does: wrapping to 0 near 2^64. */
function pageAlignLength(v: bigint): number {
  const r = BigInt.asUintN(64, (BigInt.asUintN(64, v) + BigInt(PAGE_SIZE - 1)) & ~BigInt(PAGE_SIZE - 1));
  return r > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(r);
}

/** mremap(old, oldLen, newLen, flags, newAddr) as mm/mremap.c's do_mremap and mremap_to. */
function sysMremap(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = ctx.task, map = t.map;
  const old = addr(a[0]!), flagsWide = BigInt.asUintN(64, a[3]!), newAddr = addr(a[4]!);
  if (flagsWide & ~BigInt(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return -EINVAL;
  const flags = Number(flagsWide);
  if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) return -EINVAL;
  // MREMAP_DONTUNMAP is always a move and never a resize (the lengths compared before rounding, as Linux does).
  if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || BigInt.asUintN(64, a[1]!) !== BigInt.asUintN(64, a[2]!))) {
    return -EINVAL;
  }
  if (!isPageAligned(old)) return -EINVAL;
  let oldLen = pageAlignLength(a[1]!);
  const newLen = pageAlignLength(a[2]!);
  if (newLen === 0) return -EINVAL;
  if (!map.lookup(old)) return -EFAULT;
  // Without translation nothing can move and a mapping cannot grow past its region (mm/nommu.c's do_mremap).
  if (map.vm.identity && (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))) return -EINVAL;
  if (map.vm.identity && newLen > oldLen) return -ENOMEM;
  if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
    // mremap_to
    if (!isPageAligned(newAddr)) return -EINVAL;
    if (newLen > map.maxAddress || newAddr > map.maxAddress - newLen) return -EINVAL;
    if (old + oldLen > newAddr && newAddr + newLen > old) return -EINVAL;   // the ranges may not overlap
    if (flags & MREMAP_FIXED) {
      if (newAddr < map.minAddress) return -EPERM;
      unmapRange(map, newAddr, newAddr + newLen);
    }
    if (oldLen > newLen) {
      unmapRange(map, old + newLen, old + oldLen);
      oldLen = newLen;
    }
    const e = vmaToResize(t, old, oldLen, newLen, flags);
    if (typeof e === "number") return e;
    if ((flags & MREMAP_DONTUNMAP) && e.wiring && !lockFits(t, oldLen)) return -EAGAIN;
    let dst = newAddr;
    if (!(flags & MREMAP_FIXED)) {
      const found = map.findSpace(newLen, newAddr, t.layout.mmapBase);
      if (found === undefined) return -ENOMEM;
      dst = found;
    }
    return moveVma(t, e, old, oldLen, newLen, dst, flags);
  }
  // Shrinking (or keeping the size) always works in place: it only unmaps the tail.
  if (oldLen >= newLen) {
    if (old + oldLen > map.maxAddress) return -EINVAL;
    unmapRange(map, old + newLen, old + oldLen);
    return old;
  }
  const e = vmaToResize(t, old, oldLen, newLen, flags);
  if (typeof e === "number") return e;
  // Growing in place when the old range ends its mapping and the pages after it are free (vma_expandable).
  if (old + oldLen === vmaEnd(map, e) && newLen - oldLen <= map.maxAddress - (old + oldLen) &&
      map.isFree(old + oldLen, old + newLen)) {
    const grown = map.grow(old + oldLen, newLen - oldLen);
    if (grown.wiring) vmMapRewire(map, old + oldLen, old + newLen);
    return old;
  }
  if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
  const dst = map.findSpace(newLen, 0, t.layout.mmapBase);
  if (dst === undefined) return -ENOMEM;
  return moveVma(t, e, old, oldLen, newLen, dst, flags);
}

/**
 * Whether the page at va of entry e is resident, as Linux's mincore reports it: a present translation (which is
 * how Linux sees anonymous pages, the shared zero page included), or a resident page in the entry's object chain
 * (the page cache of a file, or anonymous pages whose translation the pmap, a discardable cache, has dropped). A
 * page on swap is not resident (Linux counts its swap cache; this kernel keeps none apart from resident pages).
 */
function resident(task: Task, e: VmMapEntry, va: number): boolean {
  if (task.map.pmap.extract(va) !== undefined) return true;
  return chainPlace(e, va)?.page !== undefined;   // a page on swap hides the objects below it: not resident
}

/**
 * mincore(start, len, vec) as mm/mincore.c: start page aligned (EINVAL), the range inside user space (ENOMEM), vec
 * inside user space for one byte per page (EFAULT); then entry by entry, each entry's bytes copied out before the next is
 * looked up, so a hole gives ENOMEM after the bytes of the pages before it.
 */
function sysMincore(ctx: SyscallContext, a: readonly bigint[]): number {
  const task = ctx.task, map = task.map;
  const start = a[0]!, len = a[1]!, vec = a[2]!;
  if ((start & BigInt(PAGE_SIZE - 1)) !== 0n) return -EINVAL;
  if (start + len > BigInt(map.maxAddress) || start + len < start) return -ENOMEM;
  const pages = Number((len + BigInt(PAGE_SIZE - 1)) / BigInt(PAGE_SIZE));
  if (pages === 0) return 0;
  if (vec + BigInt(pages) > BigInt(map.maxAddress)) return -EFAULT;   // access_ok; the copy-out faults later
  let va = Number(start), out = Number(vec), left = pages;
  while (left > 0) {
    const e = map.lookup(va);
    if (!e) return -ENOMEM;
    const n = Math.min(left, (e.end - va) / PAGE_SIZE);
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = resident(task, e, va + i * PAGE_SIZE) ? 1 : 0;
    if (!task.um.copyout(out, bytes)) return -EFAULT;
    va += n * PAGE_SIZE; out += n; left -= n;
  }
  return 0;
}

export const MMAN_SYSCALLS: Record<number, SyscallDef> = {
  214: { name: "brk", args: ["x"], hexResult: true, fn: sysBrk },
  215: { name: "munmap", args: ["x", "u"], fn: sysMunmap },
  222: { name: "mmap", args: ["x", "u", "x", "x", "i", "x"], hexResult: true, fn: sysMmap },
  226: { name: "mprotect", args: ["x", "u", "x"], fn: sysMprotect },
  227: { name: "msync", args: ["x", "u", "x"], fn: sysMsync },
  232: { name: "mincore", args: ["x", "u", "x"], fn: sysMincore },
  216: { name: "mremap", args: ["x", "u", "u", "x", "x"], hexResult: true, fn: sysMremap },
  233: { name: "madvise", args: ["x", "u", "i"], fn: sysMadvise },
  ...MLOCK_SYSCALLS,
};
