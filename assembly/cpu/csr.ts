// Zicsr for user mode: the floating-point CSRs and the read-only counters (unprivileged spec, "Zicsr" and
// "Counters" chapters). cycle = emulated cycles, instret = retired instructions, time = cycles / timebase divisor.
// Anything else is an illegal instruction, as it is for U-mode on Linux.

import { C_XCYCLES, K_TIMEBASE_DIV } from "../layout";
import { counter, cfg } from "../cost/counters";
import { instret, frm, setFrm } from "./state";
import { fpFlags, setFpFlags } from "./fpu";

export const CSR_FFLAGS: u32 = 0x001;
export const CSR_FRM: u32 = 0x002;
export const CSR_FCSR: u32 = 0x003;
export const CSR_CYCLE: u32 = 0xC00;
export const CSR_TIME: u32 = 0xC01;
export const CSR_INSTRET: u32 = 0xC02;

export let csrIllegal: bool = false;
export function clearCsrIllegal(): void { csrIllegal = false; }

/** Reads CSR `num`; `retired` is the number of instructions retired so far in this run() call. */
@inline export function csrRead(num: u32, retired: u64): u64 {
  switch (num) {
    case CSR_FFLAGS: return <u64>(fpFlags & 0x1F);
    case CSR_FRM: return <u64>frm;
    case CSR_FCSR: return <u64>((frm << 5) | (fpFlags & 0x1F));
    case CSR_CYCLE: return instret + retired + counter(C_XCYCLES);
    case CSR_INSTRET: return instret + retired;
    case CSR_TIME: {
      let div = cfg(K_TIMEBASE_DIV);
      if (div == 0) div = 1;
      return (instret + retired + counter(C_XCYCLES)) / div;
    }
  }
  csrIllegal = true;
  return 0;
}

/** Writes CSR `num` (the caller has checked that the instruction writes at all). */
export function csrWrite(num: u32, v: u64): void {
  switch (num) {
    case CSR_FFLAGS: setFpFlags(<u32>v & 0x1F); return;
    case CSR_FRM: setFrm(<u32>v & 7); return;
    case CSR_FCSR: setFpFlags(<u32>v & 0x1F); setFrm((<u32>v >> 5) & 7); return;
  }
  csrIllegal = true; // counters are read-only; everything else does not exist in U-mode
}
