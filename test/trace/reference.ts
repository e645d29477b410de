// A deliberately simple, independent reference simulation of one set-associative TLB, for checking the wasm
// replay and belady.ts: plain arrays per set; LRU by list order, FIFO by queue order, MIN by brute-force look-ahead.

export type RefPolicy = "lru" | "fifo" | "min";

export function refMisses(pages: readonly number[], sets: number, ways: number, policy: RefPolicy): number {
  const resident: number[][] = Array.from({ length: sets }, () => []);
  let misses = 0;
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i]!;
    const set = resident[p % sets]!;
    const at = set.indexOf(p);
    if (at >= 0) {
      if (policy === "lru") { set.splice(at, 1); set.push(p); }
      continue;
    }
    misses++;
    if (set.length === ways) {
      let victim = 0;                               // LRU and FIFO: the front of the list
      if (policy === "min") {
        let farthest = -1;
        for (let w = 0; w < set.length; w++) {
          let next = pages.length;
          for (let j = i + 1; j < pages.length; j++) if (pages[j] === set[w]) { next = j; break; }
          if (next > farthest) { farthest = next; victim = w; }
        }
      }
      set.splice(victim, 1);
    }
    set.push(p);
  }
  return misses;
}
