// Runs one fuzz input in a child process: `node bin/mmulab.js <argv>` in a scratch directory holding the input's
// files, standard input empty, a wall-clock budget (the child is killed past it: a hang) and its resident memory
// sampled from /proc while it runs.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const MMULAB = fileURLToPath(new URL("../../bin/mmulab.js", import.meta.url));
const OUTPUT_CAP = 1 << 20;

/**
 * A stream's first and last OUTPUT_CAP / 2 characters: a guest may write megabytes to stderr, and mmulab's own line
 * (a signal death, the instruction limit) comes last.
 */
export class HeadTail {
  constructor() { this.head = ""; this.tail = ""; }
  add(s) {
    const half = OUTPUT_CAP / 2;
    if (this.head.length < half) { const n = half - this.head.length; this.head += s.slice(0, n); s = s.slice(n); }
    if (s) this.tail = (this.tail + s).slice(-half);
  }
  text() { return this.tail ? `${this.head}\n[...]\n${this.tail}` : this.head; }
}

/** The JSON summary file a run-type input writes (`--json`), read back to tell a signal death from an exit. */
export const JSON_NAME = "run.json";

function rssKB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch { return 0; }
}

/**
 * @param {{argv: string[], files: Record<string, Buffer>}} input
 * @param {{budgetMs: number}} opts
 */
export function runInput(input, opts) {
  const dir = mkdtempSync(join(tmpdir(), "mmulab-fuzz-"));
  for (const [name, data] of Object.entries(input.files)) writeFileSync(join(dir, name), data);
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [MMULAB, ...input.argv], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", peak = 0, timedOut = false;
    const stderr = new HeadTail();
    child.stdout.on("data", (c) => { if (stdout.length < OUTPUT_CAP) stdout += c.toString("latin1"); });
    child.stderr.on("data", (c) => { stderr.add(c.toString("latin1")); });
    const sample = setInterval(() => { peak = Math.max(peak, rssKB(child.pid)); }, 50);
    const timer = setTimeout(() => { timedOut = true; child.kill("SIGKILL"); }, opts.budgetMs);
    child.on("close", (status, signal) => {
      clearInterval(sample);
      clearTimeout(timer);
      let json;
      try { json = JSON.parse(readFileSync(join(dir, JSON_NAME), "utf8")); } catch { json = undefined; }
      rmSync(dir, { recursive: true, force: true });
      resolve({ status, signal: timedOut ? null : signal, stdout, stderr: stderr.text(), timedOut, rssKB: peak, ms: Date.now() - t0, json });
    });
  });
}
