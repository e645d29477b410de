// The bare machine's address space: without translation every page sits at VA = PA inside RAM, so the stack goes
// at the top of RAM, mmap below it, and programs at their low link addresses.

import { type AddressLayout, MMAP_MIN_ADDR, STACK_SIZE } from "../../loader/layout.js";
import { PAGE_SIZE, truncPage } from "../../vm/vm_prot.js";

const BARE_PIE_BASE = 0x10000;

/** Smallest RAM that can hold a bare-mode address space (stack, guard, and room for a program below). */
export const BARE_MIN_RAM = 2 * STACK_SIZE;

export function bareLayout(ramBytes: number): AddressLayout {
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
