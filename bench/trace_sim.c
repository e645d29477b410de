/*
 * Plain C version of mmulab's trace-driven single-TLB replay, for scale (bench/trace.js builds it with clang -O2).
 * Reads an mmulab binary trace (src/trace/FORMAT.md) in 64K-record chunks and runs it through one set-associative
 * LRU TLB, as assembly/trace/replay.ts does: 32-byte entries (tag, stamp), an invalid way is filled first,
 * otherwise the way with the oldest stamp; a hit stores the lookup time.
 *
 *   trace_sim <trace.bin> <entries> <ways> <page shift>
 * prints: accesses misses seconds cpu-seconds (both from opening the file to the counts)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct entry { uint64_t tag, pbase, stamp; uint32_t meta, aux; };   /* tag = page << 12 | 1 when valid */

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: trace_sim trace.bin entries ways pageshift\n"); return 2; }
  unsigned entries = atoi(argv[2]), ways = atoi(argv[3]), shift = atoi(argv[4]);
  unsigned sets = entries / ways;
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 1; }
  struct entry *tlb = calloc(entries, sizeof *tlb);
  enum { CHUNK = 65536 };
  uint64_t *buf = malloc(CHUNK * sizeof *buf);
  uint8_t header[32];
  double t0 = now();
  double c0 = cpu_now();
  if (fread(header, 1, 32, f) != 32 || memcmp(header, "MMUTRACE", 8) != 0) { fprintf(stderr, "bad trace\n"); return 1; }
  uint64_t clock = 0, misses = 0;
  size_t n;
  while ((n = fread(buf, 8, CHUNK, f)) > 0) {
    for (size_t i = 0; i < n; i++) {
      uint64_t rec = buf[i];
      if ((rec & 3) == 3) continue;                          /* control record */
      uint64_t tag = ((rec >> shift) << 12) | 1;
      struct entry *set = tlb + ((rec >> shift) & (sets - 1)) * ways;
      uint64_t t = ++clock;
      unsigned w;
      for (w = 0; w < ways; w++) if (set[w].tag == tag) break;
      if (w < ways) { set[w].stamp = t; continue; }
      misses++;
      unsigned victim = 0;
      for (w = 0; w < ways; w++) if (!(set[w].tag & 1)) break;
      if (w < ways) victim = w;
      else for (w = 1; w < ways; w++) if (set[w].stamp < set[victim].stamp) victim = w;
      set[victim].tag = tag;
      set[victim].stamp = t;
    }
  }
  double t1 = now();
  double cpu = cpu_now() - c0;
  printf("%llu %llu %.6f %.6f\n", (unsigned long long)clock, (unsigned long long)misses, t1 - t0, cpu);
  return 0;
}
