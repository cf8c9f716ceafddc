/*
 * Shared helpers for the C tests of Weft's WAMR-compatible API: checks that
 * count failures, file reading, and a module reader that serves
 * "<dir>/<name>.wasm" while counting what it hands out and gets back.
 */
#ifndef WAMR_TEST_COMMON_H
#define WAMR_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_export.h"

static int failures = 0;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
            failures++;                                                        \
        }                                                                      \
    } while (0)

#define CHECK_EQ_INT(actual, expected)                                         \
    do {                                                                       \
        long long a_ = (long long)(actual), e_ = (long long)(expected);        \
        if (a_ != e_) {                                                        \
            fprintf(stderr, "%s:%d: %s is %lld, expected %lld\n", __FILE__,    \
                    __LINE__, #actual, a_, e_);                                \
            failures++;                                                        \
        }                                                                      \
    } while (0)

/* Checks that `text` (may be NULL) contains `part`. */
#define CHECK_CONTAINS(text, part)                                             \
    do {                                                                       \
        const char *t_ = (text);                                               \
        if (!t_ || !strstr(t_, (part))) {                                      \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n",         \
                    __FILE__, __LINE__, t_ ? t_ : "(null)", (part));           \
            failures++;                                                        \
        }                                                                      \
    } while (0)

static inline int finish(const char *name)
{
    if (failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

/* Reads a whole file into a malloc'ed buffer. */
static inline uint8_t *read_file(const char *path, uint32_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (uint32_t)n;
    return buf;
}

static const char *module_dir = ".";
static int reads = 0, destroys = 0, reserved_reads = 0;

static inline bool dir_reader(package_type_t type, const char *name, uint8_t **buf,
                       uint32_t *size)
{
    char path[1024];
    if (type != Wasm_Module_Bytecode)
        return false;
    if (!strcmp(name, "env") || !strcmp(name, "wasi_snapshot_preview1")
        || !strcmp(name, "spectest") || !strcmp(name, ""))
        reserved_reads++;
    snprintf(path, sizeof path, "%s/%s.wasm", module_dir, name);
    *buf = read_file(path, size);
    if (!*buf)
        return false;
    reads++;
    return true;
}

static inline void dir_destroyer(uint8_t *buf, uint32_t size)
{
    (void)size;
    destroys++;
    free(buf);
}

/* Loads "<dir>/<name>.wasm" with wasm_runtime_load. */
static inline wasm_module_t load_file(const char *name, char *err, uint32_t err_size)
{
    char path[1024];
    uint32_t size = 0;
    snprintf(path, sizeof path, "%s/%s.wasm", module_dir, name);
    uint8_t *buf = read_file(path, &size);
    if (!buf) {
        snprintf(err, err_size, "cannot read %s", path);
        return NULL;
    }
    wasm_module_t m = wasm_runtime_load(buf, size, err, err_size);
    free(buf);
    return m;
}

/* Calls an i32-returning function without arguments; -1 on failure. */
static inline int32_t call_i32(wasm_exec_env_t env, wasm_module_inst_t inst,
                        const char *name)
{
    uint32_t argv[2] = { 0, 0 };
    wasm_function_inst_t f = wasm_runtime_lookup_function(inst, name);
    if (!f) {
        fprintf(stderr, "no function %s\n", name);
        return -1;
    }
    if (!wasm_runtime_call_wasm(env, f, 0, argv)) {
        fprintf(stderr, "%s failed: %s\n", name, wasm_runtime_get_exception(inst));
        return -1;
    }
    return (int32_t)argv[0];
}

#endif
