// The progress line of long runs (`--progress`, on by default when stderr is a terminal): instructions retired,
// guest MIPS and, when --max-insns bounds the run, the time left — redrawn in place at most once a second, first
// after a second, so short runs never show it. The guest's own output goes through the same terminal: the line is
// wiped before each of its writes and redrawn at the next tick.

import type { GuestIo } from "../fs/file.js";

const enc = new TextEncoder();
const WIPE = "\r\x1b[K";

function group(n: bigint): string { return n.toLocaleString("en-US"); }

function seconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export class ProgressLine {
  private readonly start: number;
  private last: number;
  private shown = false;

  /**
   * `write` puts text on the terminal (stderr); `now` gives milliseconds (a clock tests can drive); `every` is the
   * least time between two drawings.
   */
  constructor(private readonly write: (text: string) => void, private readonly maxInsns?: bigint,
              private readonly now: () => number = () => performance.now(), private readonly every = 1000) {
    this.start = now();
    this.last = this.start;
  }

  /** Draws the line for `instret` instructions retired if the last drawing is old enough. */
  tick(instret: bigint): void {
    const t = this.now();
    if (t - this.last < this.every) return;
    this.last = t;
    const secs = (t - this.start) / 1000;
    const mips = secs > 0 ? Number(instret) / secs / 1e6 : 0;
    let text = `mmulab: ${group(instret)} instructions, ${mips.toFixed(1)} MIPS, ${seconds(secs)}`;
    if (this.maxInsns !== undefined && mips > 0 && instret < this.maxInsns) {
      text += `, at most ${seconds(Number(this.maxInsns - instret) / (mips * 1e6))} left (--max-insns)`;
    }
    this.write(WIPE + text);
    this.shown = true;
  }

  /** Wipes the line if it is on the terminal (before other output, and at the end). */
  clear(): void {
    if (!this.shown) return;
    this.write(WIPE);
    this.shown = false;
  }
}

/** The guest's streams with the progress line wiped before each write. */
export function withProgress(io: GuestIo, line: ProgressLine): GuestIo {
  return {
    read: (max) => io.read(max),
    write: (fd, data) => { line.clear(); io.write(fd, data); },
  };
}

/** A ProgressLine drawing on io's stderr. */
export function progressOn(io: GuestIo, maxInsns?: bigint): ProgressLine {
  return new ProgressLine((text) => io.write(2, enc.encode(text)), maxInsns);
}
