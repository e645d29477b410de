/* fsfuzz — a seeded random walk over the file-system calls: open (random access mode and flags), close, read,
 * write, pread, pwrite, lseek, ftruncate, dup, fstat, stat, mkdir, rmdir, unlink, rename and directory listings,
 * on a small name space of files and directories, some paths deliberately wrong. Every call's result (or errno
 * name) and a checksum of the bytes read is printed, so that mmulab's file system can be compared with the Linux
 * kernel's under qemu-riscv64 step by step. Works in DIR, created relative to the cwd and removed at the end.
 *
 *   fsfuzz [seed=1] [steps=2000] [DIR=fuzzdir] */
#include "fsguest.h"
#include "guest.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const names[] = {
    "f0", "f1", "f2", "d0", "d1", "d0/f3", "d0/d2", "d1/f4", "d0/d2/f5", "f0/x", "nodir/f", "d0/..", ".", "d1/",
};
#define NNAMES (int)(sizeof names / sizeof names[0])
#define SLOTS 8

static uint64_t rng;
static int fds[SLOTS];
static unsigned char data[16384];

static uint32_t pick(uint32_t n) { return lcg32(&rng) % n; }
static const char *name(void) { return names[pick(NNAMES)]; }

static uint64_t checksum(const unsigned char *p, long n)
{
    uint64_t h = CHECKSUM_INIT;
    for (long i = 0; i < n; i++) h = mix64(h, p[i]);
    return h;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void listing(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) { printf("list %s -> %s\n", dir, strerrorname_np(errno)); return; }
    char *v[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64) v[n++] = strdup(e->d_name);
    closedir(d);
    qsort(v, n, sizeof v[0], cmp);
    printf("list %s ->", dir);
    for (int i = 0; i < n; i++) { printf(" %s", v[i]); free(v[i]); }
    printf("\n");
}

/* Removes everything below dir (renames may have nested the directories in any order). */
static void rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    char *v[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) v[n++] = strdup(e->d_name);
    closedir(d);
    for (int i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, v[i]);
        if (unlink(path) < 0) { rmtree(path); rmdir(path); }
        free(v[i]);
    }
}

static void result(const char *what, long r)
{
    if (r < 0) printf("%s -> %s\n", what, strerrorname_np(errno));
    else printf("%s -> %ld\n", what, r);
}

static void step(int i)
{
    char what[128];
    int s = pick(SLOTS), fd = fds[s];
    long len = pick(9000), off = pick(20000);
    static const int acc[] = { O_RDONLY, O_WRONLY, O_RDWR };
    switch (pick(17)) {
    case 0: {
        int flags = acc[pick(3)];
        if (pick(2)) flags |= O_CREAT;
        if (pick(4) == 0) flags |= O_EXCL;
        if (pick(4) == 0) flags |= O_TRUNC;
        if (pick(4) == 0) flags |= O_APPEND;
        if (pick(6) == 0) flags |= O_DIRECTORY;
        const char *n = name();
        if (fd >= 0) close(fd);
        fds[s] = open(n, flags, 0644);
        snprintf(what, sizeof what, "%d open %s %o", i, n, flags);
        result(what, fds[s] < 0 ? -1 : s);
        break;
    }
    case 1:
        snprintf(what, sizeof what, "%d close %d", i, s);
        result(what, close(fd));
        fds[s] = -1;
        break;
    case 2:
        for (long k = 0; k < len; k++) data[k] = (unsigned char)(i + k * 7);
        snprintf(what, sizeof what, "%d write %d %ld", i, s, len);
        result(what, write(fd, data, len));
        break;
    case 3: {
        long r = read(fd, data, len);
        printf("%d read %d %ld -> ", i, s, len);
        if (r < 0) printf("%s\n", strerrorname_np(errno));
        else printf("%ld %016llx\n", r, (unsigned long long)checksum(data, r));
        break;
    }
    case 4:
        if (pick(2)) {
            for (long k = 0; k < len; k++) data[k] = (unsigned char)(i * 3 + k);
            snprintf(what, sizeof what, "%d pwrite %d %ld @%ld", i, s, len, off);
            result(what, pwrite(fd, data, len, off));
        } else {
            long r = pread(fd, data, len, off);
            printf("%d pread %d %ld @%ld -> ", i, s, len, off);
            if (r < 0) printf("%s\n", strerrorname_np(errno));
            else printf("%ld %016llx\n", r, (unsigned long long)checksum(data, r));
        }
        break;
    case 5: {
        static const int wh[] = { SEEK_SET, SEEK_CUR, SEEK_END, 7 };
        long o = (long)pick(20100) - 100;
        int w = wh[pick(4)];
        struct stat st;
        /* where a directory's end is differs between file systems (tmpfs: EINVAL; ext4: a hash limit) */
        if (w == SEEK_END && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) w = SEEK_SET;
        snprintf(what, sizeof what, "%d lseek %d %ld %d", i, s, o, w);
        result(what, lseek(fd, o, w));
        break;
    }
    case 6:
        snprintf(what, sizeof what, "%d ftruncate %d %ld", i, s, off);
        result(what, ftruncate(fd, off));
        break;
    case 7: {
        const char *n = name();
        snprintf(what, sizeof what, "%d mkdir %s", i, n);
        result(what, mkdir(n, 0755));
        break;
    }
    case 8: {
        const char *n = name();
        snprintf(what, sizeof what, "%d rmdir %s", i, n);
        result(what, rmdir(n));
        break;
    }
    case 9: {
        const char *n = name();
        snprintf(what, sizeof what, "%d unlink %s", i, n);
        result(what, unlink(n));
        break;
    }
    case 10: {
        const char *a = name(), *b = name();
        snprintf(what, sizeof what, "%d rename %s %s", i, a, b);
        result(what, rename(a, b));
        break;
    }
    case 11: {
        const char *n = name();
        struct stat st;
        int r = stat(n, &st);
        printf("%d stat %s -> ", i, n);
        if (r < 0) printf("%s\n", strerrorname_np(errno));
        else if (S_ISDIR(st.st_mode)) printf("dir %o\n", st.st_mode & 07777);
        else printf("file %ld mode %o links %ld\n", (long)st.st_size, st.st_mode & 07777, (long)st.st_nlink);
        break;
    }
    case 15: {
        const char *a = name(), *b = name();
        snprintf(what, sizeof what, "%d link %s %s", i, a, b);
        result(what, link(a, b));
        break;
    }
    case 16: {
        const char *n = name();
        int mode = pick(2) ? 0600 : 0755;
        snprintf(what, sizeof what, "%d chmod %s %o", i, n, mode);
        result(what, pick(2) ? chmod(n, mode) : fchmod(fd, mode));
        break;
    }
    case 12: {
        int t = pick(SLOTS);
        if (t == s) break;
        if (fds[t] >= 0) close(fds[t]);
        fds[t] = dup(fd);
        snprintf(what, sizeof what, "%d dup %d to %d", i, s, t);
        result(what, fds[t] < 0 ? -1 : t);
        break;
    }
    case 13: {
        struct stat st;
        int r = fstat(fd, &st);
        printf("%d fstat %d -> ", i, s);
        if (r < 0) printf("%s\n", strerrorname_np(errno));
        else if (S_ISDIR(st.st_mode)) printf("dir\n");
        else printf("file %ld\n", (long)st.st_size);
        break;
    }
    default:
        printf("%d ", i);
        listing(pick(2) ? "." : name());
    }
}

int main(int argc, char **argv)
{
    rng = (uint64_t)arg_long(argc, argv, 1, 1);
    long steps = arg_long(argc, argv, 2, 2000);
    const char *dir = argc > 3 ? argv[3] : "fuzzdir";
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    umask(022);
    must("mkdir", mkdir(dir, 0755));
    must("chdir", chdir(dir));
    for (int s = 0; s < SLOTS; s++) fds[s] = -1;
    for (long i = 0; i < steps; i++) step((int)i);
    for (int s = 0; s < SLOTS; s++) if (fds[s] >= 0) close(fds[s]);
    rmtree(".");
    listing(".");
    must("chdir ..", chdir(".."));
    result("rmdir", rmdir(dir));
    printf("fsfuzz done\n");
    return 0;
}
