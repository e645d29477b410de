// Architectural state that lives outside the register files: pc, retired-instruction count, frm, and the LR
// reservation. Registers themselves live in linear memory (layout.ts XREGS/FREGS) so the host can read them.

import { XREGS, FREGS } from "../layout";

export let pc: u64 = 0;
export let instret: u64 = 0;   // retired instructions before the current run() call
export let frm: u32 = 0;       // dynamic rounding mode (fcsr[7:5])

// LR/SC reservation (A extension). Like QEMU, an SC succeeds when the reservation is held for that address and
// the memory still holds the value LR read; any trap to the kernel drops the reservation.
export let resValid: bool = false;
export let resAddr: u64 = 0;
export let resValue: u64 = 0;

export function setPc(v: u64): void { pc = v; }
export function setInstret(v: u64): void { instret = v; }
export function setFrm(v: u32): void { frm = v & 7; }
export function setReservation(valid: bool, addr: u64, value: u64): void { resValid = valid; resAddr = addr; resValue = value; }

@inline export function getX(r: u32): u64 { return load<u64>(XREGS + (r << 3)); }
@inline export function setX(r: u32, v: u64): void { if (r != 0) store<u64>(XREGS + (r << 3), v); }
@inline export function getF(r: u32): u64 { return load<u64>(FREGS + (r << 3)); }
@inline export function setF(r: u32, v: u64): void { store<u64>(FREGS + (r << 3), v); }
