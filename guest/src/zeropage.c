/* zeropage — the shared zero page mapped many times over: read faults over untouched anonymous memory map every
 * page to the one zero frame, so its pv list grows to one entry per page (262144 for 1 GiB).
 *   zeropage read MiB       mmap read+write, read one byte per page (each a read fault mapping the zero page)
 *   zeropage populate MiB   mmap read-only with MAP_POPULATE (the kernel maps every page at once)
 *   zeropage protect MiB    as read, then mprotect the whole range PROT_NONE (every mapping removed) and back
 *   zeropage split MiB      mprotect every other page PROT_NONE, each splitting the mapping, until it fails:
 *                           ENOMEM once the map holds vm.max_map_count (65530) entries; prints how many splits
 * Prints the sum of the bytes read (0) and the page count. Default: read 64. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "guest.h"

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "read";
    long mib = arg_long(argc, argv, 2, 64);
    size_t len = (size_t)mib << 20;
    int populate = strcmp(mode, "populate") == 0, protect = strcmp(mode, "protect") == 0;
    if (strcmp(mode, "split") == 0) {
        char *q = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (q == MAP_FAILED) { perror("mmap"); return 1; }
        long n = 0;
        for (size_t off = 4096; off + 4096 < len; off += 8192, n++) {
            if (mprotect(q + off, 4096, PROT_NONE) != 0) {
                printf("split %ld MiB: mprotect %ld failed: %s\n", mib, n, strerror(errno));
                return 0;
            }
        }
        printf("split %ld MiB: %ld mprotects, all done\n", mib, n);
        return 0;
    }
    if (!populate && !protect && strcmp(mode, "read") != 0) { printf("unknown mode %s\n", mode); return 2; }
    int prot = populate ? PROT_READ : PROT_READ | PROT_WRITE;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | (populate ? MAP_POPULATE : 0);
    volatile unsigned char *p = mmap(NULL, len, prot, flags, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    unsigned long sum = 0, pages = 0;
    for (size_t off = 0; off < len; off += 4096, pages++) sum += p[off];
    if (protect && (mprotect((void *)p, len, PROT_NONE) != 0 || mprotect((void *)p, len, PROT_READ | PROT_WRITE) != 0)) {
        perror("mprotect");
        return 1;
    }
    printf("%s %ld MiB: %lu pages, sum %lu\n", mode, mib, pages, sum);
    return sum != 0;
}
