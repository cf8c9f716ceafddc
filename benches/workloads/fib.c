/* Recursive Fibonacci: calls, returns, compares. n calls of fib(27 or 28). */
#include "common.h"

static NOINLINE uint32_t fib(uint32_t k) {
    if (k < 2) return k;
    return fib(k - 1) + fib(k - 2);
}

long long run(int n) {
    uint64_t sum = 0;
    for (int i = 0; i < n; i++) sum += fib(27 + (i & 1));
    return (long long)sum;
}
