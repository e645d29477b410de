// Guest virtual memory accesses as the CPU sees them. One fast-path shape for every width (STYLE.md point 2):
// the host cache slot's tag is compared with the address masked so that misalignment also misses; a hit stamps
// the modelled L1 D-TLB entry (its LRU time, which is also the D-TLB access count) and touches host memory.
// Everything else goes to the slow path below, which goes through the model (mmu.ts).

import { HOSTCACHE_BASE, HC_SLOTS, HC_SIZE, TLBE_STAMP } from "../layout";
import { translateData, ACC_LOAD, ACC_STORE } from "./mmu";
import { clock1 } from "../tlb/tlb";

// Set when a slow path could not complete the access; the trap is pending in mmu.trapCause/trapValue.
export let memFault: bool = false;

@inline function slotOf(va: u64): usize {
  return HOSTCACHE_BASE + ((<usize>(<u32>(va >> 12) & (HC_SLOTS - 1))) * HC_SIZE);
}

/** Host address for a read of `size` bytes at va if the host cache hits (stamping the model), else 0. */
@inline export function fastRead(va: u64, size: u32): usize {
  const s = slotOf(va);
  if (load<u64>(s) == (va & ~(<u64>(0xFFF & ~(size - 1))))) {
    store<u64>(<usize>load<u32>(s, 24), ++clock1, TLBE_STAMP);
    return <usize>(va + load<u64>(s, 16));
  }
  return 0;
}

/** Host address for a write of `size` bytes at va if the host cache hits (page known dirty), else 0. */
@inline export function fastWrite(va: u64, size: u32): usize {
  const s = slotOf(va);
  if (load<u64>(s, 8) == (va & ~(<u64>(0xFFF & ~(size - 1))))) {
    store<u64>(<usize>load<u32>(s, 24), ++clock1, TLBE_STAMP);
    return <usize>(va + load<u64>(s, 16));
  }
  return 0;
}

// Slow paths: an access that missed the host cache, is misaligned, or crosses a page.
// A misaligned access within one page is one TLB access; one that crosses a page boundary is two, and it is
// performed only when both pages translate (so a fault leaves memory unchanged).

@noinline export function slowRead(va: u64, size: u32): u64 {
  const off = <u32>va & 0xFFF;
  if (off + size <= 0x1000) {
    const h = translateData(va, ACC_LOAD, size);
    if (h == 0) { memFault = true; return 0; }
    return hostRead(h, size);
  }
  const first: u32 = 0x1000 - off;
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
  const off = <u32>va & 0xFFF;
  if (off + size <= 0x1000) {
    const h = translateData(va, ACC_STORE, size);
    if (h == 0) { memFault = true; return; }
    hostWrite(h, size, v);
    return;
  }
  const first: u32 = 0x1000 - off;
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
@noinline export function rmwAddress(va: u64, size: u32): usize {
  const h = fastWrite(va, size);
  if (h != 0) return h;
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
