// A freestanding static riscv64 ELF executable built in JS (no compiler at fuzz time): a read+execute code segment
// at CODE_BASE and a read+write data segment at DATA_BASE, entry at the start of the code.

export const CODE_BASE = 0x10000;
export const DATA_BASE = 0x40000;

const EHDR = 64, PHDR = 56;
const PT_LOAD = 1, PF_X = 1, PF_W = 2, PF_R = 4, EM_RISCV = 243, ET_EXEC = 2;

/**
 * @param {Buffer} code  instructions, loaded at CODE_BASE (file offset 0x1000)
 * @param {Buffer} data  bytes loaded at DATA_BASE (file offset after the code, page aligned)
 * @param {number} bss   zero bytes after the data
 */
export function buildElf(code, data, bss = 0) {
  const codeOff = 0x1000;
  const dataOff = codeOff + Math.ceil(code.length / 0x1000) * 0x1000;
  const out = Buffer.alloc(dataOff + data.length);
  out.write("\x7fELF", 0, "latin1");
  out[4] = 2; out[5] = 1; out[6] = 1;            // ELFCLASS64, little-endian, EV_CURRENT; ELFOSABI_NONE
  out.writeUInt16LE(ET_EXEC, 16);
  out.writeUInt16LE(EM_RISCV, 18);
  out.writeUInt32LE(1, 20);
  out.writeBigUInt64LE(BigInt(CODE_BASE), 24);   // e_entry
  out.writeBigUInt64LE(BigInt(EHDR), 32);        // e_phoff
  out.writeUInt32LE(0x5, 48);                    // e_flags: RVC, double-float ABI
  out.writeUInt16LE(EHDR, 52);
  out.writeUInt16LE(PHDR, 54);
  out.writeUInt16LE(2, 56);                      // e_phnum
  out.writeUInt16LE(64, 58);                     // e_shentsize (no sections)
  const ph = (i, flags, off, va, filesz, memsz) => {
    const p = EHDR + i * PHDR;
    out.writeUInt32LE(PT_LOAD, p);
    out.writeUInt32LE(flags, p + 4);
    out.writeBigUInt64LE(BigInt(off), p + 8);
    out.writeBigUInt64LE(BigInt(va), p + 16);
    out.writeBigUInt64LE(BigInt(va), p + 24);
    out.writeBigUInt64LE(BigInt(filesz), p + 32);
    out.writeBigUInt64LE(BigInt(memsz), p + 40);
    out.writeBigUInt64LE(0x1000n, p + 48);
  };
  ph(0, PF_R | PF_X, codeOff, CODE_BASE, code.length, code.length);
  ph(1, PF_R | PF_W, dataOff, DATA_BASE, data.length, data.length + bss);
  code.copy(out, codeOff);
  data.copy(out, dataOff);
  return out;
}
