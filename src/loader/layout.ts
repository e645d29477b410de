// Where things go in a new address space, following Linux riscv64 with randomization off: the stack just below
// the top of user space, mmap growing down from 128 MiB below it (mmap_base's minimum gap), static PIEs at two
// thirds of user space (ELF_ET_DYN_BASE). The top of user space is the one the machine's data file gives (userTop);
// a machine whose user space is shaped otherwise (the VAX's P0/P1 regions, the bare machine's VA = PA) gives its
// own layout through its registry entry (src/arch/<machine>/machine.ts).

import { machineData } from "../machine/costs.js";
import { PAGE_SIZE, truncPage } from "../vm/vm_prot.js";

export const STACK_SIZE = 8 * 1024 * 1024;          // RLIMIT_STACK default
export const MMAP_MIN_ADDR = 0x10000;               // lowest mappable address (vm.mmap_min_addr)
const MMAP_GAP = 128 * 1024 * 1024;                 // Linux MIN_GAP between stack top and mmap_base

export interface AddressLayout {
  minAddress: number;   // lowest mappable address
  maxAddress: number;   // one past the highest user address (TASK_SIZE)
  stackTop: number;     // initial stack pointer region ends here
  stackSize: number;
  mmapBase: number;     // top-down mmap starts below this
  pieBase: number;      // where a static PIE's first segment goes
}

/** The address layout of a process on machine `arch`, from its data file's top of user space. */
export function addressLayout(arch: string): AddressLayout {
  // User space from the bottom up to the top the data file gives (userTop, with its source).
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
