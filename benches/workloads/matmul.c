/* Integer matrix multiply: C = A x B on 96x96 uint32 matrices (wrapping),
 * n times, feeding the product back into A. */
#include "common.h"

#define N 96
static uint32_t A[N][N], B[N][N], C[N][N];

long long run(int n) {
    uint32_t s = 12345;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = lcg(&s) >> 20;
            B[i][j] = lcg(&s) >> 20;
        }
    uint64_t h = 0;
    for (int r = 0; r < n; r++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                uint32_t acc = 0;
                for (int k = 0; k < N; k++) acc += A[i][k] * B[k][j];
                C[i][j] = acc;
            }
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) A[i][j] = (C[i][j] >> 7) ^ (uint32_t)r;
        h = mix64(h, C[r % N][(r * 7) % N]);
    }
    return (long long)h;
}
