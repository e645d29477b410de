// The hashed machine's control code (its walker, walker.ts, searches a clustered hashed page table): the kernel
// loads the table base, its bucket count and the address space's ASID (one table per address space, as the
// paper's per-process hashed tables); invalidation uses the same sfence.vma semantics as the RISC-V machines
// (mmu/mmu.ts sfenceVma), so only the page-table organisation differs from riscv-sv39. The subblock factor is a
// machine parameter (K_CPT_SUBBLOCK_LOG2), read when the table is set.

import { K_CPT_SUBBLOCK_LOG2, XMODE_CLUSTERED } from "../../layout";
import { hashedWalk } from "./walker";
import { HASHED_MAX_SUBBLOCK_LOG2, HASHED_MAX_BUCKETS_LOG2 } from "./format";
import { setTranslation, useWalker, rootPa, ramSize } from "../../mmu/mmu";
import { wLevel } from "../../mmu/walk_result";
import { cfg } from "../../cost/counters";

let bucketsLog2: u32 = 0;
let subLog2: u32 = 4;

/**
 * Makes the clustered table at `table` (2^bLog2 buckets) current with tag `asid`. Returns 0, or −1 for a bucket
 * count or subblock factor out of range (nothing changes then).
 */
export function hashedSetTable(table: u64, bLog2: u32, asid: u32): i32 {
  const k = <u32>cfg(K_CPT_SUBBLOCK_LOG2);
  if (bLog2 > HASHED_MAX_BUCKETS_LOG2 || k > HASHED_MAX_SUBBLOCK_LOG2 || (table & 7) != 0) return -1;
  bucketsLog2 = bLog2;
  subLog2 = k;
  useWalker(hashedOpWalk, hashedOnFault, hashedOnFault);
  setTranslation(XMODE_CLUSTERED, table, asid);
  return 0;
}

/** Walker contract, walk. */
function hashedOpWalk(va: u64, acc: u32): bool {
  const ok = hashedWalk(rootPa, bucketsLog2, subLog2, va, acc, ramSize);
  wLevel = 0;
  return ok;
}

/** Walker contract, faults: the RISC-V cause is all this machine reports. */
function hashedOnFault(va: u64, acc: u32): void {}
