// Weft WASI test: a reactor (-mexec-model=reactor). Its constructors run
// in `_initialize`, which the runner must call before any export.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int initialized;
static int counter;

__attribute__((constructor)) static void setup(void) {
    initialized = 42;
    const char *start = getenv("WEFT_COUNTER_START");
    counter = start ? atoi(start) : 0;
}

__attribute__((export_name("add"))) int add(int a, int b) { return a + b; }

__attribute__((export_name("init_value"))) int init_value(void) { return initialized; }

__attribute__((export_name("next"))) int next(void) { return ++counter; }

__attribute__((export_name("mul64"))) int64_t mul64(int64_t a, int64_t b) { return a * b; }

__attribute__((export_name("half"))) double half(double x) { return x / 2; }

__attribute__((export_name("greet"))) void greet(int times) {
    for (int i = 0; i < times; i++) printf("greetings %d\n", i);
    fflush(stdout);
}

__attribute__((export_name("quit"))) void quit(int code) { exit(code); }
