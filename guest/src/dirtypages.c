/* dirtypages — Appel & Li's user-level VM trick: a write barrier built from mprotect and SIGSEGV. A region of
 * pages is made read-only at each checkpoint; the first write to a page faults, the handler records the page
 * as dirty and makes it writable again, and the write is restarted by returning from the handler. Each
 * checkpoint copies only the dirty pages into a snapshot and prints which pages were written.
 * Usage: dirtypages [pages] [epochs] (default 64 pages, 6 epochs). */
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "guest.h"

#define MAX_PAGES 1024

static char *region;
static long npages, pagesize;
static unsigned char dirty[MAX_PAGES];
static volatile long barrier_faults, stray_faults;

static void on_write(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    uintptr_t a = (uintptr_t)si->si_addr, base = (uintptr_t)region;
    if (si->si_code != SEGV_ACCERR || a < base || a >= base + (uintptr_t)(npages * pagesize)) {
        stray_faults++;
        _exit(3);                                  /* not ours: a real bug */
    }
    long page = (long)((a - base) / (uintptr_t)pagesize);
    dirty[page] = 1;
    barrier_faults++;
    mprotect(region + page * pagesize, pagesize, PROT_READ | PROT_WRITE);
}

/* Copies the dirty pages to the snapshot, prints them, and re-arms the barrier. Returns how many were dirty. */
static long checkpoint(char *snapshot, int epoch)
{
    long n = 0;
    printf("epoch %d dirty:", epoch);
    for (long p = 0; p < npages; p++) {
        if (!dirty[p])
            continue;
        memcpy(snapshot + p * pagesize, region + p * pagesize, pagesize);
        printf(" %ld", p);
        dirty[p] = 0;
        n++;
    }
    printf(" (%ld pages)\n", n);
    mprotect(region, npages * pagesize, PROT_READ);
    return n;
}

int main(int argc, char **argv)
{
    npages = arg_long(argc, argv, 1, 64);
    long epochs = arg_long(argc, argv, 2, 6);
    if (npages < 1 || npages > MAX_PAGES) {
        fprintf(stderr, "dirtypages: 1..%d pages\n", MAX_PAGES);
        return 2;
    }
    pagesize = sysconf(_SC_PAGESIZE);
    region = mmap(NULL, npages * pagesize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *snapshot = mmap(NULL, npages * pagesize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED || snapshot == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_write;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    for (long p = 0; p < npages; p++)
        dirty[p] = 1;                              /* the first checkpoint copies everything */
    checkpoint(snapshot, 0);

    uint64_t seed = 12345;
    long total = 0;
    for (int e = 1; e <= epochs; e++) {
        /* A mutator: a burst of writes to a few pages, several per page, plus reads everywhere (reads never fault). */
        long writes = 1 + (long)(lcg32(&seed) % 12);
        for (long w = 0; w < writes; w++) {
            long p = (long)(lcg32(&seed) % (uint32_t)npages);
            long off = (long)(lcg32(&seed) % (uint32_t)pagesize) & ~7L;
            *(uint64_t *)(region + p * pagesize + off) += (uint64_t)e * 1000 + (uint64_t)w;
            *(uint64_t *)(region + p * pagesize) += 1;     /* a second write to the same page: no new fault */
        }
        uint64_t sum = CHECKSUM_INIT;
        for (long p = 0; p < npages; p++)
            sum = mix64(sum, *(uint64_t *)(region + p * pagesize));
        printf("epoch %d: %ld writes, region checksum %016llx\n", e, writes, (unsigned long long)sum);
        total += checkpoint(snapshot, e);
    }
    int same = memcmp(region, snapshot, npages * pagesize) == 0;
    printf("barrier faults %ld (= dirty pages %ld), stray %ld, snapshot matches: %s\n", (long)barrier_faults,
           total, (long)stray_faults, same ? "yes" : "no");
    return barrier_faults == total && same ? 0 : 1;
}
