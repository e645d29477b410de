// Every machine mmulab models, in one list: its name (--arch, and its data file's) and how the kernel makes its MMU
// side and pmaps. The order is the order of `mmulab archs` and `mmulab compare`. Adding a machine is a folder
// src/arch/<machine>/ (data file, mmu.ts, pmap.ts, machine.ts) and one line here.

import { ConfigError } from "../machine/config.js";
import { BARE } from "./bare/machine.js";
import { GUARDED } from "./guarded/machine.js";
import { HASHED } from "./hashed/machine.js";
import type { HardwareOption, MachineDef } from "./machine_def.js";
import { MIPS_R3000_MACHINE, MIPS_R4000_MACHINE } from "./mips/machine.js";
import { POWER } from "./power/machine.js";
import { RISCV_SV39, RISCV_SV48 } from "./riscv/machine.js";
import { SPARC } from "./sparc/machine.js";
import { VAX } from "./vax/machine.js";
import { X86_64_LA57_MACHINE, X86_64_MACHINE } from "./x86-64/machine.js";

export type { HardwareOption, MachineDef, MachineMmu } from "./machine_def.js";

export const MACHINES = [
  RISCV_SV39, RISCV_SV48, BARE, X86_64_MACHINE, X86_64_LA57_MACHINE, MIPS_R3000_MACHINE, MIPS_R4000_MACHINE, SPARC,
  POWER, HASHED, VAX, GUARDED,
] as const;

/** A machine's name. */
export type Arch = (typeof MACHINES)[number]["name"];

/** Every machine's name, in the registry's order. */
export const ARCHS: readonly Arch[] = MACHINES.map((m) => m.name);

/** The registry entry of a machine; throws for a name that is none (a kernel error: names are parsed first). */
export function machineDef(name: string): MachineDef {
  const m = MACHINES.find((d) => d.name === name);
  if (!m) throw new Error(`no machine '${name}' in the registry`);
  return m;
}

/** The machines that accept a hardware option, by name. */
export function machinesWith(option: HardwareOption): string[] {
  return MACHINES.filter((m) => (m as MachineDef).hardwareOptions?.includes(option)).map((m) => m.name);
}

/** --arch: a machine's name, or a ConfigError listing them. */
export function parseArch(s: string): Arch {
  if ((ARCHS as readonly string[]).includes(s)) return s as Arch;
  throw new ConfigError(`unknown architecture '${s}' (choose ${ARCHS.join(", ")})`);
}
