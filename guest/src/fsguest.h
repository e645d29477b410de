/* fsguest.h — helpers for the file-system guests (files, pipes, filemap): print each call's result, or the
 * errno name when it fails, so that runs under qemu-riscv64 (the host's file system) and mmulab (its own) can be
 * compared line by line. The guests work inside a directory they create relative to the cwd and remove at the end. */
#ifndef MMULAB_FSGUEST_H
#define MMULAB_FSGUEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints "what: r", or "what: ENAME" when r < 0 (errno set); returns r. */
static inline long show(const char *what, long r)
{
    if (r < 0)
        printf("%s: %s\n", what, strerrorname_np(errno));
    else
        printf("%s: %ld\n", what, r);
    return r;
}

/* Dies with a message when a call the exercise depends on fails. */
static inline long must(const char *what, long r)
{
    if (r < 0) {
        printf("%s failed: %s\n", what, strerrorname_np(errno));
        exit(1);
    }
    return r;
}

#endif
