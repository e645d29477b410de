// The POWER hash MMU as Linux ppc64 drives it (Book III-S §5.7, §5.10; shared reference power_htab.md): the HPTE
// format, the one hashed page table (HTAB) per machine with SDR1, the SLB's size and miss cost, the context switch
// and tlbie over the wasm's control operations (assembly/arch/power/control.ts), and the HTAB's insertion and eviction
// (Linux native_hpte_insert / native_hpte_remove) on behalf of the address spaces that own its entries.

import { PAGE_SIZE } from "../../machine/config.js";
import { machineData } from "../../machine/costs.js";
import { type WasmMachine, wasmLayout, wasmLayout64 } from "../../machine/wasm.js";

// HPTE bits (Linux book3s/64/mmu-hash.h), as the wasm's HTAB walker defines them (assembly/arch/power/format.ts).
const L = wasmLayout(), L64 = wasmLayout64();
export const HPTE_V_VALID = L64.HPTE_V_VALID;
export const HPTE_V_SECONDARY = L64.HPTE_V_SECONDARY;
export const HPTE_V_BOLTED = L64.HPTE_V_BOLTED;
export const HPTE_V_AVPN_SHIFT = BigInt(L.HPTE_V_AVPN_SHIFT);
export const HPTE_R_RPN = L64.HPTE_R_RPN;
export const HPTE_R_R = L64.HPTE_R_R;
export const HPTE_R_C = L64.HPTE_R_C;
export const HPTE_R_M = L64.HPTE_R_M;      // WIMG: memory coherence (Linux sets it for all normal memory)
export const HPTE_R_N = L64.HPTE_R_N;
export const HPTE_R_PP = L64.HPTE_R_PP;
export const HPTES_PER_GROUP = L.HPTES_PER_GROUP;
export const HPTE_BYTES = L.HPTE_SIZE;
export const PTEG_BYTES = L.PTEG_SIZE;
const HASH_MASK = L64.HTAB_HASH_MASK_39;    // Linux hpt_hash: 39 bits
const SEGMENT_BYTES = 2 ** L.POWER_SID_SHIFT;   // 256 MiB segments
const AVPN_VA_SHIFT = L.HPTE_AVPN_VA_SHIFT;    // AVPN = VA >> 23
const HTAB_MIN_SHIFT = L.HTAB_MIN_SHIFT;        // SDR1.HTABSIZE = log2(HTAB bytes) − 18

/** Largest context id: the TLB entry's address-space tag is 16 bits. */
export const POWER_MAX_CONTEXT = 0xFFFF;
const TIMEBASE_DIV = 100n;   // costs.ts TIMEBASE_DIV: cycles per timebase tick

/** Linux hpt_hash for a 4 KiB page in a 256 MiB segment (39 bits). */
export function hptHash(vsid: bigint, ea: number): bigint {
  return ((vsid & HASH_MASK) ^ BigInt(Math.floor((ea % SEGMENT_BYTES) / PAGE_SIZE))) & HASH_MASK;
}

/** Doubleword 0 of a valid HPTE for (vsid, ea), secondary when h (Linux hpte_encode_v, B = 256 MiB). */
export function hpteV(vsid: bigint, ea: number, h: boolean): bigint {
  const avpn = (vsid << BigInt(L.POWER_SID_SHIFT - AVPN_VA_SHIFT)) |
    BigInt(Math.floor((ea % SEGMENT_BYTES) / 2 ** AVPN_VA_SHIFT));
  return (avpn << HPTE_V_AVPN_SHIFT) | (h ? HPTE_V_SECONDARY : 0n) | HPTE_V_VALID;
}

/**
 * Linux htab_shift_for_mem_size with 4 KiB pages: memory rounded up to a power of two, two pages per PTEG, at
 * least 2^18 bytes (the architecture's minimum, 2^11 PTEGs).
 */
export function htabShiftForMemSize(memBytes: number): number {
  let memshift = Math.floor(Math.log2(memBytes));
  if (2 ** memshift < memBytes) memshift++;
  const ptegShift = memshift - (12 + 1);
  return Math.max(ptegShift + 7, HTAB_MIN_SHIFT);
}

/** The SLB's size and the cost of an SLB miss (the data file's "slb" entry). */
export interface SlbConfig { entries: number; missCycles: number }

/** The SLB defaults from src/arch/power/power.json (each with its source there). */
export function powerSlbConfig(): SlbConfig {
  const slb = (machineData("power") as unknown as { slb?: Record<string, { value?: unknown; source?: unknown }> }).slb;
  const get = (k: string): number => {
    const v = slb?.[k]?.value;
    if (typeof v !== "number" || typeof slb?.[k]?.source !== "string") throw new Error(`machine data for power: missing slb.${k}`);
    return v;
  };
  return { entries: get("entries"), missCycles: get("missCycles") };
}

/** What the POWER pmap needs from the machine: memory, SDR1, the context switch, tlbie, and the timebase. */
export type PowerMachine = Pick<WasmMachine,
  "readPhys64" | "writePhys64" | "fillPhys" | "layout" | "setConfig" | "setSdr1" | "switchContext" | "tlbie" | "cycles">;

/** Where the HTAB's frames come from (the kernel's physical allocator). */
export interface HtabFrames { allocAt(pa: number, kind: "pagetable"): number }

/** An address space that owns HPTEs: told when the HTAB invalidates one, to keep its R and C bits. */
export interface HpteOwner { hashedOut(va: number, r: boolean, c: boolean): void }

export interface HtabStats {
  inserts: number;       // HPTEs written
  secondary: number;     // of which into the secondary group
  evictions: number;     // valid HPTEs evicted to make room
  refills: number;       // hash faults resolved from an address space's record
}

/** The per-machine side: the HTAB and its owners, context ids, the current address space. */
export class PowerMmu {
  readonly htab: number;          // physical address
  readonly htabBytes: number;
  readonly ptegCount: number;
  readonly stats: HtabStats = { inserts: 0, secondary: 0, evictions: 0, refills: 0 };
  current: object | undefined;    // the address space whose context is loaded
  private readonly owners = new Map<number, [HpteOwner, number]>();   // HPTE index → (address space, page)
  private readonly live = new Set<number>();
  private tbReads = 0;

  constructor(readonly machine: PowerMachine, phys: HtabFrames, ramBytes: number, slb: SlbConfig,
              readonly maxContext = POWER_MAX_CONTEXT, pftSize?: number) {
    if (!(slb.entries > 2 && slb.entries <= machine.layout.SLB_MAX)) throw new Error(`power: bad SLB size ${slb.entries}`);
    machine.setConfig(machine.layout.K_SLB_ENTRIES, BigInt(slb.entries));
    machine.setConfig(machine.layout.K_SLB_MISS_COST, BigInt(slb.missCycles));
    // htab_get_table_size: the platform's ibm,pft-size when it gives one, else sized to memory.
    const shift = pftSize ?? htabShiftForMemSize(ramBytes);
    this.htabBytes = 2 ** shift;
    if (this.htabBytes > ramBytes / 2) throw new Error(`memory too small for a ${this.htabBytes}-byte HTAB`);
    this.ptegCount = this.htabBytes / PTEG_BYTES;
    // memblock allocates top-down: the highest address aligned to the table's size.
    this.htab = Math.floor((ramBytes - this.htabBytes) / this.htabBytes) * this.htabBytes;
    for (let pa = this.htab; pa < this.htab + this.htabBytes; pa += PAGE_SIZE) phys.allocAt(pa, "pagetable");
    machine.fillPhys(this.htab, this.htabBytes, 0);
    if (!machine.setSdr1(BigInt(this.htab) | BigInt(shift - HTAB_MIN_SHIFT))) throw new Error("SDR1 rejected the HTAB");
  }

  get hashMask(): bigint { return BigInt(this.ptegCount - 1); }

  /** Linux hash__alloc_context_id: the lowest free id from 1. */
  allocContext(): number {
    for (let id = 1; id <= this.maxContext; id++) {
      if (!this.live.has(id)) { this.live.add(id); return id; }
    }
    throw new Error(`out of POWER context ids (${this.maxContext} address spaces)`);
  }

  freeContext(id: number): void { this.live.delete(id); }

  /** mftb as the kernel reads it: the guest's timebase, one tick later at each read within one kernel entry. */
  mftb(): number { return Number(this.machine.cycles() / TIMEBASE_DIV) + this.tbReads++; }

  hpteAddr(slot: number): number { return this.htab + slot * HPTE_BYTES; }
  readV(slot: number): bigint { return bswap64(this.machine.readPhys64(this.hpteAddr(slot))); }
  readR(slot: number): bigint { return bswap64(this.machine.readPhys64(this.hpteAddr(slot) + 8)); }
  writeV(slot: number, v: bigint): void { this.machine.writePhys64(this.hpteAddr(slot), bswap64(v)); }
  writeR(slot: number, r: bigint): void { this.machine.writePhys64(this.hpteAddr(slot) + 8, bswap64(r)); }
  ownerOf(slot: number): [HpteOwner, number] | undefined { return this.owners.get(slot); }

  /** native_hpte_insert: the first invalid slot of the group (dword 1 first, V last); −1 when full. */
  private insertInGroup(group: number, v: bigint, r: bigint): number {
    for (let i = 0; i < HPTES_PER_GROUP; i++) {
      const slot = group * HPTES_PER_GROUP + i;
      if ((this.readV(slot) & HPTE_V_VALID) !== 0n) continue;
      this.writeR(slot, r);
      this.writeV(slot, v);
      return slot;
    }
    return -1;
  }

  /** native_hpte_remove: a valid, non-bolted HPTE of the group from a random start; false if there is none. */
  private removeFromGroup(group: number): boolean {
    let off = this.mftb() % HPTES_PER_GROUP;
    for (let i = 0; i < HPTES_PER_GROUP; i++, off = (off + 1) % HPTES_PER_GROUP) {
      const slot = group * HPTES_PER_GROUP + off;
      const v = this.readV(slot);
      if ((v & HPTE_V_VALID) === 0n || (v & HPTE_V_BOLTED) !== 0n) continue;
      this.stats.evictions++;
      this.invalidateSlot(slot);
      return true;
    }
    return false;
  }

  /**
   * Makes a valid HPTE invalid: V cleared, tlbie for its VA, R/C harvested into its owner's record (an HPTE without
   * an owner, e.g. a bolted one, only loses V).
   */
  invalidateSlot(slot: number): void {
    const own = this.owners.get(slot);
    const r = this.readR(slot);
    this.writeV(slot, this.readV(slot) & ~HPTE_V_VALID);
    if (!own) return;
    this.owners.delete(slot);
    own[0].hashedOut(own[1], (r & HPTE_R_R) !== 0n, (r & HPTE_R_C) !== 0n);
  }

  /** hpte_insert_repeating: primary, secondary, else evict and retry. Returns the HPTE index. */
  insert(owner: HpteOwner, ea: number, vsid: bigint, r: bigint): number {
    const hash = hptHash(vsid, ea);
    const mask = this.hashMask;
    const primary = Number(hash & mask), secondary = Number(~hash & mask);
    for (let attempt = 0; attempt < 3; attempt++) {
      let slot = this.insertInGroup(primary, hpteV(vsid, ea, false), r);
      if (slot < 0) {
        slot = this.insertInGroup(secondary, hpteV(vsid, ea, true), r);
        if (slot >= 0) this.stats.secondary++;
      }
      if (slot >= 0) {
        this.stats.inserts++;
        this.owners.set(slot, [owner, ea]);
        return slot;
      }
      const first = this.mftb() & 1 ? primary : secondary;
      if (!this.removeFromGroup(first) && !this.removeFromGroup(first === primary ? secondary : primary)) break;
    }
    throw new Error(`HTAB: both PTEGs of 0x${ea.toString(16)} hold only bolted entries`);
  }
}

/** Swaps the byte order of a 64-bit value (HPTEs are big-endian in memory). */
export function bswap64(v: bigint): bigint {
  let out = 0n;
  for (let i = 0n; i < 64n; i += 8n) out = (out << 8n) | ((v >> i) & 0xFFn);
  return out;
}
