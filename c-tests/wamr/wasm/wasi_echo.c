/* A WASI command: prints its greeting and first argument, and exits with
 * argc * 10 + strlen(GREETING). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *g = getenv("GREETING");
    printf("%s %s\n", g ? g : "none", argc > 1 ? argv[1] : "");
    return argc * 10 + (g ? (int)strlen(g) : 0);
}
