/* forkbig — fork of a large process under memory pressure: the parent fills MiB megabytes, forks; the child
 * checks the copy, rewrites every other page and checks all of it again, then exits with the number of wrong
 * words; the parent waits, then checks that its own memory is untouched (copy-on-write kept it) and rewrites it.
 * With memory smaller than twice the region both copies page in and out of swap.
 *
 *   forkbig [MiB=8] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096

static uint64_t v(size_t i, unsigned gen) { return (i * 0xd6e8feb86659fd93ull) + gen; }

static unsigned long check(const uint64_t *a, size_t words, unsigned even, unsigned odd)
{
    unsigned long bad = 0;
    for (size_t i = 0; i < words; i++) if (a[i] != v(i, ((i * 8 / PG) & 1) ? odd : even)) bad++;
    return bad;
}

int main(int argc, char **argv)
{
    unsigned long mib = argc > 1 ? strtoul(argv[1], 0, 10) : 8;
    size_t words = (mib << 20) / 8;
    uint64_t *a = mmap(0, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED) { printf("forkbig: mmap failed\n"); return 1; }
    setvbuf(stdout, NULL, _IONBF, 0);
    for (size_t i = 0; i < words; i++) a[i] = v(i, 0);
    printf("forkbig: parent filled %lu MiB\n", mib);
    pid_t pid = fork();
    if (pid < 0) { perror("forkbig: fork"); return 1; }
    if (pid == 0) {
        unsigned long bad = check(a, words, 0, 0);
        for (size_t i = 0; i < words; i++) if ((i * 8 / PG) & 1) a[i] = v(i, 1);
        bad += check(a, words, 0, 1);
        printf("forkbig: child %lu words wrong\n", bad);
        _exit(bad ? 1 : 0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("forkbig: child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    unsigned long bad = check(a, words, 0, 0);
    for (size_t i = 0; i < words; i++) a[i] = v(i, 2);
    bad += check(a, words, 2, 2);
    printf("forkbig: parent %lu words wrong\n", bad);
    return bad != 0;
}
