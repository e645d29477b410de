/* shmem — MAP_SHARED anonymous memory between parent and child (the child's stores are seen by the parent,
 * MAP_PRIVATE ones are not), rounds of updates through shared memory ordered by wait.
 * Usage: shmem [pages] (default 16); shmem dontfork: MADV_DONTFORK leaves a region out of the child (touching
 * it kills the child with SIGSEGV) and MADV_DOFORK restores it (qemu-user ignores madvise, so that mode is
 * checked against Linux's documented behaviour instead). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest.h"

static int dontfork(void)
{
    int st;
    uint32_t *nf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    nf[0] = 5;
    if (madvise(nf, 4096, MADV_DONTFORK) != 0) { perror("madvise"); return 1; }
    pid_t p = fork();
    if (p == 0) {
        printf("child: reading the DONTFORK page...\n");
        volatile uint32_t v = nf[0];
        printf("child: read %u (should have died)\n", v);
        _exit(0);
    }
    waitpid(p, &st, 0);
    printf("DONTFORK child: %s %d\n", WIFSIGNALED(st) ? "killed by signal" : "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    madvise(nf, 4096, MADV_DOFORK);
    p = fork();
    if (p == 0)
        _exit((int)nf[0]);
    waitpid(p, &st, 0);
    printf("DOFORK child: exited %d\n", WEXITSTATUS(st));
    return 0;

}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "dontfork") == 0)
        return dontfork();
    size_t pages = (size_t)arg_long(argc, argv, 1, 16), len = pages * 4096;
    uint32_t *sh = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    uint32_t *pv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED || pv == MAP_FAILED) { perror("mmap"); return 1; }
    sh[0] = 1;
    pv[0] = 1;
    for (int round = 1; round <= 3; round++) {
        pid_t p = fork();
        if (p == 0) {
            for (size_t i = 0; i < len / 4; i += 1024) {
                sh[i] += (uint32_t)round * 10;
                pv[i] += (uint32_t)round * 10;
            }
            _exit(0);
        }
        waitpid(p, NULL, 0);
        for (size_t i = 0; i < len / 4; i += 1024)
            sh[i] += 1;
        printf("round %d: shared %u %u, private %u %u\n", round, sh[0], sh[len / 4 - 1024], pv[0], pv[len / 4 - 1024]);
    }

    /* MAP_SHARED memory stays shared when it has been written before the fork, and after munmap in the child. */
    pid_t p = fork();
    if (p == 0) {
        sh[1] = 77;
        munmap(sh, len);
        _exit(0);
    }
    int st;
    waitpid(p, &st, 0);
    printf("after the child unmapped it: shared[1] = %u\n", sh[1]);
    return 0;
}
