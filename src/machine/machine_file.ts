// --machine FILE.json: a machine described in the data files' format (src/arch/<machine>/<arch>.json), the way
// ChampSim takes its configuration from JSON. The file names the machine it starts from ("arch") and overrides
// any part of its defaults: TLB levels (entries, ways, policy), cycle costs, paging-structure caches, memory. A
// "source" may accompany any value, as in the data files, and is kept with it for the record; every other key is
// refused with one line naming it, so a typo never silently leaves a default in place.

import { readFileSync } from "node:fs";
import { ConfigError } from "../sys/config_error.js";
import { COST_KEYS, type CycleCosts, PSC_KEYS, TLB_LEVELS } from "./costs.js";

export interface MachineFile {
  readonly path: string;
  readonly arch?: string;
  readonly description?: string;
  readonly mem?: string;
  /** --tlb syntax built from the file's levels ("l2=2048:16:srrip,…"): parsed and checked like --tlb. */
  readonly tlbSpec?: string;
  readonly costs?: Partial<CycleCosts>;
  /** --psc syntax built from the file's caches. */
  readonly pscSpec?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function refuseUnknown(o: Json, allowed: readonly string[], where: string, path: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new ConfigError(`--machine ${path}: unknown key '${where}${k}' (expected ${allowed.join(", ")})`);
  }
}

function nonNegativeInt(v: unknown, where: string, path: string): number {
  const n = isObject(v) ? v["cycles"] ?? v["value"] ?? v["entries"] : v;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new ConfigError(`--machine ${path}: ${where} must be a non-negative integer, got ${JSON.stringify(n)}`);
  }
  return n;
}

/** Reads and checks a machine file (its values are checked again as --tlb/--psc values when applied). */
export function readMachineFile(path: string): MachineFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`--machine ${path}: ${code === "ENOENT" ? "no such file" : code ? (e as Error).message : `not JSON (${(e as Error).message})`}`);
  }
  if (!isObject(doc)) throw new ConfigError(`--machine ${path}: expected a JSON object`);
  refuseUnknown(doc, ["arch", "description", "mem", "tlb", "costs", "psc", "source"], "", path);
  const out: { -readonly [K in keyof MachineFile]: MachineFile[K] } = { path };
  if (doc["arch"] !== undefined) {
    if (typeof doc["arch"] !== "string") throw new ConfigError(`--machine ${path}: arch must be a machine's name`);
    out.arch = doc["arch"];
  }
  if (typeof doc["description"] === "string") out.description = doc["description"];
  if (doc["mem"] !== undefined) {
    if (typeof doc["mem"] !== "string" && typeof doc["mem"] !== "number") throw new ConfigError(`--machine ${path}: mem must be a size such as "512M"`);
    out.mem = String(doc["mem"]);
  }
  const tlb = doc["tlb"];
  if (tlb !== undefined) {
    if (!isObject(tlb)) throw new ConfigError(`--machine ${path}: tlb must be an object of levels (${TLB_LEVELS.join(", ")})`);
    refuseUnknown(tlb, TLB_LEVELS as readonly string[], "tlb.", path);
    const items: string[] = [];
    for (const [level, v] of Object.entries(tlb)) {
      if (!isObject(v)) throw new ConfigError(`--machine ${path}: tlb.${level} must be an object with entries, ways, policy`);
      refuseUnknown(v, ["entries", "ways", "policy", "source"], `tlb.${level}.`, path);
      const entries = nonNegativeInt(v["entries"], `tlb.${level}.entries`, path);
      const ways = v["ways"] === undefined ? entries : nonNegativeInt(v["ways"], `tlb.${level}.ways`, path);
      if (v["policy"] !== undefined && typeof v["policy"] !== "string") throw new ConfigError(`--machine ${path}: tlb.${level}.policy must be a policy's name`);
      items.push(`${level}=${entries}:${ways}${v["policy"] !== undefined ? `:${v["policy"]}` : ""}`);
    }
    out.tlbSpec = items.join(",");
  }
  const costs = doc["costs"];
  if (costs !== undefined) {
    if (!isObject(costs)) throw new ConfigError(`--machine ${path}: costs must be an object (${COST_KEYS.join(", ")})`);
    refuseUnknown(costs, COST_KEYS as readonly string[], "costs.", path);
    const c: Partial<CycleCosts> = {};
    for (const [k, v] of Object.entries(costs)) c[k as keyof CycleCosts] = nonNegativeInt(v, `costs.${k}`, path);
    out.costs = c;
  }
  const psc = doc["psc"];
  if (psc !== undefined) {
    if (!isObject(psc)) throw new ConfigError(`--machine ${path}: psc must be an object (${PSC_KEYS.join(", ")})`);
    refuseUnknown(psc, [...PSC_KEYS, "source"], "psc.", path);
    out.pscSpec = Object.entries(psc).filter(([k]) => k !== "source").map(([k, v]) => `${k}=${nonNegativeInt(v, `psc.${k}`, path)}`).join(",");
  }
  return out;
}
