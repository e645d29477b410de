/* faultloop — the same fault taken again and again with no instruction retiring, as Linux allows: the kernel has
 * no "repeated fault" rule, it delivers the signal each time (arch/riscv/mm/fault.c → force_sig_fault) and kills
 * the task once a handler cannot be reached. Every mode ends by SIGSEGV, status 139 (as under qemu-riscv64):
 *   nodefer   a SIGSEGV handler at an unmapped address installed with SA_NODEFER: each delivery faults on the
 *             handler's first fetch and pushes one more frame, until the stack overflows and the frame cannot
 *             be written (signal_setup_done → force_sigsegv).
 *   blocked   the same handler without SA_NODEFER: the fault in the handler finds SIGSEGV blocked, so it is
 *             forced to its default action at once.
 *   text      a handler on a page of the guest's own code made read-only (no execute) by mprotect, SA_NODEFER.
 *   children  four forked children fault at the same pc one after another (each killed, status 139 printed by
 *             the parent), then the parent faults there too. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* A page of code of its own: nothing else shares the page, so it can lose its execute right. */
__attribute__((naked, aligned(4096), noinline)) static void victim(void)
{
    __asm__ volatile("ret\n\t.balign 4096");
}

static void install(void *handler, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = (void (*)(int))handler;
    sa.sa_flags = flags;
    sigaction(SIGSEGV, &sa, NULL);
}

static volatile uintptr_t null_page = 16;

static void fault(void)
{
    *(volatile int *)null_page = 1;   /* same pc in every caller */
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "nodefer";
    void *hole = (void *)0xdead0000;
    setvbuf(stdout, NULL, _IONBF, 0);
    if (strcmp(mode, "nodefer") == 0) {
        install(hole, SA_NODEFER);
    } else if (strcmp(mode, "blocked") == 0) {
        install(hole, 0);
    } else if (strcmp(mode, "text") == 0) {
        if (mprotect((void *)victim, 4096, PROT_READ) != 0) { perror("mprotect"); return 1; }
        install((void *)victim, SA_NODEFER);
    } else if (strcmp(mode, "children") == 0) {
        for (int i = 0; i < 4; i++) {
            pid_t pid = fork();
            if (pid == 0) fault();
            int st;
            waitpid(pid, &st, 0);
            printf("child %d: %s %d\n", i, WIFSIGNALED(st) ? "killed by signal" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
        }
    } else {
        printf("unknown mode %s\n", mode);
        return 2;
    }
    printf("%s: faulting\n", mode);
    fault();
    printf("%s: survived the fault\n", mode);
    return 1;
}
