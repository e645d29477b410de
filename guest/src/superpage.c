/* superpage — anonymous memory the kernel can map with 2 MiB pages (mmulab --page-size 2M): fills 2 MiB-aligned
 * ranges page by page (so every 4 KiB page of each range becomes resident), then changes part of them the way
 * that forces a large mapping back to 4 KiB ones: mprotect of one page (a store there must fault, its neighbours
 * must not), munmap of one page (an access there must fault), and fork (the child's stores must not reach the
 * parent: copy-on-write). The output is the same whatever page size the kernel maps with.
 * Usage: superpage [ranges=4] */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest.h"

#define PAGE 4096ul
#define HUGE (2ul << 20)

static sigjmp_buf env;
static volatile uintptr_t fault_addr;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
    (void)sig; (void)ctx;
    fault_addr = (uintptr_t)si->si_addr;
    siglongjmp(env, 1);
}

/* Stores v at p; returns 1 when the store faulted. */
static int try_store(volatile uint64_t *p, uint64_t v)
{
    if (sigsetjmp(env, 1)) return 1;
    *p = v;
    return 0;
}

/* Loads from p; returns 1 when the load faulted. */
static int try_load(volatile uint64_t *p, uint64_t *out)
{
    if (sigsetjmp(env, 1)) return 1;
    *out = *p;
    return 0;
}

static uint64_t sum(const uint64_t *p, size_t bytes)
{
    uint64_t h = CHECKSUM_INIT;
    for (size_t i = 0; i < bytes / 8; i += PAGE / 8 / 4)
        h = mix64(h, p[i]);
    return h;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    long ranges = arg_long(argc, argv, 1, 4);
    if (ranges < 3 || ranges > 64) {
        fprintf(stderr, "superpage: 3..64 ranges\n");
        return 2;
    }
    size_t bytes = (size_t)ranges * HUGE;
    /* One range more than needed, so that `ranges` 2 MiB-aligned ranges lie inside the mapping. */
    char *raw = mmap(NULL, bytes + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    uint64_t *buf = (uint64_t *)(((uintptr_t)raw + HUGE - 1) & ~(HUGE - 1));
    for (size_t pg = 0; pg < bytes / PAGE; pg++)
        for (size_t w = 0; w < PAGE / 8; w += 64)
            buf[pg * (PAGE / 8) + w] = pg * 1000003u + w;
    printf("filled %ld ranges of 2 MiB: checksum %016llx\n", ranges, (unsigned long long)sum(buf, bytes));

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);

    /* mprotect one page in the middle of range 0: only that page loses write permission. */
    char *r0 = (char *)buf;
    uint64_t *ro = (uint64_t *)(r0 + 100 * PAGE);
    if (mprotect(ro, PAGE, PROT_READ) != 0) { perror("mprotect"); return 1; }
    uint64_t v = 0;
    int faulted = try_store(ro, 1);
    printf("range 0: store to the read-only page faults: %s (at +%#lx)\n", faulted ? "yes" : "no",
           faulted ? (unsigned long)(fault_addr - (uintptr_t)r0) : 0ul);
    printf("range 0: load from it: %s, value %llu\n", try_load(ro, &v) ? "faults" : "ok", (unsigned long long)v);
    printf("range 0: store to the page before: %s, after: %s\n", try_store(ro - PAGE / 8, 7) ? "faults" : "ok",
           try_store(ro + PAGE / 8, 8) ? "faults" : "ok");
    if (mprotect(ro, PAGE, PROT_READ | PROT_WRITE) != 0) { perror("mprotect"); return 1; }
    printf("range 0: after mprotect back, store: %s\n", try_store(ro, 9) ? "faults" : "ok");

    /* munmap one page of range 1: accesses there fault, its neighbours keep their data. */
    char *r1 = (char *)buf + HUGE;
    uint64_t *gone = (uint64_t *)(r1 + 300 * PAGE);
    if (munmap(gone, PAGE) != 0) { perror("munmap"); return 1; }
    printf("range 1: load from the unmapped page: %s\n", try_load(gone, &v) ? "faults" : "ok");
    uint64_t before = 0, after = 0;
    try_load(gone - PAGE / 8, &before);
    try_load(gone + PAGE / 8, &after);
    printf("range 1: neighbours hold %llu and %llu\n", (unsigned long long)before, (unsigned long long)after);

    /* fork: the child rewrites range 2; the parent must still see its own data. */
    uint64_t *r2 = buf + 2 * HUGE / 8;
    uint64_t parent_sum = sum(r2, HUGE);
    pid_t pid = fork();
    if (pid == 0) {
        for (size_t i = 0; i < HUGE / 8; i += 512)
            r2[i] = ~r2[i];
        printf("child: range 2 checksum after its stores %016llx\n", (unsigned long long)sum(r2, HUGE));
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("parent: child exited %d; range 2 unchanged: %s\n", WEXITSTATUS(st), sum(r2, HUGE) == parent_sum ? "yes" : "no");
    for (size_t i = 0; i < HUGE / 8; i += 1024)
        r2[i] += 1;
    printf("parent: range 2 checksum after its own stores %016llx\n", (unsigned long long)sum(r2, HUGE));
    printf("final checksum %016llx\n", (unsigned long long)sum(buf + 3 * HUGE / 8, bytes - 3 * HUGE));
    return 0;
}
