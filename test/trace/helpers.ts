// Helpers for the trace suites: batches from page lists, replay of page lists through the wasm TLB and MIN.

import { KIND_LOAD, TraceBatch, type TraceSource } from "../../src/trace/batch.js";
import { BeladyCollector } from "../../src/trace/belady.js";
import { TlbReplayer } from "../../src/trace/replay.js";

export async function* source(pages: readonly number[], shift = 12, batchRecords = 1000): TraceSource {
  const b = new TraceBatch(batchRecords);
  for (const p of pages) {
    const va = p * 2 ** shift;
    b.push(KIND_LOAD, va % 4294967296, Math.floor(va / 4294967296));
    if (b.full) { yield b; b.count = 0; }
  }
  if (b.count > 0) yield b;
}

/** Misses of the wasm replay (policy) and of belady.ts (policy "min"). */
export async function replayMisses(pages: readonly number[], sets: number, ways: number, policy: string, seed = 0n): Promise<number> {
  const r = new TlbReplayer({ entries: sets * ways, ways, policy: policy === "min" ? "lru" : policy, seed }, 12);
  const min = new BeladyCollector();
  for await (const b of source(pages)) r.feed(b, min.add);
  expectCount(r.accesses, pages.length);
  return policy === "min" ? min.misses(sets, ways) : r.misses;
}

function expectCount(got: number, want: number): void {
  if (got !== want) throw new Error(`replayed ${got} references, expected ${want}`);
}

export async function bytesOf(data: Uint8Array, chunk: number): Promise<AsyncIterable<Uint8Array>> {
  return (async function* () { for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk); })();
}
