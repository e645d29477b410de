/* residency.c — mincore and madvise: which pages of a mapping are resident, and what the advice does to them.
 * Prints mincore vectors (one digit per page) after each step; the same output as Linux is expected.
 * `residency linux` adds the probes where qemu-user 7.2 departs from the Linux kernel (it accepts any madvise
 * advice, refuses mincore on PROT_NONE pages and ignores MAP_POPULATE); those are checked against Linux's
 * documented behaviour instead of qemu. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "guest.h"

#define PG 4096
#define N 16

static void show(const char *what, void *p, size_t pages)
{
    unsigned char v[64];
    if (mincore(p, pages * PG, v) != 0) { printf("%-34s mincore: %s\n", what, strerror(errno)); return; }
    char s[65];
    for (size_t i = 0; i < pages; i++) s[i] = (char)('0' + (v[i] & 1));
    s[pages] = '\0';
    printf("%-34s %s\n", what, s);
}

int main(int argc, char **argv)
{
    int linux_only = argc > 1 && strcmp(argv[1], "linux") == 0;
    volatile char *p = mmap(NULL, N * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    show("fresh anonymous mapping", (void *)p, N);
    p[0 * PG] = 1; p[3 * PG + 5] = 3; p[5 * PG + 7] = 5;
    show("after writing pages 0, 3, 5", (void *)p, N);
    char r = p[7 * PG];
    printf("read of untouched page 7 gives     %d\n", r);
    show("after reading page 7", (void *)p, N);

    printf("madvise(3, DONTNEED)               %d\n", madvise((void *)(p + 3 * PG), PG, MADV_DONTNEED));
    show("after DONTNEED on page 3", (void *)p, N);
    printf("page 3 reads back                  %d (was 3)\n", p[3 * PG + 5]);
    printf("page 5 still holds                 %d\n", p[5 * PG + 7]);
    printf("madvise(8..9, WILLNEED)            %d\n", madvise((void *)(p + 8 * PG), 2 * PG, MADV_WILLNEED));
    show("after WILLNEED on pages 8-9", (void *)p, N);
    printf("madvise(all, RANDOM)               %d\n", madvise((void *)p, N * PG, MADV_RANDOM));
    printf("madvise(all, SEQUENTIAL)           %d\n", madvise((void *)p, N * PG, MADV_SEQUENTIAL));
    printf("madvise(all, NORMAL)               %d\n", madvise((void *)p, N * PG, MADV_NORMAL));
    printf("madvise(unaligned)                 %d %s\n", madvise((void *)(p + 1), PG, MADV_NORMAL), strerror(errno));
    if (linux_only) {
        errno = 0;
        printf("madvise(bad advice)                %d %s\n", madvise((void *)p, PG, 12345), strerror(errno));
    }

    printf("mprotect(0, NONE)                  %d\n", mprotect((void *)p, PG, PROT_NONE));
    if (linux_only) show("page 0 inaccessible, still resident", (void *)p, N);
    printf("munmap(10..11)                     %d\n", munmap((void *)(p + 10 * PG), 2 * PG));
    show("range with a hole", (void *)p, N);
    show("pages 12-15 only", (void *)(p + 12 * PG), 4);
    unsigned char v[4];
    printf("mincore(unaligned)                 %d %s\n", mincore((void *)(p + 12 * PG + 1), PG, v), strerror(errno));
    printf("mincore(vec unwritable)            %d %s\n", mincore((void *)(p + 12 * PG), PG, (unsigned char *)8), strerror(errno));

    volatile char *q = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (q == MAP_FAILED) { perror("mmap populate"); return 1; }
    if (linux_only) show("MAP_POPULATE mapping", (void *)q, 8);
    printf("populated page reads               %d\n", q[6 * PG]);
    printf("residency done\n");
    return 0;
}
