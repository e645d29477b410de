/* spin — announces itself, then loops forever. Used to check that an instruction limit stops a guest. */
#include <string.h>
#include <unistd.h>

int main(void)
{
    static const char msg[] = "spin: looping forever\n";
    write(1, msg, strlen(msg));
    unsigned long n = 0;
    for (;;)
        __asm__ volatile("addi %0, %0, 1" : "+r"(n));
}
