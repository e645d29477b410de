/* fork_cow — fork with copy-on-write on data, heap and stack: the child sees the parent's values, changes them,
 * and the parent's stay as they were; wait4 reports exit codes and signals.
 * Usage: fork_cow [pages] (heap pages, default 64); fork_cow vfork: the vfork child borrows the parent's memory
 * and the parent is suspended until it exits (qemu-user runs vfork as fork, so that mode is checked against
 * Linux's documented behaviour instead). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest.h"

static uint64_t data[2048] = { 1, 2, 3 };   /* .data: initialized, so it comes from the file */
static uint64_t bss[2048];                  /* .bss: zero until written */

static uint64_t sum(const uint64_t *p, size_t n)
{
    uint64_t h = 0;
    for (size_t i = 0; i < n; i++)
        h = mix64(h, p[i]);
    return h;
}

static void fill(uint64_t *p, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = seed * 1000003u + i;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "vfork") == 0) {
        volatile int shared = 0;
        int st;
        pid_t pid = vfork();
        if (pid == 0) {
            shared = 42;
            _exit(3);
        }
        printf("parent: after vfork the child's store is visible: %d\n", shared);
        waitpid(pid, &st, 0);
        printf("parent: vfork child exited %d\n", WEXITSTATUS(st));
        return 0;
    }
    size_t pages = (size_t)arg_long(argc, argv, 1, 64);
    size_t heapn = pages * 4096 / sizeof(uint64_t);
    uint64_t *heap = malloc(heapn * sizeof(uint64_t));
    uint64_t stack[1024];
    fill(data, 2048, 1);
    fill(bss, 2048, 2);
    fill(heap, heapn, 3);
    fill(stack, 1024, 4);
    uint64_t before[4] = { sum(data, 2048), sum(bss, 2048), sum(heap, heapn), sum(stack, 1024) };
    printf("parent: data %016llx bss %016llx heap %016llx stack %016llx\n", (unsigned long long)before[0],
           (unsigned long long)before[1], (unsigned long long)before[2], (unsigned long long)before[3]);

    pid_t me = getpid();
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
        int same = sum(data, 2048) == before[0] && sum(bss, 2048) == before[1] && sum(heap, heapn) == before[2] &&
                   sum(stack, 1024) == before[3];
        printf("child: sees the parent's memory: %s; getppid is the parent: %s\n", same ? "yes" : "NO",
               getppid() == me ? "yes" : "NO");
        fill(data, 2048, 11);
        fill(bss, 2048, 12);
        for (size_t i = 0; i < heapn; i += 512)   /* one word per page: every page copied */
            heap[i] ^= 0xdeadbeef;
        fill(stack, 1024, 14);
        printf("child: changed data %016llx heap %016llx stack %016llx\n", (unsigned long long)sum(data, 2048),
               (unsigned long long)sum(heap, heapn), (unsigned long long)sum(stack, 1024));
        _exit(7);
    }
    int st = 0;
    pid_t w = wait4(pid, &st, 0, NULL);
    printf("parent: wait4 returned the child: %s, exited %d status %d\n", w == pid ? "yes" : "NO",
           WIFEXITED(st), WEXITSTATUS(st));
    int same = sum(data, 2048) == before[0] && sum(bss, 2048) == before[1] && sum(heap, heapn) == before[2] &&
               sum(stack, 1024) == before[3];
    printf("parent: memory unchanged by the child: %s\n", same ? "yes" : "NO");

    errno = 0;
    w = waitpid(-1, &st, WNOHANG);
    printf("parent: no children left: %d %s\n", (int)w, errno == ECHILD ? "ECHILD" : "?");

    /* A child killed by a signal. */
    pid = fork();
    if (pid == 0) {
        volatile uintptr_t addr = 16;
        *(volatile int *)addr = 1;
        _exit(0);
    }
    w = waitpid(-1, &st, 0);
    printf("parent: child killed: %s by signal %d\n", WIFSIGNALED(st) ? "yes" : "NO", WTERMSIG(st));

    free(heap);
    return 0;
}
