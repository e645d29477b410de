// --trace-walk: every page walk or software refill as the machine made it, one line each, read from the wasm's
// walk-trace buffer (assembly/mmu/walk_trace.ts), which the run drains at every trap and whenever it fills. The
// records name the machine's own steps (radix levels, paging-structure-cache hits, SLB and PTEG probes, the TSB
// probe and the slow path, the refill handler's loads and nested misses, the VAX's system-table translation, the
// guarded and clustered tables' probes); entry values are decoded with the bit names each machine's format.ts
// exports (by value format, never by machine name), so nothing here repeats a format.

import type { WasmMachine } from "../machine/wasm.js";
import { hex } from "../vm/vm_prot.js";

const ACCESS = ["fetch", "load", "store"] as const;
const PSC_NAMES = ["PDE", "PDPTE", "PML4E", "PML5E"];

/** A page size in the units people say: 512B, 4K, 2M, 1G. */
export function sizeName(bytes: number): string {
  for (const [unit, n] of [["G", 2 ** 30], ["M", 2 ** 20], ["K", 1024]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${unit}`;
  }
  return `${bytes}B`;
}

/** PERM_* bits as rwxugad letters, '-' for a clear one. */
export function permString(w: WasmMachine, perm: number): string {
  const L = w.layout;
  return ([["r", L.PERM_R], ["w", L.PERM_W], ["x", L.PERM_X], ["u", L.PERM_U], ["g", L.PERM_G], ["a", L.PERM_A],
    ["d", L.PERM_D]] as const).map(([c, b]) => (perm & b ? c : "-")).join("");
}

type BitNames = readonly (readonly [string, bigint])[];

/** The flag bits and the frame of each value format, from the machine's exported format constants. */
function formats(w: WasmMachine): Map<number, { bits: BitNames; frame(v: bigint): bigint | undefined; extra?(v: bigint): string }> {
  const L = w.layout, F = w.layout64;
  const n = (x: number): bigint => BigInt(x >>> 0);
  return new Map([
    [L.WF_SV, {
      bits: [["V", F.SV_PTE_V], ["R", F.SV_PTE_R], ["W", F.SV_PTE_W], ["X", F.SV_PTE_X], ["U", F.SV_PTE_U], ["G", F.SV_PTE_G],
        ["A", F.SV_PTE_A], ["D", F.SV_PTE_D]],
      frame: (v: bigint) => ((v >> BigInt(L.SV_PTE_PPN_SHIFT)) & F.SV_PTE_PPN_MASK) << 12n,
    }],
    [L.WF_X86, {
      bits: [["P", F.X86_PTE_P], ["RW", F.X86_PTE_RW], ["US", F.X86_PTE_US], ["A", F.X86_PTE_A], ["D", F.X86_PTE_D],
        ["PS", F.X86_PTE_PS], ["G", F.X86_PTE_G], ["XD", F.X86_PTE_XD]],
      frame: (v: bigint) => v & F.X86_PTE_ADDR_MASK,
    }],
    [L.WF_TTE, {
      bits: [["V", F.TTE_V], ["EXEC", F.TTE_EXEC], ["MOD", F.TTE_MODIFIED], ["REF", F.TTE_ACCESSED], ["R", F.TTE_READ],
        ["WRITE", F.TTE_WRITE], ["PRESENT", F.TTE_PRESENT], ["CP", F.TTE_CP], ["CV", F.TTE_CV], ["P", F.TTE_P],
        ["W", F.TTE_W], ["G", F.TTE_G]],
      frame: (v: bigint) => ((v & F.TTE_PA) >> BigInt(L.TTE_PA_SHIFT)) << 12n,
    }],
    [L.WF_HPTE, {
      bits: [["R", F.HPTE_R_R], ["C", F.HPTE_R_C], ["N", F.HPTE_R_N]],
      frame: (v: bigint) => v & F.HPTE_R_RPN,
      extra: (v: bigint) => `PP=${v & F.HPTE_R_PP}`,
    }],
    [L.WF_MIPS1, {
      bits: [["G", F.MIPS_R3000_ENTRYLO_G], ["V", F.MIPS_R3000_ENTRYLO_V], ["D", F.MIPS_R3000_ENTRYLO_D],
        ["N", F.MIPS_R3000_ENTRYLO_N], ["RO", F.MIPS_R3000_ENTRYLO_RO]],
      frame: (v: bigint) => v & F.MIPS_R3000_ENTRYLO_PFN,
    }],
    [L.WF_MIPS3, {
      bits: [["G", F.MIPS_R4000_ENTRYLO_G], ["V", F.MIPS_R4000_ENTRYLO_V], ["D", F.MIPS_R4000_ENTRYLO_D],
        ["RO", F.MIPS_R4000_ENTRYLO_RO]],
      frame: (v: bigint) => ((v >> BigInt(L.MIPS_R4000_ENTRYLO_PFN_SHIFT)) & F.MIPS_R4000_ENTRYLO_PFN_MASK) << 12n,
    }],
    [L.WF_VAX, {
      bits: [["V", n(L.VAX_PTE_V)], ["M", n(L.VAX_PTE_M)]],
      frame: (v: bigint) => (v & n(L.VAX_PFN_MASK)) << BigInt(L.VAX_PAGE_SHIFT),
      extra: (v: bigint) => `PROT=${(v >> BigInt(L.VAX_PTE_PROT_SHIFT)) & n(L.VAX_PTE_PROT_MASK)}`,
    }],
    [L.WF_GPT, {
      bits: [["V", F.GPT_V], ["LEAF", F.GPT_LEAF], ["R", F.GPT_R], ["W", F.GPT_W], ["X", F.GPT_X], ["A", F.GPT_A],
        ["D", F.GPT_D]],
      frame: () => undefined,
      extra: (v: bigint) => {
        const g = Number((v >> BigInt(L.GPT_GUARD_LEN_SHIFT)) & BigInt(L.GPT_GUARD_LEN_MASK));
        const child = Number((v >> BigInt(L.GPT_CHILD_BITS_SHIFT)) & BigInt(L.GPT_CHILD_BITS_MASK));
        return `guard ${g ? `${hex(v >> BigInt(L.GPT_GUARD_SHIFT))}/${g}` : "-"}${v & F.GPT_LEAF ? "" : ` child 2^${child}`}`;
      },
    }],
    [L.WF_CPT, {
      bits: [["V", F.HASHED_MAP_V], ["R", F.HASHED_MAP_R], ["W", F.HASHED_MAP_W], ["X", F.HASHED_MAP_X],
        ["REF", F.HASHED_MAP_REF], ["MOD", F.HASHED_MAP_MOD]],
      frame: (v: bigint) => v & F.HASHED_MAP_FRAME,
    }],
  ]);
}

/** One walk-trace record as the wasm wrote it. */
export interface WalkRecord {
  kind: number;
  fmt: number;
  aux: number;
  extra: number;
  a: bigint;
  b: bigint;
}

/** Reads the records in the buffer and empties it; `lost` counts those that found it full. */
export function takeWalkRecords(w: WasmMachine): { records: WalkRecord[]; lost: number } {
  const { fill, lost } = w.walkTraceFill();
  const L = w.layout, dv = w.dv;
  const records: WalkRecord[] = [];
  for (let i = 0; i < fill; i++) {
    const r = L.WALK_TRACE_BASE + i * L.WT_RECORD_SIZE;
    const head = dv.getUint32(r, true);
    records.push({
      kind: head & 0xFF, fmt: (head >>> 8) & 0xFF, aux: head >>> 16, extra: dv.getUint32(r + 4, true),
      a: dv.getBigUint64(r + 8, true), b: dv.getBigUint64(r + 16, true),
    });
  }
  w.walkTraceClear();
  return { records, lost };
}

/** Formats walk-trace records into lines: one per walk, and one per segment miss outside a walk. */
export class WalkFormatter {
  private readonly fmts;
  private readonly roles: Map<number, string>;

  constructor(private readonly w: WasmMachine) {
    this.fmts = formats(w);
    const L = w.layout;
    this.roles = new Map([
      [L.WL_TSB, "TSB TTE"], [L.WL_LINEAR, "PTE via linear table"], [L.WL_ROOT, "root table"], [L.WL_KPT, "kernel PT"],
      [L.WL_SYSTEM, "SPTE"], [L.WL_HEAD, "bucket head"], [L.WL_WORD, "mapping word"], [L.WL_HPTE, "HPTE"],
    ]);
  }

  /** An entry's value: hex, then its set flags and the frame it names. */
  decode(fmt: number, v: bigint): string {
    const f = this.fmts.get(fmt);
    if (!f) return hex(v);
    const flags = f.bits.filter(([, b]) => (v & b) !== 0n).map(([name]) => name);
    const frame = f.frame(v);
    const parts = [flags.join(" ") || "-", ...(f.extra ? [f.extra(v)] : []), ...(frame !== undefined && frame !== 0n ? [`→ ${hex(frame)}`] : [])];
    return `${hex(v)} (${parts.join(", ")})`;
  }

  private label(r: WalkRecord): string {
    const L = this.w.layout;
    if (r.fmt === L.WF_GPT) return `node(${r.aux} bits left)`;
    if (r.fmt === L.WF_VAX && r.aux === 0) return "PTE";
    return this.roles.get(r.aux) ?? `L${r.aux}`;
  }

  private step(r: WalkRecord): string | undefined {
    const L = this.w.layout;
    switch (r.kind) {
      case L.WT_ENTRY: return `${this.label(r)} [${hex(r.a)}] ${this.decode(r.fmt, r.b)}`;
      case L.WT_WRITE: return `${this.label(r)} [${hex(r.a)}] := ${this.decode(r.fmt, r.b)}`;
      case L.WT_PSC: return r.extra ? `PSC ${PSC_NAMES[r.aux]} hit → table ${hex(r.a)}` : `PSC ${PSC_NAMES[r.aux]} miss`;
      case L.WT_SLB:
        if (r.extra === 2) return `SLB: no segment for ${hex(r.a)}`;
        return `SLB[${r.aux}] ${r.extra ? "miss, handler loaded" : "hit"} ESID ${hex(r.a >> BigInt(L.POWER_SID_SHIFT))} VSID ${hex(r.b >> BigInt(L.SLB_VSID_SHIFT))}`;
      case L.WT_PTEG: return `${r.aux ? "secondary" : "primary"} PTEG [${hex(r.a)}] hash ${hex(r.b)}: ${r.extra ? `slot ${r.extra - 1}` : "no match"}`;
      case L.WT_TSB: return `TSB [${hex(r.a)}] tag ${hex(r.b)} ${r.aux ? "hit" : "miss"}`;
      case L.WT_REFILL: return `${r.aux ? "refill again" : "refill"}: Context ${hex(r.a)}`;
      case L.WT_NESTED: return `nested miss on ${hex(r.a)}`;
      case L.WT_MODIFIED: return "TLB modified exception";
      case L.WT_STB: return r.aux ? `system TB hit SVPN ${hex(r.a)}` : `system TB miss SVPN ${hex(r.a)}`;
      case L.WT_HANDLER: return `handler ${r.extra} insns`;
      case L.WT_NODE: return `node [${hex(r.a)}] tag ${hex(r.b)}${r.aux ? " match" : ""}`;
      default: return undefined;
    }
  }

  /** The lines of a batch of records, in order. */
  lines(records: readonly WalkRecord[]): string[] {
    const L = this.w.layout, out: string[] = [];
    const geo = this.w.tlbPageGeometry();
    let head: string | undefined;
    let steps: string[] = [];
    let pair: bigint | undefined;
    let va = 0n;
    for (const r of records) {
      if (r.kind === L.WT_BEGIN) {
        va = r.a;
        head = `walk ${ACCESS[r.aux] ?? r.aux} va ${hex(r.a)} asid ${r.extra}:`;
        steps = []; pair = undefined;
      } else if (r.kind === L.WT_PAIR) {
        pair = r.a;
      } else if (r.kind === L.WT_END) {
        const ok = (r.aux & 1) !== 0, refs = r.extra >>> 8;
        const cost = `${refs} ref${refs === 1 ? "" : "s"}, ${r.b} cycles`;
        let result: string;
        if (ok) {
          const level = (r.aux >>> 4) & 15;
          const size = 2 ** (geo.baseShift + geo.stepShift * level);
          // A pair entry (MIPS R4000) maps an even and an odd page: the result is va's, the other is said after it.
          const even = { pa: r.a, perm: r.extra & 0xFF };
          const odd = pair !== undefined ? { pa: pair & ~0xFFFn, perm: Number(pair & 0xFFn) } : undefined;
          const isOdd = odd !== undefined && ((va >> BigInt(geo.baseShift + geo.stepShift * level)) & 1n) === 1n;
          const mine = isOdd ? odd! : even, other = isOdd ? even : odd;
          // A refill may load an entry that is not valid (MIPS: V = 0); the access then takes the TLB invalid
          // exception, a page fault for the kernel.
          result = mine.perm === 0 ? "an invalid entry loaded" : `pa ${hex(mine.pa)} ${sizeName(size)} ${permString(this.w, mine.perm)}`;
          if (other) result += ` (pair: ${isOdd ? "even" : "odd"} page ${other.perm === 0 ? "invalid" : `pa ${hex(other.pa)} ${permString(this.w, other.perm)}`})`;
        } else {
          result = (r.aux & 2) !== 0 ? "access fault (outside physical memory)" : "page fault";
        }
        out.push(`${head ?? "walk:"} ${steps.length ? steps.join(" → ") + " " : ""}⇒ ${result} (${cost})`);
        head = undefined; steps = [];
      } else if (head !== undefined) {
        const s = this.step(r);
        if (s) steps.push(s);
      } else if (r.kind === L.WT_SLB && r.extra !== 0) {
        // A segment lookup on an L1 miss that the L2 TLB then answered: only a miss is worth a line.
        out.push(`segment ${this.step(r)!}`);
      }
    }
    return out;
  }
}
