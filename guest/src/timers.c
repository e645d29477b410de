/* timers — time that passes while tasks sleep: alarm and pause, nanosleep interrupted by a signal (EINTR with the
 * time left), clock_nanosleep to an absolute time, interval timers (ITIMER_REAL reloads, ITIMER_VIRTUAL on CPU
 * time), CPU-time clocks, sigtimedwait's timeout, ppoll and pselect on pipes (timeouts, POLLIN, POLLHUP, POLLNVAL,
 * the temporary signal mask), and futexes shared between a parent and its child through a MAP_SHARED page (as LTP's checkpoints use them).
 * Usage: timers [case] — all cases when none is named. Output depends on no timing; it is the same under Linux.
 * timers watchdog: a 20 ms ITIMER_REAL (alarm's timer) while spinning forever — killed by SIGALRM, as LTP's
 * watchdog kills a hung test. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms, usr1s, vtalrms;

static void on_alarm(int sig) { (void)sig; alarms++; }
static void on_usr1(int sig) { (void)sig; usr1s++; }
static void on_vtalrm(int sig) { (void)sig; vtalrms++; }

static void handle(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigaction(sig, &sa, NULL);
}

static long long now_ns(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long futex(uint32_t *uaddr, int op, uint32_t val, const struct timespec *ts, uint32_t *uaddr2, uint32_t val3)
{
    return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static void alarm_pause(void)
{
    handle(SIGALRM, on_alarm);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    alarm(1);
    int r = pause();
    long long dt = now_ns(CLOCK_MONOTONIC) - t0;
    printf("alarm: pause returned %d errno %s after %s 1 s, alarms %d\n", r, errno == EINTR ? "EINTR" : "?",
           dt >= 1000000000LL && dt < 2000000000LL ? "about" : "not", (int)alarms);
    printf("alarm: alarm(5) then alarm(0) returns %u\n", (alarm(5), alarm(0)));
}

static void sleep_eintr(void)
{
    handle(SIGUSR1, on_usr1);
    pid_t child = fork();
    if (child == 0) {
        struct timespec req = { 10, 0 }, rem = { 0, 0 };
        int r = nanosleep(&req, &rem);
        printf("child: nanosleep(10 s) returned %d errno %s, %s left, usr1 %d\n", r, errno == EINTR ? "EINTR" : "?",
               rem.tv_sec >= 9 && rem.tv_sec < 10 ? "9-10 s" : "wrong time", (int)usr1s);
        _exit(0);
    }
    struct timespec ms50 = { 0, 50000000 };
    nanosleep(&ms50, NULL);
    kill(child, SIGUSR1);
    int st;
    waitpid(child, &st, 0);
    printf("parent: child exited %d\n", WEXITSTATUS(st));
}

static void abs_sleep(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_nsec += 200000000;
    if (t.tv_nsec >= 1000000000) { t.tv_sec++; t.tv_nsec -= 1000000000; }
    long long target = t.tv_sec * 1000000000LL + t.tv_nsec;
    int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
    printf("clock_nanosleep: absolute returned %d, %s the target\n", r, now_ns(CLOCK_MONOTONIC) >= target ? "at or after" : "BEFORE");
    struct timespec bad = { 0, 1000000000 };
    printf("clock_nanosleep: tv_nsec 1e9 gives %d (EINVAL %d), CLOCK_THREAD_CPUTIME_ID gives %d\n",
           clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL,
           clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &t, NULL));
    errno = 0;
    printf("nanosleep: tv_sec -1 gives %d errno %s\n", nanosleep(&(struct timespec){ -1, 0 }, NULL),
           errno == EINVAL ? "EINVAL" : "?");
}

static void cputime(void)
{
    long long c0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    struct timespec ms100 = { 0, 100000000 };
    nanosleep(&ms100, NULL);
    long long c1 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    for (volatile int i = 0; i < 1000000; i++)
        ;
    long long c2 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    printf("cputime: a 100 ms sleep uses %s, a spin uses %s\n", c1 - c0 < 10000000 ? "little CPU time" : "MUCH CPU TIME",
           c2 > c1 ? "some" : "none");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    struct timespec ms30 = { 0, 30000000 };
    int r = sigtimedwait(&set, NULL, &ms30);
    printf("sigtimedwait: 30 ms with nothing pending: %d errno %s, %s\n", r, errno == EAGAIN ? "EAGAIN" : "?",
           now_ns(CLOCK_MONOTONIC) - t0 >= 30000000 ? "waited" : "did not wait");
    raise(SIGUSR2);
    printf("sigtimedwait: SIGUSR2 pending: %d\n", sigtimedwait(&set, NULL, &ms30));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void itimers(void)
{
    handle(SIGALRM, on_alarm);
    alarms = 0;
    struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, old;
    setitimer(ITIMER_REAL, &it, NULL);
    while (alarms < 3)
        pause();
    getitimer(ITIMER_REAL, &old);
    printf("itimer: 3 SIGALRMs from a 20 ms ITIMER_REAL; interval reads %ld us, value %s\n", (long)old.it_interval.tv_usec,
           old.it_value.tv_usec > 0 && old.it_value.tv_usec <= 20000 ? "within it" : "wrong");
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, &old);
    getitimer(ITIMER_REAL, &old);
    printf("itimer: disarmed reads %ld.%06ld\n", (long)old.it_value.tv_sec, (long)old.it_value.tv_usec);
    errno = 0;
    printf("itimer: which 3 gives %d errno %s; tv_usec 1e6 gives errno %s\n", setitimer(3, &it, NULL),
           errno == EINVAL ? "EINVAL" : "?",
           (setitimer(ITIMER_REAL, &(struct itimerval){ { 0, 0 }, { 0, 1000000 } }, NULL), errno == EINVAL ? "EINVAL" : "?"));

    handle(SIGVTALRM, on_vtalrm);
    struct itimerval v = { { 0, 0 }, { 0, 10000 } };
    setitimer(ITIMER_VIRTUAL, &v, NULL);
    volatile unsigned long spin = 0;
    while (!vtalrms)
        spin++;
    printf("itimer: ITIMER_VIRTUAL fired once after spinning (%s)\n", spin > 1000 ? "many iterations" : "too soon");
}

static void polls(void)
{
    int p[2];
    pipe(p);
    struct pollfd fds[3] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 }, { 99, POLLIN, 0 } };
    int r = poll(fds, 3, 0);
    printf("poll: empty pipe, timeout 0: %d ready, revents %#x %#x %#x\n", r, fds[0].revents, fds[1].revents, fds[2].revents);
    long long t0 = now_ns(CLOCK_MONOTONIC);
    r = poll(fds, 1, 100);
    printf("poll: 100 ms timeout on an empty pipe: %d, %s\n", r, now_ns(CLOCK_MONOTONIC) - t0 >= 100000000 ? "waited" : "did not wait");
    pid_t child = fork();
    if (child == 0) {
        usleep(30000);
        write(p[1], "x", 1);
        _exit(0);
    }
    r = poll(fds, 1, -1);
    printf("poll: a child writes after 30 ms: %d ready, revents %#x\n", r, fds[0].revents);
    waitpid(child, NULL, 0);
    close(p[1]);
    r = poll(fds, 1, -1);
    printf("poll: writer gone, data left: revents %#x\n", fds[0].revents);
    char c;
    read(p[0], &c, 1);
    r = poll(fds, 1, -1);
    printf("poll: writer gone, empty: revents %#x\n", fds[0].revents);
    close(p[0]);

    pipe(p);
    fd_set rd, wr;
    FD_ZERO(&rd); FD_ZERO(&wr);
    FD_SET(p[0], &rd); FD_SET(p[1], &wr);
    struct timespec ts = { 0, 50000000 };
    r = pselect(p[1] + 1, &rd, &wr, NULL, &ts, NULL);
    printf("pselect: %d ready, read set %d, write set %d\n", r, FD_ISSET(p[0], &rd), FD_ISSET(p[1], &wr));
    FD_ZERO(&rd); FD_SET(p[0], &rd);
    r = pselect(p[0] + 1, &rd, NULL, NULL, &ts, NULL);
    printf("pselect: 50 ms on an empty pipe: %d, read set %d\n", r, FD_ISSET(p[0], &rd));
    FD_ZERO(&rd); FD_SET(42, &rd);
    errno = 0;
    r = select(43, &rd, NULL, NULL, &(struct timeval){ 0, 0 });
    printf("select: a closed descriptor gives %d errno %s\n", r, errno == EBADF ? "EBADF" : "?");

    /* The temporary mask: SIGUSR1 blocked outside, let through only while in ppoll. */
    handle(SIGUSR1, on_usr1);
    usr1s = 0;
    sigset_t block, none;
    sigemptyset(&block); sigaddset(&block, SIGUSR1);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &block, NULL);
    child = fork();
    if (child == 0) {
        usleep(20000);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    fds[0].fd = p[0];
    r = ppoll(fds, 1, NULL, &none);
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("ppoll: %d errno %s, handler ran %d, SIGUSR1 blocked again %d\n", r, errno == EINTR ? "EINTR" : "?",
           (int)usr1s, sigismember(&cur, SIGUSR1));
    waitpid(child, NULL, 0);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    close(p[0]);
    close(p[1]);
}

static void futexes(void)
{
    uint32_t *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    w[0] = 0;
    printf("futex: wait on a changed value: %ld errno %s\n", futex(w, FUTEX_WAIT, 1, NULL, NULL, 0),
           errno == EAGAIN ? "EAGAIN" : "?");
    struct timespec ms20 = { 0, 20000000 };
    long long t0 = now_ns(CLOCK_MONOTONIC);
    long r = futex(w, FUTEX_WAIT, 0, &ms20, NULL, 0);
    printf("futex: 20 ms timeout: %ld errno %s, %s\n", r, errno == ETIMEDOUT ? "ETIMEDOUT" : "?",
           now_ns(CLOCK_MONOTONIC) - t0 >= 20000000 ? "waited" : "did not wait");
    errno = 0;
    printf("futex: misaligned %ld errno %s; bitset 0 errno %s\n", futex((uint32_t *)((char *)w + 1), FUTEX_WAKE, 1, NULL, NULL, 0),
           errno == EINVAL ? "EINVAL" : "?",
           (futex(w, FUTEX_WAIT_BITSET, 0, NULL, NULL, 0), errno == EINVAL ? "EINVAL" : "?"));
    pid_t child = fork();
    if (child == 0) {
        /* The child waits (shared futex: no FUTEX_PRIVATE_FLAG) until the parent sets the word and wakes it. */
        long cr = futex(w, FUTEX_WAIT, 0, NULL, NULL, 0);
        printf("child: futex wait returned %ld, word %u\n", cr, w[0]);
        w[1] = 1;
        futex(&w[1], FUTEX_WAKE, 1, NULL, NULL, 0);
        _exit(0);
    }
    usleep(20000);
    w[0] = 7;
    long woken;
    while ((woken = futex(w, FUTEX_WAKE, 1, NULL, NULL, 0)) == 0 && !w[1])
        usleep(1000);
    printf("parent: woke %ld\n", woken);
    while (w[1] == 0)
        futex(&w[1], FUTEX_WAIT, 0, NULL, NULL, 0);
    int st;
    waitpid(child, &st, 0);
    printf("parent: child exited %d\n", WEXITSTATUS(st));
    printf("futex: private wake of a shared waiter-less word: %ld\n", futex(w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
}

static void watchdog(void)
{
    setitimer(ITIMER_REAL, &(struct itimerval){ { 0, 0 }, { 0, 20000 } }, NULL);
    for (volatile unsigned long i = 0;; i++)
        ;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *which = argc > 1 ? argv[1] : "all";
    int all = strcmp(which, "all") == 0;
    if (all || !strcmp(which, "alarm")) alarm_pause();
    if (all || !strcmp(which, "eintr")) sleep_eintr();
    if (all || !strcmp(which, "abs")) abs_sleep();
    if (all || !strcmp(which, "cpu")) cputime();
    if (all || !strcmp(which, "itimer")) itimers();
    if (all || !strcmp(which, "poll")) polls();
    if (all || !strcmp(which, "futex")) futexes();
    if (!strcmp(which, "watchdog")) watchdog();
    return 0;
}
