// Shrinks a failing input while it still fails the same way: for a file, removing then zeroing ever smaller
// chunks (delta debugging, ddmin's complement step); for a command line, dropping arguments. Bounded by a number
// of runs, so a slow failure (a hang) costs at most that many budgets.

const MAX_RUNS = 40;

/**
 * @param {{argv: string[], files: Record<string, Buffer>, shrink?: string}} input
 * @param {string} kind  the failure's kind, which every smaller input must keep
 * @param {(x: typeof input) => Promise<{clean: boolean, kind?: string}>} test
 */
export async function minimise(input, kind, test) {
  let runs = 0;
  const fails = async (x) => { runs++; const v = await test(x); return !v.clean && v.kind === kind; };
  let best = input;
  if (kind === "hang" || !input.shrink) return best;     // a hang costs a whole budget per try: keep it as found
  if (input.shrink === "argv") {
    for (let n = Math.ceil(best.argv.length / 2); n >= 1 && runs < MAX_RUNS; n = Math.floor(n / 2)) {
      for (let at = 0; at + n <= best.argv.length && runs < MAX_RUNS;) {
        const cand = { ...best, argv: [...best.argv.slice(0, at), ...best.argv.slice(at + n)] };
        if (await fails(cand)) best = cand; else at += n;
      }
    }
    return best;
  }
  const name = input.shrink;
  for (const mode of ["cut", "zero"]) {
    for (let n = Math.ceil(best.files[name].length / 2); n >= 16 && runs < MAX_RUNS; n = Math.floor(n / 2)) {
      for (let at = 0; at < best.files[name].length && runs < MAX_RUNS; at += n) {
        const f = best.files[name];
        const data = mode === "cut" ? Buffer.concat([f.subarray(0, at), f.subarray(at + n)])
          : Buffer.concat([f.subarray(0, at), Buffer.alloc(Math.min(n, f.length - at)), f.subarray(at + n)]);
        if (data.equals(f)) continue;
        const cand = { ...best, files: { ...best.files, [name]: data } };
        if (await fails(cand)) { best = cand; if (mode === "cut") at -= n; }
      }
    }
  }
  return best;
}
