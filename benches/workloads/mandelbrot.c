/* Mandelbrot set (f64 multiply/add/compare in a tight loop): n rows of a
 * 512-column picture of the region [-2, 0.5] x [-1.25, 1.25], 64 rows per
 * frame, up to 255 iterations per point; checksums the iteration counts. */
#include "common.h"

#define W 512
#define H 64
#define MAX_ITER 255

long long run(int n) {
    uint64_t h = 0;
    for (int row = 0; row < n; row++) {
        double ci = -1.25 + 2.5 * (double)(row % H) / H;
        uint32_t line = 0;
        for (int col = 0; col < W; col++) {
            double cr = -2.0 + 2.5 * (double)col / W;
            double zr = 0, zi = 0;
            int it = 0;
            while (it < MAX_ITER && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                it++;
            }
            line = line * 31 + (uint32_t)it;
        }
        h = mix64(h, line);
    }
    return (long long)h;
}
