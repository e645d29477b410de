// Decode and execute of the F and D extensions (unprivileged spec, chapters "F" and "D"): loads/stores, the
// fused multiply-adds, OP-FP. Arithmetic itself is in fpu.ts. Single-precision values live NaN-boxed in the
// 64-bit registers: an improperly boxed input reads as the canonical NaN (spec §"NaN Boxing of Narrower Values").

import { EXIT_BUDGET, EXIT_ILLEGAL, EXIT_PAGE_FAULT } from "../layout";
import { getX, setX, getF, setF, frm } from "./state";
import { fastRead, fastWrite, slowRead, slowWrite, memFault } from "../mmu/access";
import {
  f32_add, f32_sub, f32_mul, f32_div, f32_sqrt, f32_fma, f32_min, f32_max, f32_eq, f32_lt, f32_le, f32_class,
  f32_to_i32, f32_to_u32, f32_to_i64, f32_to_u64, i32_to_f32, u32_to_f32, i64_to_f32, u64_to_f32,
  f64_add, f64_sub, f64_mul, f64_div, f64_sqrt, f64_fma, f64_min, f64_max, f64_eq, f64_lt, f64_le, f64_class,
  f64_to_i32, f64_to_u32, f64_to_i64, f64_to_u64, i32_to_f64, u32_to_f64, i64_to_f64, u64_to_f64,
  f64_to_f32, f32_to_f64,
} from "./fpu";

const BOX: u64 = 0xFFFFFFFF00000000;
const SIGN32: u32 = 0x80000000;
const SIGN64: u64 = 0x8000000000000000;

@inline function unbox(v: u64): u32 { return (v & BOX) == BOX ? <u32>v : 0x7FC00000; }
@inline function box(v: u32): u64 { return BOX | <u64>v; }

/** Resolves the instruction's rm field; returns 8 when the mode is reserved (illegal instruction). */
@inline function resolveRm(insn: u32): u32 {
  let rm = (insn >> 12) & 7;
  if (rm == 7) rm = frm;
  return rm > 4 ? 8 : rm;
}

export function execFp<P>(insn: u32): i32 {
  const op = insn & 0x7F;
  const rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31, rs2 = (insn >> 20) & 31;
  const f3 = (insn >> 12) & 7;
  if (op == 0x07) {                                                             // FLW / FLD
    const va = getX(rs1) + <u64><i64>(<i32>insn >> 20);
    if (f3 == 2) {
      const h = fastRead<P>(va, 4);
      const v = h ? <u64>load<u32>(h) : slowRead(va, 4);
      if (memFault) return EXIT_PAGE_FAULT;
      setF(rd, BOX | v);
      return EXIT_BUDGET;
    }
    if (f3 == 3) {
      const h = fastRead<P>(va, 8);
      const v = h ? load<u64>(h) : slowRead(va, 8);
      if (memFault) return EXIT_PAGE_FAULT;
      setF(rd, v);
      return EXIT_BUDGET;
    }
    return EXIT_ILLEGAL;
  }
  if (op == 0x27) {                                                             // FSW / FSD
    const va = getX(rs1) + <u64><i64>(((<i32>insn >> 20) & ~31) | <i32>rd);
    const v = getF(rs2);
    if (f3 == 2) {
      const h = fastWrite<P>(va, 4);
      if (h) store<u32>(h, <u32>v); else slowWrite(va, 4, v);
    } else if (f3 == 3) {
      const h = fastWrite<P>(va, 8);
      if (h) store<u64>(h, v); else slowWrite(va, 8, v);
    } else return EXIT_ILLEGAL;
    return memFault ? EXIT_PAGE_FAULT : EXIT_BUDGET;
  }
  const fmt = (insn >> 25) & 3;
  if (op != 0x53) {                                                             // FMADD/FMSUB/FNMSUB/FNMADD
    const rm = resolveRm(insn);
    if (rm > 4 || fmt > 1) return EXIT_ILLEGAL;
    const rs3 = insn >> 27;
    // fmsub = a·b − c, fnmsub = −(a·b) + c, fnmadd = −(a·b) − c: negate inputs, keep one rounding.
    const negProduct = op == 0x4B || op == 0x4F;
    const negAddend = op == 0x47 || op == 0x4F;
    if (fmt == 0) {
      let a = unbox(getF(rs1)), c = unbox(getF(insn >> 27));
      if (negProduct) a ^= SIGN32;
      if (negAddend) c ^= SIGN32;
      setF(rd, box(f32_fma(a, unbox(getF(rs2)), c, rm)));
    } else {
      let a = getF(rs1), c = getF(rs3);
      if (negProduct) a ^= SIGN64;
      if (negAddend) c ^= SIGN64;
      setF(rd, f64_fma(a, getF(rs2), c, rm));
    }
    return EXIT_BUDGET;
  }
  const f7 = insn >> 25;
  if (fmt > 1) return EXIT_ILLEGAL;
  const dbl = fmt == 1;
  switch (f7 >> 2) {
    case 0x00: case 0x01: case 0x02: case 0x03: case 0x0B: {                    // FADD FSUB FMUL FDIV FSQRT
      const rm = resolveRm(insn);
      if (rm > 4) return EXIT_ILLEGAL;
      const k = f7 >> 2;
      if (k == 0x0B && rs2 != 0) return EXIT_ILLEGAL;
      if (dbl) {
        const a = getF(rs1), b = getF(rs2);
        setF(rd, k == 0 ? f64_add(a, b, rm) : k == 1 ? f64_sub(a, b, rm) : k == 2 ? f64_mul(a, b, rm) :
          k == 3 ? f64_div(a, b, rm) : f64_sqrt(a, rm));
      } else {
        const a = unbox(getF(rs1)), b = unbox(getF(rs2));
        setF(rd, box(k == 0 ? f32_add(a, b, rm) : k == 1 ? f32_sub(a, b, rm) : k == 2 ? f32_mul(a, b, rm) :
          k == 3 ? f32_div(a, b, rm) : f32_sqrt(a, rm)));
      }
      return EXIT_BUDGET;
    }
    case 0x04: {                                                                // FSGNJ, FSGNJN, FSGNJX
      if (f3 > 2) return EXIT_ILLEGAL;
      if (dbl) {
        const a = getF(rs1), b = getF(rs2);
        const s = f3 == 0 ? b & SIGN64 : f3 == 1 ? ~b & SIGN64 : (a ^ b) & SIGN64;
        setF(rd, (a & ~SIGN64) | s);
      } else {
        const a = unbox(getF(rs1)), b = unbox(getF(rs2));
        const s = f3 == 0 ? b & SIGN32 : f3 == 1 ? ~b & SIGN32 : (a ^ b) & SIGN32;
        setF(rd, box((a & ~SIGN32) | s));
      }
      return EXIT_BUDGET;
    }
    case 0x05: {                                                                // FMIN, FMAX
      if (f3 > 1) return EXIT_ILLEGAL;
      if (dbl) setF(rd, f3 == 0 ? f64_min(getF(rs1), getF(rs2)) : f64_max(getF(rs1), getF(rs2)));
      else {
        const a = unbox(getF(rs1)), b = unbox(getF(rs2));
        setF(rd, box(f3 == 0 ? f32_min(a, b) : f32_max(a, b)));
      }
      return EXIT_BUDGET;
    }
    case 0x08: {                                                                // FCVT.S.D, FCVT.D.S
      const rm = resolveRm(insn);
      if (rm > 4) return EXIT_ILLEGAL;
      if (!dbl && rs2 == 1) { setF(rd, box(f64_to_f32(getF(rs1), rm))); return EXIT_BUDGET; }
      if (dbl && rs2 == 0) { setF(rd, f32_to_f64(unbox(getF(rs1)))); return EXIT_BUDGET; }
      return EXIT_ILLEGAL;
    }
    case 0x14: {                                                                // FEQ, FLT, FLE
      let r: u32;
      if (dbl) {
        const a = getF(rs1), b = getF(rs2);
        if (f3 == 2) r = f64_eq(a, b); else if (f3 == 1) r = f64_lt(a, b); else if (f3 == 0) r = f64_le(a, b);
        else return EXIT_ILLEGAL;
      } else {
        const a = unbox(getF(rs1)), b = unbox(getF(rs2));
        if (f3 == 2) r = f32_eq(a, b); else if (f3 == 1) r = f32_lt(a, b); else if (f3 == 0) r = f32_le(a, b);
        else return EXIT_ILLEGAL;
      }
      setX(rd, <u64>r);
      return EXIT_BUDGET;
    }
    case 0x18: {                                                                // FCVT.{W,WU,L,LU}.{S,D}
      const rm = resolveRm(insn);
      if (rm > 4 || rs2 > 3) return EXIT_ILLEGAL;
      let v: u64;
      if (dbl) {
        const a = getF(rs1);
        v = rs2 == 0 ? f64_to_i32(a, rm) : rs2 == 1 ? f64_to_u32(a, rm) : rs2 == 2 ? f64_to_i64(a, rm) : f64_to_u64(a, rm);
      } else {
        const a = unbox(getF(rs1));
        v = rs2 == 0 ? f32_to_i32(a, rm) : rs2 == 1 ? f32_to_u32(a, rm) : rs2 == 2 ? f32_to_i64(a, rm) : f32_to_u64(a, rm);
      }
      setX(rd, v);
      return EXIT_BUDGET;
    }
    case 0x1A: {                                                                // FCVT.{S,D}.{W,WU,L,LU}
      const rm = resolveRm(insn);
      if (rm > 4 || rs2 > 3) return EXIT_ILLEGAL;
      const x = getX(rs1);
      if (dbl) setF(rd, rs2 == 0 ? i32_to_f64(x, rm) : rs2 == 1 ? u32_to_f64(x, rm) : rs2 == 2 ? i64_to_f64(x, rm) : u64_to_f64(x, rm));
      else setF(rd, box(rs2 == 0 ? i32_to_f32(x, rm) : rs2 == 1 ? u32_to_f32(x, rm) : rs2 == 2 ? i64_to_f32(x, rm) : u64_to_f32(x, rm)));
      return EXIT_BUDGET;
    }
    case 0x1C: {                                                                // FMV.X.W/D, FCLASS
      if (rs2 != 0) return EXIT_ILLEGAL;
      if (f3 == 0) setX(rd, dbl ? getF(rs1) : <u64><i64><i32><u32>getF(rs1));
      else if (f3 == 1) setX(rd, <u64>(dbl ? f64_class(getF(rs1)) : f32_class(unbox(getF(rs1)))));
      else return EXIT_ILLEGAL;
      return EXIT_BUDGET;
    }
    case 0x1E: {                                                                // FMV.W.X / FMV.D.X
      if (rs2 != 0 || f3 != 0) return EXIT_ILLEGAL;
      setF(rd, dbl ? getX(rs1) : box(<u32>getX(rs1)));
      return EXIT_BUDGET;
    }
  }
  return EXIT_ILLEGAL;
}
