/* hog — tries to allocate and touch 1 GiB in 16 MiB chunks (one write per page), printing progress after each
 * chunk. With enough memory it prints "hog: done"; when malloc fails it says so and exits 1; a system that
 * overcommits and then cannot back a page kills it instead. Used with a small memory limit.
 * Usage: hog [MiB=1024] */
#include <stdio.h>
#include <stdlib.h>

#define CHUNK (16ul << 20)

int main(int argc, char **argv)
{
    long total = argc > 1 ? atol(argv[1]) : 1024;
    setvbuf(stdout, NULL, _IONBF, 0); /* progress must survive a kill */
    long got = 0;
    while (got < total) {
        unsigned char *p = malloc(CHUNK);
        if (!p) {
            printf("hog: malloc failed after %ld MiB\n", got);
            return 1;
        }
        for (unsigned long i = 0; i < CHUNK; i += 4096)
            p[i] = (unsigned char)(i >> 12);
        got += CHUNK >> 20;
        printf("hog: %ld MiB\n", got);
    }
    printf("hog: done, %ld MiB\n", got);
    return 0;
}
