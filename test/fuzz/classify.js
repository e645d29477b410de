// What counts as a host failure (issue 17): a stack trace, "internal error", exit 70, a wasm trap escaping, the
// host process dying of a signal, a hang past the wall-clock budget, host memory past a bound; and a run that ends
// without its one line (a guest's signal death, the instruction limit, bad input). Everything else is clean: the
// guest's own status, 128 + signal with its line, 124 for --max-insns, 1 or 2 with one line for bad input. mmulab's
// line may follow the guest's own stderr output on the same line (a guest need not end what it wrote with a newline).

const STACK_FRAME = /^\s+at .*(\(.*:\d+:\d+\)|:\d+:\d+|\(native\)|<anonymous>\)?)$/m;
const HOST_CRASH = /RuntimeError|unreachable executed|memory access out of bounds|Maximum call stack size|heap out of memory|FATAL ERROR|Uncaught |node:internal/;

/**
 * @param {{status: number|null, signal: string|null, stderr: string, timedOut: boolean, rssKB: number,
 *          json?: {reason?: string} | undefined}} r  one finished child
 * @param {{memBoundKB: number}} bounds
 * @returns {{clean: true} | {clean: false, kind: string, why: string}}
 */
export function classify(r, bounds) {
  const fail = (kind, why) => ({ clean: false, kind, why });
  if (r.timedOut) return fail("hang", "did not finish within the wall-clock budget");
  if (r.rssKB > bounds.memBoundKB) return fail("memory", `host memory ${Math.round(r.rssKB / 1024)} MiB past the bound`);
  if (r.signal) return fail("host-signal", `the host process died of ${r.signal}`);
  const err = r.stderr;
  if (/mmulab: internal error/.test(err)) return fail("internal-error", firstLine(err, /mmulab: internal error.*$/m));
  if (r.status === 70) return fail("exit-70", "exit status 70");
  if (HOST_CRASH.test(err)) return fail("wasm-trap", firstLine(err, HOST_CRASH));
  if (STACK_FRAME.test(err)) return fail("stack-trace", firstLine(err, STACK_FRAME));
  const json = r.json;
  if (json) {
    if (json.reason === "signal" && !/mmulab: guest killed by SIG[A-Z0-9_]+\b/.test(err)) {
      return fail("no-message", `guest killed by signal ${json.signal} with no one-line message`);
    }
    if (json.reason === "limit" && !/mmulab: instruction limit reached/.test(err)) {
      return fail("no-message", "instruction limit with no one-line message");
    }
    return { clean: true };
  }
  if (r.status !== 0 && !/mmulab: /.test(err)) return fail("no-message", `exit status ${r.status} with no one-line message`);
  return { clean: true };
}

function firstLine(text, re) {
  const m = re.exec(text);
  if (!m) return "";
  const start = text.lastIndexOf("\n", m.index) + 1;
  const end = text.indexOf("\n", m.index);
  return text.slice(start, end < 0 ? undefined : end).trim().slice(0, 300);
}
