/* Quicksort (recursive, median of three, insertion sort for short ranges)
 * of 100,000 pseudo-random uint32, n times with different seeds; checks
 * the order and checksums samples. */
#include "common.h"

#define LEN 100000
static uint32_t a[LEN];

static void insertion(uint32_t *v, int lo, int hi) {
    for (int i = lo + 1; i <= hi; i++) {
        uint32_t x = v[i];
        int j = i - 1;
        while (j >= lo && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

static inline void swap(uint32_t *v, int i, int j) {
    uint32_t t = v[i];
    v[i] = v[j];
    v[j] = t;
}

static NOINLINE void quicksort(uint32_t *v, int lo, int hi) {
    while (hi - lo > 16) {
        int mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap(v, mid, lo);
        if (v[hi] < v[lo]) swap(v, hi, lo);
        if (v[hi] < v[mid]) swap(v, hi, mid);
        uint32_t pivot = v[mid];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                swap(v, i, j);
                i++;
                j--;
            }
        }
        /* recurse into the smaller side, loop on the larger */
        if (j - lo < hi - i) {
            quicksort(v, lo, j);
            lo = i;
        } else {
            quicksort(v, i, hi);
            hi = j;
        }
    }
    insertion(v, lo, hi);
}

long long run(int n) {
    uint64_t h = 0;
    for (int r = 0; r < n; r++) {
        uint32_t s = (uint32_t)r * 2654435761u + 1;
        for (int i = 0; i < LEN; i++) a[i] = lcg(&s);
        quicksort(a, 0, LEN - 1);
        for (int i = 1; i < LEN; i++)
            if (a[i - 1] > a[i]) return -1; /* not sorted: a wrong checksum */
        for (int i = 0; i < LEN; i += 997) h = mix64(h, a[i]);
    }
    return (long long)h;
}
