/* pthread_pc — mutexes and condition variables: producers put numbered items into a bounded ring, consumers take
 * them out, with one mutex and two condition variables (not full, not empty); a mutex-protected counter is
 * incremented by every thread many times. The sums and counts printed do not depend on the interleaving. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "guest.h"

#define RING 8
#define MAXT 8

static long ring[RING];
static int head, tail, count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t notfull = PTHREAD_COND_INITIALIZER, notempty = PTHREAD_COND_INITIALIZER;
static long items, producers, consumers;
static long consumed_sum[MAXT], consumed_n[MAXT];

static pthread_mutex_t clock_ = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static long increments;

static void bump(void)
{
    for (long i = 0; i < increments; i++) {
        pthread_mutex_lock(&clock_);
        counter++;
        pthread_mutex_unlock(&clock_);
    }
}

static void *producer(void *arg)
{
    long id = (long)arg;
    for (long i = id; i < items; i += producers) {
        pthread_mutex_lock(&lock);
        while (count == RING) pthread_cond_wait(&notfull, &lock);
        ring[tail] = i + 1;
        tail = (tail + 1) % RING;
        count++;
        pthread_cond_signal(&notempty);
        pthread_mutex_unlock(&lock);
    }
    bump();
    return NULL;
}

static void *consumer(void *arg)
{
    long id = (long)arg;
    for (;;) {
        pthread_mutex_lock(&lock);
        while (count == 0) pthread_cond_wait(&notempty, &lock);
        long v = ring[head];
        head = (head + 1) % RING;
        count--;
        pthread_cond_signal(&notfull);
        if (v == 0) {               /* the end marker: one per consumer */
            pthread_mutex_unlock(&lock);
            break;
        }
        pthread_mutex_unlock(&lock);
        consumed_sum[id] += v;
        consumed_n[id]++;
    }
    bump();
    return NULL;
}

int main(int argc, char **argv)
{
    items = arg_long(argc, argv, 1, 20000);
    producers = arg_long(argc, argv, 2, 3);
    consumers = arg_long(argc, argv, 3, 2);
    increments = arg_long(argc, argv, 4, 2000);
    if (producers < 1 || producers > MAXT || consumers < 1 || consumers > MAXT) return 2;
    pthread_t p[MAXT], c[MAXT];
    for (long k = 0; k < consumers; k++) pthread_create(&c[k], NULL, consumer, (void *)k);
    for (long k = 0; k < producers; k++) pthread_create(&p[k], NULL, producer, (void *)k);
    for (long k = 0; k < producers; k++) pthread_join(p[k], NULL);
    for (long k = 0; k < consumers; k++) {            /* one end marker per consumer */
        pthread_mutex_lock(&lock);
        while (count == RING) pthread_cond_wait(&notfull, &lock);
        ring[tail] = 0;
        tail = (tail + 1) % RING;
        count++;
        pthread_cond_broadcast(&notempty);
        pthread_mutex_unlock(&lock);
    }
    for (long k = 0; k < consumers; k++) pthread_join(c[k], NULL);
    long sum = 0, n = 0;
    for (long k = 0; k < consumers; k++) { sum += consumed_sum[k]; n += consumed_n[k]; }
    long expect = items * (items + 1) / 2;
    printf("items=%ld consumed=%ld sum=%ld expect=%ld %s\n", items, n, sum, expect,
           sum == expect && n == items ? "ok" : "WRONG");
    long want = (producers + consumers) * increments;
    printf("counter=%ld expect=%ld %s\n", counter, want, counter == want ? "ok" : "WRONG");
    return sum == expect && counter == want ? 0 : 1;
}
