/* A byte-code interpreter: a brainf*ck program is compiled to byte code
 * (runs of + - < > folded, [-] as a clear, jumps resolved), then
 * interpreted by a switch loop; n runs with different input bytes. */
#include "common.h"

/* Reads a byte k into cell 0, then k times: nested loops of 16 and 15
 * iterations add 1, 3 and 7 to cells 3, 4, 5, which are written out. */
static const char program[] =
    ",["
    ">++++++++++++++++["
    ">+++++++++++++++["
    ">+>+++>+++++++<<<-"
    "]<-"
    "]"
    ">>.>.>.<<<<<-"
    "]"
    ">>>[-]>[-]>[-]<<<<<";

enum { OP_ADD, OP_MOVE, OP_CLEAR, OP_JZ, OP_JNZ, OP_OUT, OP_IN, OP_END };

struct insn {
    uint8_t op;
    int8_t arg;  /* ADD, MOVE */
    uint16_t target; /* JZ, JNZ */
};

static struct insn code[sizeof program];
static uint16_t stack[64];
static uint8_t tape[256];

static int compile(void) {
    int pc = 0, sp = 0;
    for (const char *p = program; *p; p++) {
        char c = *p;
        switch (c) {
        case '+':
        case '-':
        case '<':
        case '>': {
            int k = 0;
            char up = c == '+' || c == '-' ? '+' : '>';
            char down = up == '+' ? '-' : '<';
            while (*p == up || *p == down) {
                k += *p == up ? 1 : -1;
                p++;
            }
            p--;
            code[pc].op = up == '+' ? OP_ADD : OP_MOVE;
            code[pc].arg = (int8_t)k;
            pc++;
            break;
        }
        case '[':
            if (p[1] == '-' && p[2] == ']') {
                code[pc++].op = OP_CLEAR;
                p += 2;
            } else {
                stack[sp++] = (uint16_t)pc;
                code[pc++].op = OP_JZ;
            }
            break;
        case ']': {
            uint16_t open = stack[--sp];
            code[pc].op = OP_JNZ;
            code[pc].target = open;
            code[open].target = (uint16_t)pc;
            pc++;
            break;
        }
        case '.':
            code[pc++].op = OP_OUT;
            break;
        case ',':
            code[pc++].op = OP_IN;
            break;
        }
    }
    code[pc].op = OP_END;
    return pc;
}

static uint64_t interpret(uint8_t input) {
    uint64_t out = 0;
    uint8_t *cell = tape;
    const struct insn *pc = code;
    for (;;) {
        switch (pc->op) {
        case OP_ADD:
            *cell += (uint8_t)pc->arg;
            break;
        case OP_MOVE:
            cell += pc->arg;
            break;
        case OP_CLEAR:
            *cell = 0;
            break;
        case OP_JZ:
            if (!*cell) pc = code + pc->target;
            break;
        case OP_JNZ:
            if (*cell) pc = code + pc->target;
            break;
        case OP_OUT:
            out = out * 131 + *cell;
            break;
        case OP_IN:
            *cell = input;
            break;
        case OP_END:
            return out;
        }
        pc++;
    }
}

long long run(int n) {
    compile();
    for (int i = 0; i < 256; i++) tape[i] = 0;
    uint64_t h = 0;
    for (int i = 0; i < n; i++) h = mix64(h, interpret((uint8_t)(i * 37 + 11)));
    return (long long)h;
}
