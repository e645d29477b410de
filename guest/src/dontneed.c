/* dontneed — madvise(MADV_DONTNEED) on a private file mapping drops the private copies, not the file's pages: the
 * next touch shows the file's bytes again (mm/madvise.c zaps the range; the file's page cache is untouched), while
 * on private anonymous memory it shows zeros and on a shared file mapping the data written stays (it is the
 * file's). Checked before and after a fork, whose child shares the copies copy-on-write. */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest.h"

#define PG 4096

static void show(const char *what, const char *p)
{
    printf("%-44s %.8s %.8s\n", what, p, p + PG);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);   /* the child's lines come out in order, not lost in its buffer */
    int fd = open("dontneed.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) { perror("open"); return 1; }
    char buf[2 * PG];
    memset(buf, 0, sizeof buf);
    strcpy(buf, "filedat0");
    strcpy(buf + PG, "filedat1");
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) { perror("write"); return 1; }

    char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    show("private file mapping", p);
    memcpy(p, "private0", 8);
    memcpy(p + PG, "private1", 8);
    show("after private writes", p);
    printf("%-44s %d\n", "madvise(page 0, MADV_DONTNEED)", madvise(p, PG, MADV_DONTNEED));
    show("page 0 is the file's again, page 1 private", p);
    printf("%-44s %d\n", "madvise(both, MADV_DONTNEED)", madvise(p, 2 * PG, MADV_DONTNEED));
    show("both the file's", p);

    memcpy(p, "beforefk", 8);
    pid_t pid = fork();
    if (pid == 0) {
        printf("%-44s %d\n", "child: madvise(both, MADV_DONTNEED)", madvise(p, 2 * PG, MADV_DONTNEED));
        show("child: the file's", p);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    show("parent: its copy untouched by the child", p);
    printf("%-44s %d\n", "parent: madvise(both, MADV_DONTNEED)", madvise(p, 2 * PG, MADV_DONTNEED));
    show("parent: the file's", p);

    char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    memcpy(s, "sharedw0", 8);
    printf("%-44s %d\n", "shared: madvise(both, MADV_DONTNEED)", madvise(s, 2 * PG, MADV_DONTNEED));
    show("shared: the write stays (it is the file's)", s);
    show("private: now sees the file's new bytes", p);

    char *a = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memcpy(a, "anonymus", 8);
    printf("%-44s %d\n", "anonymous: madvise(MADV_DONTNEED)", madvise(a, PG, MADV_DONTNEED));
    printf("%-44s %d\n", "anonymous: first byte now", a[0]);
    unlink("dontneed.dat");
    printf("dontneed done\n");
    return 0;
}
