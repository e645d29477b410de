// The RV64GC user-mode interpreter loop (TinyEMU's shape): fetch through the current code page, expand
// compressed parcels by table, decode fields once, switch on the major opcode. Traps are status codes: the loop
// leaves pc at the trapping instruction and returns why. Floating point and AMOs live in their own files.

import {
  RVC_TABLE, C_ITLB_MISS, C_DTLB_MISS, C_INSTRET,
  EXIT_BUDGET, EXIT_ECALL, EXIT_ILLEGAL, EXIT_BREAKPOINT, EXIT_PAGE_FAULT, EXIT_ACCESS_FAULT, EXIT_TRACE_FULL,
} from "../layout";
import { recording, recordFull, recordRef, REC_IFETCH } from "../mmu/record";
import { walkTraceFull, wtStopped, wtStopClear, CAUSE_WALK_TRACE_FULL } from "../mmu/walk_trace";
import { pc, setPc, instret, setInstret, getX, setX } from "./state";
import { mulh, mulhu, mulhsu, div64, divu64, rem64, remu64, sx32, div32, divu32, rem32, remu32 } from "./alu";
import { csrRead, csrWrite, csrIllegal, clearCsrIllegal } from "./csr";
import { execAmo } from "./amo";
import { execFp } from "./fpexec";
import { fastRead, fastWrite, slowRead, slowWrite, memFault, clearMemFault, hostMask, HostPage4K, HostPage512 } from "../mmu/access";
import { fetchPage, fetchAddend, fetchHostAddend, translateFetch, trapCause, FETCH_POISON_VA } from "../mmu/mmu";
import { clock0, clock1, clock2, pageShift } from "../tlb/tlb";
import { CAUSE_FETCH_ACCESS, CAUSE_LOAD_ACCESS, CAUSE_STORE_ACCESS } from "../layout";
import { bump, counter } from "../cost/counters";
import { chargeL1Hits } from "../cost/charge";

export let exitInsn: u32 = 0;  // the instruction bits of an illegal instruction

@inline function memTrap(): i32 {
  const c = trapCause;
  if (c == CAUSE_WALK_TRACE_FULL) return EXIT_TRACE_FULL;
  return (c == CAUSE_FETCH_ACCESS || c == CAUSE_LOAD_ACCESS || c == CAUSE_STORE_ACCESS) ? EXIT_ACCESS_FAULT : EXIT_PAGE_FAULT;
}

/** Fetches the instruction at va through the slow path (page change or a parcel straddling pages). */
let slowIters: u64 = 0;        // loop iterations whose fetch went through fetchSlow (successful or not)

function fetchSlow(va: u64): u64 {
  slowIters++;
  // Returns the raw instruction in the low 32 bits, or bit 32 set when the fetch trapped, bit 33 when recording
  // must empty the trace buffer first (nothing fetched: the instruction starts again after the flush).
  const rec = recording();
  if ((rec && recordFull()) || walkTraceFull()) return <u64>2 << 32;
  if (!translateFetch(va)) return <u64>1 << 32;
  const last: u32 = (1 << pageShift) - 2;   // offset of the page's last parcel
  const off = <u32>va & (last | 1);
  const lo = <u32>load<u16>(<usize>(va + fetchHostAddend));
  if ((lo & 3) != 3 || off != last) {
    if (rec) recordRef(REC_IFETCH, va, (lo & 3) != 3 ? 2 : 4);
    return off == last ? <u64>lo : <u64>load<u32>(<usize>(va + fetchHostAddend));
  }
  // A 32-bit instruction straddling two pages: the upper parcel is a second I-TLB access.
  if (rec) recordRef(REC_IFETCH, va, 4);
  if (!translateFetch(va + 2)) return <u64>1 << 32;
  if (rec) recordRef(REC_IFETCH, va + 2, 4);
  const hi = <u32>load<u16>(<usize>(va + 2 + fetchHostAddend));
  return <u64>(lo | (hi << 16));
}

@inline function slowStatus(r: u64): i32 { return (r >> 33) != 0 ? EXIT_TRACE_FULL : memTrap(); }

/**
 * Runs at most `budget` instructions. Returns an EXIT_* code; pc is left at the next instruction to execute,
 * which for a trap is the trapping one. The loop is instantiated per host page size (access.ts), chosen by the
 * machine's smallest page, so the 4 KiB machines' fast paths keep their constant masks.
 */
export function cpuRun(budget: u64): i32 {
  return pageShift != 9 ? cpuLoop<HostPage4K>(budget) : cpuLoop<HostPage512>(budget);
}

function cpuLoop<P>(budget: u64): i32 {
  let p = pc;
  let left = budget;       // instructions still allowed in this call (counting down keeps the loop test cheap)
  let status = EXIT_BUDGET;
  const c0 = clock0, c1 = clock1, c2 = clock2, slow0 = slowIters;
  const missI0 = counter(C_ITLB_MISS), missD0 = counter(C_DTLB_MISS);
  // The current code page, cached in locals: only the slow fetch path changes it during a run.
  let fpage = fetchPage, faddend = fetchAddend;
  exitInsn = 0;
  wtStopClear();
  while (left != 0) {
    // Fetch: the fast path is one subtraction and compare while pc stays on the current code page.
    let insn: u32;
    if (p - fpage < <u64>(hostMask<P>() - 1)) {
      insn = load<u32>(<usize>(p + faddend));
    } else {
      const r = fetchSlow(p);
      if (r >> 32) { status = slowStatus(r); break; }
      insn = <u32>r;
      fpage = fetchPage; faddend = fetchAddend;
    }
    let np: u64;
    const raw = insn;
    if ((insn & 3) != 3) {
      insn = load<u32>(RVC_TABLE + ((raw & 0xFFFF) << 2));
      np = p + 2;
      if (insn == 0) {
        if (p - FETCH_POISON_VA < 0x1000) {
          // Fetched from the poison page: no code page was valid. Do the real fetch, which must fault.
          status = slowStatus(fetchSlow(p));
          break;
        }
        exitInsn = raw & 0xFFFF; status = EXIT_ILLEGAL; break;
      }
    } else {
      np = p + 4;
    }
    let st = EXIT_BUDGET;   // per instruction, so it is not carried around the loop
    const rd = (insn >> 7) & 31;
    const rs1 = (insn >> 15) & 31;
    const rs2 = (insn >> 20) & 31;
    const f3 = (insn >> 12) & 7;
    switch ((insn >> 2) & 31) { // major opcode bits 6:2 (bits 1:0 are 11): dense, so it compiles to a jump table
      case 0x0D: setX(rd, <u64><i64><i32>(insn & 0xFFFFF000)); break;                   // LUI
      case 0x05: setX(rd, p + <u64><i64><i32>(insn & 0xFFFFF000)); break;               // AUIPC
      case 0x1B: {                                                                      // JAL
        const imm = ((<i32>insn >> 11) & 0xFFF00000) | (insn & 0xFF000) | ((insn >> 9) & 0x800) | ((insn >> 20) & 0x7FE);
        setX(rd, np);
        np = p + <u64><i64>imm;
        break;
      }
      case 0x19: {                                                                      // JALR
        if (f3 != 0) { st = EXIT_ILLEGAL; break; }
        const t = (getX(rs1) + <u64><i64>(<i32>insn >> 20)) & ~(<u64>1);
        setX(rd, np);
        np = t;
        break;
      }
      case 0x18: {                                                                      // BRANCH
        const a = getX(rs1), b = getX(rs2);
        let taken: bool;
        switch (f3) {
          case 0: taken = a == b; break;
          case 1: taken = a != b; break;
          case 4: taken = <i64>a < <i64>b; break;
          case 5: taken = <i64>a >= <i64>b; break;
          case 6: taken = a < b; break;
          case 7: taken = a >= b; break;
          default: st = EXIT_ILLEGAL; taken = false;
        }
        if (taken) {
          const imm = ((<i32>insn >> 19) & 0xFFFFF000) | ((insn << 4) & 0x800) | ((insn >> 20) & 0x7E0) | ((insn >> 7) & 0x1E);
          np = p + <u64><i64>imm;
        }
        break;
      }
      case 0x00: {                                                                      // LOAD
        const va = getX(rs1) + <u64><i64>(<i32>insn >> 20);
        let v: u64;
        switch (f3) {
          case 0: { const h = fastRead<P>(va, 1); v = h ? <u64><i64>load<i8>(h) : <u64><i64><i8>slowRead(va, 1); break; }
          case 1: { const h = fastRead<P>(va, 2); v = h ? <u64><i64>load<i16>(h) : <u64><i64><i16>slowRead(va, 2); break; }
          case 2: { const h = fastRead<P>(va, 4); v = h ? <u64><i64>load<i32>(h) : <u64><i64><i32>slowRead(va, 4); break; }
          case 3: { const h = fastRead<P>(va, 8); v = h ? load<u64>(h) : slowRead(va, 8); break; }
          case 4: { const h = fastRead<P>(va, 1); v = h ? <u64>load<u8>(h) : slowRead(va, 1); break; }
          case 5: { const h = fastRead<P>(va, 2); v = h ? <u64>load<u16>(h) : slowRead(va, 2); break; }
          case 6: { const h = fastRead<P>(va, 4); v = h ? <u64>load<u32>(h) : slowRead(va, 4); break; }
          default: st = EXIT_ILLEGAL; v = 0;
        }
        if (memFault) { st = memTrap(); break; }
        if (st == EXIT_BUDGET) setX(rd, v);
        break;
      }
      case 0x08: {                                                                      // STORE
        const va = getX(rs1) + <u64><i64>(((<i32>insn >> 20) & ~31) | <i32>rd);
        const v = getX(rs2);
        switch (f3) {
          case 0: { const h = fastWrite<P>(va, 1); if (h) store<u8>(h, <u8>v); else slowWrite(va, 1, v); break; }
          case 1: { const h = fastWrite<P>(va, 2); if (h) store<u16>(h, <u16>v); else slowWrite(va, 2, v); break; }
          case 2: { const h = fastWrite<P>(va, 4); if (h) store<u32>(h, <u32>v); else slowWrite(va, 4, v); break; }
          case 3: { const h = fastWrite<P>(va, 8); if (h) store<u64>(h, v); else slowWrite(va, 8, v); break; }
          default: st = EXIT_ILLEGAL;
        }
        if (memFault) st = memTrap();
        break;
      }
      case 0x04: {                                                                      // OP-IMM
        const a = getX(rs1);
        const imm = <u64><i64>(<i32>insn >> 20);
        let v: u64;
        switch (f3) {
          case 0: v = a + imm; break;
          case 1: if ((insn >> 26) != 0) { st = EXIT_ILLEGAL; v = 0; } else v = a << (imm & 63); break;
          case 2: v = <i64>a < <i64>imm ? 1 : 0; break;
          case 3: v = a < imm ? 1 : 0; break;
          case 4: v = a ^ imm; break;
          case 5: {
            const hi = insn >> 26;
            if (hi == 0) v = a >> (imm & 63);
            else if (hi == 0x10) v = <u64>(<i64>a >> <i64>(imm & 63));
            else { st = EXIT_ILLEGAL; v = 0; }
            break;
          }
          case 6: v = a | imm; break;
          default: v = a & imm;
        }
        if (st == EXIT_BUDGET) setX(rd, v);
        break;
      }
      case 0x0C: {                                                                      // OP
        const a = getX(rs1), b = getX(rs2);
        const f7 = insn >> 25;
        let v: u64 = 0;
        if (f7 == 0) {
          switch (f3) {
            case 0: v = a + b; break;
            case 1: v = a << (b & 63); break;
            case 2: v = <i64>a < <i64>b ? 1 : 0; break;
            case 3: v = a < b ? 1 : 0; break;
            case 4: v = a ^ b; break;
            case 5: v = a >> (b & 63); break;
            case 6: v = a | b; break;
            default: v = a & b;
          }
        } else if (f7 == 0x20) {
          if (f3 == 0) v = a - b;
          else if (f3 == 5) v = <u64>(<i64>a >> <i64>(b & 63));
          else st = EXIT_ILLEGAL;
        } else if (f7 == 1) {
          switch (f3) {
            case 0: v = a * b; break;
            case 1: v = mulh(a, b); break;
            case 2: v = mulhsu(a, b); break;
            case 3: v = mulhu(a, b); break;
            case 4: v = div64(a, b); break;
            case 5: v = divu64(a, b); break;
            case 6: v = rem64(a, b); break;
            default: v = remu64(a, b);
          }
        } else st = EXIT_ILLEGAL;
        if (st == EXIT_BUDGET) setX(rd, v);
        break;
      }
      case 0x06: {                                                                      // OP-IMM-32
        const a = getX(rs1);
        const sh = <u32>rs2;
        let v: u64 = 0;
        if (f3 == 0) v = sx32(a + <u64><i64>(<i32>insn >> 20));
        else if (f3 == 1 && (insn >> 25) == 0) v = sx32(<u64>(<u32>a << sh));
        else if (f3 == 5 && (insn >> 25) == 0) v = sx32(<u64>(<u32>a >> sh));
        else if (f3 == 5 && (insn >> 25) == 0x20) v = <u64><i64>(<i32>a >> sh);
        else st = EXIT_ILLEGAL;
        if (st == EXIT_BUDGET) setX(rd, v);
        break;
      }
      case 0x0E: {                                                                      // OP-32
        const a = getX(rs1), b = getX(rs2);
        const f7 = insn >> 25;
        let v: u64 = 0;
        if (f7 == 0) {
          if (f3 == 0) v = sx32(a + b);
          else if (f3 == 1) v = sx32(<u64>(<u32>a << (<u32>b & 31)));
          else if (f3 == 5) v = sx32(<u64>(<u32>a >> (<u32>b & 31)));
          else st = EXIT_ILLEGAL;
        } else if (f7 == 0x20) {
          if (f3 == 0) v = sx32(a - b);
          else if (f3 == 5) v = <u64><i64>(<i32>a >> (<i32>b & 31));
          else st = EXIT_ILLEGAL;
        } else if (f7 == 1) {
          switch (f3) {
            case 0: v = sx32(<u64>(<u32>a * <u32>b)); break;
            case 4: v = div32(a, b); break;
            case 5: v = divu32(a, b); break;
            case 6: v = rem32(a, b); break;
            case 7: v = remu32(a, b); break;
            default: st = EXIT_ILLEGAL;
          }
        } else st = EXIT_ILLEGAL;
        if (st == EXIT_BUDGET) setX(rd, v);
        break;
      }
      case 0x03: if (f3 > 1) st = EXIT_ILLEGAL; break;                              // FENCE, FENCE.I
      case 0x1C: {                                                                      // SYSTEM
        if (f3 == 0) {
          if (insn == 0x00000073) st = EXIT_ECALL;
          else if (insn == 0x00100073) st = EXIT_BREAKPOINT;
          else st = EXIT_ILLEGAL;
          break;
        }
        if (f3 == 4) { st = EXIT_ILLEGAL; break; }
        const csr = insn >> 20;
        const src: u64 = f3 >= 5 ? <u64>rs1 : getX(rs1);
        const op = f3 & 3; // 1 = write, 2 = set, 3 = clear
        // CSRRW/CSRRWI with rd = x0 do not read; CSRRS/CSRRC with rs1 = x0 (or zimm 0) do not write.
        const writes = op == 1 || rs1 != 0;
        const old = (op == 1 && rd == 0) ? 0 : csrRead(csr, budget - left);
        if (writes) {
          if ((csr >> 10) == 3) { clearCsrIllegal(); st = EXIT_ILLEGAL; } // read-only CSR space
          else csrWrite(csr, op == 1 ? src : op == 2 ? (old | src) : (old & ~src));
        }
        if (csrIllegal) { clearCsrIllegal(); st = EXIT_ILLEGAL; }
        if (st != EXIT_BUDGET) break;
        setX(rd, old);
        break;
      }
      case 0x0B: {                                                                      // AMO (A extension)
        st = execAmo<P>(insn);
        if (st == EXIT_PAGE_FAULT) st = memTrap();
        break;
      }
      case 0x01: case 0x09: case 0x10: case 0x11: case 0x12: case 0x13: case 0x14: {    // F, D
        st = execFp<P>(insn);
        if (st == EXIT_PAGE_FAULT) st = memTrap();
        break;
      }
      default: st = EXIT_ILLEGAL;
    }
    if (st != EXIT_BUDGET) {
      // The instruction trapped: it does not retire and pc stays on it (ecall/ebreak included).
      status = st;
      if (status == EXIT_ILLEGAL) exitInsn = (raw & 3) == 3 ? raw : raw & 0xFFFF;
      clearMemFault();
      break;
    }
    p = np;
    left--;
  }
  setPc(p);
  const n = budget - left;  // retired in this call
  setInstret(instret + n);
  // Every fetch is one I-TLB access. Fast fetches stay within the current I-TLB entry, so the model's LRU order
  // cannot change there; slow fetches each made one modelled lookup (clock0 ticks).
  // Iterations that fetched = retired + the trapping one; the fast ones are those that did not go slow.
  // An instruction a data slow path stopped for --trace-walk (walk_trace.ts) runs again: its fetch is counted then.
  const fast = n + (status != EXIT_BUDGET && !wtStopped ? 1 : 0) - (slowIters - slow0);
  const iAccess = fast + (clock0 - c0), dAccess = clock1 - c1;
  bump(C_INSTRET, n);
  // L1 hits are charged here in bulk (hits = accesses − misses), keeping the per-access fast path free of it.
  chargeL1Hits(iAccess, dAccess, clock2 - c2, missI0, missD0);
  return status;
}
