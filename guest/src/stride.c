/* stride — walks a large mmap'd buffer (default 64 MiB) with strides chosen to stress translation rather than
 * caches: first touch of every page, page-sized stride, page + cache-line stride, 2 MiB stride (superpage
 * boundaries), cache-line and word strides, backwards, and pages in pseudo-random order. Every access reads and
 * updates a word, and a checksum of the values read is printed per pass. Usage: stride [MiB=64] [passes=4] */
#include <sys/mman.h>

#include "guest.h"

#define PAGE 4096ul

static uint64_t *buf;
static size_t bytes, words;

/* read-modify-write the word at every byte offset off, off+stride, ... below bytes */
static uint64_t walk(size_t off, size_t stride, uint64_t salt)
{
    uint64_t h = 0;
    for (size_t b = off; b < bytes; b += stride) {
        uint64_t *p = &buf[b / 8];
        uint64_t v = *p;
        h += v ^ (b >> 3);
        *p = v * 3 + salt;
    }
    return h;
}

static uint64_t walk_back(size_t stride, uint64_t salt)
{
    uint64_t h = 0;
    for (size_t b = bytes - stride; b < bytes; b -= stride) {
        uint64_t *p = &buf[b / 8];
        h = h * 31 + *p;
        *p += salt;
    }
    return h;
}

static void report(const char *what, unsigned pass, uint64_t h)
{
    printf("%-22s pass %u: %016llx\n", what, pass, (unsigned long long)h);
}

int main(int argc, char **argv)
{
    long mib = arg_long(argc, argv, 1, 64);
    long passes = arg_long(argc, argv, 2, 4);
    if (mib < 4 || mib > 4096 || (mib & 1) || passes < 1) {
        fprintf(stderr, "stride: MiB must be even and in 4..4096, passes positive\n");
        return 2;
    }
    bytes = (size_t)mib << 20;
    words = bytes / 8;
    size_t pages = bytes / PAGE;
    buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        printf("stride: mmap of %ld MiB failed\n", mib);
        return 1;
    }
    printf("buffer %ld MiB, %zu pages\n", mib, pages);

    /* first touch: one word per page, every other page read before it is written (zero-fill check) */
    uint64_t nonzero = 0;
    for (size_t pg = 0; pg < pages; pg++) {
        uint64_t *p = &buf[pg * (PAGE / 8) + (pg % 512)];
        if (pg & 1)
            nonzero += *p != 0;
        *p = pg * 0x9e3779b97f4a7c15ull;
    }
    printf("first touch: %zu pages, %llu nonzero\n", pages, (unsigned long long)nonzero);

    for (unsigned pass = 0; pass < passes; pass++) {
        report("page stride", pass, walk(pass * 8, PAGE, pass));
        report("page+line stride", pass, walk(pass * 64, PAGE + 64, pass + 1));
        report("2 MiB stride", pass, walk(pass * 520, 2ul << 20, pass + 2));
        report("backwards page stride", pass, walk_back(PAGE, pass + 3));
    }

    /* pages in pseudo-random order (a random permutation, so each page is visited once per pass) */
    uint32_t *perm = malloc(pages * sizeof *perm);
    if (!perm) {
        printf("stride: out of memory\n");
        return 1;
    }
    uint64_t rng = 99;
    for (size_t i = 0; i < pages; i++)
        perm[i] = (uint32_t)i;
    for (size_t i = pages - 1; i > 0; i--) {
        size_t j = lcg32(&rng) % (i + 1);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (unsigned pass = 0; pass < passes; pass++) {
        uint64_t h = 0;
        for (size_t i = 0; i < pages; i++) {
            uint64_t *p = &buf[(size_t)perm[i] * (PAGE / 8) + (i & 511)];
            h = (h ^ *p) * 0x100000001b3ull;
            *p += i + pass;
        }
        report("random page order", pass, h);
    }

    /* dense strides: once over the whole buffer by cache line, once over 1/8 of it by word */
    report("line stride", 0, walk(8, 64, 5));
    size_t full = bytes;
    bytes = full / 8;
    report("word stride (1/8)", 0, walk(0, 8, 6));
    bytes = full;

    uint64_t h = CHECKSUM_INIT;
    for (size_t i = 0; i < words; i += 509)
        h = mix64(h, buf[i]);
    printf("checksum=%016llx\n", (unsigned long long)h);
    munmap(buf, bytes);
    free(perm);
    return 0;
}
