/* malloc — allocator stress: a table of live blocks driven by an LCG; each step frees, reallocates (growing or
 * shrinking, so glibc uses brk, mmap for large blocks and mremap for large reallocs) or allocates a block of a
 * size drawn from a mix of small, medium and large classes. Every block is filled with a pattern derived from its
 * id and verified before it is freed or after realloc. Prints counts and a checksum that depends only on
 * contents, never on addresses. Usage: malloc [steps=50000] */
#include <string.h>

#include "guest.h"

#define SLOTS 4096

struct block {
    unsigned char *p;
    size_t size;
    uint32_t id;
};

static struct block slot[SLOTS];
static unsigned long n_malloc, n_calloc, n_free, n_realloc, n_bad;
static uint64_t sum = CHECKSUM_INIT;

static size_t pick_size(uint64_t *rng)
{
    uint32_t r = lcg32(rng);
    uint32_t cls = r % 1000;
    if (cls < 700)
        return 1 + (lcg32(rng) % 256);           /* small: tcache / fastbins */
    if (cls < 950)
        return 256 + (lcg32(rng) % 8192);        /* medium: small/large bins */
    if (cls < 995)
        return 8192 + (lcg32(rng) % 120000);     /* below the mmap threshold */
    return 128 * 1024 + (lcg32(rng) % (1 << 20)); /* mmap'd */
}

static inline unsigned char pat(uint32_t id, size_t i) { return (unsigned char)(id * 131u + i * 7u + (i >> 8)); }

/* Patterned positions: every byte of the first 64, then every 61st byte up to 8 KiB, then every 1021st (about
 * four per page), so that the allocator's own work, not the filling, dominates, and big blocks are still touched on
 * every page. */
static inline size_t next_pos(size_t i) { return i < 64 ? i + 1 : i < 8192 ? i + 61 : i + 1021; }

static inline size_t first_pos_from(size_t from)
{
    size_t i = from < 64 ? from : 64 + (from - 64 + 60) / 61 * 61;
    if (i >= 8192) {
        /* the position sequence crosses 8192 at the first i + 61 >= 8192 */
        size_t p = 64 + (8192 - 64 + 60) / 61 * 61;
        i = from <= p ? p : p + (from - p + 1020) / 1021 * 1021;
    }
    return i;
}

/* write the pattern at the patterned positions in [from, size) */
static void fill(struct block *b, size_t from)
{
    for (size_t i = first_pos_from(from); i < b->size; i = next_pos(i))
        b->p[i] = pat(b->id, i);
}

/* verify the patterned positions in [0, upto) and fold them into the checksum */
static void check(struct block *b, size_t upto)
{
    uint64_t h = 0;
    for (size_t i = 0; i < upto; i = next_pos(i)) {
        if (b->p[i] != pat(b->id, i)) {
            n_bad++;
            return;
        }
        h += b->p[i];
    }
    sum = mix64(sum, h ^ ((uint64_t)b->id << 32) ^ upto);
}

int main(int argc, char **argv)
{
    long steps = arg_long(argc, argv, 1, 50000);
    uint64_t rng = 12345;
    uint32_t next_id = 1;
    size_t live = 0, peak = 0;

    for (long s = 0; s < steps; s++) {
        struct block *b = &slot[lcg32(&rng) % SLOTS];
        uint32_t action = lcg32(&rng) % 10;
        if (b->p && action < 5) {
            check(b, b->size);
            free(b->p);
            n_free++;
            live -= b->size;
            b->p = NULL;
        } else if (b->p) {
            size_t ns = (action < 8 || b->size > (1 << 21)) ? pick_size(&rng) : b->size * 2 + 1;
            unsigned char *q = realloc(b->p, ns);
            if (!q) {
                printf("realloc(%zu) failed\n", ns);
                return 1;
            }
            n_realloc++;
            b->p = q;
            size_t old = b->size;
            check(b, ns < old ? ns : old);
            live += ns - old;
            b->size = ns;
            if (ns > old)
                fill(b, old);
        } else {
            size_t sz = pick_size(&rng);
            if (action == 0) {
                b->p = calloc(1, sz);
                n_calloc++;
                if (b->p)
                    for (size_t i = 0; i < sz; i = next_pos(i))
                        if (b->p[i] != 0) {
                            n_bad++;
                            break;
                        }
            } else {
                b->p = malloc(sz);
                n_malloc++;
            }
            if (!b->p) {
                printf("malloc(%zu) failed\n", sz);
                return 1;
            }
            b->size = sz;
            b->id = next_id++;
            fill(b, 0);
            live += sz;
        }
        if (live > peak)
            peak = live;
    }
    for (int i = 0; i < SLOTS; i++)
        if (slot[i].p) {
            check(&slot[i], slot[i].size);
            free(slot[i].p);
            n_free++;
        }
    printf("steps=%ld malloc=%lu calloc=%lu realloc=%lu free=%lu\n", steps, n_malloc, n_calloc, n_realloc, n_free);
    printf("peak live bytes=%zu\n", peak);
    printf("corrupt=%lu\n", n_bad);
    printf("checksum=%016llx\n", (unsigned long long)sum);
    return n_bad ? 1 : 0;
}
