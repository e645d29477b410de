/* badjump — calls a function pointer to 0xdead0000, where nothing is mapped: the instruction fetch faults and the
 * process dies of SIGSEGV (exit status 139 under a shell). The message before the jump is written with write(2),
 * so it is not lost in a stdio buffer. */
#include <string.h>
#include <unistd.h>

int main(void)
{
    static const char msg[] = "badjump: calling 0xdead0000\n";
    write(1, msg, strlen(msg));
    void (*volatile fn)(void) = (void (*)(void))0xdead0000ul;
    fn();
    write(1, "badjump: still alive?\n", 22);
    return 0;
}
