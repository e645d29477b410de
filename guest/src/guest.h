/* guest.h — small helpers shared by the C guests (libc, static). */
#ifndef MMULAB_GUEST_H
#define MMULAB_GUEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* argv[i] as a number (decimal, 0x hex), or def when absent. Exits with a message on garbage. */
static inline long arg_long(int argc, char **argv, int i, long def)
{
    if (argc <= i)
        return def;
    char *end;
    long v = strtol(argv[i], &end, 0);
    if (*argv[i] == '\0' || *end != '\0') {
        fprintf(stderr, "%s: bad number '%s'\n", argv[0], argv[i]);
        exit(2);
    }
    return v;
}

/* Knuth's MMIX LCG: deterministic pseudo-random numbers, the high bits being the good ones. */
static inline uint64_t lcg_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s;
}

static inline uint32_t lcg32(uint64_t *s) { return (uint32_t)(lcg_next(s) >> 32); }

/* FNV-1a style mixing of 64-bit words into a checksum. */
static inline uint64_t mix64(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0x100000001b3ull;
    h ^= h >> 29;
    return h;
}

#define CHECKSUM_INIT 0xcbf29ce484222325ull

#endif
