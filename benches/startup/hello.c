// Start-up benchmark guest: the smallest useful WASI command.
#include <stdio.h>

int main(void) {
    printf("hello from wasm\n");
    return 0;
}
