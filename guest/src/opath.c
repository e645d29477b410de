/* opath — what an O_PATH descriptor allows (open(2): "only as a location in the file system tree and to perform
 * operations that act purely at the file descriptor level"): fstat, dup, close, fchdir, fcntl F_GETFD/F_SETFD/
 * F_GETFL/F_DUPFD, use as the dirfd of *at() calls and with AT_EMPTY_PATH; read, write, mmap, fchmod, fchown,
 * ioctl, lseek, getdents, fsync, ftruncate give EBADF. Also a FIFO's rendezvous: a blocking read-only open waits
 * for a writer (a forked child). Works in ./opathdir, which it removes at the end. */
#include "fsguest.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    char buf[64];
    struct stat st;
    must("mkdir", mkdir("opathdir", 0755));
    must("chdir", chdir("opathdir"));
    int f = must("create", open("file", O_CREAT | O_RDWR, 0644));
    must("write", write(f, "hello", 5));
    close(f);
    must("mkdir sub", mkdir("sub", 0755));
    must("symlink", symlink("file", "link"));

    int p = must("open O_PATH", open("file", O_PATH | O_RDWR | O_TRUNC));
    printf("getfl: %#o\n", fcntl(p, F_GETFL) & ~0100000);   /* O_LARGEFILE aside: qemu may add it */
    show("fstat", fstat(p, &st));
    printf("size after O_PATH|O_TRUNC: %ld\n", (long)st.st_size);
    int d = show("dup", dup(p));
    int hi = fcntl(p, F_DUPFD, 20);   /* the number itself differs under qemu-user, which holds fds of its own */
    printf("F_DUPFD at or above 20: %s\n", hi >= 20 ? "yes" : strerrorname_np(errno));
    show("F_SETFD", fcntl(p, F_SETFD, FD_CLOEXEC));
    show("F_GETFD", fcntl(p, F_GETFD));
    show("F_SETFL", fcntl(p, F_SETFL, O_NONBLOCK));
    show("read", read(p, buf, 1));
    show("write", write(p, "x", 1));
    show("lseek", lseek(p, 0, SEEK_SET));
    show("fchmod", fchmod(p, 0600));
    show("fchown", fchown(p, getuid(), getgid()));
    show("ioctl", ioctl(p, FIONREAD, &f));
    show("fsync", fsync(p));
    show("ftruncate", ftruncate(p, 0));
    show("mmap", mmap(0, 4096, PROT_READ, MAP_PRIVATE, p, 0) == MAP_FAILED ? -1 : 0);
    show("fstatat empty path", fstatat(p, "", &st, AT_EMPTY_PATH));
    show("close dup", close(d));
    show("close F_DUPFD's", close(hi));

    int dir = show("open dir O_PATH", open("sub", O_PATH | O_DIRECTORY));
    show("getdents", getdents64(dir, buf, sizeof buf));
    show("openat via O_PATH dirfd", openat(dir, "../file", O_RDONLY) >= 0 ? 0 : -1);
    show("mkdirat via O_PATH dirfd", mkdirat(dir, "inner", 0755));
    show("fchdir", fchdir(dir));
    show("stat inner from new cwd", stat("inner", &st));
    must("chdir ..", chdir(".."));
    show("fstat of link O_PATH|O_NOFOLLOW", fstat(must("open link", open("link", O_PATH | O_NOFOLLOW)), &st));
    printf("is a link: %d\n", S_ISLNK(st.st_mode));
    show("open link O_NOFOLLOW", open("link", O_RDONLY | O_NOFOLLOW));
    show("O_PATH|O_CREAT of a new name", open("new", O_PATH | O_CREAT, 0644));

    /* A FIFO: a blocking read-only open waits until the child opens it for writing. */
    must("mkfifo", mkfifo("fifo", 0644));
    show("O_WRONLY|O_NONBLOCK, no reader", open("fifo", O_WRONLY | O_NONBLOCK));
    pid_t c = must("fork", fork());
    if (c == 0) {
        int w = open("fifo", O_WRONLY);
        write(w, "through the fifo", 16);
        _exit(0);
    }
    int r = must("open fifo for reading", open("fifo", O_RDONLY));
    long n = 0, k;
    while ((k = read(r, buf + n, sizeof buf - 1 - n)) > 0) n += k;
    buf[n] = 0;
    printf("fifo read: %s\n", buf);
    must("wait", waitpid(c, 0, 0));
    close(r);

    unlink("fifo"); unlink("link"); unlink("file"); rmdir("sub/inner"); rmdir("sub");
    must("chdir out", chdir(".."));
    must("rmdir", rmdir("opathdir"));
    printf("opath done\n");
    return 0;
}
