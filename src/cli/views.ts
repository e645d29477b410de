// The teaching views of `mmulab run`: --trace-walk (each page walk or refill, boot/walk_trace.ts), --trace-faults
// (each page fault and how the kernel resolved it, boot/fault_trace.ts) and --dump-tlb (every TLB level's contents
// at exit and at each statistics dump, boot/tlb_dump.ts). Their lines go to stderr, or to --trace-file; the walk and
// fault lines stop after --trace-limit lines (default 1000, 0 for no limit), the TLB dumps are never cut.

import { closeSync, openSync, writeSync } from "node:fs";
import type { GuestIo } from "../fs/file.js";
import { ConfigError } from "../machine/config.js";
import type { Machine, MachineOptions } from "../boot/machine.js";
import { checkOutputFile } from "./main.js";

export const DEFAULT_TRACE_LIMIT = 1000;

export interface ViewArgs {
  "trace-walk"?: boolean;
  "trace-faults"?: boolean;
  "dump-tlb"?: boolean;
  "trace-limit"?: string;
  "trace-file"?: string;
}

const enc = new TextEncoder();

/** --trace-limit: a number of lines, 0 for no limit. */
export function parseTraceLimit(s: string): number {
  const t = s.trim();
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
    throw new ConfigError(`--trace-limit must be a number of lines (0 for no limit), got '${s}'`);
  }
  return Number(t);
}

/** Where the views write, with the line limit of the traces. */
export class ViewOutput {
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private lines = 0;
  private stopped = false;
  /** Called once when the limit is reached (the machine stops recording walks). */
  onLimit: (() => void) | undefined;

  constructor(private readonly io: GuestIo, readonly limit: number, file?: string) {
    if (file !== undefined) this.fd = openSync(file, "w");
  }

  /** One line of a trace, counted against the limit. */
  trace(line: string): void {
    if (this.stopped) return;
    if (this.limit > 0 && this.lines >= this.limit) {
      this.stopped = true;
      this.write(`(trace limit of ${this.limit} lines reached: --trace-limit N for more, 0 for all)`);
      this.onLimit?.();
      return;
    }
    this.lines++;
    this.write(line);
  }

  /** A line that is not counted (TLB dumps). */
  write(line: string): void {
    if (this.fd === undefined) { this.io.write(2, enc.encode(line + "\n")); return; }
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    if (this.pendingBytes >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join("\n") + "\n");
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Checks the view options before the run (a bad --trace-limit or an unwritable --trace-file is one line, status 2)
 * and opens the output; undefined when no view is asked for.
 */
export function openViews(a: ViewArgs, io: GuestIo): ViewOutput | undefined {
  const any = a["trace-walk"] || a["trace-faults"] || a["dump-tlb"];
  const limit = a["trace-limit"] !== undefined ? parseTraceLimit(a["trace-limit"]) : DEFAULT_TRACE_LIMIT;
  if (!any) {
    if (a["trace-limit"] !== undefined) throw new ConfigError("--trace-limit needs --trace-walk or --trace-faults");
    if (a["trace-file"] !== undefined) throw new ConfigError("--trace-file needs --trace-walk, --trace-faults or --dump-tlb");
    return undefined;
  }
  if (a["trace-file"] !== undefined) checkOutputFile(a["trace-file"], "--trace-file");
  return new ViewOutput(io, limit, a["trace-file"]);
}

/** The machine options that switch the views on. */
export function viewOptions(a: ViewArgs, out: ViewOutput | undefined, machine: () => Machine): Partial<MachineOptions> {
  if (!out) return {};
  return {
    ...(a["trace-walk"] ? { walkTrace: (l: string) => out.trace(l) } : {}),
    ...(a["trace-faults"] ? { faultTrace: (l: string) => out.trace(l) } : {}),
    ...(a["dump-tlb"] ? {
      onStatsDump: (tag: number) => { for (const l of machine().tlbDump(`at statistics dump ${tag}`)) out.write(l); },
    } : {}),
  };
}

/** After the run: the exit dump, and the output closed. */
export function finishViews(a: ViewArgs, out: ViewOutput | undefined, m: Machine): void {
  if (!out) return;
  if (a["dump-tlb"]) for (const l of m.tlbDump("at exit")) out.write(l);
  out.close();
}
