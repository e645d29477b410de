// The C extension, decoded once: every 16-bit parcel is expanded to the 32-bit instruction it stands for
// (unprivileged spec, chapter "C" Standard Extension, RV64 table), stored in a 64K-entry table so the
// interpreter pays one load per compressed instruction. 0 marks an illegal or reserved encoding.

import { RVC_TABLE } from "../layout";

@inline function bits(x: u32, hi: u32, lo: u32): u32 { return (x >> lo) & ((1 << (hi - lo + 1)) - 1); }
@inline function sext(x: u32, width: u32): i32 { return (<i32>(x << (32 - width))) >> (32 - width); }

function encI(imm: i32, rs1: u32, f3: u32, rd: u32, op: u32): u32 {
  return ((<u32>imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
function encS(imm: i32, rs2: u32, rs1: u32, f3: u32, op: u32): u32 {
  const u = <u32>imm;
  return (bits(u, 11, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (bits(u, 4, 0) << 7) | op;
}
function encR(f7: u32, rs2: u32, rs1: u32, f3: u32, rd: u32, op: u32): u32 {
  return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
function encB(imm: i32, rs2: u32, rs1: u32, f3: u32): u32 {
  const u = <u32>imm;
  return (bits(u, 12, 12) << 31) | (bits(u, 10, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (bits(u, 4, 1) << 8) | (bits(u, 11, 11) << 7) | 0x63;
}
function encJ(imm: i32, rd: u32): u32 {
  const u = <u32>imm;
  return (bits(u, 20, 20) << 31) | (bits(u, 10, 1) << 21) | (bits(u, 11, 11) << 20) | (bits(u, 19, 12) << 12) |
    (rd << 7) | 0x6F;
}

const OP_LOAD: u32 = 0x03, OP_LOADFP: u32 = 0x07, OP_IMM: u32 = 0x13, OP_IMM32: u32 = 0x1B, OP_STORE: u32 = 0x23,
  OP_STOREFP: u32 = 0x27, OP: u32 = 0x33, OP_LUI: u32 = 0x37, OP_32: u32 = 0x3B, OP_JALR: u32 = 0x67;

/** Expands one 16-bit parcel (low two bits ≠ 11) to its 32-bit equivalent, or 0 if illegal/reserved. */
export function expandCompressed(c: u32): u32 {
  const f3 = bits(c, 15, 13);
  const rdp = bits(c, 4, 2) + 8;   // rd' / rs2'
  const rs1p = bits(c, 9, 7) + 8;  // rs1' / rd'
  const rd = bits(c, 11, 7);       // rd / rs1 (full)
  const rs2 = bits(c, 6, 2);
  const imm6 = sext((bits(c, 12, 12) << 5) | bits(c, 6, 2), 6);
  switch (c & 3) {
    case 0: {
      const ldOff = (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6);       // C.LD/C.FLD/C.SD/C.FSD
      const lwOff = (bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 6);
      switch (f3) {
        case 0: {
          const nz = (bits(c, 12, 11) << 4) | (bits(c, 10, 7) << 6) | (bits(c, 6, 6) << 2) | (bits(c, 5, 5) << 3);
          return nz == 0 ? 0 : encI(nz, 2, 0, rdp, OP_IMM);
        }
        case 1: return encI(ldOff, rs1p, 3, rdp, OP_LOADFP);
        case 2: return encI(lwOff, rs1p, 2, rdp, OP_LOAD);
        case 3: return encI(ldOff, rs1p, 3, rdp, OP_LOAD);
        case 5: return encS(ldOff, rdp, rs1p, 3, OP_STOREFP);
        case 6: return encS(lwOff, rdp, rs1p, 2, OP_STORE);
        case 7: return encS(ldOff, rdp, rs1p, 3, OP_STORE);
        default: return 0;
      }
    }
    case 1: {
      switch (f3) {
        case 0: return encI(imm6, rd, 0, rd, OP_IMM);                      // C.ADDI (C.NOP)
        case 1: return rd == 0 ? 0 : encI(imm6, rd, 0, rd, OP_IMM32);      // C.ADDIW
        case 2: return encI(imm6, 0, 0, rd, OP_IMM);                       // C.LI
        case 3: {
          if (rd == 2) {                                                   // C.ADDI16SP
            const nz = sext((bits(c, 12, 12) << 9) | (bits(c, 6, 6) << 4) | (bits(c, 5, 5) << 6) |
              (bits(c, 4, 3) << 7) | (bits(c, 2, 2) << 5), 10);
            return nz == 0 ? 0 : encI(nz, 2, 0, 2, OP_IMM);
          }
          if (imm6 == 0) return 0;                                         // C.LUI with nzimm = 0 is reserved
          return ((<u32>imm6 << 12) & 0xFFFFF000) | (rd << 7) | OP_LUI;
        }
        case 4: {
          const shamt = (bits(c, 12, 12) << 5) | bits(c, 6, 2);
          switch (bits(c, 11, 10)) {
            case 0: return encI(<i32>shamt, rs1p, 5, rs1p, OP_IMM);         // C.SRLI
            case 1: return encI(<i32>(shamt | 0x400), rs1p, 5, rs1p, OP_IMM); // C.SRAI
            case 2: return encI(imm6, rs1p, 7, rs1p, OP_IMM);               // C.ANDI
            default: {
              const sel = bits(c, 6, 5);
              if (bits(c, 12, 12) == 0) {
                if (sel == 0) return encR(0x20, rdp, rs1p, 0, rs1p, OP);    // C.SUB
                if (sel == 1) return encR(0, rdp, rs1p, 4, rs1p, OP);       // C.XOR
                if (sel == 2) return encR(0, rdp, rs1p, 6, rs1p, OP);       // C.OR
                return encR(0, rdp, rs1p, 7, rs1p, OP);                     // C.AND
              }
              if (sel == 0) return encR(0x20, rdp, rs1p, 0, rs1p, OP_32);   // C.SUBW
              if (sel == 1) return encR(0, rdp, rs1p, 0, rs1p, OP_32);      // C.ADDW
              return 0;
            }
          }
        }
        case 5: {                                                          // C.J
          const off = sext((bits(c, 12, 12) << 11) | (bits(c, 11, 11) << 4) | (bits(c, 10, 9) << 8) |
            (bits(c, 8, 8) << 10) | (bits(c, 7, 7) << 6) | (bits(c, 6, 6) << 7) | (bits(c, 5, 3) << 1) |
            (bits(c, 2, 2) << 5), 12);
          return encJ(off, 0);
        }
        default: {                                                         // C.BEQZ / C.BNEZ
          const off = sext((bits(c, 12, 12) << 8) | (bits(c, 11, 10) << 3) | (bits(c, 6, 5) << 6) |
            (bits(c, 4, 3) << 1) | (bits(c, 2, 2) << 5), 9);
          return encB(off, 0, rs1p, f3 == 6 ? 0 : 1);
        }
      }
    }
    case 2: {
      const ldsp = (bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6);
      const sdsp = (bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6);
      switch (f3) {
        case 0: return encI(<i32>((bits(c, 12, 12) << 5) | bits(c, 6, 2)), rd, 1, rd, OP_IMM); // C.SLLI
        case 1: return encI(ldsp, 2, 3, rd, OP_LOADFP);                   // C.FLDSP
        case 2: {                                                          // C.LWSP
          if (rd == 0) return 0;
          const off = (bits(c, 12, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6);
          return encI(off, 2, 2, rd, OP_LOAD);
        }
        case 3: return rd == 0 ? 0 : encI(ldsp, 2, 3, rd, OP_LOAD);       // C.LDSP
        case 4: {
          if (bits(c, 12, 12) == 0) {
            if (rs2 == 0) return rd == 0 ? 0 : encI(0, rd, 0, 0, OP_JALR);  // C.JR
            return encR(0, rs2, 0, 0, rd, OP);                               // C.MV
          }
          if (rs2 == 0) return rd == 0 ? 0x00100073 : encI(0, rd, 0, 1, OP_JALR); // C.EBREAK / C.JALR
          return encR(0, rs2, rd, 0, rd, OP);                                // C.ADD
        }
        case 5: return encS(sdsp, rs2, 2, 3, OP_STOREFP);                 // C.FSDSP
        case 6: return encS((bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6), rs2, 2, 2, OP_STORE); // C.SWSP
        default: return encS(sdsp, rs2, 2, 3, OP_STORE);                  // C.SDSP
      }
    }
  }
  return 0;
}

export function buildRvcTable(): void {
  for (let c: u32 = 0; c < 0x10000; c++) {
    store<u32>(RVC_TABLE + (c << 2), (c & 3) == 3 ? 0 : expandCompressed(c));
  }
}
