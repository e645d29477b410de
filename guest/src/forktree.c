/* forktree — a tree of processes: every node forks `fanout` children down to `depth`, each child changes its
 * copy-on-write copy of a shared array and exits with a digest of it; parents reap their children by pid, in
 * order, and fold their statuses. Only the root prints, so the output does not depend on scheduling.
 * Usage: forktree [depth] [fanout] (default 3 3). */
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest.h"

static uint64_t arr[4096];

static int node(int depth, int fanout, int id)
{
    for (int i = 0; i < 4096; i += 64)
        arr[i] = mix64(arr[i], (uint64_t)id);
    int acc = (int)(mix64(arr[64 * (id % 64)], (uint64_t)depth) & 0x7f);
    if (depth == 0)
        return acc;
    pid_t kids[16];
    for (int k = 0; k < fanout; k++) {
        pid_t p = fork();
        if (p < 0)
            return 255;
        if (p == 0)
            _exit(node(depth - 1, fanout, id * fanout + k + 1));
        kids[k] = p;
    }
    for (int k = 0; k < fanout; k++) {
        int st;
        if (waitpid(kids[k], &st, 0) != kids[k] || !WIFEXITED(st))
            return 254;
        acc = (acc * 31 + WEXITSTATUS(st)) & 0x7f;
    }
    return acc;
}

int main(int argc, char **argv)
{
    int depth = (int)arg_long(argc, argv, 1, 3), fanout = (int)arg_long(argc, argv, 2, 3);
    if (fanout > 16) fanout = 16;
    for (int i = 0; i < 4096; i++)
        arr[i] = (uint64_t)i * 2654435761u;
    int total = 1, level = 1;
    for (int d = 0; d < depth; d++) { level *= fanout; total += level; }
    printf("forktree: depth %d fanout %d: %d processes\n", depth, fanout, total);
    fflush(stdout);
    for (int k = 0; k < fanout; k++) {
        pid_t p = fork();
        if (p == 0)
            _exit(node(depth - 1, fanout, k + 1));
        int st;
        waitpid(p, &st, 0);
        printf("subtree %d: status %d\n", k, WEXITSTATUS(st));
        fflush(stdout);
    }
    uint64_t h = 0;
    for (int i = 0; i < 4096; i++)
        h = mix64(h, arr[i]);
    printf("root array unchanged: %016llx\n", (unsigned long long)h);
    return 0;
}
