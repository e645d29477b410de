// Reader of ChampSim traces: the `input_instr` records that ChampSim's Pin tracer writes (ChampSim's
// inc/trace_instruction.h; tracer/pin/champsim_tracer.cpp), 64 bytes each, little-endian, with no header:
//   0 ip u64 · 8 is_branch u8 · 9 branch_taken u8 · 10 destination_registers[2] u8 · 12 source_registers[4] u8 ·
//   16 destination_memory[2] u64 · 32 source_memory[4] u64
// Each record is one instruction: a fetch at ip, then a load at every non-zero source_memory and a store at every
// non-zero destination_memory, in array order (ChampSim's ooo_model_instr keeps every non-zero address, duplicates
// included: inc/instruction.h). Traces are usually xz- or gzip-compressed; source.ts decompresses them. The access
// sizes are not in the format: a reference is recorded at its address, as lackey's are.
//
// With no signature, the format cannot be told from its bytes: `--format champsim` names it. What can be checked is
// that is_branch and branch_taken are 0 or 1 (the tracer writes booleans); a record where they are not is malformed
// (garbage, or another format), as is a file that ends inside a record.

import { KIND_IFETCH, KIND_LOAD, KIND_STORE, type ReadOptions, type ReadStats, TraceBatch, TraceError } from "./batch.js";
import { wholeRecords } from "./records.js";

export const CHAMPSIM_RECORD = 64;
const DST_MEM = 16, SRC_MEM = 32, NUM_DST = 2, NUM_SRC = 4;

/** Reads ChampSim records from a byte stream in batches (the same batch object each time). */
export async function* readChampsim(bytes: AsyncIterable<Uint8Array>, name: string, o: ReadOptions = {},
  stats?: ReadStats): AsyncGenerator<TraceBatch> {
  const batch = new TraceBatch(o.batchRecords);
  const room = batch.capacity - (1 + NUM_DST + NUM_SRC);
  const ifetch = o.ifetch ?? true, lenient = o.lenient ?? false;
  const w = batch.words;
  let record = 0, skipped = 0, tail = 0;
  const note = (): void => { if (stats) { stats.records += batch.count; stats.lines = record; stats.skipped = skipped; stats.unit = "record"; } };
  for await (const run of wholeRecords(bytes, CHAMPSIM_RECORD, (n) => { tail = n; })) {
    const dv = new DataView(run.buffer, run.byteOffset, run.length);
    for (let at = 0; at < run.length; at += CHAMPSIM_RECORD, record++) {
      if (batch.count > room) { note(); yield batch; batch.count = 0; }
      const isBranch = run[at + 8]!, taken = run[at + 9]!;
      if (isBranch > 1 || taken > 1) {
        if (!lenient) {
          throw new TraceError(`${name}: record ${record}: is_branch ${isBranch} and branch_taken ${taken} are not 0 or 1 (not a ChampSim trace?)`);
        }
        skipped++;
        continue;
      }
      let i = batch.count << 1;
      if (ifetch) {
        w[i] = ((dv.getUint32(at, true) & ~3) | KIND_IFETCH) >>> 0; w[i + 1] = dv.getUint32(at + 4, true);
        i += 2;
      }
      for (let k = 0; k < NUM_SRC; k++) {
        const lo = dv.getUint32(at + SRC_MEM + 8 * k, true), hi = dv.getUint32(at + SRC_MEM + 8 * k + 4, true);
        if ((lo | hi) === 0) continue;
        w[i] = ((lo & ~3) | KIND_LOAD) >>> 0; w[i + 1] = hi;
        i += 2;
      }
      for (let k = 0; k < NUM_DST; k++) {
        const lo = dv.getUint32(at + DST_MEM + 8 * k, true), hi = dv.getUint32(at + DST_MEM + 8 * k + 4, true);
        if ((lo | hi) === 0) continue;
        w[i] = ((lo & ~3) | KIND_STORE) >>> 0; w[i + 1] = hi;
        i += 2;
      }
      batch.count = i >> 1;
    }
  }
  if (tail !== 0) {
    if (!lenient) throw new TraceError(`${name}: record ${record}: truncated (the trace ends ${tail} bytes into a ${CHAMPSIM_RECORD}-byte record)`);
    skipped++;
  }
  note();
  if (batch.count > 0) yield batch;
}

/** One ChampSim record (for tests and converters): an instruction at ip with these loads and stores. */
export function champsimRecord(ip: bigint, loads: readonly bigint[] = [], stores: readonly bigint[] = [], isBranch = 0, taken = 0): Uint8Array {
  if (loads.length > NUM_SRC || stores.length > NUM_DST) throw new RangeError("a ChampSim record holds at most 4 loads and 2 stores");
  const b = new Uint8Array(CHAMPSIM_RECORD);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, ip, true);
  b[8] = isBranch; b[9] = taken;
  stores.forEach((a, k) => dv.setBigUint64(DST_MEM + 8 * k, a, true));
  loads.forEach((a, k) => dv.setBigUint64(SRC_MEM + 8 * k, a, true));
  return b;
}
