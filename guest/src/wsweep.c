/* wsweep — a working-set sweep: a region of MiB megabytes is filled with a pattern that depends on each word's
 * address and the pass, then swept PASSES times, each pass checking every word written by the pass before and
 * writing the next pattern. With memory smaller than the region every pass pages the whole of it out and in again
 * (it thrashes); the output is the same whatever the memory, only the paging differs. A last pass reads a strided
 * sample in reverse order (a different reference order for the page-out policy).
 *
 *   wsweep [MiB=16] [PASSES=3] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

static uint64_t pattern(uint64_t i, unsigned pass) { return (i * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)pass << 56) ^ pass; }

int main(int argc, char **argv)
{
    unsigned long mib = argc > 1 ? strtoul(argv[1], 0, 10) : 16;
    unsigned passes = argc > 2 ? (unsigned)strtoul(argv[2], 0, 10) : 3;
    size_t words = (mib << 20) / 8;
    uint64_t *a = mmap(0, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED) { printf("wsweep: mmap of %lu MiB failed\n", mib); return 1; }
    for (size_t i = 0; i < words; i++) a[i] = pattern(i, 0);
    unsigned long bad = 0;
    for (unsigned p = 1; p <= passes; p++) {
        uint64_t sum = 0;
        for (size_t i = 0; i < words; i++) {
            if (a[i] != pattern(i, p - 1)) bad++;
            a[i] = pattern(i, p);
            sum += a[i] >> 3;
        }
        printf("wsweep: pass %u over %lu MiB, sum %016llx\n", p, mib, (unsigned long long)sum);
    }
    uint64_t sum = 0;
    for (size_t i = words; i-- > 0; i -= i >= 509 ? 509 : i) {
        if (a[i] != pattern(i, passes)) bad++;
        sum += a[i];
        if (i == 0) break;
    }
    printf("wsweep: reverse sample sum %016llx\n", (unsigned long long)sum);
    printf("wsweep: %lu words wrong\n", bad);
    return bad != 0;
}
