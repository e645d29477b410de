/* sigfault — SIGILL, SIGTRAP, SIGBUS and SIGFPE, raised and real. raise() delivers each to a SA_SIGINFO handler
 * with si_code SI_TKILL; then real faults: an illegal instruction (ILL_ILLOPC, si_addr = its pc), ebreak
 * (TRAP_BRKPT), a misaligned atomic (BUS_ADRALN). Those handlers step over the faulting instruction by editing
 * the saved pc in the ucontext, and change a saved integer register, an FP register and the rounding mode there:
 * rt_sigreturn must restore exactly what the frame holds. A handler unwinds its own stack (libgcc's unwinder
 * recognises the sigreturn trampoline's `li a7, 139; ecall` and steps through the signal frame to the
 * interrupted function; this guest is built with unwind tables for that). Modes end the process by default actions:
 * sigfault [abort|ill|trap|bus|fpe|segv-ignored|segv-blocked|frame]. */
#define _GNU_SOURCE
#include <fenv.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include <unwind.h>
#include "guest.h"

static volatile int got_sig, got_code;
static volatile uintptr_t got_addr, got_pc;

static void record(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    got_sig = sig;
    got_code = si->si_code;
    got_addr = (uintptr_t)si->si_addr;
    got_pc = uc->uc_mcontext.__gregs[REG_PC];
}

/* Steps over a 4-byte faulting instruction and rewrites a0, fa0 and the rounding mode in the saved context. */
static void fixup(int sig, siginfo_t *si, void *ctx)
{
    record(sig, si, ctx);
    ucontext_t *uc = ctx;
    uc->uc_mcontext.__gregs[REG_PC] += 4;
    uc->uc_mcontext.__gregs[REG_A0] = 0x5eed0000 + sig;
    double d = 2.5 * sig;
    memcpy(&uc->uc_mcontext.__fpregs.__d.__f[10], &d, sizeof d);
    uc->uc_mcontext.__fpregs.__d.__fcsr = (uc->uc_mcontext.__fpregs.__d.__fcsr & 0x1f) | (1 << 5); /* RTZ */
    /* Clobber live FP state in the handler itself: sigreturn must bring the saved state back. */
    fesetround(FE_UPWARD);
    volatile double x = 1.0 / 3.0;
    (void)x;
}

static volatile int unwound_frames, unwound_to_caller;
static volatile int probe_calls;
static void unwind_probe(void);

static _Unwind_Reason_Code count_frame(struct _Unwind_Context *c, void *arg)
{
    (void)arg;
    uintptr_t ip = _Unwind_GetIP(c);
    if (ip > (uintptr_t)unwind_probe && ip < (uintptr_t)unwind_probe + 64)
        unwound_to_caller = 1;
    return ++unwound_frames > 64 ? _URC_END_OF_STACK : _URC_NO_REASON;
}

static void unwind_from_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)si;
    (void)uc;
    _Unwind_Backtrace(count_frame, NULL);
}

/* Raises SIGUSR1 and does more afterwards, so the call is not a tail call and this frame is on the stack. */
__attribute__((noinline)) static void unwind_probe(void)
{
    raise(SIGUSR1);
    probe_calls++;
}

static void on(int sig, void (*fn)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static const char *code_name(int sig, int code)
{
    if (code == SI_TKILL) return "SI_TKILL";
    if (sig == SIGILL && code == ILL_ILLOPC) return "ILL_ILLOPC";
    if (sig == SIGTRAP && code == TRAP_BRKPT) return "TRAP_BRKPT";
    if (sig == SIGBUS && code == BUS_ADRALN) return "BUS_ADRALN";
    return "other";
}

static const char *round_name(int r)
{
    return r == FE_TONEAREST ? "nearest" : r == FE_TOWARDZERO ? "toward zero" : r == FE_UPWARD ? "upward" : "other";
}

/* Runs one faulting instruction (given as its 32-bit encoding) with a0 = 1 and fa0 = 1.0 live across it. */
#define FAULT(insn, a0, fa0, label)                                                                           \
    do {                                                                                                      \
        register long r_a0 asm("a0") = 1;                                                                     \
        register double r_fa0 asm("fa0") = 1.0;                                                              \
        asm volatile(".globl " label "\n" label ":\n.4byte " #insn "\n" : "+r"(r_a0), "+f"(r_fa0) : : "memory"); \
        a0 = r_a0;                                                                                            \
        fa0 = r_fa0;                                                                                          \
    } while (0)

extern char ill_at[], brk_at[];

static void report_fault(const char *what, long a0, double fa0, uintptr_t at)
{
    printf("%s: signal %d %s, si_addr is the instruction: %s, saved pc too: %s, a0 0x%lx, fa0 %g, rounding %s\n",
           what, got_sig, code_name(got_sig, got_code), got_addr == at ? "yes" : "no", got_pc == at ? "yes" : "no",
           a0, fa0, round_name(fegetround()));
    fesetround(FE_TONEAREST);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    int sigs[] = { SIGILL, SIGTRAP, SIGBUS, SIGFPE };
    const char *names[] = { "SIGILL", "SIGTRAP", "SIGBUS", "SIGFPE" };
    if (strcmp(mode, "abort") == 0) {
        printf("abort\n");
        fflush(stdout);
        abort();
    }
    const char *modes[] = { "ill", "trap", "bus", "fpe" };
    for (int i = 0; i < 4; i++) {
        if (strcmp(mode, modes[i]) == 0) {
            printf("raise(%s) with the default action\n", names[i]);
            fflush(stdout);
            raise(sigs[i]);
            printf("survived?\n");
            return 0;
        }
    }
    if (strcmp(mode, "segv-ignored") == 0 || strcmp(mode, "segv-blocked") == 0) {
        /* A fault cannot be ignored or blocked: Linux forces the default action. */
        if (mode[5] == 'i') {
            signal(SIGSEGV, SIG_IGN);
        } else {
            on(SIGSEGV, record);
            sigset_t m;
            sigemptyset(&m);
            sigaddset(&m, SIGSEGV);
            sigprocmask(SIG_BLOCK, &m, NULL);
        }
        raise(SIGSEGV);                  /* a sent SIGSEGV is ignored or stays pending */
        printf("raise(SIGSEGV) %s; now a real fault\n", mode[5] == 'i' ? "ignored" : "pending");
        fflush(stdout);
        volatile int *volatile bad = (volatile int *)16;
        *bad = 1;
        printf("survived?\n");
        return 0;
    }
    if (strcmp(mode, "frame") == 0) {
        /* The handler's frame cannot be written (the alternate stack is not writable): SIGSEGV kills. */
        stack_t ss = { .ss_size = 65536, .ss_flags = 0 };
        ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        sigaltstack(&ss, NULL);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = record;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigaction(SIGUSR1, &sa, NULL);
        printf("raise(SIGUSR1) with a read-only alternate stack\n");
        fflush(stdout);
        raise(SIGUSR1);
        printf("survived?\n");
        return 0;
    }

    for (int i = 0; i < 4; i++) {
        on(sigs[i], record);
        got_sig = 0;
        raise(sigs[i]);
        printf("raise(%s): handler saw signal %d, si_code %s, from self %s\n", names[i], got_sig,
               code_name(got_sig, got_code), got_code == SI_TKILL ? "yes" : "no");
    }

    on(SIGUSR1, unwind_from_handler);
    unwind_probe();
    printf("unwinding from a handler: through the signal frame to the interrupted caller: %s\n",
           unwound_to_caller ? "yes" : "no");

    on(SIGILL, fixup);
    on(SIGTRAP, fixup);
    on(SIGBUS, fixup);
    long a0;
    double fa0;
    FAULT(0x00000000, a0, fa0, "ill_at");
    report_fault("illegal instruction", a0, fa0, (uintptr_t)ill_at);
    FAULT(0x00100073, a0, fa0, "brk_at");
    report_fault("ebreak", a0, fa0, (uintptr_t)brk_at);

    /* amoadd.w on an address that is not 4-byte aligned: RISC-V raises a misaligned-AMO exception. */
    static uint64_t word[2];
    volatile char *mis = (volatile char *)word + 2;
    got_sig = 0;
    {
        register long r_a0 asm("a0") = 1;
        register volatile char *r_a1 asm("a1") = mis;
        asm volatile("amoadd.w zero, a0, (a1)\n" : "+r"(r_a0) : "r"(r_a1) : "memory");
        a0 = r_a0;
    }
    printf("misaligned AMO: signal %d %s, a0 0x%lx, memory untouched: %s\n", got_sig, code_name(got_sig, got_code),
           a0, word[0] == 0 ? "yes" : "no");
    fesetround(FE_TONEAREST);
    return 0;
}
