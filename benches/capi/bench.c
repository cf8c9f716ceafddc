/* Costs of the C API's call paths, in nanoseconds (a report, not a gate):
 * one wasm_func_call of an empty wasm function, and one wasm-to-host
 * callback round trip (measured as a wasm loop calling an empty host
 * function). */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <wasm.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static wasm_trap_t* nop_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)args;
  (void)results;
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: bench MODULE.wasm\n");
    return 2;
  }
  FILE* f = fopen(argv[1], "rb");
  if (!f) return 1;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_t bytes;
  wasm_byte_vec_new_uninitialized(&bytes, (size_t)size);
  if (fread(bytes.data, 1, (size_t)size, f) != (size_t)size) return 1;
  fclose(f);

  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = wasm_module_new(store, &bytes);
  wasm_byte_vec_delete(&bytes);
  if (!module) return 1;
  wasm_functype_t* ty = wasm_functype_new_0_0();
  wasm_func_t* nop = wasm_func_new(store, ty, nop_cb);
  wasm_functype_delete(ty);
  wasm_extern_t* imports[] = {wasm_func_as_extern(nop)};
  wasm_extern_vec_t iv = WASM_ARRAY_VEC(imports);
  wasm_instance_t* inst = wasm_instance_new(store, module, &iv, NULL);
  if (!inst) return 1;
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  const wasm_func_t* empty = wasm_extern_as_func(ex.data[0]);
  const wasm_func_t* loop = wasm_extern_as_func(ex.data[1]);

  const int n = 2000000;
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  for (int i = 0; i < n / 10; i++) wasm_func_call(empty, &none, &none);
  double t0 = now_ns();
  for (int i = 0; i < n; i++) {
    wasm_trap_t* trap = wasm_func_call(empty, &none, &none);
    if (trap) return 1;
  }
  double call_ns = (now_ns() - t0) / n;

  wasm_val_t arg[1] = {WASM_I32_VAL(n)};
  wasm_val_vec_t av = WASM_ARRAY_VEC(arg);
  t0 = now_ns();
  if (wasm_func_call(loop, &av, &none)) return 1;
  double host_ns = (now_ns() - t0) / n;

  printf("wasm_func_call of an empty function: %.1f ns\n", call_ns);
  printf("wasm-to-host callback round trip:    %.1f ns\n", host_ns);

  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_func_delete(nop);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
