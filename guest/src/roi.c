/* roi — a region of interest marked from inside the guest (guest/include/mmulab.h).
 *
 *   roi [warm|cold] [PAGES]
 *
 * "warm" (the default) first runs a warm-up that touches its own 256 pages; "cold" skips it. Then, between
 * mmulab_reset_stats() and mmulab_dump_stats(1), the region writes one byte per page over PAGES fresh pages (default
 * 64) and sums them back. The region's instructions and references do not depend on the warm-up, so its dump is
 * the same in both modes for every counter that does not depend on what the TLBs already hold. Under Linux the
 * calls return -ENOSYS and the program prints the same line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mmulab.h"

#define PAGE 4096

static unsigned long touch(volatile char *p, long pages, int round)
{
    unsigned long sum = 0;
    for (long i = 0; i < pages; i++) p[i * PAGE] = (char)(i + round);
    for (long i = 0; i < pages; i++) sum += (unsigned char)p[i * PAGE];
    return sum;
}

int main(int argc, char **argv)
{
    int warm = !(argc > 1 && strcmp(argv[1], "cold") == 0);
    long pages = argc > 2 ? atol(argv[2]) : 64;
    if (pages < 1 || pages > 65536) { fprintf(stderr, "roi: PAGES must be 1..65536\n"); return 2; }
    char *warmup = malloc(256L * PAGE), *region = malloc(pages * PAGE);
    if (!warmup || !region) return 1;
    unsigned long w = 0;
    if (warm) for (int r = 0; r < 4; r++) w += touch(warmup, 256, r);
    mmulab_reset_stats();
    unsigned long s = touch(region, pages, 7);
    mmulab_dump_stats(1);
    printf("roi %s: region sum %lu over %ld pages\n", warm ? "warm" : "cold", s, pages);
    return w == 12345 ? 3 : 0;   /* keeps the warm-up from being optimised away */
}
