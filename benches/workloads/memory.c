/* Memory-heavy: passes over a 256 KiB buffer with loads and stores of every
 * width (8, 16, 32, 64 bits), signed and unsigned, including the
 * extending i64 loads and wrapping i64 stores; n rounds. */
#include "common.h"

#define BYTES (256 * 1024)
static union {
    uint8_t u8[BYTES];
    int8_t i8[BYTES];
    uint16_t u16[BYTES / 2];
    int16_t i16[BYTES / 2];
    uint32_t u32[BYTES / 4];
    int32_t i32[BYTES / 4];
    uint64_t u64[BYTES / 8];
} buf;
static union {
    uint8_t u8[BYTES];
    uint16_t u16[BYTES / 2];
    int16_t i16[BYTES / 2];
    uint32_t u32[BYTES / 4];
    uint64_t u64[BYTES / 8];
} dst;

long long run(int n) {
    uint32_t s = 7;
    for (int i = 0; i < BYTES / 4; i++) buf.u32[i] = lcg(&s);
    uint64_t h = 0;
    for (int r = 0; r < n; r++) {
        /* 8-bit signed loads widened to 16-bit stores */
        int64_t acc = 0;
        for (int i = 0; i < BYTES / 2; i++) {
            int8_t v = buf.i8[i];
            dst.i16[i] = (int16_t)(v * 3);
            acc += v;
        }
        /* 8-bit unsigned loads into a 64-bit sum, 8-bit stores */
        uint64_t sum = 0;
        for (int i = 0; i < BYTES; i += 3) {
            uint8_t v = buf.u8[i];
            sum += v;
            dst.u8[i] = (uint8_t)(v ^ r);
        }
        /* 16-bit signed and unsigned loads, 32-bit stores */
        for (int i = 0; i < BYTES / 4; i++) {
            int64_t a = buf.i16[2 * i];
            uint64_t b = buf.u16[2 * i + 1];
            dst.u32[i] = (uint32_t)(a * 5 + (int64_t)b);
            acc += a - (int64_t)b;
        }
        /* 32-bit signed and unsigned loads extended to 64 bits, 64-bit stores */
        for (int i = 0; i < BYTES / 8; i++) {
            int64_t a = buf.i32[2 * i];
            uint64_t b = buf.u32[2 * i + 1];
            dst.u64[i] = (uint64_t)a + (b << 3);
            acc ^= a;
        }
        /* 64-bit loads, stores of the low 8/16/32 bits back into the source */
        for (int i = 0; i < BYTES / 8; i++) {
            uint64_t v = dst.u64[i] + (uint64_t)r;
            sum += v >> 3;
            switch (i & 3) {
            case 0: buf.u8[8 * i] = (uint8_t)v; break;
            case 1: buf.u16[4 * i] = (uint16_t)v; break;
            case 2: buf.u32[2 * i] = (uint32_t)v; break;
            default: buf.u64[i] = v; break;
            }
        }
        /* strided 16-bit unsigned reads from the destination */
        for (int i = 0; i < BYTES / 2; i += 5) sum += dst.u16[i];
        h = mix64(mix64(h, (uint64_t)acc), sum);
    }
    return (long long)h;
}
