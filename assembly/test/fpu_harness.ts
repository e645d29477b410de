// Test entry for the floating-point unit: re-exports it, plus helpers for the tests and micro-benchmarks.
export * from "../cpu/fpu";
import { fpFlags, f64_add, f64_mul, f64_div, f64_fma, f64_sqrt, f32_add, f32_mul, f32_fma, f64_to_i64 } from "../cpu/fpu";

export function getFlags(): u32 { return fpFlags; }
