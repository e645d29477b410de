/* mapfuzz — a seeded random walk over file mappings: MAP_SHARED and MAP_PRIVATE mappings of one file at random
 * offsets, loads and stores through them, write()/pwrite()/pread() on the file, ftruncate shrinking and growing
 * it, msync (MS_SYNC, MS_ASYNC, MS_INVALIDATE) and munmap. Every access stays below the end of the file (no SIGBUS,
 * no stores past EOF, whose fate POSIX leaves open); each result and a checksum of the bytes seen is printed, so
 * mmulab's page cache can be compared with the Linux kernel's under qemu-riscv64 step by step.
 *
 *   mapfuzz [seed=1] [steps=2000] [DIR=mapfuzzdir] */
#include "fsguest.h"
#include "guest.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PG 4096
#define SLOTS 4
#define MAXPAGES 6

struct slot { unsigned char *p; long pages, off; int shared; };

static uint64_t rng;
static struct slot maps[SLOTS];
static unsigned char buf[MAXPAGES * PG];

static uint32_t pick(uint32_t n) { return lcg32(&rng) % n; }

static uint64_t checksum(const unsigned char *p, long n)
{
    uint64_t h = CHECKSUM_INIT;
    for (long i = 0; i < n; i++) h = mix64(h, p[i]);
    return h;
}

static long fsize(int fd)
{
    struct stat st;
    return fstat(fd, &st) < 0 ? -1 : (long)st.st_size;
}

int main(int argc, char **argv)
{
    rng = (uint64_t)arg_long(argc, argv, 1, 1);
    long steps = arg_long(argc, argv, 2, 2000);
    const char *dir = argc > 3 ? argv[3] : "mapfuzzdir";
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    must("mkdir", mkdir(dir, 0755));
    must("chdir", chdir(dir));
    int fd = must("open", open("m.dat", O_CREAT | O_RDWR | O_TRUNC, 0644));
    for (long k = 0; k < 3 * PG; k++) buf[k] = (unsigned char)(k * 13 + 1);
    must("write", write(fd, buf, 3 * PG));

    for (long i = 0; i < steps; i++) {
        struct slot *m = &maps[pick(SLOTS)];
        long size = fsize(fd);
        switch (pick(9)) {
        case 0: {   /* map */
            if (m->p) { munmap(m->p, m->pages * PG); m->p = NULL; }
            long pages = 1 + pick(4), off = pick(4);
            int shared = pick(2);
            void *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE, fd, off * PG);
            printf("%ld mmap %s %ld pages @%ld -> %s\n", i, shared ? "shared" : "private", pages, off,
                   p == MAP_FAILED ? strerrorname_np(errno) : "ok");
            if (p != MAP_FAILED) { m->p = p; m->pages = pages; m->off = off; m->shared = shared; }
            break;
        }
        case 1:     /* unmap */
            if (!m->p) break;
            printf("%ld munmap -> %d\n", i, munmap(m->p, m->pages * PG));
            m->p = NULL;
            break;
        case 2: {   /* store below EOF */
            if (!m->p) break;
            long page = pick(m->pages), at = pick(PG - 64), n = 1 + pick(64);   /* within the page */
            long fileoff = (m->off + page) * PG + at;
            if (fileoff + n > size) break;
            for (long k = 0; k < n; k++) m->p[page * PG + at + k] = (unsigned char)(i + k);
            printf("%ld store %s @%ld %ld\n", i, m->shared ? "shared" : "private", fileoff, n);
            break;
        }
        case 3: {   /* load one page, up to EOF */
            if (!m->p) break;
            long page = pick(m->pages);
            long start = (m->off + page) * PG, n = size - start < PG ? size - start : PG;
            if (n <= 0) break;
            printf("%ld load %s @%ld %ld -> %016llx\n", i, m->shared ? "shared" : "private", start, n,
                   (unsigned long long)checksum(m->p + page * PG, n));
            break;
        }
        case 4: {   /* write() or pwrite() */
            long off = pick(MAXPAGES * PG - 3000), n = pick(3000);
            for (long k = 0; k < n; k++) buf[k] = (unsigned char)(i * 7 + k);
            long r = pick(2) ? pwrite(fd, buf, n, off) : (lseek(fd, off, SEEK_SET), write(fd, buf, n));
            printf("%ld write @%ld %ld -> %ld\n", i, off, n, r);
            break;
        }
        case 5: {   /* pread */
            long off = pick(MAXPAGES * PG), n = pick(MAXPAGES * PG - off + 1);
            long r = pread(fd, buf, n, off);
            printf("%ld pread @%ld %ld -> %ld %016llx\n", i, off, n, r, (unsigned long long)checksum(buf, r < 0 ? 0 : r));
            break;
        }
        case 6: {   /* ftruncate */
            long n = pick(MAXPAGES * PG);
            printf("%ld ftruncate %ld -> %d\n", i, n, ftruncate(fd, n));
            break;
        }
        case 7: {   /* msync */
            if (!m->p) break;
            static const int how[] = { MS_SYNC, MS_ASYNC, MS_INVALIDATE, MS_SYNC | MS_INVALIDATE };
            int h = how[pick(4)];
            printf("%ld msync %d -> %d\n", i, h, msync(m->p, m->pages * PG, h));
            break;
        }
        default:
            printf("%ld size -> %ld\n", i, size);
        }
    }
    for (int s = 0; s < SLOTS; s++) if (maps[s].p) munmap(maps[s].p, maps[s].pages * PG);
    long size = fsize(fd);
    long r = pread(fd, buf, sizeof buf, 0);
    printf("final size %ld read %ld %016llx\n", size, r, (unsigned long long)checksum(buf, r < 0 ? 0 : r));
    close(fd);
    show("unlink", unlink("m.dat"));
    must("chdir ..", chdir(".."));
    show("rmdir", rmdir(dir));
    printf("mapfuzz done\n");
    return 0;
}
