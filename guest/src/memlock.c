/* memlock — locked memory as Linux keeps it: mmap(MAP_LOCKED) maps every page at once (mincore shows them), msync
 * with MS_INVALIDATE on a locked range is EBUSY (mm/msync.c) and madvise(MADV_DONTNEED) EINVAL (locked pages cannot
 * be discarded, mm/madvise.c); munlock ends the lock and both work again. mlock faults a range in; a hole in the
 * range is ENOMEM. A locked mapping that mremap moves and grows keeps its bytes and
 * stays resident, the new part included. Every result is printed with its errno name. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "guest.h"

#define PG 4096

static const char *err(long r)
{
    if (r != -1) return "ok";
    switch (errno) {
    case EBUSY: return "EBUSY";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EAGAIN: return "EAGAIN";
    case EPERM: return "EPERM";
    default: return "other";
    }
}

static void show(const char *what, long r) { printf("%-40s %s\n", what, err(r)); }

/* One character per page: 1 resident, 0 not, as mincore reports. */
static void residency(const char *what, void *p, int pages)
{
    unsigned char v[16];
    char line[17];
    if (mincore(p, (size_t)pages * PG, v) != 0) { printf("%-40s mincore %s\n", what, err(-1)); return; }
    for (int i = 0; i < pages; i++) line[i] = (char)('0' + (v[i] & 1));
    line[pages] = 0;
    printf("%-40s %s\n", what, line);
}

int main(void)
{
    char *a = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
    if (a == MAP_FAILED) { printf("mmap(MAP_LOCKED) %s\n", err(-1)); return 1; }
    residency("MAP_LOCKED: resident at once", a, 4);
    show("msync(MS_SYNC) on it", msync(a, 4 * PG, MS_SYNC));
    show("msync(MS_INVALIDATE) on it", msync(a, 4 * PG, MS_INVALIDATE));
    show("msync(MS_INVALIDATE) on its last page", msync(a + 3 * PG, PG, MS_INVALIDATE));
    show("madvise(MADV_DONTNEED) on it", madvise(a, PG, MADV_DONTNEED));
    show("munlock", munlock(a, 4 * PG));
    show("msync(MS_INVALIDATE) after munlock", msync(a, 4 * PG, MS_INVALIDATE));
    show("madvise(MADV_DONTNEED) after munlock", madvise(a, PG, MADV_DONTNEED));

    char *b = mmap(NULL, 6 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    residency("fresh mapping", b, 6);
    show("mlock(pages 1..3, unaligned start)", mlock(b + PG + 100, 2 * PG));
    residency("after mlock", b, 6);
    show("msync(MS_INVALIDATE) over the lock", msync(b, 6 * PG, MS_INVALIDATE));
    show("munlock(all)", munlock(b, 6 * PG));
    munmap(b + 4 * PG, PG);
    show("mlock over a hole", mlock(b + 3 * PG, 3 * PG));
    show("munlock over a hole", munlock(b, 6 * PG));
    show("mlock(len 0)", mlock(b, 0));

    char *c = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
    strcpy(c, "locked bytes");
    strcpy(c + PG, "second page");
    mmap(c + 2 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);   /* no room to grow */
    char *d = mremap(c, 2 * PG, 4 * PG, MREMAP_MAYMOVE);
    if (d == MAP_FAILED) { printf("mremap %s\n", err(-1)); return 1; }
    printf("%-40s %s\n", "mremap moved it", d != c ? "yes" : "no");
    printf("%-40s %s / %s / %d\n", "bytes after the move", d, d + PG, d[3 * PG]);
    residency("moved and grown: resident", d, 4);
    show("msync(MS_INVALIDATE) on the moved lock", msync(d, 4 * PG, MS_INVALIDATE));
    show("munlock on the moved mapping", munlock(d, 4 * PG));
    printf("memlock done\n");
    return 0;
}
