// Translation off: the RISC-V hart with satp.MODE = Bare (privileged spec §4.1.11), the one control operation the
// bare pmap uses.

import type { WasmMachine } from "../../machine/wasm.js";

/** The control operation the bare pmap uses. */
export type BareMachine = Pick<WasmMachine, "setSatp">;

export class BareMmu {
  constructor(readonly machine: BareMachine) {}
  /** satp = 0: MODE Bare, virtual address = physical address. */
  translationOff(): void { this.machine.setSatp(0n); }
}
