/* qsort — sorts n pseudo-random 32-bit ints with its own quicksort (median-of-three, insertion sort for short
 * ranges, recursion on the smaller side), checks the result is sorted and a permutation of the input (by sum and
 * xor), and prints a checksum. Usage: qsort [n=1000000] */
#include "guest.h"

static void insertion(int32_t *a, long lo, long hi)
{
    for (long i = lo + 1; i <= hi; i++) {
        int32_t v = a[i];
        long j = i - 1;
        while (j >= lo && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static inline void swap(int32_t *a, long i, long j)
{
    int32_t t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static void quicksort(int32_t *a, long lo, long hi)
{
    while (hi - lo > 16) {
        long mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo])
            swap(a, mid, lo);
        if (a[hi] < a[lo])
            swap(a, hi, lo);
        if (a[hi] < a[mid])
            swap(a, hi, mid);
        int32_t pivot = a[mid];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                swap(a, i, j);
                i++;
                j--;
            }
        }
        if (j - lo < hi - i) {
            quicksort(a, lo, j);
            lo = i;
        } else {
            quicksort(a, i, hi);
            hi = j;
        }
    }
    insertion(a, lo, hi);
}

int main(int argc, char **argv)
{
    long n = arg_long(argc, argv, 1, 1000000);
    if (n < 1) {
        fprintf(stderr, "qsort: n must be positive\n");
        return 2;
    }
    int32_t *a = malloc((size_t)n * sizeof *a);
    if (!a) {
        printf("qsort: out of memory\n");
        return 1;
    }
    uint64_t rng = 42;
    int64_t sum_in = 0;
    uint32_t xor_in = 0;
    for (long i = 0; i < n; i++) {
        a[i] = (int32_t)lcg32(&rng);
        sum_in += a[i];
        xor_in ^= (uint32_t)a[i];
    }
    quicksort(a, 0, n - 1);

    long unsorted = 0;
    int64_t sum_out = 0;
    uint32_t xor_out = 0;
    uint64_t h = CHECKSUM_INIT;
    for (long i = 0; i < n; i++) {
        if (i > 0 && a[i - 1] > a[i])
            unsorted++;
        sum_out += a[i];
        xor_out ^= (uint32_t)a[i];
        h = mix64(h, (uint64_t)(uint32_t)a[i] + (uint64_t)i);
    }
    printf("n=%ld min=%d median=%d max=%d\n", n, a[0], a[n / 2], a[n - 1]);
    printf("sorted=%s permutation=%s\n", unsorted ? "no" : "yes",
           (sum_in == sum_out && xor_in == xor_out) ? "yes" : "no");
    printf("checksum=%016llx\n", (unsigned long long)h);
    free(a);
    return unsorted ? 1 : 0;
}
