// Control operations of the clustered-page-table machine (walk/clustered.ts): the kernel loads the table base,
// its bucket count and the address space's ASID (one table per address space, as the paper's per-process hashed
// tables); invalidation uses the same sfence.vma semantics as the RISC-V machines (mmu.ts sfenceVma), so only
// the page-table organisation differs from riscv-sv39. The subblock factor is a machine parameter
// (K_CPT_SUBBLOCK_LOG2), read when the table is set.

import { CONFIG, K_CPT_SUBBLOCK_LOG2, XMODE_CLUSTERED } from "../layout";
import { clusteredWalk, cwPbase, cwPerm, cwRefs, cwRefWrites, cwAccessFault } from "../walk/clustered";
import { setTranslation, useWalker, rootPa, ramSize, wPbase, wLevel, wPerm, wRefs, wAdWrites, wAccessFault } from "./mmu";

/** Largest subblock factor (pages per node) and bucket count a table may have. */
export const CPT_MAX_SUBBLOCK_LOG2: u32 = 6;
export const CPT_MAX_BUCKETS_LOG2: u32 = 20;

let bucketsLog2: u32 = 0;
let subLog2: u32 = 4;

/**
 * Makes the clustered table at `table` (2^bLog2 buckets) current with tag `asid`. Returns 0, or −1 for a bucket
 * count or subblock factor out of range (nothing changes then).
 */
export function clusteredSetTable(table: u64, bLog2: u32, asid: u32): i32 {
  const k = <u32>load<u64>(CONFIG + (K_CPT_SUBBLOCK_LOG2 << 3));
  if (bLog2 > CPT_MAX_BUCKETS_LOG2 || k > CPT_MAX_SUBBLOCK_LOG2 || (table & 7) != 0) return -1;
  bucketsLog2 = bLog2;
  subLog2 = k;
  useWalker(clusteredOpWalk, clusteredOnFault, clusteredOnFault);
  setTranslation(XMODE_CLUSTERED, table, asid);
  return 0;
}

/** Walker contract, walk. */
function clusteredOpWalk(va: u64, acc: u32): bool {
  const ok = clusteredWalk(rootPa, bucketsLog2, subLog2, va, acc, ramSize);
  wRefs = cwRefs; wAdWrites = cwRefWrites; wAccessFault = cwAccessFault;
  wPbase = cwPbase; wLevel = 0; wPerm = cwPerm;
  return ok;
}

/** Walker contract, faults: the RISC-V cause is all this machine reports. */
function clusteredOnFault(va: u64, acc: u32): void {}
