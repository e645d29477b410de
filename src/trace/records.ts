// Fixed-size records from a byte stream, for the readers of formats made of them (ChampSim, drmemtrace): runs of
// whole records, each a view into one chunk, or a record joined from the end of one chunk and the start of the next.

/** Whole records of `size` bytes, in runs; `tail(n)` is told how many bytes were left over at the end (0: none). */
export async function* wholeRecords(bytes: AsyncIterable<Uint8Array>, size: number,
  tail: (n: number) => void): AsyncGenerator<Uint8Array> {
  const carry = new Uint8Array(size);
  let fill = 0;
  for await (const chunk of bytes) {
    let at = 0;
    if (fill > 0) {
      const n = Math.min(size - fill, chunk.length);
      carry.set(chunk.subarray(0, n), fill);
      fill += n; at = n;
      if (fill < size) continue;
      yield carry;
      fill = 0;
    }
    const whole = at + Math.floor((chunk.length - at) / size) * size;
    if (whole > at) yield chunk.subarray(at, whole);
    carry.set(chunk.subarray(whole), 0);
    fill = chunk.length - whole;
  }
  tail(fill);
}
