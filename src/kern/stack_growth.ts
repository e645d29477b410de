// Stacks that grow down (Linux mm/mmap.c expand_downwards, reached from the page-fault handler when an address
// lies below a VM_GROWSDOWN mapping): a fault just below a MAP_GROWSDOWN mapping extends it down to the faulting
// page, as long as the stack stays stack_guard_gap away from the mapping below it and within RLIMIT_STACK. A
// thread's stack allocated with MAP_GROWSDOWN (LTP's mmap18) grows this way. The grown part is a new entry with
// the same protection, itself growing down: Linux extends the one VMA instead, which only /proc/self/maps shows.

import type { Task } from "./task.js";
import { VmMapEntry } from "../vm/vm_map.js";
import { PAGE_SIZE, VM_PROT_ALL, truncPage } from "../vm/vm_prot.js";
import { RLIMIT_STACK, rlimit } from "./resource.js";

/** stack_guard_gap: 256 pages (mm/mmap.c), the room a growing stack keeps from the mapping below it. */
export const STACK_GUARD_GAP = 256 * PAGE_SIZE;

/**
 * Grows the MAP_GROWSDOWN mapping just above `va` down to va's page when Linux would (expand_downwards and
 * acct_stack_growth); returns whether it did. A fault that finds no mapping and grows nothing stays a SEGV_MAPERR.
 */
export function expandStack(t: Task, va: number): boolean {
  const map = t.map;
  if (t.pmap.identity || map.lookup(va)) return false;
  const i = map.entries.findIndex((e) => e.start > va);
  if (i < 0) return false;
  const above = map.entries[i]!;
  if (!above.growsDown) return false;
  const start = truncPage(va);
  if (start < map.minAddress) return false;
  const prev = i > 0 ? map.entries[i - 1]! : undefined;
  // A mapping below that is accessible and not itself a stack keeps the guard gap.
  if (prev && !prev.growsDown && (prev.protection & VM_PROT_ALL) !== 0 && start - prev.end < STACK_GUARD_GAP) return false;
  // acct_stack_growth: the whole stack (this mapping down to va) within RLIMIT_STACK.
  if (BigInt(above.end - start) > rlimit(t, RLIMIT_STACK).cur) return false;
  const obj = map.vm.objectAllocate(above.start - start);
  const grown = new VmMapEntry(start, above.start, obj, 0, above.protection, above.maxProtection, above.inheritance,
    false, above.name);
  grown.growsDown = true;
  map.insert(grown);
  return true;
}
