/* pthread_exit — exit_group while other threads run: worker threads spin or sleep in a futex (a condition
 * variable nobody signals, a join of a thread that never ends) and one thread calls exit(3); the process ends at
 * once with that status and nothing more is printed. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static volatile long spins;

static void *spinner(void *arg)
{
    (void)arg;
    for (;;) spins++;
    return NULL;
}

static void *waiter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&m);
    for (;;) pthread_cond_wait(&never, &m);
    return NULL;
}

static void *quitter(void *arg)
{
    (void)arg;
    while (spins < 1000) sched_yield();
    printf("quitter: exit(7) while the others run\n");
    fflush(stdout);
    exit(7);
}

int main(void)
{
    pthread_t a, b, c;
    pthread_create(&a, NULL, spinner, NULL);
    pthread_create(&b, NULL, waiter, NULL);
    pthread_create(&c, NULL, quitter, NULL);
    pthread_join(a, NULL);                    /* never returns: the spinner never ends */
    printf("main: NOT REACHED\n");
    return 0;
}
