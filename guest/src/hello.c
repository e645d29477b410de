/* hello — the smallest useful guest: a greeting and a line of formatted output. */
#include <stdio.h>

int main(void)
{
    printf("Hello, world!\n");
    printf("int %d, negative %d, hex 0x%lx, string '%s', padded [%8s] [%-6d], double %.3f\n", 42, -7,
           0xdeadbeefUL, "mmulab", "right", 12, 3.14159);
    return 0;
}
