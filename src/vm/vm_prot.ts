// Protections, inheritance and page-size arithmetic shared by the machine-independent VM (Mach's vm_prot_t and
// vm_inherit_t). Protection bits equal Linux's PROT_* values, so mmap/mprotect arguments pass through unchanged.
// Addresses are JavaScript numbers: every user address is below 2^48, well inside the exact-integer range.

export const VM_PROT_NONE = 0;
export const VM_PROT_READ = 1;
export const VM_PROT_WRITE = 2;
export const VM_PROT_EXECUTE = 4;
export const VM_PROT_ALL = VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE;

/** What a child gets of a region at fork (Mach vm_inherit). */
export type Inheritance = "share" | "copy" | "none";

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

export function truncPage(a: number): number { return a - (a % PAGE_SIZE); }
export function roundPage(a: number): number { return truncPage(a + PAGE_SIZE - 1); }
export function isPageAligned(a: number): boolean { return a % PAGE_SIZE === 0; }

export function protString(p: number): string {
  return (p & VM_PROT_READ ? "r" : "-") + (p & VM_PROT_WRITE ? "w" : "-") + (p & VM_PROT_EXECUTE ? "x" : "-");
}

export function hex(n: number | bigint): string { return "0x" + n.toString(16); }
