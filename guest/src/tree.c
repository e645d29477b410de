/* tree — walks a directory tree read-only: every entry sorted by name, with its type; for files the size and a
 * checksum of the bytes as read() returns them and as a MAP_PRIVATE mapping shows them; for links the target and
 * what stat (which follows them) says. For mmulab's --mount HOSTDIR:GUESTPATH, compared with qemu-riscv64 reading
 * the same host directory at the same path.
 *
 *   tree DIR */
#include "fsguest.h"
#include "guest.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static uint64_t sum_bytes(uint64_t h, const unsigned char *p, long n)
{
    for (long i = 0; i < n; i++) h = mix64(h, p[i]);
    return h;
}

static void file(const char *path, int depth)
{
    struct stat st;
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fstat(fd, &st) < 0) { printf("%*s  open: %s\n", depth * 2, "", strerrorname_np(errno)); return; }
    static unsigned char buf[65536];
    uint64_t h = CHECKSUM_INIT;
    long n, total = 0;
    while ((n = read(fd, buf, sizeof buf)) > 0) { h = sum_bytes(h, buf, n); total += n; }
    uint64_t hm = CHECKSUM_INIT;
    if (st.st_size > 0) {
        unsigned char *p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) { printf("%*s  mmap: %s\n", depth * 2, "", strerrorname_np(errno)); }
        else {
            hm = sum_bytes(hm, p, st.st_size);
            p[0] ^= 0xFF;   /* a private store: never reaches the file */
            munmap(p, st.st_size);
        }
    }
    printf("%*s  size %ld read %ld sum %016llx map %s\n", depth * 2, "", (long)st.st_size, total,
           (unsigned long long)h, st.st_size == 0 || hm == h ? "same" : "DIFFERENT");
    close(fd);
}

static void walk(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d) { printf("%*sopendir: %s\n", depth * 2, "", strerrorname_np(errno)); return; }
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat st;
        if (lstat(path, &st) < 0) { printf("%*s%s: %s\n", depth * 2, "", names[i], strerrorname_np(errno)); continue; }
        if (S_ISDIR(st.st_mode)) {
            printf("%*s%s/\n", depth * 2, "", names[i]);
            walk(path, depth + 1);
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            long len = readlink(path, target, sizeof target - 1);
            struct stat to;
            int r = stat(path, &to);
            printf("%*s%s -> %.*s (%s)\n", depth * 2, "", names[i], (int)(len < 0 ? 0 : len), target,
                   r < 0 ? strerrorname_np(errno) : S_ISDIR(to.st_mode) ? "directory" : "file");
        } else if (S_ISREG(st.st_mode)) {
            printf("%*s%s\n", depth * 2, "", names[i]);
            file(path, depth);
        }
        free(names[i]);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) { fprintf(stderr, "usage: tree DIR\n"); return 2; }
    setvbuf(stdout, NULL, _IONBF, 0);
    walk(argv[1], 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/no such file", argv[1]);
    show("open missing", open(path, O_RDONLY));
    snprintf(path, sizeof path, "%s/..", argv[1]);
    struct stat st;
    show("parent is a directory", stat(path, &st) < 0 ? -1 : S_ISDIR(st.st_mode));
    printf("tree done\n");
    return 0;
}
