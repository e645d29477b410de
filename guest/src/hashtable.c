/* hashtable — open addressing with linear probing over a power-of-two table of 16-byte slots (key, value),
 * filled to half with LCG keys, then the same number of lookups of present keys (in a different order), of absent
 * keys, and a round of deletions with backward-shift, each access landing on an effectively random page. Prints
 * hit/miss counts, probe statistics and a checksum. Usage: hashtable [log2 slots=21] */
#include "guest.h"

struct slot {
    uint64_t key; /* 0 = empty */
    uint64_t val;
};

static struct slot *tab;
static uint64_t mask;
static uint64_t probes;

static inline uint64_t hash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return k;
}

static void insert(uint64_t k, uint64_t v)
{
    uint64_t i = hash(k) & mask;
    while (tab[i].key != 0 && tab[i].key != k) {
        i = (i + 1) & mask;
        probes++;
    }
    tab[i].key = k;
    tab[i].val = v;
}

static struct slot *lookup(uint64_t k)
{
    uint64_t i = hash(k) & mask;
    while (tab[i].key != 0) {
        if (tab[i].key == k)
            return &tab[i];
        i = (i + 1) & mask;
        probes++;
    }
    return NULL;
}

/* delete with backward shift, so no tombstones are needed */
static int delete(uint64_t k)
{
    struct slot *s = lookup(k);
    if (!s)
        return 0;
    uint64_t i = (uint64_t)(s - tab);
    for (;;) {
        tab[i].key = 0;
        uint64_t j = i;
        for (;;) {
            j = (j + 1) & mask;
            if (tab[j].key == 0)
                return 1;
            uint64_t home = hash(tab[j].key) & mask;
            /* move j back to i unless its home lies cyclically in (i, j] */
            if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
                break;
        }
        tab[i] = tab[j];
        i = j;
    }
}

/* keys: odd 64-bit values from an LCG (never 0); absent keys: the same stream shifted to even values */
static inline uint64_t key_of(uint64_t *rng) { return lcg_next(rng) | 1; }

int main(int argc, char **argv)
{
    long lg = arg_long(argc, argv, 1, 21);
    if (lg < 4 || lg > 30) {
        fprintf(stderr, "hashtable: log2 slots must be in 4..30\n");
        return 2;
    }
    uint64_t slots = 1ull << lg, n = slots / 2;
    mask = slots - 1;
    tab = calloc(slots, sizeof *tab);
    if (!tab) {
        printf("hashtable: out of memory\n");
        return 1;
    }
    printf("slots=%llu (%llu MiB) entries=%llu\n", (unsigned long long)slots,
           (unsigned long long)(slots * sizeof *tab >> 20), (unsigned long long)n);

    uint64_t rng = 2024;
    for (uint64_t i = 0; i < n; i++)
        insert(key_of(&rng), i);
    printf("insert: probes=%llu\n", (unsigned long long)probes);

    /* lookups of present keys: re-generate the key stream, visit every other key first, then the rest */
    uint64_t hits = 0, sumv = 0;
    probes = 0;
    for (int phase = 0; phase < 2; phase++) {
        rng = 2024;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t k = key_of(&rng);
            if ((i & 1) != (uint64_t)phase)
                continue;
            struct slot *s = lookup(k);
            if (s) {
                hits++;
                sumv += s->val ^ i;
            }
        }
    }
    printf("lookup present: hits=%llu/%llu probes=%llu mismatches=%llu\n", (unsigned long long)hits,
           (unsigned long long)n, (unsigned long long)probes, (unsigned long long)sumv);

    uint64_t misses = 0;
    probes = 0;
    rng = 777;
    for (uint64_t i = 0; i < n; i++)
        misses += lookup(lcg_next(&rng) & ~1ull) == NULL;
    printf("lookup absent: misses=%llu/%llu probes=%llu\n", (unsigned long long)misses, (unsigned long long)n,
           (unsigned long long)probes);

    /* delete every fourth key, then check that the rest are all still found */
    uint64_t deleted = 0, found = 0;
    rng = 2024;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t k = key_of(&rng);
        if (i % 4 == 0)
            deleted += delete(k);
    }
    rng = 2024;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t k = key_of(&rng);
        struct slot *s = lookup(k);
        if (i % 4 != 0 && s && s->val == i)
            found++;
        if (i % 4 == 0 && s)
            found = ~0ull; /* a deleted key is still there: fail loudly */
    }
    printf("delete: deleted=%llu remaining found=%llu\n", (unsigned long long)deleted, (unsigned long long)found);

    uint64_t h = CHECKSUM_INIT, used = 0;
    for (uint64_t i = 0; i < slots; i++)
        if (tab[i].key) {
            used++;
            h = mix64(h, tab[i].key ^ (tab[i].val << 1) ^ i);
        }
    printf("used=%llu checksum=%016llx\n", (unsigned long long)used, (unsigned long long)h);
    free(tab);
    return 0;
}
