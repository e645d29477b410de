// The kernel's entropy source, made deterministic: a SplitMix64 generator seeded from --seed (Steele, Lea and
// Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014). Serves AT_RANDOM and getrandom.

const MASK = (1n << 64n) - 1n;

export class SeededRandom {
  private state: bigint;

  constructor(seed: bigint) { this.state = seed & MASK; }

  next64(): bigint {
    this.state = (this.state + 0x9E3779B97F4A7C15n) & MASK;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & MASK;
    return z ^ (z >> 31n);
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 8) {
      let v = this.next64();
      for (let j = i; j < Math.min(n, i + 8); j++) { out[j] = Number(v & 0xFFn); v >>= 8n; }
    }
    return out;
  }
}
