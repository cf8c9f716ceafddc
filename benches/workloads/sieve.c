/* Sieve of Eratosthenes over about a million byte flags, n times with a
 * slightly different limit each time; counts the primes. */
#include "common.h"

#define SIZE (1 << 20)
static uint8_t composite[SIZE];

static uint32_t sieve(uint32_t limit) {
    for (uint32_t i = 0; i < limit; i++) composite[i] = 0;
    uint32_t count = 0;
    for (uint32_t i = 2; i < limit; i++) {
        if (composite[i]) continue;
        count++;
        for (uint32_t j = i * 2; j < limit; j += i) composite[j] = 1;
    }
    return count;
}

long long run(int n) {
    uint64_t h = 0;
    for (int i = 0; i < n; i++) h = mix64(h, sieve(SIZE - (uint32_t)(i % 64) * 997));
    return (long long)h;
}
