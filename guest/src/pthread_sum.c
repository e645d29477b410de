/* pthread_sum — threads sharing one address space: a parallel sum of an array split among N threads, each adding
 * its part into a slot of its own and then, after a pthread barrier, reading every other thread's slot; each
 * thread keeps a thread-local (__thread) counter that must not be seen by the others. Prints the total, the
 * per-thread checks and the TLS values; the output does not depend on how the threads interleave. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "guest.h"

#define MAXT 16

static uint64_t *data;
static long n, nthreads;
static uint64_t partial[MAXT];
static uint64_t seen[MAXT];
static long tls_seen[MAXT];
static pthread_barrier_t barrier;
static __thread long tls_count = 100;   /* initialised TLS (.tdata): every thread starts from 100 */
static __thread long tls_zero;          /* zero TLS (.tbss) */

static void *worker(void *arg)
{
    long id = (long)arg;
    long lo = n * id / nthreads, hi = n * (id + 1) / nthreads;
    uint64_t s = 0;
    for (long i = lo; i < hi; i++) {
        s += data[i];
        tls_count++;
        tls_zero += 2;
    }
    partial[id] = s;
    pthread_barrier_wait(&barrier);
    uint64_t all = 0;
    for (long k = 0; k < nthreads; k++) all += partial[k];
    seen[id] = all;
    tls_seen[id] = tls_count * 1000 + (tls_zero == 2 * (hi - lo));
    return (void *)(uintptr_t)(hi - lo);
}

int main(int argc, char **argv)
{
    n = arg_long(argc, argv, 1, 200000);
    nthreads = arg_long(argc, argv, 2, 4);
    if (nthreads < 1 || nthreads > MAXT) { fprintf(stderr, "threads: 1..%d\n", MAXT); return 2; }
    data = malloc(n * sizeof *data);
    uint64_t seed = 42, expect = 0;
    for (long i = 0; i < n; i++) { data[i] = lcg32(&seed); expect += data[i]; }
    pthread_barrier_init(&barrier, NULL, nthreads);
    pthread_t th[MAXT];
    for (long k = 0; k < nthreads; k++)
        if (pthread_create(&th[k], NULL, worker, (void *)k) != 0) { perror("pthread_create"); return 1; }
    long done = 0;
    for (long k = 0; k < nthreads; k++) {
        void *r;
        pthread_join(th[k], &r);
        done += (long)(uintptr_t)r;
    }
    uint64_t total = 0;
    for (long k = 0; k < nthreads; k++) total += partial[k];
    printf("n=%ld threads=%ld summed=%ld total=%llu expect=%llu %s\n", n, nthreads, done,
           (unsigned long long)total, (unsigned long long)expect, total == expect ? "ok" : "WRONG");
    for (long k = 0; k < nthreads; k++)
        printf("thread %ld: saw total %s, tls %ld\n", k, seen[k] == expect ? "ok" : "WRONG", tls_seen[k]);
    printf("main tls %ld %ld\n", tls_count, tls_zero);
    return total == expect ? 0 : 1;
}
