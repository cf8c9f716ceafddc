/* Helpers shared by the C API tests: checks that exit non-zero on the
 * first mismatch, module loading, and small conveniences. */
#ifndef WEFT_CTEST_COMMON_H
#define WEFT_CTEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm.h>

#define CHECK(cond)                                                       \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
              #cond);                                                     \
      exit(1);                                                            \
    }                                                                     \
  } while (0)

#define CHECK_EQ_INT(got, want)                                              \
  do {                                                                       \
    long long g_ = (long long)(got), w_ = (long long)(want);                 \
    if (g_ != w_) {                                                          \
      fprintf(stderr, "%s:%d: %s is %lld, expected %lld\n", __FILE__,        \
              __LINE__, #got, g_, w_);                                       \
      exit(1);                                                               \
    }                                                                        \
  } while (0)

/* Reads $WASM_DIR/name (the modules are built from c-tests/wat). */
static inline void load_module_bytes(const char* name, wasm_byte_vec_t* out) {
  const char* dir = getenv("WASM_DIR");
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", name);
  FILE* f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_new_uninitialized(out, (size_t)size);
  CHECK(fread(out->data, 1, (size_t)size, f) == (size_t)size);
  fclose(f);
}

static inline wasm_module_t* load_module(wasm_store_t* store, const char* name) {
  wasm_byte_vec_t bytes;
  load_module_bytes(name, &bytes);
  wasm_module_t* module = wasm_module_new(store, &bytes);
  wasm_byte_vec_delete(&bytes);
  CHECK(module != NULL);
  return module;
}

/* Checks that a trap's message is `want` followed by exactly one NUL. */
static inline void check_trap_message(const wasm_trap_t* trap, const char* want) {
  CHECK(trap != NULL);
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  CHECK(msg.size >= 1);
  CHECK(msg.data[msg.size - 1] == '\0');
  if (strcmp(msg.data, want) != 0 || msg.size != strlen(want) + 1) {
    fprintf(stderr, "trap message is \"%s\", expected \"%s\"\n", msg.data, want);
    exit(1);
  }
  wasm_byte_vec_delete(&msg);
}

/* Checks that a trap's message contains `part`. */
static inline void check_trap_contains(const wasm_trap_t* trap, const char* part) {
  CHECK(trap != NULL);
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  CHECK(msg.size >= 1 && msg.data[msg.size - 1] == '\0');
  if (strstr(msg.data, part) == NULL) {
    fprintf(stderr, "trap message \"%s\" does not contain \"%s\"\n", msg.data, part);
    exit(1);
  }
  wasm_byte_vec_delete(&msg);
}

static inline wasm_instance_t* instantiate(wasm_store_t* store, const wasm_module_t* module,
                                           wasm_extern_t* const* imports, size_t n) {
  wasm_extern_vec_t v = {n, (wasm_extern_t**)imports};
  wasm_trap_t* trap = NULL;
  wasm_instance_t* inst = wasm_instance_new(store, module, &v, &trap);
  if (!inst) {
    if (trap) {
      wasm_message_t msg;
      wasm_trap_message(trap, &msg);
      fprintf(stderr, "instantiation failed: %s\n", msg.data);
      wasm_byte_vec_delete(&msg);
      wasm_trap_delete(trap);
    }
    exit(1);
  }
  CHECK(trap == NULL);
  return inst;
}

/* Calls a function with i32 arguments and one i32 result; checks no trap. */
static inline int32_t call_i32(const wasm_func_t* f, int nargs, const int32_t* args) {
  wasm_val_t as[8];
  for (int i = 0; i < nargs; i++) {
    wasm_val_t v = WASM_I32_VAL(args[i]);
    as[i] = v;
  }
  wasm_val_t rs[1] = {WASM_INIT_VAL};
  wasm_val_vec_t av = {(size_t)nargs, as};
  wasm_val_vec_t rv = WASM_ARRAY_VEC(rs);
  wasm_trap_t* trap = wasm_func_call(f, &av, &rv);
  if (trap) {
    wasm_message_t msg;
    wasm_trap_message(trap, &msg);
    fprintf(stderr, "unexpected trap: %s\n", msg.data);
    exit(1);
  }
  CHECK(rs[0].kind == WASM_I32);
  return rs[0].of.i32;
}

#endif
