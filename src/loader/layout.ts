// Where things go in a new address space, per architecture, following Linux riscv64 with randomization off:
// the stack just below the top of user space, mmap growing down from 128 MiB below it (mmap_base's minimum gap),
// static PIEs at two thirds of user space (ELF_ET_DYN_BASE). Without translation everything must sit at VA = PA
// inside RAM: the stack at the top of RAM, mmap below it, programs at their low link addresses.

import type { Arch } from "../machine/config.js";
import { PAGE_SIZE, truncPage } from "../vm/vm_prot.js";

export const STACK_SIZE = 8 * 1024 * 1024;          // RLIMIT_STACK default
export const MMAP_MIN_ADDR = 0x10000;               // lowest mappable address (vm.mmap_min_addr)
const MMAP_GAP = 128 * 1024 * 1024;                 // Linux MIN_GAP between stack top and mmap_base
const BARE_PIE_BASE = 0x10000;
const VAX_P1_BASE = 0x4000_0000;                    // VA<31:30> = 01: the P1 (control) region
const VAX_P1_END = 0x8000_0000;                     // S0 (system space) starts here

export interface AddressLayout {
  minAddress: number;   // lowest mappable address
  maxAddress: number;   // one past the highest user address (TASK_SIZE)
  stackTop: number;     // initial stack pointer region ends here
  stackSize: number;
  mmapBase: number;     // top-down mmap starts below this
  pieBase: number;      // where a static PIE's first segment goes
}

/** User-space size for a radix scheme with `levels` levels: the lower canonical half. */
function taskSize(levels: number): number { return 2 ** (12 + 9 * levels - 1); }

export function addressLayout(arch: Arch, ramBytes: number): AddressLayout {
  if (arch === "bare") {
    const stackTop = truncPage(ramBytes);
    return {
      minAddress: MMAP_MIN_ADDR,
      maxAddress: stackTop,
      stackTop,
      stackSize: STACK_SIZE,
      mmapBase: stackTop - STACK_SIZE - PAGE_SIZE,
      pieBase: BARE_PIE_BASE,
    };
  }
  if (arch === "vax") {
    // VAX: P0 (0 .. 1 GiB) holds the program, heap and mmap (top-down from the end of P0), P1 (1 .. 2 GiB) the
    // stack just below 2^31, where the P1 region ends. Nothing maps S0 or above: user space ends at 2^31.
    return {
      minAddress: MMAP_MIN_ADDR,
      maxAddress: VAX_P1_END,
      stackTop: VAX_P1_END - PAGE_SIZE,
      stackSize: STACK_SIZE,
      mmapBase: VAX_P1_BASE,
      pieBase: VAX_P1_BASE / 2,
    };
  }
  // x86-64-la57 keeps Linux's 47-bit default map window (DEFAULT_MAP_WINDOW), as x86-64 does.
  // sparc: user space ends at the UltraSPARC-I/II VA hole (44-bit virtual addresses, Linux VA_EXCLUDE_START).
  // POWER's hash MMU with 4 KiB pages gives user space 64 TiB (TASK_SIZE_64TB); the clustered table uses the
  // 47-bit half.
  // MIPS: the R3000's
  // kuseg is the low 2 GiB (Linux mips32 TASK_SIZE 0x7FFF8000, rounded here to the segment), the R4000's xuseg the
  // low 1 TiB (VA 39:0, the 40 bits of EntryHi VPN2 on the R4000).
  const top = arch === "sparc" ? 2 ** 43 : arch === "power" ? 2 ** 46 : arch === "mips-r3000" ? 2 ** 31
    : arch === "mips-r4000" ? 2 ** 40 : taskSize(arch === "riscv-sv39" ? 3 : 4);
  return {
    minAddress: MMAP_MIN_ADDR,
    maxAddress: top,
    stackTop: top - PAGE_SIZE,
    stackSize: STACK_SIZE,
    mmapBase: top - MMAP_GAP,
    pieBase: truncPage(Math.floor(top / 3) * 2),
  };
}

/** Smallest RAM that can hold a bare-mode address space (stack, guard, and room for a program below). */
export const BARE_MIN_RAM = 2 * STACK_SIZE;
