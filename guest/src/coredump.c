/* coredump — the core-dump bit of the wait status (WCOREDUMP) and SIGCHLD's si_code (CLD_DUMPED or CLD_KILLED)
 * for children killed by each signal whose default action terminates, under RLIMIT_CORE soft limits of 0, one
 * byte less than a page and a page. Linux (fs/coredump.c) attempts a dump only for the "core" signals and only
 * when the soft limit reaches binfmt_elf's min_coredump (a page); the bit says the dump was made. Usage:
 * coredump [limit...] (default: 0 4095 4096). Each child kills itself with kill(getpid(), sig); the parent takes
 * the SIGCHLD with sigwaitinfo, then reaps with waitpid. Run it in a scratch directory: Linux writes core files. */
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest.h"

static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1,
                            SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF,
                            SIGSYS };

static const char *code_name(int code)
{
    return code == CLD_EXITED ? "CLD_EXITED" : code == CLD_KILLED ? "CLD_KILLED"
         : code == CLD_DUMPED ? "CLD_DUMPED" : "other";
}

int main(int argc, char **argv)
{
    long limits[8] = { 0, 4095, 4096 };
    int nlimits = 3;
    if (argc > 1) {
        nlimits = 0;
        for (int i = 1; i < argc && nlimits < 8; i++) limits[nlimits++] = arg_long(argc, argv, i, 0);
    }
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    for (int l = 0; l < nlimits; l++) {
        struct rlimit rl;
        getrlimit(RLIMIT_CORE, &rl);
        rl.rlim_cur = (rlim_t)limits[l];
        if (setrlimit(RLIMIT_CORE, &rl) != 0) { perror("setrlimit"); return 1; }
        printf("RLIMIT_CORE %ld\n", limits[l]);
        for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
            pid_t pid = fork();
            if (pid < 0) { perror("fork"); return 1; }
            if (pid == 0) {
                sigprocmask(SIG_UNBLOCK, &chld, NULL);
                kill(getpid(), sigs[i]);
                _exit(99);
            }
            siginfo_t si;
            if (sigwaitinfo(&chld, &si) != SIGCHLD) { perror("sigwaitinfo"); return 1; }
            int status;
            if (waitpid(pid, &status, 0) != pid) { perror("waitpid"); return 1; }
            printf("  signal %2d: %s %d, status 0x%04x, WIFSIGNALED %d WTERMSIG %2d WCOREDUMP %d\n", sigs[i],
                   code_name(si.si_code), si.si_status, status, WIFSIGNALED(status), WTERMSIG(status),
                   WCOREDUMP(status) ? 1 : 0);
        }
    }
    printf("coredump done\n");
    return 0;
}
