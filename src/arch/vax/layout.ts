// The VAX's user address space (VAX Architecture Reference Manual, memory management: the P0 and P1 regions).
// P0 (0 .. 1 GiB) holds the program, heap and mmap (top-down from the end of P0), P1 (1 .. 2 GiB) the stack just
// below 2^31, where the P1 region ends. Nothing maps S0 or above: user space ends at 2^31.

import { type AddressLayout, MMAP_MIN_ADDR, STACK_SIZE } from "../../loader/layout.js";
import { wasmLayout } from "../../machine/wasm.js";
import { PAGE_SIZE } from "../../vm/vm_prot.js";

// The regions as the wasm's walker defines them (assembly/arch/vax/format.ts).
const L = wasmLayout();
const VAX_P1_BASE = L.VAX_P1_BASE;                  // VA<31:30> = 01: the P1 (control) region
const VAX_P1_END = L.VAX_S0_BASE;                   // S0 (system space) starts here

export function vaxLayout(): AddressLayout {
  return {
    minAddress: MMAP_MIN_ADDR,
    maxAddress: VAX_P1_END,
    stackTop: VAX_P1_END - PAGE_SIZE,
    stackSize: STACK_SIZE,
    mmapBase: VAX_P1_BASE,
    pieBase: VAX_P1_BASE / 2,
  };
}
