// Guest virtual memory accesses as the CPU sees them. One fast-path shape for every width (STYLE.md point 2):
// the host cache slot's tag is compared with the address masked so that misalignment also misses; a hit stamps
// the modelled L1 D-TLB entry (its LRU time, which is also the D-TLB access count) and touches host memory.
// Everything else goes to the slow path below, which goes through the model (mmu/mmu.ts).
//
// The host page (one slot's span) is the machine's smallest modelled page, so a slot never stands for two modelled
// entries. It is a compile-time parameter P of the fast paths, so each size keeps constant masks: the CPU loop is
// instantiated once per size (cpu.ts cpuRun) and the machine's page size (tlb.ts pageShift) picks the instance.
//   HostPage4K (u32): 4 KiB, every radix machine; HostPage512 (u16): 512 bytes, the VAX.

import { HOSTCACHE_BASE, HC_SLOTS, HC_SIZE, TLBE_STAMP } from "../layout";
import { translateData, setTrap, ACC_LOAD, ACC_STORE } from "./mmu";
import { walkTraceFull, wtStop, CAUSE_WALK_TRACE_FULL } from "./walk_trace";
import { clock1, pageShift } from "../tlb/tlb";

export type HostPage4K = u32;
export type HostPage512 = u16;
/** log2 of the host page of parameter P (a compile-time constant). */
@inline export function hostShift<P>(): u32 { return sizeof<P>() == 2 ? 9 : 12; }
/** Offset bits within the host page of P. */
@inline export function hostMask<P>(): u32 { return (<u32>1 << hostShift<P>()) - 1; }

// Set when a slow path could not complete the access; the trap is pending in mmu.trapCause/trapValue.
export let memFault: bool = false;

@inline function slotOf<P>(va: u64): usize {
  return HOSTCACHE_BASE + ((<usize>(<u32>(va >> hostShift<P>()) & (HC_SLOTS - 1))) * HC_SIZE);
}

/** Host address for a read of `size` bytes at va if the host cache hits (stamping the model), else 0. */
@inline export function fastRead<P>(va: u64, size: u32): usize {
  const s = slotOf<P>(va);
  if (load<u64>(s) == (va & ~(<u64>(hostMask<P>() & ~(size - 1))))) {
    store<u64>(<usize>load<u32>(s, 24), ++clock1, TLBE_STAMP);
    return <usize>(va + load<u64>(s, 16));
  }
  return 0;
}

/** Host address for a write of `size` bytes at va if the host cache hits (page known dirty), else 0. */
@inline export function fastWrite<P>(va: u64, size: u32): usize {
  const s = slotOf<P>(va);
  if (load<u64>(s, 8) == (va & ~(<u64>(hostMask<P>() & ~(size - 1))))) {
    store<u64>(<usize>load<u32>(s, 24), ++clock1, TLBE_STAMP);
    return <usize>(va + load<u64>(s, 16));
  }
  return 0;
}

// Slow paths: an access that missed the host cache, is misaligned, or crosses a page (of 2^pageShift bytes).
// A misaligned access within one page is one TLB access; one that crosses a page boundary is two, and it is
// performed only when both pages translate (so a fault leaves memory unchanged).

/** --trace-walk: whether the buffer must be drained before this access (walk_trace.ts walkTraceFull). */
@inline function stopForWalkTrace(va: u64): bool {
  if (!walkTraceFull()) return false;
  wtStop();
  setTrap(CAUSE_WALK_TRACE_FULL, va);
  memFault = true;
  return true;
}

@noinline export function slowRead(va: u64, size: u32): u64 {
  if (stopForWalkTrace(va)) return 0;
  const page: u32 = 1 << pageShift;
  const off = <u32>va & (page - 1);
  if (off + size <= page) {
    const h = translateData(va, ACC_LOAD, size);
    if (h == 0) { memFault = true; return 0; }
    return hostRead(h, size);
  }
  const first: u32 = page - off;
  const h1 = translateData(va, ACC_LOAD, size);
  if (h1 == 0) { memFault = true; return 0; }
  const h2 = translateData(va + first, ACC_LOAD, size);
  if (h2 == 0) { memFault = true; return 0; }
  let v: u64 = 0;
  for (let i: u32 = 0; i < size; i++) {
    const b = i < first ? load<u8>(h1 + i) : load<u8>(h2 + (i - first));
    v |= <u64>b << (8 * i);
  }
  return v;
}

@noinline export function slowWrite(va: u64, size: u32, v: u64): void {
  if (stopForWalkTrace(va)) return;
  const page: u32 = 1 << pageShift;
  const off = <u32>va & (page - 1);
  if (off + size <= page) {
    const h = translateData(va, ACC_STORE, size);
    if (h == 0) { memFault = true; return; }
    hostWrite(h, size, v);
    return;
  }
  const first: u32 = page - off;
  const h1 = translateData(va, ACC_STORE, size);
  if (h1 == 0) { memFault = true; return; }
  const h2 = translateData(va + first, ACC_STORE, size);
  if (h2 == 0) { memFault = true; return; }
  for (let i: u32 = 0; i < size; i++) {
    const b = <u8>(v >> (8 * i));
    if (i < first) store<u8>(h1 + i, b); else store<u8>(h2 + (i - first), b);
  }
}

/** Host address for a read-modify-write (AMO, SC) of an aligned `size`-byte word: a store access. 0 on fault. */
@noinline export function rmwAddress<P>(va: u64, size: u32): usize {
  const h = fastWrite<P>(va, size);
  if (h != 0) return h;
  if (stopForWalkTrace(va)) return 0;
  const r = translateData(va, ACC_STORE, size);
  if (r == 0) memFault = true;
  return r;
}

@inline function hostRead(h: usize, size: u32): u64 {
  if (size == 8) return load<u64>(h);
  if (size == 4) return <u64>load<u32>(h);
  if (size == 2) return <u64>load<u16>(h);
  return <u64>load<u8>(h);
}

@inline function hostWrite(h: usize, size: u32, v: u64): void {
  if (size == 8) store<u64>(h, v);
  else if (size == 4) store<u32>(h, <u32>v);
  else if (size == 2) store<u16>(h, <u16>v);
  else store<u8>(h, <u8>v);
}

export function clearMemFault(): void { memFault = false; }
