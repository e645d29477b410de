// A task: one address space (vm_map + pmap) and the per-process state the BSD layer keeps for it (program
// break, file descriptors, identity, signal dispositions, resource limits). One thread per task for now.

import type { AddressLayout } from "../loader/layout.js";
import type { Pmap } from "../pmap/pmap.js";
import { FileTable } from "../bsd/files.js";
import { SignalState } from "./signal.js";
import { VmMap } from "../vm/vm_map.js";
import type { VmSystem } from "../vm/vm_system.js";
import { UserMemory } from "../vm/uaccess.js";
import type { PmapMachine } from "../pmap/pmap.js";

/** Fixed identities so runs are deterministic. */
export const GUEST_PID = 1000;
export const GUEST_PPID = 999;
export const GUEST_UID = 1000;
export const GUEST_GID = 1000;

export interface RLimit { cur: bigint; max: bigint }
export const RLIM_INFINITY = (1n << 64n) - 1n;

export class Task {
  readonly pid = GUEST_PID;
  readonly tid = GUEST_PID;
  readonly map: VmMap;
  readonly um: UserMemory;
  readonly files = new FileTable();
  brkStart = 0;                 // start of the heap (page after the highest segment)
  brk = 0;                      // current program break (not page aligned)
  exePath = "";                 // what /proc/self/exe resolves to
  clearChildTid = 0;            // set_tid_address
  robustList = 0;               // set_robust_list head
  signals = new SignalState();            // dispositions, mask, pending signals, alternate stack (fork: .fork())
  readonly rlimits = new Map<number, RLimit>();

  constructor(vm: VmSystem, readonly pmap: Pmap, readonly layout: AddressLayout, machine: PmapMachine) {
    this.map = new VmMap(vm, pmap, layout.minAddress, layout.maxAddress);
    this.um = new UserMemory(this.map, machine);
  }
}
