/* pthread_join — thread identity and lifetime: gettid differs per thread while getpid is shared, pthread_join
 * returns each thread's value (its end is learnt through CLONE_CHILD_CLEARTID's futex wake), a detached thread
 * runs to its end unjoined, per-thread signal masks with tgkill to one thread, a process-directed signal taken by
 * the one thread that does not block it, and pthread_exit from main leaving the other threads to finish. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pid_t main_pid;
static volatile int got_usr1_in, got_usr2_in = -1;   /* index of the thread whose handler ran */
static __thread int my_index;
static volatile int detached_done;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready, go;

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

static void on_usr1(int s) { (void)s; got_usr1_in = my_index; }
static void on_usr2(int s) { (void)s; got_usr2_in = my_index; }

static pid_t tids[4];

static void *worker(void *arg)
{
    my_index = (int)(intptr_t)arg;
    tids[my_index] = gettid_();
    int ok = getpid() == main_pid && tids[my_index] != main_pid;
    /* every thread inherits main's mask, which blocks SIGUSR2; thread 2 unblocks it */
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    if (my_index == 2) pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    pthread_mutex_lock(&m);
    ready++;
    pthread_cond_broadcast(&cv);
    while (!go) pthread_cond_wait(&cv, &m);
    pthread_mutex_unlock(&m);
    return (void *)(intptr_t)(my_index * 10 + ok);
}

static void *detached(void *arg)
{
    (void)arg;
    detached_done = 1;
    return NULL;
}

static volatile int main_done;   /* set by main just before its pthread_exit */

static void *last(void *arg)
{
    (void)arg;
    /* Print only after main has printed its last line: under a loaded host, qemu's real threads ran this first. */
    while (!main_done) sched_yield();
    for (volatile int i = 0; i < 100000; i++) {}
    printf("last thread: main has exited, pid still %s\n", getpid() == main_pid ? "the same" : "DIFFERENT");
    fflush(stdout);
    return NULL;
}

int main(void)
{
    main_pid = getpid();
    my_index = 0;
    printf("main: tid == pid: %s\n", gettid_() == main_pid ? "yes" : "no");
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, NULL);        /* main blocks SIGUSR2: threads inherit the mask */
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
    pthread_t th[4];
    for (int k = 1; k <= 3; k++) pthread_create(&th[k], NULL, worker, (void *)(intptr_t)k);
    pthread_mutex_lock(&m);
    while (ready < 3) pthread_cond_wait(&cv, &m);
    pthread_mutex_unlock(&m);
    int distinct = tids[1] != tids[2] && tids[2] != tids[3] && tids[1] != tids[3];
    printf("three threads, distinct tids: %s\n", distinct ? "yes" : "no");
    /* thread-directed: SIGUSR1 to thread 3 runs its handler there */
    syscall(SYS_tgkill, main_pid, tids[3], SIGUSR1);
    /* process-directed: only thread 2 does not block SIGUSR2 */
    kill(main_pid, SIGUSR2);
    pthread_mutex_lock(&m);
    go = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&m);
    long sum = 0;
    for (int k = 1; k <= 3; k++) {
        void *r;
        pthread_join(th[k], &r);
        printf("joined thread %d: %ld\n", k, (long)(intptr_t)r);
        sum += (long)(intptr_t)r;
    }
    /* SIGUSR2 goes to thread 2, the one thread that does not block it */
    printf("SIGUSR1 handled by thread %d, SIGUSR2 by thread %d\n", got_usr1_in, got_usr2_in);
    printf("tgkill to a thread of another group: %s\n",
           syscall(SYS_tgkill, main_pid + 100000, tids[1], 0) == -1 ? "error" : "sent");
    pthread_t d;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_create(&d, &a, detached, NULL);
    while (!detached_done) sched_yield();
    printf("detached thread ran\n");
    pthread_t l;
    pthread_create(&l, NULL, last, NULL);
    printf("main: pthread_exit\n");
    fflush(stdout);
    main_done = 1;
    pthread_exit(NULL);
}
