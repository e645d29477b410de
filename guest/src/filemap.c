/* filemap — mapped files: stores through a MAP_SHARED mapping are visible to read() at once and stay in the
 * file after msync and munmap; write() is visible through the mapping; MAP_PRIVATE stores never reach the file;
 * mappings at an offset; the errors Linux gives (EACCES, ENODEV, EBADF, EINVAL, ENOMEM for msync). The last step
 * depends on the mode: "sigbus" touches a page wholly beyond the end of the file, "shrink" a page cut off by
 * ftruncate (both die of SIGBUS); without a mode the guest cleans up and exits 0.
 *
 *   filemap [DIR [sigbus|shrink]]   works in DIR (default "mapdir"), created relative to the cwd */
#include "fsguest.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PG 4096

static void dump(const char *what, const char *p, int n)
{
    printf("%s: ", what);
    for (int i = 0; i < n; i++) putchar(p[i] >= 32 && p[i] < 127 ? p[i] : '.');
    putchar('\n');
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "mapdir";
    const char *mode = argc > 2 ? argv[2] : "";
    char buf[64];
    setvbuf(stdout, NULL, _IONBF, 0);
    show("mkdir", mkdir(dir, 0755));
    must("chdir", chdir(dir));

    /* a file of two pages: 'a'.. in the first, 'b'.. in the second */
    int fd = must("open", open("map.dat", O_CREAT | O_RDWR | O_TRUNC, 0644));
    char page[PG];
    memset(page, 'a', PG);
    must("write", write(fd, page, PG));
    memset(page, 'b', PG);
    must("write", write(fd, page, PG));

    char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { show("mmap shared", -1); return 1; }
    printf("mapped: %c %c\n", p[0], p[PG + 5]);
    p[10] = 'X';
    memcpy(p + PG + 100, "shared store", 12);
    show("pread sees store", pread(fd, buf, 12, PG + 100));
    dump("file bytes", buf, 12);
    show("msync MS_SYNC", msync(p, 2 * PG, MS_SYNC));
    show("msync MS_ASYNC", msync(p, PG, MS_ASYNC));
    show("msync MS_INVALIDATE", msync(p, 2 * PG, MS_INVALIDATE));
    printf("after invalidate: %c\n", p[10]);

    /* write() shows through the mapping */
    show("pwrite", pwrite(fd, "via write()", 11, 200));
    dump("mapping sees write", p + 200, 11);

    /* a second mapping at an offset shares the pages */
    char *q = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, PG);
    if (q == MAP_FAILED) { show("mmap offset", -1); return 1; }
    dump("offset mapping", q + 100, 12);
    p[PG + 100] = 'S';
    printf("offset mapping sees store: %c\n", q[100]);
    show("munmap offset", munmap(q, PG));

    /* stores reach the file on munmap even without msync */
    memcpy(p + 300, "unmapped", 8);
    show("munmap", munmap(p, 2 * PG));
    show("pread after munmap", pread(fd, buf, 8, 300));
    dump("file bytes", buf, 8);

    /* MAP_PRIVATE: copy-on-write, the file never changes */
    char *r = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (r == MAP_FAILED) { show("mmap private", -1); return 1; }
    printf("private reads file: %c %c\n", r[10], r[PG + 100]);
    r[0] = 'P';
    memcpy(r + PG, "private", 7);
    show("msync private", msync(r, 2 * PG, MS_SYNC));
    show("pread", pread(fd, buf, 7, PG));
    dump("file unchanged", buf, 7);
    pread(fd, buf, 1, 0);
    printf("file[0]=%c private[0]=%c\n", buf[0], r[0]);
    show("munmap private", munmap(r, 2 * PG));
    pread(fd, buf, 1, 0);
    printf("file[0] after munmap=%c\n", buf[0]);

    /* permissions and kinds of descriptors */
    int ro = must("open ro", open("map.dat", O_RDONLY));
    show("shared writable of read-only fd", (long)mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == -1 ? -1 : 0);
    char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    show("private writable of read-only fd", s == MAP_FAILED ? -1 : 0);
    if (s != MAP_FAILED) { s[0] = 'w'; printf("private store: %c\n", s[0]); munmap(s, PG); }
    char *t = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
    show("shared read-only", t == MAP_FAILED ? -1 : 0);
    show("mprotect to writable", mprotect(t, PG, PROT_READ | PROT_WRITE));
    munmap(t, PG);
    int wo = must("open wo", open("map.dat", O_WRONLY));
    show("map write-only fd", (long)mmap(NULL, PG, PROT_READ, MAP_SHARED, wo, 0) == -1 ? -1 : 0);
    int pp[2];
    must("pipe", pipe(pp));
    show("map a pipe", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, pp[0], 0) == -1 ? -1 : 0);
    int d = must("open dir", open(".", O_RDONLY));
    show("map a directory", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, d, 0) == -1 ? -1 : 0);
    show("map bad fd", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 999, 0) == -1 ? -1 : 0);
    show("map unaligned offset", (long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100) == -1 ? -1 : 0);
    close(pp[0]); close(pp[1]); close(d); close(wo);

    /* msync argument checks */
    char *u = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (u == MAP_FAILED) { show("mmap", -1); return 1; }
    show("msync unaligned", msync(u + 1, PG, MS_SYNC));
    show("msync both", msync(u, PG, MS_SYNC | MS_ASYNC));
    show("msync bad flag", msync(u, PG, 8));
    show("munmap middle", munmap(u + PG, PG));
    show("msync across hole", msync(u, 3 * PG, MS_SYNC));
    show("msync zero length", msync(u, 0, MS_SYNC));

    /* the partial last page: bytes past the end read as zero, stores there never reach the file */
    show("ftruncate 100", ftruncate(fd, 100));
    printf("u[50]=%c u[200]=%d\n", u[50], u[200]);
    u[150] = 'Z';
    show("msync", msync(u, PG, MS_SYNC));
    struct stat st;
    must("fstat", fstat(fd, &st));
    printf("size still: %ld\n", (long)st.st_size);
    show("ftruncate 3 pages", ftruncate(fd, 3 * PG));
    printf("grown page: %d\n", u[2 * PG + 7]);

    if (strcmp(mode, "sigbus") == 0) {
        char *v = mmap(NULL, 4 * PG, PROT_READ, MAP_SHARED, fd, 0);
        printf("last page of file: %d\n", v[3 * PG - 1]);
        printf("touching beyond the end...\n");
        printf("unreachable: %d\n", v[3 * PG]);
        return 0;
    }
    if (strcmp(mode, "shrink") == 0) {
        show("ftruncate 1 page", ftruncate(fd, PG));
        printf("first page: %c\n", u[0]);
        printf("touching a page cut off by ftruncate...\n");
        printf("unreachable: %d\n", u[2 * PG]);
        return 0;
    }
    show("munmap", munmap(u, 3 * PG));
    close(ro);
    close(fd);
    show("unlink", unlink("map.dat"));
    must("chdir ..", chdir(".."));
    show("rmdir", rmdir(dir));
    printf("filemap done\n");
    return 0;
}
