// The riscv machines' (Sv39 / Sv48) control code: the satp write a kernel makes (privileged spec, satp, RV64),
// which selects the radix walker (walker.ts) behind the walker contract (mmu/mmu.ts); a RISC-V page fault has no
// side effects beyond the cause the MMU records.

import { K_AD_MODE, XMODE_BARE, XMODE_SV39, XMODE_SV48 } from "../../layout";
import { radixWalk } from "./walker";
import { SV_SATP_MODE_SHIFT, SV_SATP_ASID_SHIFT, SV39_LEVELS, SV48_LEVELS } from "./format";
import { setTranslation, useWalker, xlateMode, rootPa, ramSize } from "../../mmu/mmu";
import { cfg } from "../../cost/counters";

/** Writes satp (MODE 0 = Bare, 8 = Sv39, 9 = Sv48); the translation hardware becomes the radix walker. */
export function setSatp(v: u64): void {
  const mode = <u32>(v >> SV_SATP_MODE_SHIFT);
  // Writing an unsupported MODE makes the whole satp write have no effect (privileged spec, satp, RV64).
  if (mode != XMODE_BARE && mode != XMODE_SV39 && mode != XMODE_SV48) return;
  // Writing satp flushes nothing in the modelled TLB (the kernel issues sfence.vma as needed); setTranslation
  // empties the host speed caches, which are not tagged by ASID.
  useWalker(radixOpWalk, radixOnFault, radixOnFault);
  setTranslation(mode, (v & 0xFFF_FFFF_FFFF) << 12, <u32>(v >> SV_SATP_ASID_SHIFT) & 0xFFFF);
}

/** Walker contract, walk: Sv48 (satp.MODE 9) has 4 levels, Sv39 3; A/D by hardware unless K_AD_MODE says Svade. */
function radixOpWalk(va: u64, acc: u32): bool {
  const hardwareAD = cfg(K_AD_MODE) == 0;
  return radixWalk(rootPa, xlateMode == XMODE_SV48 ? SV48_LEVELS : SV39_LEVELS, va, acc, ramSize, hardwareAD);
}

/** Walker contract, onWalkFault and onPermissionFault: a RISC-V page fault is only its cause and stval. */
function radixOnFault(va: u64, acc: u32): void {}
