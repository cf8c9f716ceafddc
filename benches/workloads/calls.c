/* Call-heavy: many small functions, called directly and through tables of
 * function pointers (call_indirect), including a tiny virtual-dispatch
 * scheme ("shapes" with per-kind method tables); n rounds of 10,000 iterations
 * of 12 calls each (4 through the op table, 3 virtual, 5 direct). */
#include "common.h"

typedef uint32_t (*binop)(uint32_t, uint32_t);

static NOINLINE uint32_t op_add(uint32_t a, uint32_t b) { return a + b; }
static NOINLINE uint32_t op_sub(uint32_t a, uint32_t b) { return a - b; }
static NOINLINE uint32_t op_xor(uint32_t a, uint32_t b) { return a ^ b; }
static NOINLINE uint32_t op_mul(uint32_t a, uint32_t b) { return a * (b | 1); }
static NOINLINE uint32_t op_rotl(uint32_t a, uint32_t b) { return a << (b & 31) | a >> ((32 - b) & 31); }
static NOINLINE uint32_t op_or_shift(uint32_t a, uint32_t b) { return a | (b >> 3); }
static NOINLINE uint32_t op_and_not(uint32_t a, uint32_t b) { return a & ~b; }
static NOINLINE uint32_t op_min(uint32_t a, uint32_t b) { return a < b ? a : b; }
static NOINLINE uint32_t op_max(uint32_t a, uint32_t b) { return a > b ? a : b; }
static NOINLINE uint32_t op_avg(uint32_t a, uint32_t b) { return (a >> 1) + (b >> 1); }
static NOINLINE uint32_t op_mix(uint32_t a, uint32_t b) { return (a ^ (a >> 15)) * 0x2c1b3c6d + b; }
static NOINLINE uint32_t op_neg(uint32_t a, uint32_t b) { return (uint32_t)-(int32_t)a ^ b; }
static NOINLINE uint32_t op_sel(uint32_t a, uint32_t b) { return (a & 1) ? a + b : a - b; }
static NOINLINE uint32_t op_div(uint32_t a, uint32_t b) { return a / ((b & 0xff) + 1); }
static NOINLINE uint32_t op_rem(uint32_t a, uint32_t b) { return a + (a % ((b & 0xfff) + 3)); }
static NOINLINE uint32_t op_swap(uint32_t a, uint32_t b) { return (a >> 16 | a << 16) + b; }

static binop ops[16] = {op_add, op_sub, op_xor, op_mul, op_rotl, op_or_shift, op_and_not, op_min,
                        op_max, op_avg, op_mix, op_neg, op_sel, op_div, op_rem, op_swap};

struct shape;
struct shape_vt {
    uint32_t (*area)(const struct shape *);
    uint32_t (*perimeter)(const struct shape *);
    void (*scale)(struct shape *, uint32_t);
};
struct shape {
    const struct shape_vt *vt;
    uint32_t w, h;
};

static NOINLINE uint32_t rect_area(const struct shape *s) { return s->w * s->h; }
static NOINLINE uint32_t rect_perimeter(const struct shape *s) { return 2 * (s->w + s->h); }
static NOINLINE void rect_scale(struct shape *s, uint32_t k) {
    s->w = (s->w * k) % 1000 + 1;
    s->h = (s->h * k) % 1000 + 1;
}
static NOINLINE uint32_t square_area(const struct shape *s) { return s->w * s->w; }
static NOINLINE uint32_t square_perimeter(const struct shape *s) { return 4 * s->w; }
static NOINLINE void square_scale(struct shape *s, uint32_t k) { s->w = (s->w + k) % 997 + 1; }
static NOINLINE uint32_t tri_area(const struct shape *s) { return s->w * s->h / 2; }
static NOINLINE uint32_t tri_perimeter(const struct shape *s) { return s->w + s->h + (s->w ^ s->h); }
static NOINLINE void tri_scale(struct shape *s, uint32_t k) {
    uint32_t t = s->w;
    s->w = (s->h + k) % 991 + 1;
    s->h = t;
}

static const struct shape_vt rect_vt = {rect_area, rect_perimeter, rect_scale};
static const struct shape_vt square_vt = {square_area, square_perimeter, square_scale};
static const struct shape_vt tri_vt = {tri_area, tri_perimeter, tri_scale};

#define SHAPES 64
static struct shape shapes[SHAPES];

/* A small chain of direct calls. */
static NOINLINE uint32_t leaf(uint32_t x) { return x * 0x9e3779b1u + 7; }
static NOINLINE uint32_t inner(uint32_t x, uint32_t y) { return leaf(x) ^ leaf(y + 1); }
static NOINLINE uint32_t outer(uint32_t x) { return inner(x, x >> 3) + leaf(x >> 7); }

long long run(int n) {
    const struct shape_vt *vts[3] = {&rect_vt, &square_vt, &tri_vt};
    for (int i = 0; i < SHAPES; i++) {
        shapes[i].vt = vts[i % 3];
        shapes[i].w = (uint32_t)i + 1;
        shapes[i].h = (uint32_t)(i * 7 % 13) + 1;
    }
    uint32_t x = 1, acc = 0;
    for (int r = 0; r < n; r++) {
        for (uint32_t i = 0; i < 10000; i++) {
            /* 4 indirect calls through the op table */
            x = ops[(x ^ i) & 15](x, i);
            x = ops[(x >> 7) & 15](x, acc);
            x = ops[(x >> 13) & 15](acc, x);
            x = ops[i & 15](x, i * 3);
            /* 3 virtual calls */
            struct shape *s = &shapes[(x ^ i) % SHAPES];
            acc += s->vt->area(s);
            acc ^= s->vt->perimeter(s);
            s->vt->scale(s, (x & 7) + 2);
            /* 3 direct calls (outer -> inner -> leaf x3) */
            acc += outer(x + acc);
        }
    }
    return (long long)((uint64_t)x << 32 | acc);
}
