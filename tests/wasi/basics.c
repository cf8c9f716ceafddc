// Weft WASI test: stdio, arguments, environment, clocks, random bytes,
// stdin with poll(), exit codes and traps. The first argument picks a mode;
// tests/wasi.rs checks the output line by line.
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

static int deep_exit(int depth, int code) {
    if (depth == 0) exit(code);
    return deep_exit(depth - 1, code) + 1;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "hello";
    if (strcmp(mode, "hello") == 0) {
        printf("hello from wasi\n");
        fprintf(stderr, "this goes to stderr\n");
        printf("argc=%d\n", argc);
        for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
        const char *v = getenv("WEFT_GREETING");
        printf("WEFT_GREETING=%s\n", v ? v : "(unset)");
        v = getenv("WEFT_EMPTY");
        printf("WEFT_EMPTY=%s\n", v ? (*v ? v : "(empty)") : "(unset)");
        printf("HOME=%s\n", getenv("HOME") ? "set" : "(unset)");
        return 0;
    }
    if (strcmp(mode, "exit") == 0) {
        return atoi(argv[2]);
    }
    if (strcmp(mode, "deep-exit") == 0) {
        printf("before exit\n");
        fflush(stdout);
        deep_exit(50, atoi(argv[2]));
        printf("not reached\n");
        return 1;
    }
    if (strcmp(mode, "trap") == 0) {
        printf("about to trap\n");
        fflush(stdout);
        __builtin_trap();
    }
    if (strcmp(mode, "clocks") == 0) {
        struct timespec r, m0, m1, res;
        if (clock_gettime(CLOCK_REALTIME, &r) != 0) return 10;
        // After 2020-01-01 and before 2200.
        printf("realtime plausible: %s\n", r.tv_sec > 1577836800LL && r.tv_sec < 7258118400LL ? "yes" : "no");
        if (clock_getres(CLOCK_MONOTONIC, &res) != 0) return 11;
        printf("monotonic resolution ok: %s\n", ns(res) > 0 && ns(res) <= 1000000 ? "yes" : "no");
        clock_gettime(CLOCK_MONOTONIC, &m0);
        struct timespec d = {0, 20 * 1000 * 1000};
        if (nanosleep(&d, NULL) != 0) return 12;
        clock_gettime(CLOCK_MONOTONIC, &m1);
        long long slept = ns(m1) - ns(m0);
        printf("slept at least 20ms: %s\n", slept >= 20000000LL ? "yes" : "no");
        printf("slept less than 2s: %s\n", slept < 2000000000LL ? "yes" : "no");
        struct timespec r2;
        clock_gettime(CLOCK_REALTIME, &r2);
        printf("realtime advances: %s\n", ns(r2) >= ns(r) + 20000000LL ? "yes" : "no");
        return 0;
    }
    if (strcmp(mode, "random") == 0) {
        unsigned char a[64], b[64];
        if (getentropy(a, sizeof a) != 0 || getentropy(b, sizeof b) != 0) return 20;
        int zero = 1;
        for (size_t i = 0; i < sizeof a; i++) zero &= a[i] == 0;
        printf("random nonzero: %s\n", zero ? "no" : "yes");
        printf("random differs: %s\n", memcmp(a, b, sizeof a) ? "yes" : "no");
        for (size_t i = 0; i < 16; i++) printf("%02x", a[i]);
        printf("\n");
        return 0;
    }
    if (strcmp(mode, "cat") == 0) {
        struct pollfd p = {.fd = 0, .events = POLLIN};
        int n = poll(&p, 1, 5000);
        printf("poll: %d %s\n", n, (p.revents & POLLIN) ? "readable" : "not readable");
        char buf[256];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, stdin)) > 0) {
            for (size_t i = 0; i < got; i++)
                if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 32;
            fwrite(buf, 1, got, stdout);
        }
        return 0;
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 99;
}
