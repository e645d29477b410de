// Test entry for the floating-point unit: re-exports it, plus in-module loops for micro-benchmarks (so the
// figures are not dominated by the JS <-> wasm BigInt call overhead).
export * from "../cpu/fpu";
import {
  f64_add, f64_mul, f64_div, f64_sqrt, f64_fma, f32_add, f32_mul, f32_div, f32_sqrt, f32_fma,
  f64_to_i64, f64_to_i32, i64_to_f64, f64_to_f32,
} from "../cpu/fpu";

// Operands: normal values with random significands in [1, 2) (a) and [0.5, 1) (b) from an LCG.
@inline function step(s: u64): u64 { return s * 6364136223846793005 + 1442695040888963407; }
@inline function opA(s: u64): u64 { return 0x3FF0000000000000 | (s >> 12); }
@inline function opB(s: u64): u64 { return 0x3FE0000000000000 | ((s << 20) & 0x000FFFFFFFFFFFFF); }
@inline function opA32(s: u64): u32 { return 0x3F800000 | <u32>(s >> 41); }
@inline function opB32(s: u64): u32 { return 0x3F000000 | (<u32>(s >> 9) & 0x007FFFFF); }

/** Loop overhead reference: the same operand generation with the native f64 addition. */
export function bench_native_f64_add(n: i32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= reinterpret<u64>(reinterpret<f64>(opA(s)) + reinterpret<f64>(opB(s))); }
  return acc;
}
export function bench_f64_add(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f64_add(opA(s), opB(s), rm); }
  return acc;
}
export function bench_f64_mul(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f64_mul(opA(s), opB(s), rm); }
  return acc;
}
export function bench_f64_div(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f64_div(opA(s), opB(s), rm); }
  return acc;
}
export function bench_f64_sqrt(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f64_sqrt(opA(s), rm); }
  return acc;
}
export function bench_f64_fma(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f64_fma(opA(s), opB(s), opA(s ^ 0xABCDEF), rm); }
  return acc;
}
export function bench_f32_add(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f32_add(opA32(s), opB32(s), rm); }
  return acc;
}
export function bench_f32_mul(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f32_mul(opA32(s), opB32(s), rm); }
  return acc;
}
export function bench_f32_div(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f32_div(opA32(s), opB32(s), rm); }
  return acc;
}
export function bench_f32_sqrt(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f32_sqrt(opA32(s), rm); }
  return acc;
}
export function bench_f32_fma(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f32_fma(opA32(s), opB32(s), opA32(s ^ 0xABCDEF), rm); }
  return acc;
}
export function bench_f64_to_i64(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f64_to_i64(opA(s) + 0x0200000000000000, rm); } // ~2^32 scale
  return acc;
}
export function bench_f64_to_i32(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f64_to_i32(opA(s) + 0x0100000000000000, rm); } // ~2^16 scale
  return acc;
}
export function bench_i64_to_f64(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= i64_to_f64(s >> 20, rm); }
  return acc;
}
export function bench_f64_to_f32(n: i32, rm: u32): u64 {
  let s: u64 = 1, acc: u64 = 0;
  for (let i = 0; i < n; i++) { s = step(s); acc ^= f64_to_f32(opA(s), rm); }
  return acc;
}
