/* echo — prints argc, every argv string, the environment variables whose names start with MMULAB_ (sorted, so
 * the host's ordering does not matter) and a few auxiliary-vector facts that are the same on every Linux riscv64
 * (page size, HWCAP for rv64gc, AT_ENTRY pointing at _start, AT_RANDOM present). A last argument exit=N makes
 * the exit status N. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

extern char **environ;
extern char _start[];

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=\"%s\" (%zu bytes)\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc]=%s\n", argv[argc] == NULL ? "NULL" : "not NULL");

    size_t n = 0, total = 0;
    for (char **e = environ; *e; e++)
        total++;
    char **sel = calloc(total + 1, sizeof *sel);
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "MMULAB_", 7) == 0)
            sel[n++] = *e;
    qsort(sel, n, sizeof *sel, cmp);
    printf("MMULAB_ variables: %zu\n", n);
    for (size_t i = 0; i < n; i++)
        printf("env \"%s\"\n", sel[i]);
    const char *v = getenv("MMULAB_GREETING");
    printf("getenv(MMULAB_GREETING)=%s\n", v ? v : "(unset)");
    free(sel);

    printf("AT_PAGESZ=%lu\n", getauxval(AT_PAGESZ));
    printf("AT_HWCAP=0x%lx\n", getauxval(AT_HWCAP));
    printf("AT_ENTRY is _start: %s\n", getauxval(AT_ENTRY) == (unsigned long)_start ? "yes" : "no");
    printf("AT_RANDOM present: %s\n", getauxval(AT_RANDOM) ? "yes" : "no");
    printf("AT_PHDR present: %s\n", getauxval(AT_PHDR) ? "yes" : "no");
    /* a last argument "exit=N" sets the exit status, to check that it reaches the host */
    if (argc > 1 && strncmp(argv[argc - 1], "exit=", 5) == 0)
        return atoi(argv[argc - 1] + 5);
    return 0;
}
