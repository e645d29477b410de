/* pipes — pipes and descriptors: write then read, EOF once every writer is closed, EAGAIN on an empty
 * non-blocking pipe, filling a pipe to its capacity, EPIPE with SIGPIPE ignored, dup/dup3/fcntl, close-on-exec,
 * offsets shared between duplicated descriptors, and the errors Linux gives for misuse, printed by name.
 *
 *   pipes [DIR]   works in DIR (default "pipedir"), created relative to the cwd and removed at the end */
#include "fsguest.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "pipedir";
    char buf[8192];
    int p[2];
    setvbuf(stdout, NULL, _IONBF, 0);

    /* write, then read what is there */
    show("pipe", pipe(p));
    show("write", write(p[1], "abc", 3));
    show("write more", write(p[1], "defg", 4));
    long n = show("read", read(p[0], buf, 5));
    printf("got: %.*s\n", (int)n, buf);
    n = show("read rest", read(p[0], buf, 100));
    printf("got: %.*s\n", (int)n, buf);
    show("read from write end", read(p[1], buf, 1));
    show("write to read end", write(p[0], "x", 1));
    struct stat st;
    must("fstat", fstat(p[0], &st));
    printf("fifo: %d\n", S_ISFIFO(st.st_mode));
    show("lseek on pipe", lseek(p[0], 0, SEEK_SET));
    show("pread on pipe", pread(p[0], buf, 1, 0));
    show("pwrite on pipe", pwrite(p[1], "x", 1, 0));
    show("ftruncate on pipe", ftruncate(p[1], 0));

    /* a second writer via dup: EOF only after both are closed */
    int w2 = show("dup write end", dup(p[1]));
    show("write via dup", write(w2, "xy", 2));
    show("close first writer", close(p[1]));
    n = show("read", read(p[0], buf, 100));
    printf("got: %.*s\n", (int)n, buf);
    show("F_GETFL read end", fcntl(p[0], F_GETFL) & (O_ACCMODE | O_NONBLOCK));
    show("F_SETFL O_NONBLOCK", fcntl(p[0], F_SETFL, O_NONBLOCK));
    show("F_GETFL now", fcntl(p[0], F_GETFL) & (O_ACCMODE | O_NONBLOCK));
    show("read empty non-blocking", read(p[0], buf, 1));
    show("close second writer", close(w2));
    show("read at EOF", read(p[0], buf, 1));
    close(p[0]);

    /* pipe2 flags */
    show("pipe2 bad flags", pipe2(p, O_CREAT));
    show("pipe2", pipe2(p, O_CLOEXEC | O_NONBLOCK));
    show("F_GETFD cloexec", fcntl(p[0], F_GETFD));
    show("F_GETFL nonblock", fcntl(p[1], F_GETFL) & (O_ACCMODE | O_NONBLOCK));
    show("read empty", read(p[0], buf, 1));

    /* fill to capacity: 4 KiB at a time until EAGAIN */
    memset(buf, 'p', sizeof buf);
    long total = 0;
    for (;;) {
        long w = write(p[1], buf, 4096);
        if (w < 0) { show("write to full pipe", w); break; }
        total += w;
    }
    printf("capacity: %ld\n", total);
    show("one more byte", write(p[1], buf, 1));
    total = 0;
    for (;;) {
        long r = read(p[0], buf, sizeof buf);
        if (r < 0) { show("drained", r); break; }
        total += r;
    }
    printf("read back: %ld\n", total);
    show("write after drain", write(p[1], "ok", 2));

    /* a pipe without readers: EPIPE (SIGPIPE ignored) */
    signal(SIGPIPE, SIG_IGN);
    close(p[0]);
    show("write without reader", write(p[1], "x", 1));
    close(p[1]);

    /* dup, dup3, fcntl on descriptors */
    show("dup bad fd", dup(999));
    show("dup3 same fd", dup3(1, 1, 0));
    show("dup3 bad flags", dup3(1, 40, 0x4));
    show("dup3 bad old", dup3(999, 40, 0));
    show("dup3 to 40", dup3(1, 40, O_CLOEXEC));
    show("F_GETFD 40", fcntl(40, F_GETFD));
    show("F_SETFD 40", fcntl(40, F_SETFD, 0));
    show("F_GETFD 40 again", fcntl(40, F_GETFD));
    show("write via 40", write(40, "stdout via fd 40\n", 17));
    show("F_DUPFD from 20", fcntl(40, F_DUPFD, 20));
    show("F_DUPFD_CLOEXEC from 30", fcntl(40, F_DUPFD_CLOEXEC, 30));
    show("F_GETFD 30", fcntl(30, F_GETFD));
    show("fcntl bad cmd", fcntl(40, 9999));
    show("fcntl bad fd", fcntl(999, F_GETFD));
    show("dup2 replaces", dup2(40, 20));
    close(20); close(30); close(40);
    show("close closed", close(40));

    /* duplicated descriptors share the file offset and flags */
    show("mkdir", mkdir(dir, 0755));
    must("chdir", chdir(dir));
    int a = must("open", open("shared.txt", O_CREAT | O_RDWR | O_TRUNC, 0644));
    int b = show("dup", dup(a));
    show("write via a", write(a, "12345", 5));
    show("offset via b", lseek(b, 0, SEEK_CUR));
    show("seek via b", lseek(b, 1, SEEK_SET));
    n = show("read via a", read(a, buf, 10));
    printf("got: %.*s\n", (int)n, buf);
    show("F_SETFL O_APPEND via b", fcntl(b, F_SETFL, O_APPEND));
    show("O_APPEND seen via a", (fcntl(a, F_GETFL) & O_APPEND) != 0);
    int c = must("open again", open("shared.txt", O_RDONLY));
    show("separate open offset", lseek(c, 0, SEEK_CUR));
    close(a); close(b); close(c);
    show("unlink", unlink("shared.txt"));
    must("chdir ..", chdir(".."));
    show("rmdir", rmdir(dir));
    printf("pipes done\n");
    return 0;
}
