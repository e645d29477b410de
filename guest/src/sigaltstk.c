/* sigaltstk — the alternate signal stack. A SA_ONSTACK handler runs on the stack given to sigaltstack (its
 * locals lie inside it, and sigaltstack reports SS_ONSTACK there and refuses to change it with EPERM); a handler
 * without SA_ONSTACK stays on the normal stack; runaway recursion overflows the stack and the SIGSEGV is still
 * caught because its frame goes on the alternate stack; bad arguments get EINVAL and ENOMEM; SS_DISABLE turns it
 * off. Usage: sigaltstk [noalt] ("noalt": overflow without an alternate stack, which kills the process). */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "guest.h"

#define ALT_SIZE (64 * 1024)

static char *alt;
static sigjmp_buf env;
static volatile int on_alt, ss_flags, change_errno;
static volatile long overflow_depth, depth_limit = 1L << 40;

static int inside_alt(const void *p) { return (const char *)p >= alt && (const char *)p < alt + ALT_SIZE; }

static void where(int sig)
{
    (void)sig;
    volatile char local;
    on_alt = inside_alt((const void *)&local);
    stack_t cur;
    sigaltstack(NULL, &cur);
    ss_flags = cur.ss_flags;
    stack_t other = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0 };
    change_errno = sigaltstack(&other, NULL) == 0 ? 0 : errno;
}

static void on_overflow(int sig)
{
    (void)sig;
    volatile char local;
    on_alt = inside_alt((const void *)&local);
    siglongjmp(env, 1);
}

static long recurse(volatile char *prev, long n)
{
    volatile char buf[512];
    buf[0] = (char)n;
    buf[511] = prev ? prev[0] : 0;
    overflow_depth = n;
    if (n > depth_limit)
        return 0;
    return recurse(buf, n + 1) + buf[511];
}

static void handle(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static const char *flag_name(int f)
{
    return f == SS_ONSTACK ? "SS_ONSTACK" : f == SS_DISABLE ? "SS_DISABLE" : f == 0 ? "0" : "other";
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    alt = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (alt == MAP_FAILED)
        return 1;
    stack_t ss, old;
    sigaltstack(NULL, &old);
    printf("initially: %s\n", flag_name(old.ss_flags));
    if (argc > 1 && strcmp(argv[1], "noalt") == 0) {
        handle(SIGSEGV, on_overflow, SA_ONSTACK);
        printf("overflowing without an alternate stack\n");
        recurse(NULL, 0);
        printf("survived?\n");
        return 0;
    }

    ss.ss_sp = alt;
    ss.ss_size = 1024;
    ss.ss_flags = 0;
    printf("too small: %d %s\n", sigaltstack(&ss, NULL), errno == ENOMEM ? "ENOMEM" : "other");
    ss.ss_size = ALT_SIZE;
    ss.ss_flags = 12345;
    printf("bad flags: %d %s\n", sigaltstack(&ss, NULL), errno == EINVAL ? "EINVAL" : "other");
    ss.ss_flags = 0;
    printf("set: %d\n", sigaltstack(&ss, NULL));
    sigaltstack(NULL, &old);
    printf("now: %s, size %zu, same base %s\n", flag_name(old.ss_flags), old.ss_size, old.ss_sp == alt ? "yes" : "no");

    handle(SIGUSR1, where, SA_ONSTACK);
    raise(SIGUSR1);
    printf("SA_ONSTACK handler: on alternate stack %s, sigaltstack says %s, changing it: %s\n", on_alt ? "yes" : "no",
           flag_name(ss_flags), change_errno == EPERM ? "EPERM" : change_errno == 0 ? "allowed" : "other");
    handle(SIGUSR2, where, 0);
    raise(SIGUSR2);
    printf("plain handler: on alternate stack %s, sigaltstack says %s, changing it: %s\n", on_alt ? "yes" : "no",
           flag_name(ss_flags), change_errno == EPERM ? "EPERM" : change_errno == 0 ? "allowed" : "other");

    handle(SIGSEGV, on_overflow, SA_ONSTACK);
    for (int i = 0; i < 2; i++) {
        on_alt = 0;
        if (sigsetjmp(env, 1) == 0)
            recurse(NULL, 0);
        printf("stack overflow %d caught: on alternate stack %s, depth over 1000: %s\n", i, on_alt ? "yes" : "no",
               overflow_depth > 1000 ? "yes" : "no");
    }

    ss.ss_flags = SS_DISABLE;
    printf("disable: %d\n", sigaltstack(&ss, NULL));
    sigaltstack(NULL, &old);
    printf("finally: %s\n", flag_name(old.ss_flags));
    raise(SIGUSR1);
    printf("SA_ONSTACK handler without a stack: on alternate stack %s\n", on_alt ? "yes" : "no");
    return 0;
}
