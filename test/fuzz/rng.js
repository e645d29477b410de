// A small seeded generator (splitmix64) for the fuzzers: the same seed gives the same inputs on every host.

export class Rng {
  /** @param {bigint|number|string} seed */
  constructor(seed) { this.s = BigInt.asUintN(64, BigInt(seed) * 0x9E3779B97F4A7C15n + 0x632BE59BD9B4E019n); }

  /** 64 random bits. */
  u64() {
    this.s = BigInt.asUintN(64, this.s + 0x9E3779B97F4A7C15n);
    let z = this.s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94D049BB133111EBn);
    return z ^ (z >> 31n);
  }

  /** 32 random bits as an unsigned number. */
  u32() { return Number(this.u64() >> 32n); }

  /** An integer in [0, n). */
  below(n) { return n <= 1 ? 0 : Number(this.u64() % BigInt(n)); }

  /** An integer in [lo, hi]. */
  range(lo, hi) { return lo + this.below(hi - lo + 1); }

  /** true with probability p. */
  chance(p) { return this.u32() / 2 ** 32 < p; }

  /** One element of a list. */
  pick(list) { return list[this.below(list.length)]; }

  /** One key of {key: weight}, chosen by weight. */
  weighted(table) {
    const entries = Object.entries(table);
    let r = this.below(entries.reduce((a, [, w]) => a + w, 0));
    for (const [k, w] of entries) { if (r < w) return k; r -= w; }
    return entries[0][0];
  }

  /** n random bytes. */
  bytes(n) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.below(256);
    return b;
  }
}
