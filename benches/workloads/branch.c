/* Branch-heavy: a state machine whose next step is chosen by a dense
 * 24-way switch (a br_table) on pseudo-random input, with data-dependent
 * ifs inside the cases; n rounds of 100,000 steps. */
#include "common.h"

long long run(int n) {
    uint32_t s = 99, state = 0;
    uint32_t a = 1, b = 2, c = 3;
    uint64_t h = 0;
    for (int r = 0; r < n; r++) {
        for (int i = 0; i < 100000; i++) {
            uint32_t x = lcg(&s);
            switch ((x >> 11 ^ state) % 24) {
            case 0: a += x; state = 3; break;
            case 1: b ^= a; state = 7; break;
            case 2: c = c * 3 + 1; state = 1; break;
            case 3: if (a > b) a -= b; else b -= a; state = 11; break;
            case 4: a = a << 1 | a >> 31; state = 2; break;
            case 5: b += c >> 2; state = 20; break;
            case 6: if (c & 1) c = c / 2; else c ^= x; state = 5; break;
            case 7: a ^= b ^ c; state = 13; break;
            case 8: b = b * 5 + x; state = 8; break;
            case 9: if ((int32_t)a < 0) a = ~a; state = 17; break;
            case 10: c += a & b; state = 4; break;
            case 11: a = (a >> 3) + c; state = 22; break;
            case 12: b -= x >> 5; state = 0; break;
            case 13: if (b < 1000) b += 77777; else b -= 999; state = 9; break;
            case 14: c = c ^ (c << 7); state = 14; break;
            case 15: a += 1; b += 2; c += 3; state = 19; break;
            case 16: if (x & 0x100) a ^= 0x5555; else c ^= 0xaaaa; state = 6; break;
            case 17: b = (b >> 1) | (a << 31); state = 23; break;
            case 18: c -= a; state = 10; break;
            case 19: a = a * 0x45d9f3b; state = 16; break;
            case 20: if (c > a && c > b) c >>= 2; state = 12; break;
            case 21: b = ~b; state = 21; break;
            case 22: a += b + c; state = 15; break;
            default: c = c + x % 31; state = 18; break;
            }
        }
        h = mix64(h, (uint64_t)a << 32 | (b ^ c));
    }
    return (long long)h;
}
