/* sigorder — blocked and pending signals sent to oneself, and the order handlers run in. Signals raised while
 * blocked stay pending (sigpending shows them; a standard signal raised twice is pending once, a real-time one
 * queues every instance); unblocking them all at once delivers each, the lowest first, every new frame on top of
 * the last, so handlers run highest first; a handler's sa_mask defers a signal until it returns; SA_NODEFER
 * lets a handler interrupt itself; SA_RESETHAND runs a handler once; SIG_IGN and default-ignored signals vanish;
 * sigsuspend waits with a temporary mask and returns EINTR; kill, raise and sigqueue fill si_code, si_pid and
 * si_value. Usage: sigorder [term|samask]: "term" finally kills itself with SIGTERM's default action; "samask"
 * adds the sa_mask case, which qemu-riscv64 7.2 gets wrong (it runs the masked signal inside the handler; Linux
 * and mmulab defer it), so the differential suite leaves it out. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "guest.h"

static volatile int order[256], norder;
static volatile int depth, maxdepth, calls;
static volatile int last_code, last_pid, last_value;

static void record(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    order[norder++] = sig;
    last_code = si->si_code;
    last_pid = si->si_pid;
    last_value = si->si_value.sival_int;
}

static void nested(int sig, siginfo_t *si, void *uc)
{
    (void)si;
    (void)uc;
    order[norder++] = sig;
    depth++;
    if (depth > maxdepth)
        maxdepth = depth;
    if (++calls < 3)
        raise(sig);                 /* with SA_NODEFER this interrupts us at once, else it waits for our return */
    depth--;
}

static void masking(int sig, siginfo_t *si, void *uc)
{
    (void)si;
    (void)uc;
    order[norder++] = sig;
    raise(SIGUSR2);                 /* in sa_mask: pending until this handler returns */
    sigset_t p;
    sigpending(&p);
    order[norder++] = sigismember(&p, SIGUSR2) ? 100 : 200;
}

static void on(int sig, void (*fn)(int, siginfo_t *, void *), int flags, const sigset_t *mask)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    if (mask)
        sa.sa_mask = *mask;
    else
        sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void show(const char *what)
{
    printf("%s:", what);
    for (int i = 0; i < norder; i++)
        printf(" %d", order[i]);
    printf("\n");
    norder = 0;
}

static void show_pending(void)
{
    sigset_t p;
    sigpending(&p);
    printf("pending:");
    for (int s = 1; s < 65; s++)
        if (sigismember(&p, s))
            printf(" %d", s);
    printf("\n");
}

int main(int argc, char **argv)
{
    int rt = SIGRTMIN + 2;
    sigset_t all, none, old;
    sigfillset(&all);
    sigemptyset(&none);
    on(SIGUSR1, record, 0, NULL);
    on(SIGUSR2, record, 0, NULL);
    on(SIGALRM, record, 0, NULL);
    on(SIGHUP, record, 0, NULL);
    on(rt, record, 0, NULL);

    /* 1. Everything blocked: raise and kill only make signals pending. */
    sigprocmask(SIG_BLOCK, &all, &old);
    raise(SIGUSR2);
    raise(SIGUSR2);
    kill(getpid(), SIGHUP);
    raise(SIGALRM);
    raise(SIGUSR1);
    union sigval v = { .sival_int = 7 };
    sigqueue(getpid(), rt, v);
    v.sival_int = 8;
    sigqueue(getpid(), rt, v);
    show_pending();
    show("ran while blocked");
    sigprocmask(SIG_SETMASK, &old, NULL);
    show("after unblocking");
    printf("last: si_code %d, from self %s, value %d\n", last_code, last_pid == getpid() ? "yes" : "no", last_value);
    show_pending();

    /* 2. si_code of each way of sending. */
    kill(getpid(), SIGUSR1);
    printf("kill: si_code %d (SI_USER %d), from self %s\n", last_code, SI_USER, last_pid == getpid() ? "yes" : "no");
    raise(SIGUSR1);
    printf("raise: si_code %d (SI_TKILL %d)\n", last_code, SI_TKILL);
    sigqueue(getpid(), SIGUSR2, v);
    printf("sigqueue: si_code %d (SI_QUEUE %d), value %d\n", last_code, SI_QUEUE, last_value);
    show("handlers");

    /* 3. sa_mask defers, SA_NODEFER nests. */
    const char *mode = argc > 1 ? argv[1] : "";
    sigset_t m;
    if (strcmp(mode, "samask") == 0) {
        sigemptyset(&m);
        sigaddset(&m, SIGUSR2);
        on(SIGUSR1, masking, 0, &m);
        raise(SIGUSR1);
        show("sa_mask (100 = SIGUSR2 was pending inside)");
    }
    on(SIGUSR1, nested, SA_NODEFER, NULL);
    raise(SIGUSR1);
    printf("SA_NODEFER: max depth %d\n", maxdepth);
    maxdepth = 0;
    calls = 0;
    on(SIGUSR1, nested, 0, NULL);
    raise(SIGUSR1);
    printf("without SA_NODEFER: max depth %d\n", maxdepth);
    show("nesting");

    /* 4. SA_RESETHAND on a default-ignored signal, SIG_IGN, default ignore. */
    on(SIGURG, record, SA_RESETHAND, NULL);
    raise(SIGURG);
    raise(SIGURG);
    struct sigaction cur;
    sigaction(SIGURG, NULL, &cur);
    printf("SA_RESETHAND: handler now %s\n", cur.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
    signal(SIGTERM, SIG_IGN);
    raise(SIGTERM);
    raise(SIGCHLD);
    raise(SIGWINCH);
    sigprocmask(SIG_BLOCK, &all, NULL);
    raise(SIGUSR2);
    show_pending();
    signal(SIGUSR2, SIG_IGN);        /* discards the pending SIGUSR2 */
    show_pending();
    sigprocmask(SIG_SETMASK, &none, NULL);
    show("ignored and reset");

    /* 5. sigsuspend: wait with SIGUSR1 unblocked while it is blocked outside. */
    on(SIGUSR1, record, 0, NULL);
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigprocmask(SIG_BLOCK, &m, NULL);
    raise(SIGUSR1);
    show_pending();
    int r = sigsuspend(&none);
    int e = errno;
    sigprocmask(SIG_BLOCK, NULL, &cur.sa_mask);
    printf("sigsuspend returned %d errno %s, SIGUSR1 blocked again: %s\n", r, e == EINTR ? "EINTR" : "other",
           sigismember(&cur.sa_mask, SIGUSR1) ? "yes" : "no");
    show("sigsuspend");

    /* 6. sigwaitinfo/sigtimedwait take pending signals of a set without running handlers. */
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sigaddset(&m, rt);
    sigprocmask(SIG_BLOCK, &m, NULL);
    v.sival_int = 5;
    sigqueue(getpid(), rt, v);
    raise(SIGUSR2);
    siginfo_t si;
    int w1 = sigwaitinfo(&m, &si);
    printf("sigwaitinfo: %d (si_code %d)\n", w1, si.si_code);
    struct timespec zero = { 0, 0 };
    int w2 = sigtimedwait(&m, &si, &zero);
    printf("sigtimedwait: %d (value %d)\n", w2, si.si_value.sival_int);
    int w3 = sigtimedwait(&m, &si, &zero);
    printf("sigtimedwait again: %d %s\n", w3, w3 < 0 && errno == EAGAIN ? "EAGAIN" : "other");
    show("handlers during sigwait");
    sigprocmask(SIG_UNBLOCK, &m, NULL);

    /* 7. Errors. */
    printf("sigaction(SIGKILL) %d, kill(bad signal) %d, kill(no such pid) %d\n",
           sigaction(SIGKILL, &cur, NULL), kill(getpid(), 99), kill(999999, SIGUSR1));
    if (strcmp(mode, "term") == 0) {
        signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        printf("sending SIGTERM to myself\n");
        fflush(stdout);
        kill(getpid(), SIGTERM);
        printf("still alive?\n");
    }
    return 0;
}
