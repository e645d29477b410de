/* sigsegv — a SIGSEGV handler that reports each fault (si_code, and si_addr as an offset into the region it hit)
 * and recovers with siglongjmp: reads and writes of an unmapped hole, a write to a read-only page, a jump into
 * data without execute permission, NULL, a write to the program's own text, an address above user space.
 * sigsetjmp(env, 1) saves the mask and siglongjmp restores it, so SIGSEGV is unblocked again for the next fault
 * (were it still blocked, the next fault would kill the process). Usage: sigsegv [rounds] (default 3). */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "guest.h"

static sigjmp_buf env;
static volatile sig_atomic_t faults;
static volatile int last_signo, last_code;
static volatile uintptr_t last_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    faults++;
    last_signo = sig;
    last_code = si->si_code;
    last_addr = (uintptr_t)si->si_addr;
    siglongjmp(env, 1);
}

static const char *code_name(int code)
{
    switch (code) {
    case SEGV_MAPERR: return "SEGV_MAPERR";
    case SEGV_ACCERR: return "SEGV_ACCERR";
    default: return "other";
    }
}

/* Runs probe(arg); reports the fault it raised relative to base, or that it did not fault. */
static void try(const char *what, void (*probe)(volatile char *), volatile char *arg, uintptr_t base)
{
    if (sigsetjmp(env, 1) == 0) {
        probe(arg);
        printf("%-22s no fault\n", what);
        return;
    }
    printf("%-22s signal %d %s at base+0x%lx\n", what, last_signo, code_name(last_code),
           (unsigned long)(last_addr - base));
}

static void do_read(volatile char *p) { (void)*p; }
static void do_write(volatile char *p) { *p = 1; }
static void do_call(volatile char *p) { ((void (*)(void))(uintptr_t)p)(); }

int main(int argc, char **argv)
{
    long rounds = arg_long(argc, argv, 1, 3);
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0) {
        perror("sigaction");
        return 1;
    }
    long pg = sysconf(_SC_PAGESIZE);
    char *region = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    munmap(region + 2 * pg, pg);                  /* a hole at page 2 */
    mprotect(region + 3 * pg, pg, PROT_READ);     /* page 3 read-only */
    region[0] = 0x13;                             /* page 0 holds "nop" bytes but is not executable */
    uintptr_t base = (uintptr_t)region;
    for (long r = 0; r < rounds; r++) {
        printf("round %ld\n", r);
        try("read hole", do_read, region + 2 * pg + 0x123, base);
        try("write hole", do_write, region + 2 * pg + 8, base);
        try("read read-only", do_read, region + 3 * pg + 0x10, base);
        try("write read-only", do_write, region + 3 * pg + 0x7f8, base);
        try("write read-write", do_write, region + pg + 5, base);
        try("execute data", do_call, region, base);
        try("read NULL", do_read, (volatile char *)0, 0);
        try("write text", do_write, (volatile char *)(uintptr_t)main, (uintptr_t)main);
        try("read above user space", do_read, (volatile char *)(uintptr_t)0xffffffc000001000ul, 0xffffffc000000000ul);
    }
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("faults %d, SIGSEGV blocked after recovery: %s\n", (int)faults, sigismember(&cur, SIGSEGV) ? "yes" : "no");
    return 0;
}
