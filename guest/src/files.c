/* files — a file-system exercise: create, write, read back, lseek (also beyond the end), pread/pwrite, stat sizes,
 * ftruncate, O_APPEND/O_EXCL/O_TRUNC, a directory listing sorted here, unlink/rmdir, an unlinked file still open,
 * and the errors Linux gives for misuse, printed by name.
 *
 *   files [DIR]   works in DIR (default "fsdir"), created relative to the cwd and removed at the end */
#include "fsguest.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void put(int fd, const char *s) { must("write", write(fd, s, strlen(s))); }

static long size_of(const char *path)
{
    struct stat st;
    return stat(path, &st) < 0 ? -1 : (long)st.st_size;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Lists the directory sorted by name, each with its type from lstat (d_type is not portable). */
static void list(const char *title)
{
    DIR *d = opendir(".");
    if (!d) { show("opendir", -1); return; }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    printf("%s: %d entries\n", title, n);
    for (int i = 0; i < n; i++) {
        struct stat st;
        char kind = '?';
        if (lstat(names[i], &st) == 0) kind = S_ISDIR(st.st_mode) ? 'd' : S_ISREG(st.st_mode) ? 'f' : S_ISLNK(st.st_mode) ? 'l' : '?';
        if (kind == 'f') printf("  %c %s %ld\n", kind, names[i], (long)st.st_size);
        else printf("  %c %s\n", kind, names[i]);
        free(names[i]);
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "fsdir";
    char buf[256];
    setvbuf(stdout, NULL, _IONBF, 0);
    umask(022);

    show("mkdir", mkdir(dir, 0755));
    show("mkdir again", mkdir(dir, 0755));
    must("chdir", chdir(dir));
    if (getcwd(buf, sizeof buf)) printf("cwd ends in /%s: %s\n", dir, strcmp(strrchr(buf, '/') + 1, dir) == 0 ? "yes" : "no");
    show("getcwd too small", getcwd(buf, 2) ? 0 : -1);

    /* create, write, read back */
    int fd = must("open new", open("a.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644));
    show("write", write(fd, "hello, file system\n", 19));
    show("read write-only fd", read(fd, buf, 4));
    show("close", close(fd));
    show("close again", close(fd));
    fd = must("open", open("a.txt", O_RDONLY));
    long n = show("read", read(fd, buf, sizeof buf));
    printf("content: %.*s", (int)n, buf);
    show("read at EOF", read(fd, buf, sizeof buf));
    show("write read-only fd", write(fd, "x", 1));

    /* lseek */
    show("lseek end", lseek(fd, 0, SEEK_END));
    show("lseek set 7", lseek(fd, 7, SEEK_SET));
    n = read(fd, buf, 4);
    printf("read 4 at 7: %.*s\n", (int)n, buf);
    show("lseek cur -2", lseek(fd, -2, SEEK_CUR));
    show("lseek negative", lseek(fd, -100, SEEK_SET));
    show("lseek bad whence", lseek(fd, 0, 77));
    show("lseek beyond EOF", lseek(fd, 100000, SEEK_SET));
    show("read beyond EOF", read(fd, buf, 10));
    show("ftruncate read-only fd", ftruncate(fd, 0));
    close(fd);

    /* a hole: write beyond the end */
    fd = must("open rw", open("a.txt", O_RDWR));
    show("lseek 10000", lseek(fd, 10000, SEEK_SET));
    show("write at 10000", write(fd, "end", 3));
    printf("size after hole: %ld\n", size_of("a.txt"));
    memset(buf, 0x55, 16);
    show("pread in hole", pread(fd, buf, 16, 5000));
    int zeros = 0;
    for (int i = 0; i < 16; i++) zeros += buf[i] == 0;
    printf("hole bytes zero: %d of 16\n", zeros);

    /* pread / pwrite leave the offset alone */
    show("pwrite", pwrite(fd, "HE", 2, 0));
    n = show("pread", pread(fd, buf, 5, 0));
    printf("pread data: %.*s\n", (int)n, buf);
    show("offset after pread/pwrite", lseek(fd, 0, SEEK_CUR));
    show("pread negative offset", pread(fd, buf, 1, -1));
    show("pwrite negative offset", pwrite(fd, buf, 1, -5));

    /* stat sizes and truncation */
    struct stat st;
    must("fstat", fstat(fd, &st));
    printf("fstat: regular=%d size=%ld mode=%o\n", S_ISREG(st.st_mode), (long)st.st_size, st.st_mode & 0777);
    show("ftruncate 100", ftruncate(fd, 100));
    printf("size: %ld\n", size_of("a.txt"));
    show("ftruncate negative", ftruncate(fd, -1));
    show("ftruncate 5", ftruncate(fd, 5));
    n = pread(fd, buf, 100, 0);
    printf("after truncate: %ld bytes: %.*s\n", n, (int)n, buf);
    show("ftruncate grow 4096", ftruncate(fd, 4096));
    printf("size: %ld\n", size_of("a.txt"));
    close(fd);

    /* O_APPEND, O_EXCL, O_TRUNC */
    fd = must("open append", open("a.txt", O_WRONLY | O_APPEND));
    show("lseek 0", lseek(fd, 0, SEEK_SET));
    show("append", write(fd, "++", 2));
    printf("size after append: %ld\n", size_of("a.txt"));
    show("offset after append", lseek(fd, 0, SEEK_CUR));
    close(fd);
    show("open O_EXCL existing", open("a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
    fd = must("open O_TRUNC", open("a.txt", O_RDWR | O_TRUNC));
    printf("size after O_TRUNC: %ld\n", size_of("a.txt"));
    put(fd, "alpha\n");
    close(fd);

    /* errors */
    show("open missing", open("missing", O_RDONLY));
    show("open missing dir", open("nodir/x", O_CREAT | O_WRONLY, 0644));
    show("open through a file", open("a.txt/x", O_RDONLY));
    show("open dir for writing", open(".", O_WRONLY));
    show("open file as directory", open("a.txt", O_RDONLY | O_DIRECTORY));
    show("open O_CREAT dir", open(".", O_CREAT | O_RDONLY, 0644));
    show("open trailing slash", open("a.txt/", O_RDONLY));
    show("open O_CREAT trailing slash", open("new/", O_CREAT | O_WRONLY, 0644));
    int dfd = must("open dir", open(".", O_RDONLY | O_DIRECTORY));
    show("read directory", read(dfd, buf, 10));
    show("read bad fd", read(999, buf, 1));
    show("lseek bad fd", lseek(999, 0, SEEK_SET));
    show("fstat bad fd", fstat(999, &st));
    show("stat missing", stat("missing", &st));
    show("stat through file", stat("a.txt/b", &st));

    /* a directory tree and its listing */
    show("mkdir sub", mkdir("sub", 0755));
    show("mkdir sub/deeper", mkdir("sub/deeper", 0700));
    show("mkdir missing parent", mkdir("nope/x", 0755));
    show("mkdir existing file", mkdir("a.txt", 0755));
    close(must("create sub/c", open("sub/c", O_CREAT | O_WRONLY, 0600)));
    const char *names[] = { "zeta", "beta", "mid", "Upper", "0num" };
    for (int i = 0; i < 5; i++) {
        fd = must("create", open(names[i], O_CREAT | O_WRONLY, 0644));
        for (int k = 0; k <= i; k++) put(fd, "abc");
        close(fd);
    }
    /* relative to a directory descriptor */
    fd = must("openat", openat(dfd, "sub/c", O_WRONLY | O_APPEND));
    put(fd, "via dirfd");
    close(fd);
    show("fstatat size", fstatat(dfd, "sub/c", &st, 0) < 0 ? -1 : (long)st.st_size);
    show("fstatat bad flags", fstatat(dfd, "sub/c", &st, 0x4));
    show("fstatat empty path", fstatat(dfd, "", &st, AT_EMPTY_PATH) < 0 ? -1 : S_ISDIR(st.st_mode));
    show("fstatat empty path without flag", fstatat(dfd, "", &st, 0));
    show("openat bad dirfd", openat(999, "a.txt", O_RDONLY));
    show("openat file as dirfd", openat(0, "a.txt", O_RDONLY));
    list("listing");

    /* rename */
    show("rename", rename("zeta", "omega"));
    show("rename missing", rename("missing", "x"));
    show("rename into itself", rename("sub", "sub/deeper/x"));
    show("rename file over directory", rename("a.txt", "sub"));
    show("rename directory over file", rename("sub", "a.txt"));
    show("rename over non-empty directory", rename("sub/deeper", "sub"));
    show("rename to dot", rename("a.txt", "."));
    show("rename replaces", rename("beta", "mid"));
    show("renameat2 noreplace", renameat2(AT_FDCWD, "omega", dfd, "mid", RENAME_NOREPLACE));
    show("renameat2 exchange", renameat2(AT_FDCWD, "omega", AT_FDCWD, "Upper", RENAME_EXCHANGE));
    show("renameat2 bad flags", renameat2(AT_FDCWD, "omega", AT_FDCWD, "x", RENAME_NOREPLACE | RENAME_EXCHANGE));
    show("mkdir empty", mkdir("empty", 0755));
    show("rename over empty directory", rename("sub/deeper", "empty"));
    show("rename directory", rename("empty", "moved"));
    list("after rename");

    /* removal */
    show("unlink directory", unlink("sub"));
    show("rmdir non-empty", rmdir("sub"));
    show("rmdir file", rmdir("a.txt"));
    show("rmdir dot", rmdir("."));
    show("rmdir dotdot", rmdir("sub/.."));
    show("unlink missing", unlink("missing"));
    show("unlinkat bad flags", unlinkat(AT_FDCWD, "a.txt", 0x4));
    show("unlinkat removedir", unlinkat(dfd, "moved", AT_REMOVEDIR));
    show("unlink sub/c", unlink("sub/c"));
    show("rmdir sub", rmdir("sub"));
    const char *left[] = { "omega", "mid", "Upper", "0num" };
    for (int i = 0; i < 4; i++) show("unlink", unlink(left[i]));

    /* an unlinked file lives on while open */
    fd = must("open a.txt", open("a.txt", O_RDWR));
    show("unlink open file", unlink("a.txt"));
    show("stat unlinked", stat("a.txt", &st));
    n = pread(fd, buf, 100, 0);
    printf("read unlinked: %.*s", (int)n, buf);
    must("fstat", fstat(fd, &st));
    printf("unlinked nlink=%ld size=%ld\n", (long)st.st_nlink, (long)st.st_size);
    close(fd);
    list("after removal");
    close(dfd);

    show("chdir ..", chdir(".."));
    show("rmdir workdir", rmdir(dir));
    show("stat workdir", stat(dir, &st));
    printf("files done\n");
    return 0;
}
