/* Shared by the C workloads of the benchmark suite (benches/suite).
 *
 * Each workload is compiled on its own with
 *   clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export=run
 * and exports `long long run(int n)`, i.e. (param i32) (result i64): the
 * work grows linearly with n and the result is a checksum that every engine
 * must reproduce. run(n) re-initialises all of its state, so repeated calls
 * return the same value. No libc: the few helpers needed are defined here. */
#ifndef WEFT_BENCH_COMMON_H
#define WEFT_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define NOINLINE __attribute__((noinline))

/* clang may turn loops and struct copies into calls to these. Weak, so that
 * several workloads can be linked into one module (the start-up benchmark). */
__attribute__((weak)) void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

__attribute__((weak)) void *memcpy(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

__attribute__((weak)) void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else {
        while (n--) d[n] = s[n];
    }
    return dst;
}

/* A 32-bit linear congruential generator (Numerical Recipes constants). */
static inline uint32_t lcg(uint32_t *state) {
    *state = *state * 1664525u + 1013904223u;
    return *state;
}

/* Mixes a value into a running 64-bit checksum (FNV-1a style on words). */
static inline uint64_t mix64(uint64_t h, uint64_t v) {
    h ^= v;
    h *= 0x100000001b3ull;
    return h ^ (h >> 29);
}

#endif
