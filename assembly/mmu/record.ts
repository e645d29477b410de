// Recording a guest's virtual references (`mmulab record`, src/trace/record.ts), a hook of the MMU's slow paths
// (so it sits beside them). While K_RECORD is set, they append one binary-trace record (src/trace/FORMAT.md,
// version 2 with sizes) per successful translation: the fetch of each instruction parcel, each load and each
// store, with log2 of the access size. A page-straddling access is two translations and so two records. The host
// appends its own control records (task, kernel page-table changes) between runs and empties the buffer when run()
// exits with EXIT_TRACE_FULL, which the fetch slow path raises before an instruction starts while fewer than
// REC_HEADROOM slots are free.

import { K_RECORD, TRACE_BASE, TRACE_CAPACITY } from "../layout";
import { cfg } from "../cost/counters";

/** Records in the trace buffer (the host reads and resets it). */
export let recFill: u32 = 0;
/** Records dropped because the buffer was full (never expected: the headroom covers one instruction's accesses). */
export let recLost: u32 = 0;
/** Free slots needed before an instruction starts: two fetch parcels and two page-straddling halves, with margin. */
export const REC_HEADROOM: u32 = 16;

export const REC_LOAD: u32 = 0;
export const REC_STORE: u32 = 1;
export const REC_IFETCH: u32 = 2;

@inline export function recording(): bool { return cfg(K_RECORD) != 0; }

/** True when the next instruction might not fit in the buffer. */
@inline export function recordFull(): bool { return recFill > TRACE_CAPACITY - REC_HEADROOM; }

/** Appends a reference: kind in bits 1..0, log2(size) in bits 3..2, the address above (its low four bits dropped). */
export function recordRef(kind: u32, va: u64, size: u32): void {
  if (recFill >= TRACE_CAPACITY) { recLost++; return; }
  const lg: u64 = size >= 8 ? 3 : size >= 4 ? 2 : size >= 2 ? 1 : 0;
  store<u64>(TRACE_BASE + (<usize>recFill << 3), (va & ~(<u64>15)) | (lg << 2) | <u64>kind);
  recFill++;
}

/** The host sets the fill after flushing (0) or after appending its own records. */
export function setRecFill(n: u32): void { recFill = n < TRACE_CAPACITY ? n : TRACE_CAPACITY; }
