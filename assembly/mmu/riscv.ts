// The RISC-V side of the MMU: the satp write a kernel makes (privileged spec, satp, RV64) and the radix walker's
// operations behind the walker contract (mmu.ts): Sv39/Sv48 walks, whose faults have no side effects beyond the
// cause mmu.ts records.

import { CONFIG, K_AD_MODE } from "../layout";
import { radixWalk, walkPbase, walkLevel, walkPerm, walkRefs, walkAdWrites, walkAccessFault } from "../walk/radix";
import {
  setTranslation, useWalker, satpMode, rootPa, ramSize,
  wPbase, wLevel, wPerm, wRefs, wAdWrites, wAccessFault,
} from "./mmu";

/** Writes satp (MODE 0 = Bare, 8 = Sv39, 9 = Sv48); the translation hardware becomes the radix walker. */
export function setSatp(v: u64): void {
  const mode = <u32>(v >> 60);
  // Writing an unsupported MODE makes the whole satp write have no effect (privileged spec, satp, RV64).
  if (mode != 0 && mode != 8 && mode != 9) return;
  // Writing satp flushes nothing in the modelled TLB (the kernel issues sfence.vma as needed); setTranslation
  // empties the host speed caches, which are not tagged by ASID.
  useWalker(radixOpWalk, radixOnFault, radixOnFault);
  setTranslation(mode, (v & 0xFFF_FFFF_FFFF) << 12, <u32>(v >> 44) & 0xFFFF);
}

/** Walker contract, walk: Sv48 (satp.MODE 9) has 4 levels, Sv39 3; A/D by hardware unless K_AD_MODE says Svade. */
function radixOpWalk(va: u64, acc: u32): bool {
  const hardwareAD = load<u64>(CONFIG + (K_AD_MODE << 3)) == 0;
  const ok = radixWalk(rootPa, satpMode == 9 ? 4 : 3, va, acc, ramSize, hardwareAD);
  wRefs = walkRefs; wAdWrites = walkAdWrites; wAccessFault = walkAccessFault;
  wPbase = walkPbase; wLevel = walkLevel; wPerm = walkPerm;
  return ok;
}

/** Walker contract, onWalkFault and onPermissionFault: a RISC-V page fault is only its cause and stval. */
function radixOnFault(va: u64, acc: u32): void {}
