// The A extension: LR/SC and the AMOs, .W and .D (unprivileged spec, "A" Standard Extension). An AMO is one
// store access to the D-TLB (read-modify-write); LR is a load access. Misaligned addresses raise the
// address-misaligned exception (Linux delivers SIGBUS), never the host's problem.

import { EXIT_BUDGET, EXIT_ILLEGAL, EXIT_PAGE_FAULT, EXIT_MISALIGNED, CAUSE_MISALIGNED_LOAD, CAUSE_MISALIGNED_STORE } from "../layout";
import { getX, setX, resValid, resAddr, resValue, setReservation } from "./state";
import { fastRead, rmwAddress, memFault } from "../mmu/access";
import { translateData, ACC_LOAD, setTrap } from "../mmu/mmu";

@inline function loadSized(h: usize, size: u32): u64 {
  return size == 4 ? <u64><i64>load<i32>(h) : load<u64>(h);
}
@inline function storeSized(h: usize, size: u32, v: u64): void {
  if (size == 4) store<u32>(h, <u32>v); else store<u64>(h, v);
}

export function execAmo<P>(insn: u32): i32 {
  const f3 = (insn >> 12) & 7;
  if (f3 != 2 && f3 != 3) return EXIT_ILLEGAL;
  const size: u32 = f3 == 2 ? 4 : 8;
  const rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31, rs2 = (insn >> 20) & 31;
  const f5 = insn >> 27;
  const va = getX(rs1);
  if (f5 == 2) {                                                   // LR
    if (rs2 != 0) return EXIT_ILLEGAL;
    if (va & (size - 1)) { setTrap(CAUSE_MISALIGNED_LOAD, va); return EXIT_MISALIGNED; }
    let h = fastRead<P>(va, size);
    if (h == 0) { h = translateData(va, ACC_LOAD, size); if (h == 0) return EXIT_PAGE_FAULT; }
    const v = loadSized(h, size);
    setReservation(true, va, v);
    setX(rd, v);
    return EXIT_BUDGET;
  }
  switch (f5) {
    case 3: case 1: case 0: case 4: case 0xC: case 8: case 0x10: case 0x14: case 0x18: case 0x1C: break;
    default: return EXIT_ILLEGAL;
  }
  if (va & (size - 1)) { setTrap(CAUSE_MISALIGNED_STORE, va); return EXIT_MISALIGNED; }
  if (f5 == 3) {                                                   // SC
    // As in QEMU: an SC whose address does not match the reservation fails without touching memory.
    if (!resValid || resAddr != va) { setReservation(false, 0, 0); setX(rd, 1); return EXIT_BUDGET; }
    const h = rmwAddress<P>(va, size);
    if (memFault) return EXIT_PAGE_FAULT;
    const cur = loadSized(h, size);
    const expected = resValue;
    setReservation(false, 0, 0);
    if (cur != expected) { setX(rd, 1); return EXIT_BUDGET; }
    storeSized(h, size, getX(rs2));
    setX(rd, 0);
    return EXIT_BUDGET;
  }
  const h = rmwAddress<P>(va, size);
  if (memFault) return EXIT_PAGE_FAULT;
  const old = loadSized(h, size);
  const src = size == 4 ? <u64><i64><i32>getX(rs2) : getX(rs2);
  let v: u64;
  switch (f5) {
    case 1: v = src; break;                                          // AMOSWAP
    case 0: v = old + src; break;                                    // AMOADD
    case 4: v = old ^ src; break;                                    // AMOXOR
    case 0xC: v = old & src; break;                                  // AMOAND
    case 8: v = old | src; break;                                    // AMOOR
    case 0x10: v = <i64>old < <i64>src ? old : src; break;           // AMOMIN (both sign-extended for .W)
    case 0x14: v = <i64>old > <i64>src ? old : src; break;           // AMOMAX
    case 0x18: v = size == 4 ? (<u32>old < <u32>src ? old : src) : (old < src ? old : src); break; // AMOMINU
    default: v = size == 4 ? (<u32>old > <u32>src ? old : src) : (old > src ? old : src);          // AMOMAXU
  }
  storeSized(h, size, v);
  setX(rd, old);
  return EXIT_BUDGET;
}
