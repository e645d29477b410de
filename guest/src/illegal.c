/* illegal — executes an instruction that does not exist and dies of SIGILL (exit status 132 under a shell).
 * Usage: illegal [kind], kind one of:
 *   zero   the all-zero word (default; its low half is the defined-illegal compressed instruction 0x0000)
 *   ones   0xffffffff
 *   opcode a 32-bit word with an unassigned major opcode (custom-0, 0x0b)
 *   csr    a write to the read-only cycle CSR
 *   nocsr  a read of a CSR that does not exist in user mode (mstatus)
 *   frm    a floating-point add with the dynamic rounding mode while frm holds the reserved value 5
 *   ebreak an ebreak, which dies of SIGTRAP instead (133) */
#include <string.h>
#include <unistd.h>

static void say(const char *s) { write(1, s, strlen(s)); }

int main(int argc, char **argv)
{
    const char *kind = argc > 1 ? argv[1] : "zero";
    say("illegal: ");
    say(kind);
    say("\n");
    if (strcmp(kind, "zero") == 0)
        __asm__ volatile(".4byte 0x00000000");
    else if (strcmp(kind, "ones") == 0)
        __asm__ volatile(".4byte 0xffffffff");
    else if (strcmp(kind, "opcode") == 0)
        __asm__ volatile(".4byte 0x0000000b");
    else if (strcmp(kind, "csr") == 0)
        __asm__ volatile("csrw cycle, zero");
    else if (strcmp(kind, "nocsr") == 0) {
        unsigned long v;
        __asm__ volatile("csrr %0, mstatus" : "=r"(v));
    } else if (strcmp(kind, "frm") == 0)
        __asm__ volatile("csrwi frm, 5\n"
                         "fadd.d ft0, ft0, ft0, dyn" ::: "ft0");
    else if (strcmp(kind, "ebreak") == 0)
        __asm__ volatile("ebreak");
    else {
        say("illegal: unknown kind\n");
        return 2;
    }
    say("illegal: still alive?\n");
    return 0;
}
