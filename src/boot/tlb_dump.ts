// --dump-tlb: the contents of each modelled TLB level (L1 I, L1 D, L2), read from the wasm's TLB arrays as the
// entry layout in assembly/layout.ts describes them: every valid entry with its virtual page, physical page, page
// size, address-space tag (ASID, PCID, context), PERM_* bits and the replacement policy's state for it (LRU and
// pseudo-LRU: the time of the last use; FIFO: the fill sequence; NRU and RRIP: the re-reference value; LFU: hits).

import type { WasmMachine } from "../machine/wasm.js";
import { hex } from "../vm/vm_prot.js";
import { permString, sizeName } from "./walk_trace.js";

const LEVEL_NAMES = ["L1 I-TLB", "L1 D-TLB", "L2 TLB"];

export interface TlbEntryView {
  set: number;
  way: number;
  va: bigint;              // the entry's virtual base (a pair entry: the even page's)
  pa: bigint;
  size: number;            // bytes per page (a pair entry maps two)
  asid: number;
  perm: number;            // PERM_* bits
  odd?: { pa: bigint; perm: number };   // pair entries (MIPS R4000): the odd page
  policyState?: { name: string; value: bigint };
}

export interface TlbView {
  name: string;
  sets: number;
  ways: number;
  policy: string;
  entries: TlbEntryView[];
}

/** The policy state words worth showing, by policy (assembly/tlb/policy/*). */
function policyWord(policy: string): { name: string; offset: "stamp" | "aux" } | undefined {
  switch (policy) {
    case "lru": case "mru": case "plru": return { name: "last use", offset: "stamp" };
    case "fifo": return { name: "fill seq", offset: "aux" };
    case "nru": case "srrip": case "brrip": return { name: "rrpv", offset: "aux" };
    case "lfu": return { name: "hits", offset: "aux" };
    default: return undefined;   // random, mips-random: no per-entry state (MIPS: the Random register)
  }
}

/** Every TLB level the machine has, with its valid entries. */
export function tlbContents(w: WasmMachine): TlbView[] {
  const L = w.layout, dv = w.dv;
  const geo = w.tlbPageGeometry();
  const policyOf = new Map<number, string>();
  for (const [name, v] of Object.entries(L)) {
    if (name.startsWith("POLICY_") && name !== "POLICY_") policyOf.set(v, name.slice(7).toLowerCase().replace(/_/g, "-"));
  }
  const out: TlbView[] = [];
  for (let t = 0; t < 3; t++) {
    const sets = Number(w.config(L.K_SETS + 3 * t)), ways = Number(w.config(L.K_WAYS + 3 * t));
    if (ways === 0) continue;
    const policy = policyOf.get(Number(w.config(L.K_POLICY + 3 * t))) ?? "?";
    const pw = policyWord(policy);
    const base = L.TLB_BASE + t * L.TLB_STRIDE;
    const entries: TlbEntryView[] = [];
    for (let i = 0; i < sets * ways; i++) {
      const e = base + i * L.TLBE_SIZE;
      const tag = dv.getBigUint64(e, true);
      if ((tag & 1n) === 0n) continue;
      const level = Number((tag >> 1n) & 7n);
      const meta = dv.getUint32(e + 24, true);
      const view: TlbEntryView = {
        set: Math.floor(i / ways), way: i % ways, va: tag & ~0xFFn, pa: dv.getBigUint64(e + 8, true),
        size: 2 ** (geo.baseShift + geo.stepShift * level), asid: meta >>> 16, perm: meta & 0xFF,
      };
      if (geo.pairs) {
        const odd = dv.getBigUint64(e + L.PAIR_ODD, true);
        view.odd = { pa: odd & ~0xFFn, perm: Number(odd & 0xFFn) | (meta & L.PERM_G) };
      }
      if (pw) {
        const value = pw.offset === "stamp" ? dv.getBigUint64(e + L.TLBE_STAMP, true) : BigInt(dv.getUint32(e + L.TLBE_AUX, true));
        view.policyState = { name: pw.name, value };
      }
      entries.push(view);
    }
    out.push({ name: LEVEL_NAMES[t]!, sets, ways, policy, entries });
  }
  return out;
}

/** The dump as lines: a heading per level, one line per valid entry. */
export function formatTlbDump(w: WasmMachine, when: string): string[] {
  const lines: string[] = [`TLB contents ${when}:`];
  for (const v of tlbContents(w)) {
    lines.push(`  ${v.name}: ${v.sets} set${v.sets === 1 ? "" : "s"} × ${v.ways} way${v.ways === 1 ? "" : "s"}, ${v.policy}, ${v.entries.length} valid`);
    for (const e of v.entries) {
      const odd = e.odd ? `, odd page pa ${hex(e.odd.pa)} ${permString(w, e.odd.perm)}` : "";
      const st = e.policyState ? ` ${e.policyState.name} ${e.policyState.value}` : "";
      lines.push(`    set ${e.set} way ${e.way}: va ${hex(e.va)} → pa ${hex(e.pa)} ${sizeName(e.size)} asid ${e.asid} ${permString(w, e.perm)}${odd}${st}`);
    }
  }
  return lines;
}
