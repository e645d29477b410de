/* pipefuzz — a seeded random walk over non-blocking pipes: writes and reads of random sizes (1 byte to 20 KB),
 * FIONREAD, closing and duplicating either end, packet pipes (O_DIRECT), and writes without a reader (SIGPIPE
 * ignored). Each result and a checksum of the bytes read is printed, so that mmulab's pipe buffers (16 pages,
 * merging as Linux merges) can be compared with the Linux kernel's under qemu-riscv64 step by step.
 *
 *   pipefuzz [seed=1] [steps=2000] */
#include "fsguest.h"
#include "guest.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

static uint64_t rng;
static unsigned char out[20000], in[20000];
static int rfd = -1, wfd = -1, rdup = -1, wdup = -1;
static long counter;

static uint32_t pick(uint32_t n) { return lcg32(&rng) % n; }

static uint64_t checksum(const unsigned char *p, long n)
{
    uint64_t h = CHECKSUM_INIT;
    for (long i = 0; i < n; i++) h = mix64(h, p[i]);
    return h;
}

static void fresh(long i)
{
    int p[2];
    int packet = pick(4) == 0;
    for (int *fd = &rfd; fd <= &wdup; fd++) if (*fd >= 0) { close(*fd); *fd = -1; }
    if (pipe2(p, O_NONBLOCK | (packet ? O_DIRECT : 0)) < 0) { printf("%ld pipe2: %s\n", i, strerrorname_np(errno)); exit(1); }
    rfd = p[0];
    wfd = p[1];
    printf("%ld new %s pipe\n", i, packet ? "packet" : "byte");
}

int main(int argc, char **argv)
{
    rng = (uint64_t)arg_long(argc, argv, 1, 1);
    long steps = arg_long(argc, argv, 2, 2000);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    signal(SIGPIPE, SIG_IGN);
    fresh(-1);
    for (long i = 0; i < steps; i++) {
        int w = wfd >= 0 ? wfd : wdup, r = rfd >= 0 ? rfd : rdup;
        switch (pick(12)) {
        case 0: case 1: case 2: case 3: {   /* write: small, page-sized, or large */
            static const long sizes[] = { 1, 7, 100, 1000, 3000, 4095, 4096, 4097, 8192, 10000, 20000 };
            long n = pick(3) ? sizes[pick(11)] : 1 + pick(20000);
            for (long k = 0; k < n; k++) out[k] = (unsigned char)(counter + k);
            long got = write(w, out, n);
            if (got > 0) counter += got;
            printf("%ld write %ld -> ", i, n);
            if (got < 0) printf("%s\n", strerrorname_np(errno)); else printf("%ld\n", got);
            break;
        }
        case 4: case 5: case 6: case 7: {   /* read */
            long n = pick(3) ? 1 + pick(5000) : 1 + pick(20000);
            long got = read(r, in, n);
            printf("%ld read %ld -> ", i, n);
            if (got < 0) printf("%s\n", strerrorname_np(errno));
            else printf("%ld %016llx\n", got, (unsigned long long)checksum(in, got));
            break;
        }
        case 8: {
            int avail = -1;
            long rc = ioctl(r, FIONREAD, &avail);
            if (rc < 0) printf("%ld fionread -> %s\n", i, strerrorname_np(errno));
            else printf("%ld fionread -> %d\n", i, avail);
            break;
        }
        case 9:     /* a second descriptor for one end */
            if (pick(2)) { if (rdup < 0 && r >= 0) { rdup = dup(r); printf("%ld dup read end\n", i); } }
            else if (wdup < 0 && w >= 0) { wdup = dup(w); printf("%ld dup write end\n", i); }
            break;
        case 10: {  /* close one descriptor */
            int *which[] = { &rfd, &wfd, &rdup, &wdup };
            int k = pick(4);
            if (*which[k] >= 0) { printf("%ld close %d -> %d\n", i, k, close(*which[k])); *which[k] = -1; }
            if (rfd < 0 && rdup < 0 && wfd < 0 && wdup < 0) fresh(i);
            break;
        }
        default:
            if (pick(8) == 0) fresh(i);
        }
        if ((rfd < 0 && rdup < 0) || (wfd < 0 && wdup < 0)) {
            /* one side gone: see what the other side says, then start over */
            if (wfd >= 0 || wdup >= 0) { long got = write(wfd >= 0 ? wfd : wdup, out, 10); printf("%ld write no reader -> %s\n", i, got < 0 ? strerrorname_np(errno) : "ok"); }
            else {
                long got;
                while ((got = read(rfd >= 0 ? rfd : rdup, in, sizeof in)) > 0) printf("%ld drain -> %ld %016llx\n", i, got, (unsigned long long)checksum(in, got));
                printf("%ld read no writer -> %ld\n", i, got);
            }
            fresh(i);
        }
    }
    printf("pipefuzz done\n");
    return 0;
}
