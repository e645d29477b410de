/* forkexec — execve and execveat seen from a program: a forked child execs TARGET (this program, under any name)
 * with its own argv and environment and reports over a pipe what the new program inherited (descriptors without
 * close-on-exec, ignored signals and the blocked mask) and what it did not (close-on-exec descriptors, handlers,
 * the alternate stack); a vfork child execs and the parent resumes; "#!" scripts, nested, and the limit on their
 * nesting (ELOOP); execveat relative to a directory descriptor, on a descriptor (AT_EMPTY_PATH) and with
 * AT_SYMLINK_NOFOLLOW; Linux's errors for what cannot be executed; a shell-like pipeline of three execs.
 * Usage: forkexec TARGET — TARGET is the path under which this program can be executed; forkexec execveat TARGET
 * for the execveat checks (qemu-riscv64 7.2 lacks execveat). Works in the current directory (scripts and files it
 * makes, removed at the end). The other modes are what TARGET is run with: child FD-CLOEXEC FD-PIPE, vchild,
 * args..., seq N, rev, head K, pipeline TARGET N K. */
#define _GNU_SOURCE   /* pipe2, execveat */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what)
{
    printf("%s failed: errno %d\n", what, errno);
    exit(1);
}

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case ENOEXEC: return "ENOEXEC";
    case EFAULT: return "EFAULT";
    case E2BIG: return "E2BIG";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case EBADF: return "EBADF";
    default: return "other";
    }
}

static void on_usr1(int sig) { (void)sig; }

static int by_string(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* What the new program inherited, written to fd `out` (the pipe to the parent). */
static int child_mode(int argc, char **argv)
{
    int closed = atoi(argv[2]), out = atoi(argv[3]);
    FILE *f = fdopen(out, "w");
    if (!f) return 90;
    fprintf(f, "child: argc %d:", argc);
    for (int i = 1; i < argc; i++) fprintf(f, " [%s]", argv[i]);
    /* FORKEXEC_* only, sorted: the host shell between qemu's exec and qemu adds PWD and reorders the rest */
    const char *vars[16];
    int nvars = 0;
    for (char **e = environ; *e && nvars < 16; e++) if (strncmp(*e, "FORKEXEC_", 9) == 0) vars[nvars++] = *e;
    qsort(vars, nvars, sizeof vars[0], by_string);
    fprintf(f, "\nchild: environment:");
    for (int i = 0; i < nvars; i++) fprintf(f, " [%s]", vars[i]);
    int r = fcntl(closed, F_GETFD);
    fprintf(f, "\nchild: close-on-exec descriptor closed: %s\n", r < 0 && errno == EBADF ? "yes" : "no");
    fprintf(f, "child: pipe descriptor open without FD_CLOEXEC: %s\n", fcntl(out, F_GETFD) == 0 ? "yes" : "no");
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    fprintf(f, "child: caught SIGUSR1 now SIG_DFL: %s\n", sa.sa_handler == SIG_DFL ? "yes" : "no");
    sigaction(SIGUSR2, NULL, &sa);
    fprintf(f, "child: ignored SIGUSR2 still SIG_IGN: %s\n", sa.sa_handler == SIG_IGN ? "yes" : "no");
    sigset_t set;
    sigprocmask(SIG_BLOCK, NULL, &set);
    fprintf(f, "child: SIGHUP still blocked: %s\n", sigismember(&set, SIGHUP) ? "yes" : "no");
    stack_t ss;
    sigaltstack(NULL, &ss);
    fprintf(f, "child: alternate stack cleared: %s\n", ss.ss_flags & SS_DISABLE ? "yes" : "no");
    fclose(f);
    return 7;
}

/* Forks a child that execs path with argv (envp: the parent's); returns its status, or the child's exec errno
 * as 100 + errno. */
static int run(const char *path, char *const argv[])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        execv(path, argv);
        _exit(100 + errno);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid) die("waitpid");
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void report(const char *what, int st)
{
    if (st >= 100) printf("%s: exec failed %s\n", what, errname(st - 100));
    else printf("%s: status %d\n", what, st);
}

static void write_file(const char *name, const char *text, mode_t mode)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0) die(name);
}

/* A failing execve in this process: the errno it gave. */
static const char *exec_errno(const void *path, const void *argv, const void *envp)
{
    errno = 0;
    syscall(SYS_execve, path, argv, envp);
    return errname(errno);
}

static void section_fork(const char *target)
{
    int p[2], q[2];
    if (pipe(p) != 0 || pipe2(q, O_CLOEXEC) != 0) die("pipe");
    struct sigaction sa = { .sa_handler = on_usr1 };
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGUSR2, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        static char altstack[16384];
        stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
        sigaltstack(&ss, NULL);
        char a2[16], a3[16];
        snprintf(a2, sizeof a2, "%d", q[1]);
        snprintf(a3, sizeof a3, "%d", p[1]);
        char *argv[] = { "renamed", "child", a2, a3, "two words", "", NULL };
        char *envp[] = { "FORKEXEC_A=1", "FORKEXEC_B=with spaces", "FORKEXEC_EMPTY=", NULL };
        execve(target, argv, envp);
        _exit(100 + errno);
    }
    close(p[1]);
    close(q[1]);
    char buf[4096];
    ssize_t n, total = 0;
    while ((n = read(p[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
    buf[total] = '\0';
    fputs(buf, stdout);
    int st;
    if (waitpid(pid, &st, 0) != pid) die("waitpid");
    printf("fork+exec: child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    close(p[0]);
    close(q[0]);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void section_vfork(const char *target)
{
    volatile int before = 41;
    fflush(stdout);
    pid_t pid = vfork();
    if (pid < 0) die("vfork");
    if (pid == 0) {
        char *argv[] = { "v", "vchild", NULL };
        execv(target, argv);
        _exit(100 + errno);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid) die("waitpid");
    printf("vfork+exec: parent resumed, its variable %d, child exited %d\n", before + 1,
           WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    /* The parent resumes at the child's exec, not at its exit: the new program waits for the parent's data. */
    int p[2];
    if (pipe(p) != 0) die("pipe");
    fflush(stdout);
    pid = vfork();
    if (pid < 0) die("vfork");
    if (pid == 0) {
        dup2(p[0], 0);
        close(p[0]);
        close(p[1]);
        char *argv[] = { "v", "rev", NULL };
        execv(target, argv);
        _exit(100 + errno);
    }
    close(p[0]);
    const char msg[] = "first line\nsecond line, written after the exec\n";
    if (write(p[1], msg, sizeof msg - 1) != sizeof msg - 1) die("write");
    close(p[1]);
    if (waitpid(pid, &st, 0) != pid) die("waitpid");
    printf("vfork+exec: the exec'd child read what the resumed parent wrote, exited %d\n",
           WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void section_scripts(const char *target)
{
    char line[4200];
    /* a script whose interpreter is TARGET with one argument (spaces inside it are kept) */
    snprintf(line, sizeof line, "#!%s args  one argument  \necho not run\n", target);
    write_file("s-arg", line, 0755);
    char *argv[] = { "script-argv0", "x", "y", NULL };
    report("script with an argument", run("./s-arg", argv));
    snprintf(line, sizeof line, "#! \t%s\n", target);
    write_file("s-noarg", line, 0755);
    report("script without an argument", run("./s-noarg", argv));
    /* nested: each script's interpreter is the one before */
    write_file("s-nest0", line, 0755);
    for (int i = 1; i <= 7; i++) {
        char name[16];
        snprintf(name, sizeof name, "s-nest%d", i);
        snprintf(line, sizeof line, "#!./s-nest%d\n", i - 1);
        write_file(name, line, 0755);
    }
    report("4 nested scripts", run("./s-nest3", argv));
    report("8 nested scripts", run("./s-nest7", argv));
    write_file("s-empty", "#!\n", 0755);
    report("script naming no interpreter", run("./s-empty", argv));
    write_file("s-missing", "#!/no/such/interpreter\n", 0755);
    report("script with a missing interpreter", run("./s-missing", argv));
    write_file("s-plain", "#!./plain-interp\n", 0755);
    write_file("plain-interp", "no program\n", 0644);
    report("script whose interpreter may not be executed", run("./s-plain", argv));
    unlink("s-arg");
    unlink("s-noarg");
    unlink("s-empty");
    unlink("s-missing");
    unlink("s-plain");
    unlink("plain-interp");
    for (int i = 0; i <= 7; i++) {
        char name[16];
        snprintf(name, sizeof name, "s-nest%d", i);
        unlink(name);
    }
}

static void section_execveat(const char *target)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", target);
    char *slash = strrchr(dir, '/');
    const char *base = target;
    if (slash) { *slash = '\0'; base = slash + 1; } else snprintf(dir, sizeof dir, ".");
    char *argv[] = { "at", "args", "via execveat", NULL };
    char *envp[] = { NULL };
    int d = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY);
    if (d < 0) die("open dir");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        syscall(SYS_execveat, d, base, argv, envp, 0);
        _exit(100 + errno);
    }
    int st;
    waitpid(pid, &st, 0);
    report("execveat(dirfd, name)", WEXITSTATUS(st));
    int f = open(target, O_RDONLY);
    if (f < 0) die("open target");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        syscall(SYS_execveat, f, "", argv, envp, AT_EMPTY_PATH);
        _exit(100 + errno);
    }
    waitpid(pid, &st, 0);
    report("execveat(fd, \"\", AT_EMPTY_PATH)", WEXITSTATUS(st));
    if (symlink(target, "link") != 0) die("symlink");
    errno = 0;
    syscall(SYS_execveat, AT_FDCWD, "link", argv, envp, AT_SYMLINK_NOFOLLOW);
    printf("execveat(symlink, AT_SYMLINK_NOFOLLOW): %s\n", errname(errno));
    errno = 0;
    syscall(SYS_execveat, AT_FDCWD, target, argv, envp, 0x4);
    printf("execveat(bad flags): %s\n", errname(errno));
    errno = 0;
    syscall(SYS_execveat, f, "", argv, envp, 0);
    printf("execveat(fd, \"\") without AT_EMPTY_PATH: %s\n", errname(errno));
    errno = 0;
    syscall(SYS_execveat, 999, "relative", argv, envp, 0);
    printf("execveat(bad dirfd, relative): %s\n", errname(errno));
    errno = 0;
    syscall(SYS_execveat, f, "relative", argv, envp, 0);
    printf("execveat(file fd, relative): %s\n", errname(errno));
    unlink("link");
    close(f);
    close(d);
}

static void section_errors(const char *target)
{
    char *argv[] = { "x", NULL };
    char *envp[] = { NULL };
    printf("missing file: %s\n", exec_errno("./no-such-program", argv, envp));
    printf("directory: %s\n", exec_errno(".", argv, envp));
    write_file("plain", "not a program\n", 0644);
    printf("trailing slash on a file: %s\n", exec_errno("./plain/", argv, envp));
    printf("file without execute permission: %s\n", exec_errno("./plain", argv, envp));
    chmod("plain", 0755);
    printf("executable text file: %s\n", exec_errno("./plain", argv, envp));
    write_file("elfish", "\177ELF\002\001\001", 0755);
    printf("truncated ELF header: %s\n", exec_errno("./elfish", argv, envp));
    printf("a path through a file: %s\n", exec_errno("./plain/x", argv, envp));
    unlink("plain");
    unlink("elfish");
    printf("bad path pointer: %s\n", exec_errno((const void *)16, argv, envp));
    printf("bad argv pointer: %s\n", exec_errno(target, (const void *)16, envp));
    char *badarg[] = { "x", (char *)16, NULL };
    printf("bad argument string: %s\n", exec_errno(target, badarg, envp));
    printf("bad envp pointer: %s\n", exec_errno(target, argv, (const void *)16));
    static char huge[200000];
    memset(huge, 'a', sizeof huge - 1);
    char *bigarg[] = { "x", huge, NULL };
    printf("argument longer than MAX_ARG_STRLEN: %s\n", exec_errno(target, bigarg, envp));
    static char longpath[5000];
    memset(longpath, 'p', sizeof longpath - 1);
    printf("path longer than PATH_MAX: %s\n", exec_errno(longpath, argv, envp));
    char longname[300];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    printf("name longer than NAME_MAX: %s\n", exec_errno(longname, argv, envp));
}

/* seq N | rev | head K, each stage an exec of TARGET, connected by pipes as a shell does. */
static int pipeline(const char *target, const char *n, const char *k)
{
    char *stages[3][4] = { { "seq", "seq", (char *)n, NULL }, { "rev", "rev", NULL }, { "head", "head", (char *)k, NULL } };
    pid_t pids[3];
    int in = -1;
    fflush(stdout);
    for (int i = 0; i < 3; i++) {
        int p[2] = { -1, -1 };
        if (i < 2 && pipe(p) != 0) die("pipe");
        pids[i] = fork();
        if (pids[i] < 0) die("fork");
        if (pids[i] == 0) {
            if (in >= 0) { dup2(in, 0); close(in); }
            if (i < 2) { dup2(p[1], 1); close(p[1]); close(p[0]); }
            execv(target, stages[i]);
            _exit(100 + errno);
        }
        if (in >= 0) close(in);
        if (i < 2) { close(p[1]); in = p[0]; }
    }
    int codes[3];
    for (int i = 0; i < 3; i++) {
        int st;
        waitpid(pids[i], &st, 0);
        codes[i] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    printf("pipeline statuses: %d %d %d\n", codes[0], codes[1], codes[2]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: forkexec TARGET\n");
        return 2;
    }
    const char *mode = argv[1];
    if (strcmp(mode, "child") == 0 && argc >= 4) return child_mode(argc, argv);
    if (strcmp(mode, "vchild") == 0) {
        printf("vfork child: running as a new program\n");
        return 3;
    }
    if (strncmp(mode, "args", 4) == 0 || strncmp(mode, "./s-", 4) == 0) {   /* run by execveat or a script */
        printf("  argc %d:", argc);
        for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
        printf("\n");
        return 5;
    }
    if (strcmp(mode, "seq") == 0 && argc >= 3) {
        for (long i = 1, n = atol(argv[2]); i <= n; i++) printf("%ld\n", i);
        return 0;
    }
    if (strcmp(mode, "rev") == 0 || strcmp(mode, "head") == 0) {
        /* rev: the lines in reverse order; head K: the first K lines (all input is read, so no writer is cut off) */
        static char text[1 << 20];
        size_t len = 0;
        ssize_t n;
        while ((n = read(0, text + len, sizeof text - 1 - len)) > 0) len += n;
        text[len] = '\0';
        if (mode[0] == 'h') {
            long k = argc >= 3 ? atol(argv[2]) : 10;
            for (char *s = text; *s && k > 0; k--) {
                char *e = strchr(s, '\n');
                size_t l = e ? (size_t)(e - s + 1) : strlen(s);
                fwrite(s, 1, l, stdout);
                s += l;
            }
            return 0;
        }
        for (size_t end = len; end > 0;) {
            size_t start = end - 1;
            while (start > 0 && text[start - 1] != '\n') start--;
            fwrite(text + start, 1, end - start, stdout);
            end = start;
        }
        return 0;
    }
    if (strcmp(mode, "pipeline") == 0 && argc >= 5) return pipeline(argv[2], argv[3], argv[4]);
    if (strcmp(mode, "execveat") == 0 && argc >= 3) {   /* qemu-riscv64 7.2 has no execveat: a mode of its own */
        section_execveat(argv[2]);
        printf("forkexec done\n");
        return 0;
    }
    const char *target = argv[1];
    section_fork(target);
    section_vfork(target);
    section_scripts(target);
    section_errors(target);
    char n[] = "100", k[] = "3";
    fflush(stdout);
    pipeline(target, n, k);
    printf("forkexec done\n");
    return 0;
}
