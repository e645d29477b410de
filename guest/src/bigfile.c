/* bigfile — a file larger than memory, mapped and read twice: the file is written with write() in 64 KiB chunks
 * (each 8-byte word a function of its offset), mapped MAP_SHARED read-only, and read through the mapping twice
 * (the second pass finds little of it still resident when memory is small); then a MAP_SHARED writable mapping
 * changes one word per page, munmap writes them back, and read() checks them. Prints checksums.
 *
 *   bigfile [MiB=12] [DIR=bigdir] */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (64u << 10)
#define PG 4096

static uint64_t word(uint64_t off) { return (off * 0x100000001b3ull) ^ (off >> 12); }

int main(int argc, char **argv)
{
    unsigned long mib = argc > 1 ? strtoul(argv[1], 0, 10) : 12;
    const char *dir = argc > 2 ? argv[2] : "bigdir";
    size_t len = mib << 20;
    static uint64_t buf[CHUNK / 8];
    if (mkdir(dir, 0755) != 0 || chdir(dir) != 0) { perror("bigfile: mkdir"); return 1; }
    int fd = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror("bigfile: open"); return 1; }
    for (size_t off = 0; off < len; off += CHUNK) {
        for (size_t i = 0; i < CHUNK / 8; i++) buf[i] = word(off + 8 * i);
        if (write(fd, buf, CHUNK) != CHUNK) { perror("bigfile: write"); return 1; }
    }
    printf("bigfile: wrote %lu MiB\n", mib);
    const uint64_t *m = mmap(0, len, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) { perror("bigfile: mmap"); return 1; }
    unsigned long bad = 0;
    for (int pass = 1; pass <= 2; pass++) {
        uint64_t sum = 0;
        for (size_t i = 0; i < len / 8; i++) {
            if (m[i] != word(8 * i)) bad++;
            sum += m[i];
        }
        printf("bigfile: pass %d sum %016llx\n", pass, (unsigned long long)sum);
    }
    munmap((void *)m, len);
    uint64_t *w = mmap(0, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (w == MAP_FAILED) { perror("bigfile: mmap rw"); return 1; }
    for (size_t off = 0; off < len; off += PG) w[off / 8 + 1] = ~word(off + 8);
    munmap(w, len);
    for (size_t off = 0; off < len; off += PG) {
        uint64_t v;
        if (pread(fd, &v, 8, off + 8) != 8 || v != ~word(off + 8)) bad++;
    }
    printf("bigfile: %lu words wrong\n", bad);
    close(fd);
    unlink("big");
    chdir("..");
    rmdir(dir);
    return bad != 0;
}
