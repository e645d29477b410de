/* mach_vm — the Mach VM calls (include/mach.h), which only mmulab provides.
 * Usage: mach_vm basic      allocate, describe, protect (current and maximum), read, write, deallocate, errors
 *        mach_vm inherit    VM_INHERIT_SHARE / COPY / NONE regions across fork
 *        mach_vm copy [MiB] vm_copy of a large region (default 64 MiB): copy-on-write, pages copied only when written */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "guest.h"
#include "mach.h"

#define PAGE 4096ul

static const char *kr(kern_return_t r)
{
    static const char *names[] = { "KERN_SUCCESS", "KERN_INVALID_ADDRESS", "KERN_PROTECTION_FAILURE",
                                   "KERN_NO_SPACE", "KERN_INVALID_ARGUMENT" };
    return r >= 0 && r <= 4 ? names[r] : "?";
}

static void region(mach_port_t task, vm_address_t at)
{
    vm_address_t a = at;
    vm_size_t sz = 0;
    struct vm_region_basic_info info;
    kern_return_t r = vm_region(task, &a, &sz, &info);
    if (r != KERN_SUCCESS) { printf("vm_region: %s\n", kr(r)); return; }
    printf("region %+ld pages, %lu pages: prot %d max %d inherit %u\n", (long)(a - at) / (long)PAGE,
           (unsigned long)(sz / PAGE), info.protection, info.max_protection, info.inheritance);
}

static int basic(void)
{
    mach_port_t me = mach_task_self();
    vm_address_t a = 0;
    printf("task_self is getpid: %s\n", me == (mach_port_t)getpid() ? "yes" : "no");
    printf("vm_allocate 16 pages anywhere: %s\n", kr(vm_allocate(me, &a, 16 * PAGE, 1)));
    printf("page aligned: %s, zero: %s\n", a % PAGE == 0 ? "yes" : "no", ((char *)a)[5000] == 0 ? "yes" : "no");
    strcpy((char *)a, "hello, mach");
    region(me, a);
    vm_address_t b = a;
    printf("vm_allocate at the same address: %s\n", kr(vm_allocate(me, &b, PAGE, 0)));
    printf("vm_protect read-only: %s\n", kr(vm_protect(me, a + 4 * PAGE, 4 * PAGE, 0, VM_PROT_READ)));
    region(me, a + 4 * PAGE);
    printf("vm_protect max read-only: %s\n", kr(vm_protect(me, a + 8 * PAGE, 4 * PAGE, 1, VM_PROT_READ)));
    printf("vm_protect write above max: %s\n", kr(vm_protect(me, a + 8 * PAGE, PAGE, 0, VM_PROT_DEFAULT)));
    printf("vm_protect raise max: %s\n", kr(vm_protect(me, a + 8 * PAGE, PAGE, 1, VM_PROT_ALL)));
    region(me, a + 8 * PAGE);
    vm_address_t data = 0;
    vm_size_t count = 0;
    printf("vm_read: %s\n", kr(vm_read(me, a, 2 * PAGE, &data, &count)));
    printf("read back: \"%s\", %lu bytes, a different address: %s\n", (char *)data, (unsigned long)count,
           data != a ? "yes" : "no");
    strcpy((char *)data, "changed copy");
    printf("original after writing the copy: \"%s\"\n", (char *)a);
    printf("vm_write into the read-only range: %s\n", kr(vm_write(me, a + 4 * PAGE, data, PAGE)));
    printf("vm_write: %s\n", kr(vm_write(me, a + PAGE, data, PAGE)));
    printf("written: \"%s\"\n", (char *)(a + PAGE));
    printf("vm_write unaligned: %s\n", kr(vm_write(me, a + PAGE + 3, data, 5)));
    printf("written: \"%s\"\n", (char *)(a + PAGE));
    printf("vm_deallocate: %s\n", kr(vm_deallocate(me, a + 12 * PAGE, 4 * PAGE)));
    printf("vm_protect over the hole: %s\n", kr(vm_protect(me, a + 11 * PAGE, 2 * PAGE, 0, VM_PROT_READ)));
    printf("vm_copy into the hole: %s\n", kr(vm_copy(me, a, PAGE, a + 12 * PAGE)));
    printf("vm_inherit bad value: %s\n", kr(vm_inherit(me, a, PAGE, 7)));
    printf("vm_protect bad protection: %s\n", kr(vm_protect(me, a, PAGE, 0, 8)));
    printf("bad task: %s\n", kr(vm_deallocate(123456, a, PAGE)));
    b = 0;
    printf("vm_allocate 2^60 bytes: %s\n", kr(vm_allocate(me, &b, 1ul << 60, 1)));
    vm_address_t top = 1ul << 62;   /* above every machine's user address space */
    printf("vm_allocate outside the address space: %s\n", kr(vm_allocate(me, &top, PAGE, 0)));
    printf("vm_deallocate everything: %s\n", kr(vm_deallocate(me, a, 16 * PAGE)));
    printf("vm_region past the last region: %s\n", kr(vm_region(me, &top, &count, NULL)));
    return 0;
}

static int inherit(void)
{
    mach_port_t me = mach_task_self();
    vm_address_t sh = 0, cp = 0, no = 0;
    vm_allocate(me, &sh, 4 * PAGE, 1);
    vm_allocate(me, &cp, 4 * PAGE, 1);
    vm_allocate(me, &no, 4 * PAGE, 1);
    printf("vm_inherit share: %s\n", kr(vm_inherit(me, sh, 4 * PAGE, VM_INHERIT_SHARE)));
    printf("vm_inherit none: %s\n", kr(vm_inherit(me, no, 4 * PAGE, VM_INHERIT_NONE)));
    strcpy((char *)sh, "parent");
    strcpy((char *)cp, "parent");
    strcpy((char *)no, "parent");
    pid_t p = fork();
    if (p == 0) {
        mach_port_t child = mach_task_self();
        vm_address_t at = no;
        vm_size_t sz;
        struct vm_region_basic_info info;
        vm_region(child, &at, &sz, &info);
        printf("child: the none region is absent: %s\n", at != no ? "yes" : "no");
        printf("child: share \"%s\" copy \"%s\"\n", (char *)sh, (char *)cp);
        strcpy((char *)sh, "child");
        strcpy((char *)cp, "child");
        /* The share region stays shared after the child reprotects it. */
        vm_protect(child, sh + PAGE, PAGE, 0, VM_PROT_READ);
        _exit(0);
    }
    waitpid(p, NULL, 0);
    printf("parent: share \"%s\" copy \"%s\" none \"%s\"\n", (char *)sh, (char *)cp, (char *)no);
    region(me, sh + PAGE);
    p = fork();
    if (p == 0) {
        printf("child: touching the none region...\n");
        volatile char c = *(char *)no;
        (void)c;
        _exit(0);
    }
    int st;
    waitpid(p, &st, 0);
    printf("parent: that child was killed by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    return 0;
}

static int copy(long mib)
{
    mach_port_t me = mach_task_self();
    vm_size_t len = (vm_size_t)mib << 20;
    vm_address_t src = 0, dst = 0;
    if (vm_allocate(me, &src, len, 1) != KERN_SUCCESS || vm_allocate(me, &dst, len, 1) != KERN_SUCCESS) {
        printf("vm_allocate failed\n");
        return 1;
    }
    uint64_t *s = (uint64_t *)src, *d = (uint64_t *)dst;
    for (vm_size_t i = 0; i < len / 8; i += 512)
        s[i] = i * 2654435761u;
    printf("vm_copy %ld MiB: %s\n", mib, kr(vm_copy(me, src, len, dst)));
    uint64_t hs = 0, hd = 0;
    for (vm_size_t i = 0; i < len / 8; i += 512) {
        hs = mix64(hs, s[i]);
        hd = mix64(hd, d[i]);
    }
    printf("copy equals source: %s\n", hs == hd ? "yes" : "no");
    for (int k = 0; k < 10; k++)
        d[(vm_size_t)k * 512 * 7] = 1;
    s[512] = 2;
    printf("after 10 writes to the copy and 1 to the source: copy[0] %llu source[0] %llu copy[512] %llu\n",
           (unsigned long long)d[0], (unsigned long long)s[0], (unsigned long long)d[512]);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *mode = argc > 1 ? argv[1] : "basic";
    if (strcmp(mode, "basic") == 0) return basic();
    if (strcmp(mode, "inherit") == 0) return inherit();
    if (strcmp(mode, "copy") == 0) return copy(arg_long(argc, argv, 2, 64));
    fprintf(stderr, "usage: mach_vm basic|inherit|copy [MiB]\n");
    return 2;
}
