// The --tlb specification: comma-separated `level=entries:ways[:policy]`, levels l1i, l1d, l2, e.g.
// `l1i=32:4:lru,l1d=32:4:lru,l2=512:4:lru`. `level=0` or `level=off` removes that level. Levels not named keep
// their defaults. Geometry is validated here so the user gets one clear line instead of a hot-path error code.

import { ConfigError, type Policy, POLICIES, type TlbConfig, type TlbLevelConfig } from "./config.js";
import { type Layout, policyConstant } from "./wasm.js";

const LEVELS = ["l1i", "l1d", "l2"] as const;
export type TlbLevel = (typeof LEVELS)[number];

function isPowerOfTwo(n: number): boolean { return n > 0 && (n & (n - 1)) === 0; }

/** Checks one level's geometry against the hot path's limits; throws ConfigError naming the level. */
export function validateLevel(name: string, c: TlbLevelConfig, maxEntries: number): void {
  if (c.entries === 0) return;
  if (!Number.isInteger(c.entries) || c.entries < 0) throw new ConfigError(`tlb ${name}: bad entry count ${c.entries}`);
  if (!Number.isInteger(c.ways) || c.ways < 1) throw new ConfigError(`tlb ${name}: ways must be at least 1`);
  if (c.entries % c.ways !== 0) {
    throw new ConfigError(`tlb ${name}: ${c.entries} entries are not divisible by ${c.ways} ways`);
  }
  const sets = c.entries / c.ways;
  if (c.policy === "plru" && !isPowerOfTwo(c.ways)) {
    throw new ConfigError(`tlb ${name}: plru needs a power-of-two way count (a binary tree over the ways), got ${c.ways}`);
  }
  if (!isPowerOfTwo(sets)) throw new ConfigError(`tlb ${name}: ${sets} sets (${c.entries}/${c.ways}) is not a power of two`);
  if (c.entries > maxEntries) throw new ConfigError(`tlb ${name}: ${c.entries} entries exceed the maximum of ${maxEntries}`);
}

/** The wasm code of a policy name (layout constant POLICY_<NAME>). */
export function policyCode(layout: Layout, p: Policy): number {
  const code = (layout as Readonly<Record<string, number>>)[policyConstant(p)];
  if (code === undefined) throw new ConfigError(`unknown policy '${p}'`);
  return code;
}

function parsePolicy(level: string, s: string): Policy {
  const p = s.toLowerCase();
  if (POLICIES.includes(p)) return p;
  throw new ConfigError(`tlb ${level}: unknown policy '${s}' (choose ${POLICIES.join(", ")})`);
}

function parseCount(level: string, what: string, s: string): number {
  if (!/^\d+$/.test(s)) throw new ConfigError(`tlb ${level}: bad ${what} '${s}'`);
  return Number(s);
}

/** Applies a --tlb spec on top of `base`; returns a new configuration. */
export function parseTlbSpec(spec: string, base: TlbConfig, maxEntries: number): TlbConfig {
  const out: TlbConfig = { l1i: { ...base.l1i }, l1d: { ...base.l1d }, l2: { ...base.l2 } };
  for (const part of spec.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const eq = part.indexOf("=");
    if (eq < 0) throw new ConfigError(`tlb spec '${part}': expected level=entries:ways[:policy]`);
    const level = part.slice(0, eq).trim().toLowerCase();
    if (!(LEVELS as readonly string[]).includes(level)) {
      throw new ConfigError(`tlb spec: unknown level '${level}' (choose ${LEVELS.join(", ")})`);
    }
    const value = part.slice(eq + 1).trim();
    let c: TlbLevelConfig;
    if (value === "0" || value.toLowerCase() === "off" || value.toLowerCase() === "none") {
      c = { entries: 0, ways: 0, policy: "lru" };
    } else {
      const f = value.split(":");
      if (f.length < 2 || f.length > 3) throw new ConfigError(`tlb ${level}: expected entries:ways[:policy], got '${value}'`);
      c = {
        entries: parseCount(level, "entry count", f[0]!),
        ways: parseCount(level, "way count", f[1]!),
        policy: f.length === 3 ? parsePolicy(level, f[2]!) : "lru",
      };
    }
    validateLevel(level, c, maxEntries);
    out[level as TlbLevel] = c;
  }
  return out;
}

export function formatTlbLevel(c: TlbLevelConfig): string {
  return c.entries === 0 ? "off" : `${c.entries}:${c.ways}:${c.policy}`;
}
