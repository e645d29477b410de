/* integer — a pure integer benchmark: a sieve of Eratosthenes, then per iteration a xorshift64 step, a bitwise
 * CRC-32 of the new word, a multiply/divide/remainder mix, 32-bit (W) arithmetic, rotates and a table lookup
 * into the sieve, accumulated into checksums. About 200 M instructions by default.
 * Usage: integer [iterations=280000] */
#include "guest.h"

#define SIEVE 1000000

static unsigned char composite[SIEVE + 1];

static uint32_t crc32_u64(uint32_t crc, uint64_t v)
{
    crc = ~crc;
    for (int i = 0; i < 64; i++) {
        uint32_t bit = (crc ^ (uint32_t)(v >> i)) & 1;
        crc = (crc >> 1) ^ (0xedb88320u & -bit);
    }
    return ~crc;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

int main(int argc, char **argv)
{
    long iters = arg_long(argc, argv, 1, 280000);

    long primes = 0;
    for (long i = 2; i <= SIEVE; i++) {
        if (composite[i])
            continue;
        primes++;
        for (long j = i * i; j <= SIEVE; j += i)
            composite[j] = 1;
    }
    printf("primes below %d: %ld\n", SIEVE, primes);

    uint64_t x = 0x9e3779b97f4a7c15ull, acc = 1, hits = 0;
    uint32_t crc = 0, w = 1;
    for (long it = 0; it < iters; it++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        crc = crc32_u64(crc, x);
        acc += x % 1000003;
        acc ^= rotl(acc, 13) * 0x2545f4914f6cdd1dull;
        acc += (x >> 3) / ((x & 0xffff) | 1);
        w = w * 1664525u + (uint32_t)(x >> 40);
        w ^= (uint32_t)((int32_t)w >> 7);
        hits += !composite[x % SIEVE];
    }
    printf("iterations=%ld\n", iters);
    printf("xorshift=%016llx crc32=%08x acc=%016llx w=%08x prime-hits=%llu\n", (unsigned long long)x, crc,
           (unsigned long long)acc, w, (unsigned long long)hits);
    return 0;
}
