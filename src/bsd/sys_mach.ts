// Mach calls (filled in below).
import type { SyscallDef } from "./syscall.js";
export const MACH_SYSCALLS: Record<number, SyscallDef> = {};
