/* rt.h — freestanding runtime shared by the ISA test guests (no libc).
 *
 * Provides _start, raw Linux riscv64 syscalls (write = 64, exit_group = 94), a small buffered writer for stdout
 * and hex/decimal printers. Every ISA guest is one C file that includes this header and defines main(). Output is
 * plain text, one fact per line, so a run can be diffed line by line against qemu-riscv64.
 */
#ifndef MMULAB_ISA_RT_H
#define MMULAB_ISA_RT_H

typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef unsigned char u8;

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Entry point: set gp (the linker may relax accesses against it), call main(argc, argv), exit with its result. */
__asm__(
    ".section .text._start, \"ax\", @progbits\n"
    ".globl _start\n"
    ".type _start, @function\n"
    "_start:\n"
    ".option push\n"
    ".option norelax\n"
    "  la gp, __global_pointer$\n"
    ".option pop\n"
    "  ld a0, 0(sp)\n"
    "  addi a1, sp, 8\n"
    "  call rt_main\n"
    "  li a7, 94\n"
    "  ecall\n"
    "1: j 1b\n"
    ".size _start, . - _start\n"
    ".text\n");

static inline i64 sys3(i64 nr, i64 a0, i64 a1, i64 a2)
{
    register i64 r_a0 __asm__("a0") = a0;
    register i64 r_a1 __asm__("a1") = a1;
    register i64 r_a2 __asm__("a2") = a2;
    register i64 r_a7 __asm__("a7") = nr;
    __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
    return r_a0;
}

static inline i64 sys6(i64 nr, i64 a0, i64 a1, i64 a2, i64 a3, i64 a4, i64 a5)
{
    register i64 r_a0 __asm__("a0") = a0;
    register i64 r_a1 __asm__("a1") = a1;
    register i64 r_a2 __asm__("a2") = a2;
    register i64 r_a3 __asm__("a3") = a3;
    register i64 r_a4 __asm__("a4") = a4;
    register i64 r_a5 __asm__("a5") = a5;
    register i64 r_a7 __asm__("a7") = nr;
    __asm__ volatile("ecall"
                     : "+r"(r_a0)
                     : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a7)
                     : "memory");
    return r_a0;
}

#define SYS_write 64
#define SYS_exit_group 94
#define SYS_munmap 215
#define SYS_mmap 222
#define SYS_riscv_flush_icache 259

/* ---- buffered stdout ---- */
static char rt_buf[4096];
static u64 rt_len;

static void rt_flush(void)
{
    u64 off = 0;
    while (off < rt_len) {
        i64 n = sys3(SYS_write, 1, (i64)(rt_buf + off), (i64)(rt_len - off));
        if (n <= 0)
            break;
        off += (u64)n;
    }
    rt_len = 0;
}

static void putch(char c)
{
    if (rt_len == sizeof rt_buf)
        rt_flush();
    rt_buf[rt_len++] = c;
}

static void puts_(const char *s)
{
    while (*s)
        putch(*s++);
}

/* 16 hex digits, no prefix */
static void puthex(u64 v)
{
    for (int i = 60; i >= 0; i -= 4)
        putch("0123456789abcdef"[(v >> i) & 15]);
}

/* minimal hex digits (at least one) */
__attribute__((unused)) static void puthex_short(u64 v)
{
    int started = 0;
    for (int i = 60; i >= 0; i -= 4) {
        unsigned d = (v >> i) & 15;
        if (d || started || i == 0) {
            putch("0123456789abcdef"[d]);
            started = 1;
        }
    }
}

__attribute__((unused)) static void putdec(i64 v)
{
    char tmp[24];
    int n = 0;
    u64 u = v < 0 ? -(u64)v : (u64)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        putch('-');
    while (n)
        putch(tmp[--n]);
}

static void nl(void) { putch('\n'); }

/* "name a b -> r" with 64-bit hex operands */
__attribute__((unused)) static void line2(const char *name, u64 a, u64 b, u64 r)
{
    puts_(name);
    putch(' ');
    puthex(a);
    putch(' ');
    puthex(b);
    puts_(" -> ");
    puthex(r);
    nl();
}

__attribute__((unused)) static void line1(const char *name, u64 a, u64 r)
{
    puts_(name);
    putch(' ');
    puthex(a);
    puts_(" -> ");
    puthex(r);
    nl();
}

__attribute__((unused)) static void section(const char *name)
{
    puts_("# ");
    puts_(name);
    nl();
}

/* The compiler may emit calls to these even in freestanding code. */
void *memset(void *d, int c, unsigned long n)
{
    u8 *p = d;
    while (n--)
        *p++ = (u8)c;
    return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
    u8 *p = d;
    const u8 *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

int main(int argc, char **argv);

__attribute__((used)) static int rt_main(int argc, char **argv)
{
    int r = main(argc, argv);
    rt_flush();
    return r;
}

#endif
