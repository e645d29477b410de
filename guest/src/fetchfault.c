/* fetchfault — instruction fetches that fault, each reported by a SIGSEGV handler (si_code, and si_addr relative
 * to the target) and recovered with siglongjmp: a call to NULL, into an unmapped hole, into a PROT_NONE page,
 * into a readable page without execute permission, above user space, and to an address no page table can hold.
 * Linux (arch/riscv/mm/fault.c): no VMA is SEGV_MAPERR, a VMA whose rights forbid the fetch SEGV_ACCERR; si_addr
 * is the faulting address, which for a fetch is the pc the call jumped to. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "guest.h"

static sigjmp_buf env;
static volatile int last_signo, last_code;
static volatile uintptr_t last_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
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

static void call(const char *what, uintptr_t target)
{
    if (sigsetjmp(env, 1) == 0) {
        ((void (*)(void))target)();
        printf("%-24s no fault\n", what);
        return;
    }
    printf("%-24s signal %d %s at target%+ld\n", what, last_signo, code_name(last_code), (long)(last_addr - target));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    long pg = sysconf(_SC_PAGESIZE);
    char *region = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) { perror("mmap"); return 1; }
    munmap(region + pg, pg);                       /* page 1: a hole */
    mprotect(region + 2 * pg, pg, PROT_NONE);      /* page 2: no rights */
    mprotect(region, pg, PROT_READ);               /* page 0: readable, not executable */
    call("NULL", 0);
    call("unmapped hole", (uintptr_t)region + pg + 0x40);
    call("PROT_NONE page", (uintptr_t)region + 2 * pg);
    call("read-only page", (uintptr_t)region);
    call("above user space", 0xffffffc000001000ul);
    call("non-canonical", 0x0000400000000000ul);
    return 0;
}
