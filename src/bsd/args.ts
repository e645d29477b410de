// Decoding raw 64-bit syscall argument registers into the C types the Linux prototypes declare.

/** `int` arguments: the low 32 bits, sign-extended (as the kernel's syscall wrappers do). */
export function int(a: bigint): number { return Number(BigInt.asIntN(32, a)); }

/** `unsigned int` arguments. */
export function uint(a: bigint): number { return Number(BigInt.asUintN(32, a)); }

/** `long` arguments (exact within ±2^53, saturating beyond). */
export function long(a: bigint): number {
  const v = BigInt.asIntN(64, a);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (v < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(v);
}

/**
 * Pointers and `size_t`: exact below 2^53; anything larger becomes Number.MAX_SAFE_INTEGER, which lies above
 * every user address, so it fails the kernel's range checks like the real (huge) value would.
 */
export function addr(a: bigint): number {
  const v = BigInt.asUintN(64, a);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

export const size = addr;
