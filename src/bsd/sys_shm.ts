// System V shared memory: shmget, shmat, shmdt, shmctl (194-197), as ipc/shm.c. A segment is a shared anonymous
// VM object of its size held by the machine's segment table; shmat maps it shared (every attaching task sees one
// memory, fork shares it), shmdt unmaps the attachment that starts at the address. IPC_RMID on an attached segment
// marks it SHM_DEST and makes its key private (no shmget finds it; its id still works); it goes, memory and id,
// once nothing maps it: the table drops it at its next use after the last detach (the mappings hold the object). The guest's single user
// owns and may use every segment its mode allows (ipcperms: owner bits).

import { VmMapEntry } from "../vm/vm_map.js";
import type { VmObject } from "../vm/vm_object.js";
import type { VmSystem } from "../vm/vm_system.js";
import { PAGE_SIZE, VM_PROT_ALL, isPageAligned, roundPage } from "../vm/vm_prot.js";
import { GUEST_GID, GUEST_UID } from "../kern/task.js";
import { addr, int } from "./args.js";
import { EACCES, EEXIST, EFAULT, EINVAL, ENOENT, ENOSPC } from "../sys/errno.js";
import { clockNs } from "./sys_time.js";
import type { SyscallContext, SyscallDef } from "./syscall.js";

export const IPC_PRIVATE = 0, IPC_CREAT = 0o1000, IPC_EXCL = 0o2000;
export const IPC_RMID = 0, IPC_SET = 1, IPC_STAT = 2, IPC_64 = 0x100;
export const SHM_RDONLY = 0o10000, SHM_RND = 0o20000, SHM_REMAP = 0o40000, SHM_EXEC = 0o100000;
/** Linux's defaults (include/uapi/linux/shm.h): SHMMIN 1 byte, SHMMAX and SHMALL nearly unlimited, SHMMNI 4096. */
const SHMMNI = 4096;
const SHMMAX = Number.MAX_SAFE_INTEGER - (1 << 24);
const SHMLBA = PAGE_SIZE;
const SEQ_MULTIPLIER = 32768;   // ipc/util.h IPCMNI: an id is seq * 32768 + index
const SHM_DEST = 0o1000;        // mode bit: removed, destroyed at the last detach

interface Segment {
  readonly id: number;
  key: number;
  readonly size: number;           // shm_segsz, as asked (the object is page rounded)
  readonly object: VmObject;
  uid: number; gid: number; mode: number;
  readonly cuid: number; readonly cgid: number; readonly cpid: number;
  lpid: number; atime: bigint; dtime: bigint; ctime: bigint;
}

/** One table per machine (an IPC namespace), keyed by the machine's VM. */
class ShmTable {
  readonly byIndex = new Map<number, Segment>();
  seq = 0;

  lookup(id: number): Segment | undefined {
    const s = this.byIndex.get(id % SEQ_MULTIPLIER);
    return s && s.id === id ? s : undefined;
  }

  freeIndex(): number | undefined {
    for (let i = 0; i < SHMMNI; i++) if (!this.byIndex.has(i)) return i;
    return undefined;
  }
}

const tables = new WeakMap<VmSystem, ShmTable>();

/** The machine's table, without the removed segments nothing maps any more (only the table's reference left). */
function tableOf(ctx: SyscallContext): ShmTable {
  const vm = ctx.task.map.vm;
  let t = tables.get(vm);
  if (!t) { t = new ShmTable(); tables.set(vm, t); }
  for (const [i, s] of t.byIndex) {
    if ((s.mode & SHM_DEST) && s.object.refCount === 1) { t.byIndex.delete(i); vm.objectDeallocate(s.object); }
  }
  return t;
}

const seconds = (ctx: SyscallContext): bigint => clockNs(ctx, 0) / 1_000_000_000n;

/** ipcperms for the guest's one user: the owner bits of the segment's mode must grant what is asked (r 4, w 2). */
function permitted(s: Segment, want: number): boolean { return ((s.mode >> 6) & want) === want; }

/** The name attachments carry in the map (as /proc/PID/maps shows Linux's "/SYSV%08x"). */
function attachName(s: Segment): string { return `/SYSV${(s.key >>> 0).toString(16).padStart(8, "0")} [shm ${s.id}]`; }

function sysShmget(ctx: SyscallContext, a: readonly bigint[]): number {
  const table = tableOf(ctx);
  const key = int(a[0]!), sizeWide = BigInt.asUintN(64, a[1]!), flg = int(a[2]!);
  const existing = key === IPC_PRIVATE ? undefined : [...table.byIndex.values()].find((s) => s.key === key && !(s.mode & SHM_DEST));
  if (existing) {
    if ((flg & IPC_CREAT) && (flg & IPC_EXCL)) return -EEXIST;
    if (sizeWide > BigInt(existing.size)) return -EINVAL;          // shm_more_checks
    const want = (flg >> 6) & 7;                                    // the owner bits of the requested mode
    if (!permitted(existing, want)) return -EACCES;
    return existing.id;
  }
  if (key !== IPC_PRIVATE && !(flg & IPC_CREAT)) return -ENOENT;
  if (sizeWide < 1n || sizeWide > BigInt(SHMMAX)) return -EINVAL;
  const size = Number(sizeWide);
  if (roundPage(size) > ctx.task.map.vm.phys.ramBytes) return -ENOSPC;   // beyond what SHMALL could hold here
  const index = table.freeIndex();
  if (index === undefined) return -ENOSPC;
  const object = ctx.task.map.vm.objectAllocate(roundPage(size));
  object.shared = true;
  object.oneMapping = false;
  const id = (table.seq++ % 65536) * SEQ_MULTIPLIER + index;
  table.byIndex.set(index, {
    id, key, size, object, uid: GUEST_UID, gid: GUEST_GID, mode: flg & 0o777, cuid: GUEST_UID, cgid: GUEST_GID,
    cpid: ctx.task.pid, lpid: 0, atime: 0n, dtime: 0n, ctime: seconds(ctx),
  });
  return id;
}

function sysShmat(ctx: SyscallContext, a: readonly bigint[]): number {
  const t = ctx.task, map = t.map;
  const id = int(a[0]!), flg = int(a[2]!);
  let at = addr(a[1]!);
  if (id < 0) return -EINVAL;
  if (at !== 0 && at % SHMLBA !== 0) {
    if (!(flg & SHM_RND)) return -EINVAL;
    at -= at % SHMLBA;
    if (at === 0) return -EINVAL;                                   // rounded down to 0 without SHM_REMAP's right
  }
  if ((flg & SHM_REMAP) && at === 0) return -EINVAL;
  const s = tableOf(ctx).lookup(id);
  if (!s) return -EINVAL;
  const prot = (flg & SHM_RDONLY ? 1 : 3) | (flg & SHM_EXEC ? 4 : 0);
  if (!permitted(s, flg & SHM_RDONLY ? 4 : 6)) return -EACCES;
  const len = roundPage(s.size);
  if (at !== 0) {
    if (at < map.minAddress || at > map.maxAddress - len) return -EINVAL;
    // Without SHM_REMAP the range must be free (do_shmat's find_vma_intersection).
    if (!(flg & SHM_REMAP) && !map.isFree(at, at + len)) return -EINVAL;
    map.remove(at, at + len);
  } else {
    const found = map.findSpace(len, 0, t.layout.mmapBase);
    if (found === undefined) return -EINVAL;
    at = found;
  }
  map.vm.objectReference(s.object);
  map.insert(new VmMapEntry(at, at + len, s.object, 0, prot, (flg & SHM_RDONLY) ? VM_PROT_ALL & ~2 : VM_PROT_ALL,
    "share", false, attachName(s)));
  s.lpid = t.pid;
  s.atime = seconds(ctx);
  return at;
}

function sysShmdt(ctx: SyscallContext, a: readonly bigint[]): number {
  const map = ctx.task.map, at = addr(a[0]!);
  if (!isPageAligned(at)) return -EINVAL;
  const e = map.lookup(at);
  if (!e || e.start !== at || !e.name.includes(" [shm ")) return -EINVAL;
  const obj = e.object;
  // Every piece of this attachment from at on (mprotect may have split it), up to the segment's size.
  let end = at;
  for (const x of map.overlapping(at, at + (obj?.size ?? e.size))) {
    if (x.object !== obj || x.start !== end) break;
    end = x.end;
  }
  map.remove(at, end);
  for (const s of tableOf(ctx).byIndex.values()) {
    if (s.object !== obj) continue;
    s.lpid = ctx.task.pid;
    s.dtime = seconds(ctx);
  }
  return 0;
}

/** struct shmid64_ds of the generic 64-bit ABI: ipc64_perm (48 bytes), then segsz, times, pids, nattch. */
function encodeShmid(s: Segment): Uint8Array {
  const b = new Uint8Array(112), dv = new DataView(b.buffer);
  dv.setInt32(0, s.key, true);
  dv.setUint32(4, s.uid, true);
  dv.setUint32(8, s.gid, true);
  dv.setUint32(12, s.cuid, true);
  dv.setUint32(16, s.cgid, true);
  dv.setUint32(20, s.mode, true);
  dv.setUint16(24, Math.floor(s.id / SEQ_MULTIPLIER), true);
  dv.setBigUint64(48, BigInt(s.size), true);
  dv.setBigInt64(56, s.atime, true);
  dv.setBigInt64(64, s.dtime, true);
  dv.setBigInt64(72, s.ctime, true);
  dv.setInt32(80, s.cpid, true);
  dv.setInt32(84, s.lpid, true);
  // shm_nattch: the map entries holding the segment's object (an attachment split by mprotect counts once per
  // piece, where Linux counts its VMAs the same way), less the table's own reference.
  dv.setBigUint64(88, BigInt(Math.max(0, s.object.refCount - 1)), true);
  return b;
}

function sysShmctl(ctx: SyscallContext, a: readonly bigint[]): number {
  const table = tableOf(ctx);
  const id = int(a[0]!), cmd = int(a[1]!) & ~IPC_64, buf = addr(a[2]!);
  if (id < 0) return -EINVAL;
  if (cmd !== IPC_RMID && cmd !== IPC_SET && cmd !== IPC_STAT) return -EINVAL;
  const s = table.lookup(id);
  if (!s) return -EINVAL;
  switch (cmd) {
    case IPC_STAT: {
      if (!permitted(s, 4)) return -EACCES;
      return ctx.task.um.copyout(buf, encodeShmid(s)) ? 0 : -EFAULT;
    }
    case IPC_SET: {
      const raw = ctx.task.um.copyin(buf, 48);
      if (!raw) return -EFAULT;
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      s.uid = dv.getUint32(4, true);
      s.gid = dv.getUint32(8, true);
      s.mode = (s.mode & ~0o777) | (dv.getUint32(20, true) & 0o777);
      s.ctime = seconds(ctx);
      return 0;
    }
    default: {   // IPC_RMID
      s.mode |= SHM_DEST;
      s.key = IPC_PRIVATE;
      tableOf(ctx);   // gone now if nothing maps it
      return 0;
    }
  }
}

export const SHM_SYSCALLS: Record<number, SyscallDef> = {
  194: { name: "shmget", args: ["i", "u", "x"], fn: sysShmget },
  195: { name: "shmctl", args: ["i", "i", "x"], fn: sysShmctl },
  196: { name: "shmat", args: ["i", "x", "x"], hexResult: true, fn: sysShmat },
  197: { name: "shmdt", args: ["x"], fn: sysShmdt },
};
