/* LZ77-style compression: 64 KiB of generated text (words drawn from a
 * small vocabulary) are compressed with a hash table of 4-byte prefixes and
 * greedy matching into literal runs and (offset, length) matches, then
 * decompressed and compared; n times with different text. */
#include "common.h"

#define LEN (64 * 1024)
#define HASH_BITS 12
#define MIN_MATCH 4
#define MAX_MATCH 259

static uint8_t input[LEN];
static uint8_t packed[LEN + LEN / 8 + 64];
static uint8_t output[LEN];
static uint32_t table[1 << HASH_BITS];

static const char *const words[] = {
    "the ",   "wasm ",    "module ",  "function ", "memory ",   "table ",  "of ",     "and ",
    "stack ", "value ",   "branch ",  "loop ",     "interpreter ", "a ",  "to ",     "store ",
    "load ",  "compile ", "engine ",  "runtime ",  "call ",     "result ", "in ",     "fast ",
};

static uint32_t generate(uint32_t seed) {
    uint32_t s = seed, len = 0;
    while (len < LEN) {
        uint32_t r = lcg(&s);
        const char *w = words[(r >> 16) % (sizeof words / sizeof words[0])];
        while (*w && len < LEN) input[len++] = (uint8_t)*w++;
        if ((r & 15) == 0 && len < LEN) input[len++] = '\n';
        if ((r & 0xff) == 0x80 && len < LEN) input[len++] = (uint8_t)(r >> 8); /* noise */
    }
    return len;
}

static inline uint32_t read32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t hash4(uint32_t v) { return (v * 2654435761u) >> (32 - HASH_BITS); }

/* Format: a token byte. High bit clear: token + 1 literal bytes follow. High
 * bit set: a match of length (token & 0x7f) + MIN_MATCH, where 0x7f means
 * that one more length byte (added) follows; then a 16-bit little-endian
 * offset back into the output. */
static uint32_t compress(uint32_t len) {
    for (uint32_t i = 0; i < (1u << HASH_BITS); i++) table[i] = 0xffffffffu;
    uint32_t ip = 0, op = 0, lit_start = 0;
    while (ip + MIN_MATCH <= len) {
        uint32_t h = hash4(read32(input + ip));
        uint32_t cand = table[h];
        table[h] = ip;
        if (cand != 0xffffffffu && ip - cand < 65536 && read32(input + cand) == read32(input + ip)) {
            uint32_t m = MIN_MATCH;
            while (ip + m < len && m < MAX_MATCH && input[cand + m] == input[ip + m]) m++;
            while (lit_start < ip) { /* flush literals, at most 128 per token */
                uint32_t k = ip - lit_start > 128 ? 128 : ip - lit_start;
                packed[op++] = (uint8_t)(k - 1);
                for (uint32_t j = 0; j < k; j++) packed[op++] = input[lit_start + j];
                lit_start += k;
            }
            uint32_t code = m - MIN_MATCH;
            if (code < 0x7f) {
                packed[op++] = (uint8_t)(0x80 | code);
            } else {
                packed[op++] = 0xff;
                packed[op++] = (uint8_t)(code - 0x7f);
            }
            uint32_t off = ip - cand;
            packed[op++] = (uint8_t)off;
            packed[op++] = (uint8_t)(off >> 8);
            for (uint32_t j = 1; j < m && ip + j + MIN_MATCH <= len; j += 2)
                table[hash4(read32(input + ip + j))] = ip + j;
            ip += m;
            lit_start = ip;
        } else {
            ip++;
        }
    }
    while (lit_start < len) {
        uint32_t k = len - lit_start > 128 ? 128 : len - lit_start;
        packed[op++] = (uint8_t)(k - 1);
        for (uint32_t j = 0; j < k; j++) packed[op++] = input[lit_start + j];
        lit_start += k;
    }
    return op;
}

static uint32_t decompress(uint32_t plen) {
    uint32_t ip = 0, op = 0;
    while (ip < plen) {
        uint8_t t = packed[ip++];
        if (t < 0x80) {
            for (uint32_t j = 0; j <= t; j++) output[op++] = packed[ip++];
        } else {
            uint32_t m = (uint32_t)(t & 0x7f);
            if (m == 0x7f) m += packed[ip++];
            m += MIN_MATCH;
            uint32_t off = (uint32_t)packed[ip] | (uint32_t)packed[ip + 1] << 8;
            ip += 2;
            for (uint32_t j = 0; j < m; j++, op++) output[op] = output[op - off];
        }
    }
    return op;
}

long long run(int n) {
    uint64_t h = 0;
    for (int r = 0; r < n; r++) {
        uint32_t len = generate((uint32_t)r + 1);
        uint32_t plen = compress(len);
        if (decompress(plen) != len) return -1;
        for (uint32_t i = 0; i < len; i++)
            if (output[i] != input[i]) return -2;
        h = mix64(h, plen);
        for (uint32_t i = 0; i < plen; i += 61) h = mix64(h, packed[i]);
    }
    return (long long)h;
}
