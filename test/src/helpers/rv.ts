// A tiny RISC-V assembler and ELF64 writer for tests: enough to build freestanding guests byte by byte, so the
// kernel's tests need no cross toolchain.

export const ZERO = 0, RA = 1, SP = 2, GP = 3, TP = 4, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9,
  A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A5 = 15, A6 = 16, A7 = 17, S2 = 18, S3 = 19, T3 = 28;

const i12 = (v: number): number => v & 0xFFF;

function itype(op: number, f3: number, rd: number, rs1: number, imm: number): number {
  return ((i12(imm) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
}
function stype(op: number, f3: number, rs1: number, rs2: number, imm: number): number {
  return (((i12(imm) >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1F) << 7) | op) >>> 0;
}
function rtype(op: number, f3: number, f7: number, rd: number, rs1: number, rs2: number): number {
  return ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
}

export class Asm {
  readonly words: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; label: string; kind: "b" | "j"; f3: number; rs1: number; rs2: number; rd: number }[] = [];

  constructor(readonly base: number) {}

  get pc(): number { return this.base + 4 * this.words.length; }
  private emit(w: number): this { this.words.push(w >>> 0); return this; }

  label(name: string): this { this.labels.set(name, this.pc); return this; }
  addi(rd: number, rs1: number, imm: number): this { return this.emit(itype(0x13, 0, rd, rs1, imm)); }
  addiw(rd: number, rs1: number, imm: number): this { return this.emit(itype(0x1B, 0, rd, rs1, imm)); }
  slli(rd: number, rs1: number, sh: number): this { return this.emit(itype(0x13, 1, rd, rs1, sh & 63)); }
  lui(rd: number, imm20: number): this { return this.emit(((imm20 & 0xFFFFF) << 12) | (rd << 7) | 0x37); }
  auipc(rd: number, imm20: number): this { return this.emit(((imm20 & 0xFFFFF) << 12) | (rd << 7) | 0x17); }
  /** rd = address of `target` computed pc-relatively (auipc + addi), for position-independent code. */
  pcrel(rd: number, target: number): this {
    const off = target - this.pc;
    const hi = Math.floor((off + 0x800) / 4096);
    this.auipc(rd, hi);
    return this.addi(rd, rd, off - hi * 4096);
  }
  add(rd: number, rs1: number, rs2: number): this { return this.emit(rtype(0x33, 0, 0, rd, rs1, rs2)); }
  sub(rd: number, rs1: number, rs2: number): this { return this.emit(rtype(0x33, 0, 0x20, rd, rs1, rs2)); }
  ld(rd: number, rs1: number, imm: number): this { return this.emit(itype(0x03, 3, rd, rs1, imm)); }
  lbu(rd: number, rs1: number, imm: number): this { return this.emit(itype(0x03, 4, rd, rs1, imm)); }
  sd(rs2: number, rs1: number, imm: number): this { return this.emit(stype(0x23, 3, rs1, rs2, imm)); }
  sb(rs2: number, rs1: number, imm: number): this { return this.emit(stype(0x23, 0, rs1, rs2, imm)); }
  ecall(): this { return this.emit(0x00000073); }
  /** csrrs rd, csr, x0: reads a CSR (e.g. 0xC00 cycle). */
  csrr(rd: number, csr: number): this { return this.emit(itype(0x73, 2, rd, 0, csr)); }
  ebreak(): this { return this.emit(0x00100073); }
  illegal(): this { return this.emit(0x00000000); }
  jalr(rd: number, rs1: number, imm: number): this { return this.emit(itype(0x67, 0, rd, rs1, imm)); }

  /** Loads any 64-bit constant (the usual lui/addiw/slli/addi expansion). */
  li(rd: number, value: number | bigint): this {
    const v = BigInt.asIntN(64, BigInt(value));
    if (v >= -(1n << 31n) && v < 1n << 31n) {
      const hi = (v + 0x800n) >> 12n;
      const lo = Number(v - (hi << 12n));
      if (hi !== 0n) { this.lui(rd, Number(hi & 0xFFFFFn)); return this.addiw(rd, rd, lo); }
      return this.addi(rd, ZERO, lo);
    }
    const lo = Number(BigInt.asIntN(12, v & 0xFFFn));
    this.li(rd, (v - BigInt(lo)) >> 12n);
    this.slli(rd, rd, 12);
    return lo !== 0 ? this.addi(rd, rd, lo) : this;
  }

  private branch(f3: number, rs1: number, rs2: number, label: string): this {
    this.fixups.push({ at: this.words.length, label, kind: "b", f3, rs1, rs2, rd: 0 });
    return this.emit(0);
  }
  beq(rs1: number, rs2: number, label: string): this { return this.branch(0, rs1, rs2, label); }
  bne(rs1: number, rs2: number, label: string): this { return this.branch(1, rs1, rs2, label); }
  bltu(rs1: number, rs2: number, label: string): this { return this.branch(6, rs1, rs2, label); }
  j(label: string): this {
    this.fixups.push({ at: this.words.length, label, kind: "j", f3: 0, rs1: 0, rs2: 0, rd: 0 });
    return this.emit(0);
  }

  /** syscall(nr, args…) with the result left in a0. */
  syscall(nr: number, ...args: (number | bigint)[]): this {
    args.forEach((v, i) => this.li(A0 + i, v));
    return this.li(A7, nr).ecall();
  }

  exit(status: number): this { return this.syscall(94, status); }

  bytes(): Uint8Array {
    for (const f of this.fixups) {
      const target = this.labels.get(f.label);
      if (target === undefined) throw new Error(`undefined label ${f.label}`);
      const off = target - (this.base + 4 * f.at);
      if (f.kind === "b") {
        this.words[f.at] = ((((off >> 12) & 1) << 31) | (((off >> 5) & 0x3F) << 25) | (f.rs2 << 20) | (f.rs1 << 15) |
          (f.f3 << 12) | (((off >> 1) & 0xF) << 8) | (((off >> 11) & 1) << 7) | 0x63) >>> 0;
      } else {
        this.words[f.at] = ((((off >> 20) & 1) << 31) | (((off >> 1) & 0x3FF) << 21) | (((off >> 11) & 1) << 20) |
          (((off >> 12) & 0xFF) << 12) | (f.rd << 7) | 0x6F) >>> 0;
      }
    }
    const out = new Uint8Array(4 * this.words.length);
    const dv = new DataView(out.buffer);
    this.words.forEach((w, i) => dv.setUint32(4 * i, w, true));
    return out;
  }
}

export interface SegmentSpec {
  vaddr: number;
  flags: number;          // PF_R 4 | PF_W 2 | PF_X 1
  data: Uint8Array;
  memsz?: number;
}

export interface ElfSpec {
  type?: number;          // 2 ET_EXEC (default), 3 ET_DYN
  machine?: number;
  entry: number;
  segments: SegmentSpec[];
  extraHeaders?: { type: number; flags?: number; offset?: number; vaddr?: number; filesz?: number; memsz?: number }[];
  interp?: string;
}

export const TEXT_BASE = 0x10000;
export const HEADER_ROOM = 0x200;   // ELF header + program headers at the start of the text segment

/**
 * Writes an ELF64 LE executable. The first segment's data is placed after HEADER_ROOM bytes of headers and
 * mapped from file offset 0 (so AT_PHDR points into it); later segments get congruent offsets.
 */
export function buildElf(spec: ElfSpec): Uint8Array {
  const extra = spec.extraHeaders ?? [];
  const interpBytes = spec.interp !== undefined ? new TextEncoder().encode(spec.interp + "\0") : undefined;
  const phnum = spec.segments.length + extra.length + (interpBytes ? 1 : 0);
  if (64 + 56 * phnum > HEADER_ROOM) throw new Error("too many program headers");
  const placed: { off: number; seg: SegmentSpec; filesz: number; vaddr: number }[] = [];
  let end = 0;
  spec.segments.forEach((seg, i) => {
    if (i === 0) {
      placed.push({ off: 0, seg, filesz: HEADER_ROOM + seg.data.length, vaddr: seg.vaddr - HEADER_ROOM });
      end = HEADER_ROOM + seg.data.length;
    } else {
      // Like a linker: a segment continuing the previous one's last page follows it in the file too.
      const prev = placed[placed.length - 1]!;
      const contiguous = prev.off + (seg.vaddr - prev.vaddr);
      let off = Math.ceil(end / 4096) * 4096 + (seg.vaddr % 4096);
      if (off < end) off += 4096;
      if (contiguous >= end && contiguous - end < 4096) off = contiguous;
      placed.push({ off, seg, filesz: seg.data.length, vaddr: seg.vaddr });
      end = off + seg.data.length;
    }
  });
  const interpOff = end;
  if (interpBytes) end += interpBytes.length;
  const out = new Uint8Array(end);
  const dv = new DataView(out.buffer);
  out.set([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0]);
  dv.setUint16(16, spec.type ?? 2, true);
  dv.setUint16(18, spec.machine ?? 243, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(spec.entry), true);
  dv.setBigUint64(32, 64n, true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, phnum, true);
  let ph = 64;
  const phdr = (type: number, flags: number, off: number, vaddr: number, filesz: number, memsz: number, align: number): void => {
    dv.setUint32(ph, type, true);
    dv.setUint32(ph + 4, flags, true);
    dv.setBigUint64(ph + 8, BigInt(off), true);
    dv.setBigUint64(ph + 16, BigInt(vaddr), true);
    dv.setBigUint64(ph + 24, BigInt(vaddr), true);
    dv.setBigUint64(ph + 32, BigInt(filesz), true);
    dv.setBigUint64(ph + 40, BigInt(memsz), true);
    dv.setBigUint64(ph + 48, BigInt(align), true);
    ph += 56;
  };
  if (interpBytes) phdr(3, 4, interpOff, 0, interpBytes.length, interpBytes.length, 1);
  for (const p of placed) {
    const headerPart = p.off === 0 ? HEADER_ROOM : 0;
    phdr(1, p.seg.flags, p.off, p.vaddr, p.filesz, Math.max(p.filesz, (p.seg.memsz ?? 0) + headerPart), 4096);
    out.set(p.seg.data, p.off + headerPart);
  }
  for (const e of extra) phdr(e.type, e.flags ?? 0, e.offset ?? 0, e.vaddr ?? 0, e.filesz ?? 0, e.memsz ?? 0, 8);
  if (interpBytes) out.set(interpBytes, interpOff);
  return out;
}

/** A one-segment program from an assembler callback; code starts at TEXT_BASE + HEADER_ROOM. */
export function program(body: (a: Asm) => void, data?: { vaddr: number; bytes: Uint8Array; memsz?: number; flags?: number }): Uint8Array {
  const a = new Asm(TEXT_BASE + HEADER_ROOM);
  body(a);
  const segments: SegmentSpec[] = [{ vaddr: TEXT_BASE + HEADER_ROOM, flags: 5, data: a.bytes() }];
  if (data) segments.push({ vaddr: data.vaddr, flags: data.flags ?? 6, data: data.bytes, ...(data.memsz !== undefined ? { memsz: data.memsz } : {}) });
  return buildElf({ entry: TEXT_BASE + HEADER_ROOM, segments });
}
