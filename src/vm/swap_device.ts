// The swap device: a latency model in cycles. Each request (a page read or written) occupies the device for the
// preset's time, one request at a time in arrival order, so page-outs queue ahead of the page-ins behind them as on
// a real disk. The presets (a 1987 disk, a SATA SSD, NVMe) and the kernel's own paging costs are in
// swap_devices.json, each number with its source.

import { readFileSync } from "node:fs";
import { ConfigError } from "../sys/config_error.js";

interface Sourced { cycles: number; source: string }
interface DeviceData { description: string; read: Sourced; write: Sourced }
interface SwapData {
  default: { value: string; source: string };
  devices: Record<string, DeviceData>;
  kernel: { scanPage: Sourced; copyPage: Sourced };
}

let data: SwapData | undefined;

/** The data file, read once (from src/vm beside both src/vm and dist/vm). */
export function swapData(): SwapData {
  data ??= JSON.parse(readFileSync(new URL("../../src/vm/swap_devices.json", import.meta.url), "utf8")) as SwapData;
  return data;
}

/** A device's cycles per page read and written. */
export interface SwapLatency { readonly name: string; readonly read: number; readonly write: number }

/** Preset names, in the data file's order. */
export function swapPresets(): string[] { return Object.keys(swapData().devices); }

/** The default device (the data file says which and why). */
export function defaultSwapLatency(): SwapLatency { return parseSwapLatency(swapData().default.value); }

/** --swap-latency: a preset's name, or a number of cycles for both reads and writes. */
export function parseSwapLatency(s: string): SwapLatency {
  const d = swapData().devices[s];
  if (d) return { name: s, read: d.read.cycles, write: d.write.cycles };
  if (/^\d+$/.test(s.trim())) {
    const n = Number(s.trim());
    if (Number.isSafeInteger(n)) return { name: `${n} cycles`, read: n, write: n };
  }
  throw new ConfigError(`bad --swap-latency '${s}' (expected ${swapPresets().join(", ")} or a number of cycles)`);
}

/** The kernel's cycles per page scanned by the page daemon and per page copied to or from the device. */
export function pagingCosts(): { scanPage: number; copyPage: number } {
  const k = swapData().kernel;
  return { scanPage: k.scanPage.cycles, copyPage: k.copyPage.cycles };
}

export class SwapDevice {
  private busyUntil = 0n;
  reads = 0;
  writes = 0;
  busyCycles = 0;           // cycles the device spent serving requests

  constructor(readonly latency: SwapLatency) {}

  /** Queues one page transfer at time `now`; returns when it completes. */
  submit(write: boolean, now: bigint): bigint {
    const cost = write ? this.latency.write : this.latency.read;
    const start = this.busyUntil > now ? this.busyUntil : now;
    this.busyUntil = start + BigInt(cost);
    this.busyCycles += cost;
    if (write) this.writes++; else this.reads++;
    return this.busyUntil;
  }
}
