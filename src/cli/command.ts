// The command line as typed, kept in JSON documents so that `mmulab report` can say how to reproduce them.

import { ConfigError } from "../machine/config.js";
import { shellQuote } from "../sys/shell_quote.js";

export { shellQuote };

/** A count on the command line (--max-insns, --quantum …): a positive integer, or a ConfigError in one line. */
export function parseCount(s: string, what: string): bigint {
  if (!/^\d+$/.test(s.trim()) || BigInt(s.trim()) === 0n) throw new ConfigError(`${what} must be a positive integer, got '${s}'`);
  return BigInt(s.trim());
}

export function commandLine(argv: readonly string[]): string {
  return ["mmulab", ...argv].map(shellQuote).join(" ");
}

/**
 * A yargs check: an option that takes one value given more than once (yargs would hand its users an array) is a
 * usage error, not a crash. `repeatable` names the options and positionals that are lists.
 */
export function onceOnly(repeatable: readonly string[]): (a: Record<string, unknown>) => true {
  return (a) => {
    for (const [k, v] of Object.entries(a)) {
      if (k === "_" || k === "$0" || repeatable.includes(k) || !Array.isArray(v)) continue;
      throw new Error(`${k.length === 1 ? "-" : "--"}${k} given more than once`);
    }
    return true;
  };
}
