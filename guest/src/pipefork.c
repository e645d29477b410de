/* pipefork — pipes, descriptors and signals between a parent and its children: a ping-pong of messages the child
 * echoes back (each side sleeps in read until the other writes), a bulk transfer larger than the pipe (the writer
 * sleeps on a full pipe, the reader sees EOF once every write end is closed, in both processes), a file offset
 * shared across fork, SIGCHLD with its siginfo, wait4 interrupted by a handler (EINTR) and restarted under
 * SA_RESTART, a child killed by kill() while it sleeps in read (WIFSIGNALED, WTERMSIG), and kill/tgkill checks.
 * Usage: pipefork [rounds=64] [KiB=256]. Works in the current directory (one scratch file, removed).
 * pipefork deadlock: parent and child both read a pipe whose write end both hold open — nobody can ever write, so
 * Linux hangs (for mmulab, which ends such a run). */
#define _GNU_SOURCE   /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest.h"

static void die(const char *what)
{
    printf("%s failed: errno %d\n", what, errno);
    exit(1);
}

/* Reads exactly n bytes unless EOF comes first; returns the bytes read. */
static size_t read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            die("read");
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return got;
}

static void write_full(int fd, const void *buf, size_t n)
{
    size_t put = 0;
    while (put < n) {
        ssize_t r = write(fd, (const char *)buf + put, n - put);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            die("write");
        put += (size_t)r;
    }
}

static void ping_pong(long rounds)
{
    int down[2], up[2];
    if (pipe(down) || pipe(up))
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        char msg[64];
        uint8_t len;
        long n = 0;
        while (read_full(down[0], &len, 1) == 1) {
            if (read_full(down[0], msg, len) != len)
                _exit(2);
            for (int i = 0; i < len; i++)
                if (msg[i] >= 'a' && msg[i] <= 'z')
                    msg[i] = (char)(msg[i] - 'a' + 'A');
            write_full(up[1], &len, 1);
            write_full(up[1], msg, len);
            n++;
        }
        _exit(n == rounds ? 0 : 3);   /* EOF: the parent closed its write end */
    }
    close(down[0]);
    close(up[1]);
    uint64_t h = CHECKSUM_INIT;
    int same = 1;
    for (long i = 0; i < rounds; i++) {
        char msg[64], back[64];
        uint8_t len = (uint8_t)snprintf(msg, sizeof msg, "message %ld of %ld", i, rounds);
        write_full(down[1], &len, 1);
        write_full(down[1], msg, len);
        uint8_t blen;
        if (read_full(up[0], &blen, 1) != 1 || read_full(up[0], back, blen) != blen)
            die("echo");
        for (int k = 0; k < blen; k++)
            h = mix64(h, (uint8_t)back[k]);
        same &= blen == len && strncmp(back, "MESSAGE ", 8) == 0;
    }
    close(down[1]);
    char extra;
    ssize_t eof = read(up[0], &extra, 1);   /* the child exits after EOF: its write end goes with it */
    int st;
    pid_t w = waitpid(pid, &st, 0);
    printf("ping-pong: %ld rounds, echoes uppercase: %s, digest %016llx, then EOF: %s, child status %d\n",
           rounds, same ? "yes" : "no", (unsigned long long)h, eof == 0 ? "yes" : "no",
           w == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    close(up[0]);
}

static void bulk(long kib)
{
    int p[2], r[2];
    if (pipe(p) || pipe(r))
        die("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        close(r[0]);
        uint64_t h = CHECKSUM_INIT, total = 0;
        uint8_t buf[3000];
        for (;;) {
            ssize_t n = read(p[0], buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            for (ssize_t i = 0; i < n; i++)
                h = mix64(h, buf[i]);
            total += (uint64_t)n;
        }
        uint64_t out[2] = { total, h };
        write_full(r[1], out, sizeof out);
        _exit(0);
    }
    close(p[0]);
    close(r[1]);
    uint64_t h = CHECKSUM_INIT, seed = 7;
    uint8_t chunk[5000];
    long left = kib * 1024;
    while (left > 0) {
        size_t n = left < (long)sizeof chunk ? (size_t)left : sizeof chunk;
        for (size_t i = 0; i < n; i++) {
            chunk[i] = (uint8_t)lcg32(&seed);
            h = mix64(h, chunk[i]);
        }
        write_full(p[1], chunk, n);   /* more than the pipe holds: sleeps until the child reads */
        left -= (long)n;
    }
    close(p[1]);
    uint64_t got[2] = { 0, 0 };
    read_full(r[0], got, sizeof got);
    int st;
    waitpid(pid, &st, 0);
    printf("bulk: %ld KiB through a 64 KiB pipe, child counted %llu bytes, digests match: %s, status %d\n",
           kib, (unsigned long long)got[0], got[1] == h ? "yes" : "no", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    close(r[0]);
}

static void shared_offset(void)
{
    const char *name = "pipefork.tmp";
    int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        die("open");
    write_full(fd, "parent-1\n", 9);
    pid_t pid = fork();
    if (pid == 0) {
        write_full(fd, "child\n", 6);   /* at the offset the parent left: the description is shared */
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    write_full(fd, "parent-2\n", 9);   /* after the child's bytes: it moved the shared offset */
    char buf[64] = { 0 };
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    printf("shared offset: %zd bytes: %s", n, buf);
    printf("offset now %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    close(fd);
    unlink(name);
}

static volatile sig_atomic_t chld_count, chld_pid, chld_status, chld_code, usr_count;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    chld_count++;
    chld_pid = si->si_pid;
    chld_status = si->si_status;
    chld_code = si->si_code;
}

static int go_fd = -1;   /* the SA_RESTART handler lets the child go by writing here */

static void on_usr(int sig)
{
    (void)sig;
    usr_count++;
    if (go_fd >= 0)
        write(go_fd, "g", 1);
}

static void sigchld(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(5);
    int st;
    pid_t w;
    do
        w = waitpid(pid, &st, 0);
    while (w < 0 && errno == EINTR);
    printf("SIGCHLD: handled %s, si_pid is the child: %s, si_code %s, si_status %d; wait4 status %d\n",
           chld_count == 1 ? "once" : "not once", chld_pid == pid ? "yes" : "no",
           chld_code == CLD_EXITED ? "CLD_EXITED" : "other", (int)chld_status, WIFEXITED(st) ? WEXITSTATUS(st) : -1);

    /* A child killed by a signal: its SIGCHLD says CLD_KILLED and the signal. */
    chld_count = 0;
    int p[2];
    if (pipe(p))
        die("pipe");
    pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        read(p[0], &c, 1);   /* sleeps: the parent holds the write end */
        _exit(9);
    }
    close(p[0]);
    kill(pid, SIGTERM);
    do
        w = waitpid(pid, &st, 0);
    while (w < 0 && errno == EINTR);
    printf("killed in read: WIFSIGNALED %s, WTERMSIG %d; SIGCHLD si_code %s, si_status %d\n",
           WIFSIGNALED(st) ? "yes" : "no", WIFSIGNALED(st) ? WTERMSIG(st) : 0,
           chld_code == CLD_KILLED ? "CLD_KILLED" : "other", (int)chld_status);
    close(p[1]);
    signal(SIGCHLD, SIG_DFL);
}

/* wait4 with a SIGUSR1 handler: without SA_RESTART the call ends with EINTR; the child keeps sending until the
 * parent has seen one EINTR (a signal taken before wait4 starts interrupts nothing), then exits. */
static void wait_eintr(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr;
    sigaction(SIGUSR1, &sa, NULL);
    int ack[2];
    if (pipe2(ack, O_NONBLOCK))
        die("pipe2");
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(ack[1]);
        char c;
        while (read(ack[0], &c, 1) != 1) {
            kill(parent, SIGUSR1);
            sched_yield();
        }
        _exit(4);
    }
    close(ack[0]);
    int st, eintr = 0;
    pid_t w;
    for (;;) {
        w = wait4(pid, &st, 0, NULL);
        if (w < 0 && errno == EINTR) {
            if (eintr++ == 0)
                write(ack[1], "!", 1);
            continue;
        }
        break;
    }
    printf("wait4 without SA_RESTART: EINTR seen: %s, handler ran: %s, then reaped status %d\n",
           eintr > 0 ? "yes" : "no", usr_count > 0 ? "yes" : "no", w == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    close(ack[1]);

    /* With SA_RESTART the handler runs and wait4 goes on waiting: it returns the child, never EINTR. The child
     * exits only after the handler has let it go, so the signal comes while the parent waits (or before). */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    usr_count = 0;
    int go[2];
    if (pipe(go))
        die("pipe");
    go_fd = go[1];
    pid = fork();
    if (pid == 0) {
        char c;
        close(go[1]);
        kill(parent, SIGUSR1);
        _exit(read(go[0], &c, 1) == 1 ? 6 : 7);
    }
    close(go[0]);
    w = wait4(pid, &st, 0, NULL);
    go_fd = -1;
    close(go[1]);
    printf("wait4 with SA_RESTART: returned the child: %s, handler ran: %s, status %d\n",
           w == pid ? "yes" : "no", usr_count > 0 ? "yes" : "no", w == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    signal(SIGUSR1, SIG_DFL);
}

static void kill_checks(void)
{
    int p[2];
    if (pipe(p))
        die("pipe");
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        read(p[0], &c, 1);   /* sleeps until killed */
        _exit(0);
    }
    close(p[0]);
    int probe = kill(pid, 0);
    int bad = kill(pid, 65) < 0 && errno == EINVAL;
    long tg = syscall(SYS_tgkill, pid + 1000, pid, SIGUSR2);
    int tg_errno = errno;
    long tgok = syscall(SYS_tgkill, pid, pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    int gone = kill(pid, 0) < 0 && errno == ESRCH;
    close(p[1]);
    printf("kill checks: probe %d, bad signal EINVAL %s, tgkill wrong tgid %s, tgkill %ld, WTERMSIG %d, reaped pid ESRCH %s\n",
           probe, bad ? "yes" : "no", tg < 0 && tg_errno == ESRCH ? "ESRCH" : "other", tgok,
           WIFSIGNALED(st) ? WTERMSIG(st) : 0, gone ? "yes" : "no");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && strcmp(argv[1], "deadlock") == 0) {
        int p[2];
        char c;
        if (pipe(p))
            die("pipe");
        printf("both processes read an empty pipe they both could write\n");
        fork();
        read(p[0], &c, 1);
        printf("a read returned\n");
        return 1;
    }
    long rounds = arg_long(argc, argv, 1, 64);
    long kib = arg_long(argc, argv, 2, 256);
    if (rounds < 1 || rounds > 100000 || kib < 1 || kib > 65536) {
        printf("usage: pipefork [rounds 1..100000] [KiB 1..65536]\n");
        return 2;
    }
    ping_pong(rounds);
    bulk(kib);
    shared_offset();
    sigchld();
    wait_eintr();
    kill_checks();
    printf("pipefork done\n");
    return 0;
}
