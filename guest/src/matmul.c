/* matmul — C = A × B for n×n matrices, in double precision (i-k-j loop order, so the compiler may use fused
 * multiply-add) and in 32-bit integers (wrapping), then a checksum of each. Usage: matmul [n=128] */
#include <string.h>

#include "guest.h"

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 128);
    if (n < 1 || n > 2048) {
        fprintf(stderr, "matmul: n must be in 1..2048\n");
        return 2;
    }
    size_t nn = (size_t)n * (size_t)n;
    double *a = malloc(nn * sizeof *a), *b = malloc(nn * sizeof *b), *c = calloc(nn, sizeof *c);
    int32_t *ia = malloc(nn * sizeof *ia), *ib = malloc(nn * sizeof *ib), *ic = calloc(nn, sizeof *ic);
    if (!a || !b || !c || !ia || !ib || !ic) {
        printf("matmul: out of memory\n");
        return 1;
    }
    uint64_t rng = 7;
    for (size_t i = 0; i < nn; i++) {
        a[i] = (double)(lcg32(&rng) % 2001) / 1000.0 - 1.0;
        b[i] = (double)(lcg32(&rng) % 2001) / 1000.0 - 1.0;
        ia[i] = (int32_t)lcg32(&rng);
        ib[i] = (int32_t)lcg32(&rng);
    }
    for (long i = 0; i < n; i++)
        for (long k = 0; k < n; k++) {
            double aik = a[i * n + k];
            int32_t iaik = ia[i * n + k];
            for (long j = 0; j < n; j++) {
                c[i * n + j] += aik * b[k * n + j];
                ic[i * n + j] = (int32_t)((uint32_t)ic[i * n + j] + (uint32_t)iaik * (uint32_t)ib[k * n + j]);
            }
        }
    double trace = 0, sum = 0;
    uint64_t h = CHECKSUM_INIT, ih = CHECKSUM_INIT;
    for (long i = 0; i < n; i++)
        trace += c[i * n + i];
    for (size_t i = 0; i < nn; i++) {
        uint64_t bits;
        memcpy(&bits, &c[i], sizeof bits);
        sum += c[i];
        h = mix64(h, bits);
        ih = mix64(ih, (uint32_t)ic[i]);
    }
    printf("n=%ld\n", n);
    printf("double: trace=%.6f sum=%.6f c[0][0]=%a c[n-1][n-1]=%a\n", trace, sum, c[0], c[nn - 1]);
    printf("double checksum=%016llx\n", (unsigned long long)h);
    printf("int32: c[0][0]=%d c[n-1][n-1]=%d checksum=%016llx\n", ic[0], ic[nn - 1], (unsigned long long)ih);
    return 0;
}
