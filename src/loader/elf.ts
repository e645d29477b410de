// ELF64 little-endian RISC-V executables (System V gABI; RISC-V psABI): ET_EXEC and static-PIE ET_DYN without
// PT_INTERP. Everything is validated before anything is mapped, with one clear message per problem (ElfError).

import { readFileSync } from "node:fs";

export const EM_RISCV = 243;
export const ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
export const PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_PHDR = 6, PT_TLS = 7;
export const PT_GNU_STACK = 0x6474E551;
export const PF_X = 1, PF_W = 2, PF_R = 4;
export const EHDR_SIZE = 64;
export const PHDR_SIZE = 56;
const PN_XNUM = 0xFFFF;
const ELF_PAGE = 4096;

/** A malformed or unsupported executable; the message is one line meant for the user. */
export class ElfError extends Error {
  override name = "ElfError";
}

export interface ProgramHeader {
  index: number;
  type: number;
  flags: number;    // PF_*
  offset: number;   // in the file
  vaddr: number;    // unbiased
  filesz: number;
  memsz: number;
  align: number;
}

export interface ElfImage {
  type: "exec" | "dyn";        // ET_EXEC, or ET_DYN (static PIE: loaded at a bias)
  entry: number;               // unbiased
  phoff: number;
  phnum: number;
  headers: ProgramHeader[];    // every program header
  loads: ProgramHeader[];      // PT_LOAD, ascending by vaddr
  phdrVaddr: number | undefined; // unbiased address of the program headers in memory, if mapped
  execStack: boolean;          // PT_GNU_STACK asks for an executable stack
  data: Uint8Array;            // the whole file
}

const MACHINES: Record<number, string> = {
  2: "SPARC", 3: "x86 (i386)", 8: "MIPS", 20: "PowerPC", 21: "PowerPC64", 22: "S/390", 40: "ARM", 42: "SuperH",
  43: "SPARC V9", 50: "IA-64", 62: "x86-64", 183: "AArch64", 243: "RISC-V", 258: "LoongArch",
};

function hex(n: number | bigint): string { return "0x" + n.toString(16); }

/** Reads a u64 field that must be an exact JavaScript number. */
function u64(dv: DataView, off: number, what: string): number {
  const v = dv.getBigUint64(off, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`${what} ${hex(v)} is too large`);
  return Number(v);
}

function typeName(t: number): string {
  return t === ET_REL ? "a relocatable object (ET_REL)" : t === ET_CORE ? "a core dump (ET_CORE)" : `ELF type ${t}`;
}

/** Parses and validates an executable; throws ElfError with a one-line reason. */
export function parseElf(data: Uint8Array): ElfImage {
  if (data.length < 4 || data[0] !== 0x7F || data[1] !== 0x45 || data[2] !== 0x4C || data[3] !== 0x46) {
    throw new ElfError("not an ELF file (bad magic number)");
  }
  if (data.length < EHDR_SIZE) throw new ElfError(`truncated ELF header (${data.length} of ${EHDR_SIZE} bytes)`);
  const cls = data[4], enc = data[5], ver = data[6];
  if (cls === 1) throw new ElfError("32-bit ELF (ELFCLASS32) is not supported: need a 64-bit RISC-V executable");
  if (cls !== 2) throw new ElfError(`bad ELF class ${cls}`);
  if (enc === 2) throw new ElfError("big-endian ELF is not supported: need little-endian RISC-V");
  if (enc !== 1) throw new ElfError(`bad ELF data encoding ${enc}`);
  if (ver !== 1) throw new ElfError(`bad ELF version ${ver}`);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_RISCV) {
    throw new ElfError(`wrong machine: ${MACHINES[machine] ?? "unknown"} (e_machine ${machine}), need RISC-V (${EM_RISCV})`);
  }
  if (type !== ET_EXEC && type !== ET_DYN) throw new ElfError(`not an executable: ${typeName(type)}`);
  if (dv.getUint32(20, true) !== 1) throw new ElfError(`bad ELF version ${dv.getUint32(20, true)}`);
  const entry = u64(dv, 24, "entry point");
  const phoff = u64(dv, 32, "program header offset");
  const ehsize = dv.getUint16(52, true);
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (ehsize < EHDR_SIZE) throw new ElfError(`bad ELF header size ${ehsize}`);
  if (phnum === 0) throw new ElfError("no program headers: not an executable");
  if (phnum === PN_XNUM) throw new ElfError("too many program headers (PN_XNUM) is not supported");
  if (phentsize !== PHDR_SIZE) throw new ElfError(`bad program header size ${phentsize} (expected ${PHDR_SIZE})`);
  if (phoff + phnum * PHDR_SIZE > data.length) {
    throw new ElfError(`truncated: program headers (${phnum} at ${hex(phoff)}) extend past the end of the file`);
  }

  const headers: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * PHDR_SIZE;
    headers.push({
      index: i,
      type: dv.getUint32(o, true),
      flags: dv.getUint32(o + 4, true),
      offset: u64(dv, o + 8, `segment ${i} offset`),
      vaddr: u64(dv, o + 16, `segment ${i} address`),
      filesz: u64(dv, o + 32, `segment ${i} file size`),
      memsz: u64(dv, o + 40, `segment ${i} memory size`),
      align: u64(dv, o + 48, `segment ${i} alignment`),
    });
  }
  const interp = headers.find((h) => h.type === PT_INTERP);
  if (interp) {
    let path = "";
    if (interp.offset + interp.filesz <= data.length) {
      path = new TextDecoder().decode(data.subarray(interp.offset, interp.offset + interp.filesz)).replace(/\0.*$/s, "");
    }
    throw new ElfError(`dynamically linked${path ? ` (interpreter ${path})` : ""}: only static executables are supported`);
  }

  const loads = headers.filter((h) => h.type === PT_LOAD);
  if (loads.length === 0) throw new ElfError("no loadable segments (PT_LOAD)");
  let prev: ProgramHeader | undefined;
  for (const h of loads) {
    const what = `segment ${h.index}`;
    if (h.filesz > h.memsz) throw new ElfError(`${what}: file size ${h.filesz} exceeds memory size ${h.memsz}`);
    if (h.offset + h.filesz > data.length) throw new ElfError(`truncated: ${what} extends past the end of the file`);
    if (h.align > 1 && !Number.isInteger(Math.log2(h.align))) {
      throw new ElfError(`${what}: alignment ${h.align} is not a power of two`);
    }
    if (h.vaddr % ELF_PAGE !== h.offset % ELF_PAGE) {
      throw new ElfError(`${what}: address ${hex(h.vaddr)} and file offset ${hex(h.offset)} differ modulo the page size`);
    }
    if (h.vaddr + h.memsz > Number.MAX_SAFE_INTEGER) throw new ElfError(`${what}: address range overflows`);
    if (prev) {
      if (h.vaddr < prev.vaddr) throw new ElfError(`${what}: PT_LOAD segments are not in ascending address order`);
      if (h.vaddr < prev.vaddr + prev.memsz) throw new ElfError(`${what} overlaps segment ${prev.index}`);
    }
    prev = h;
  }
  if (!loads.some((h) => entry >= h.vaddr && entry < h.vaddr + h.memsz)) {
    throw new ElfError(`entry point ${hex(entry)} is outside the loadable segments`);
  }

  return {
    type: type === ET_EXEC ? "exec" : "dyn",
    entry,
    phoff,
    phnum,
    headers,
    loads,
    phdrVaddr: phdrAddress(headers, loads, phoff),
    execStack: (headers.find((h) => h.type === PT_GNU_STACK)?.flags ?? 0) & PF_X ? true : false,
    data,
  };
}

/** Where the program headers are in memory: PT_PHDR, else the PT_LOAD whose file range holds them (Linux). */
function phdrAddress(headers: ProgramHeader[], loads: ProgramHeader[], phoff: number): number | undefined {
  const p = headers.find((h) => h.type === PT_PHDR);
  if (p) return p.vaddr;
  const l = loads.find((h) => phoff >= h.offset && phoff < h.offset + h.filesz);
  return l ? l.vaddr + (phoff - l.offset) : undefined;
}

/** VM_PROT_* bits for a segment's PF_* flags (the values coincide with PROT_* but not in the same bits). */
export function segmentProt(flags: number): number {
  return (flags & PF_R ? 1 : 0) | (flags & PF_W ? 2 : 0) | (flags & PF_X ? 4 : 0);
}

/** Reads an executable from the host file system; ElfError with a one-line reason if it cannot be read. */
export function readProgram(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory"
      : code === "EACCES" ? "permission denied" : (e as Error).message;
    throw new ElfError(`cannot read '${path}': ${why}`);
  }
}
