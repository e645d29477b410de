/* segv — stores to address 0: the process dies of SIGSEGV (exit status 139 under a shell). Usage: segv [read]
 * ("read" loads from address 0 instead). */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int rd = argc > 1 && strcmp(argv[1], "read") == 0;
    static const char msg_w[] = "segv: writing to NULL\n", msg_r[] = "segv: reading from NULL\n";
    if (rd)
        write(1, msg_r, strlen(msg_r));
    else
        write(1, msg_w, strlen(msg_w));
    volatile int *p = (volatile int *)0;
    if (rd)
        return *p;
    *p = 42;
    write(1, "segv: still alive?\n", 19);
    return 0;
}
