// Where things go in a new address space, per architecture, following Linux riscv64 with randomization off:
// the stack just below the top of user space, mmap growing down from 128 MiB below it (mmap_base's minimum gap),
// static PIEs at two thirds of user space (ELF_ET_DYN_BASE). Without translation everything must sit at VA = PA
// inside RAM: the stack at the top of RAM, mmap below it, programs at their low link addresses.

import { machineData } from "../machine/costs.js";
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

export function addressLayout(arch: string, ramBytes: number): AddressLayout {
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
  // Every other machine: user space from the bottom up to the top its data file gives (userTop, with its source).
  const bits = machineData(arch).userTop?.value;
  if (bits === undefined) throw new Error(`machine data for ${arch}: no userTop`);
  const top = 2 ** bits;
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
