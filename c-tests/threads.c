/* Threads: one engine and one module shared by 10 threads through
 * wasm_module_share/wasm_module_obtain; each thread has its own store,
 * instantiates the module many times with its own host function and
 * global, and calls into it. */
#include <pthread.h>

#include "common.h"

#define N_THREADS 10

static wasm_engine_t* engine;
static wasm_shared_module_t* shared;
static int iterations = 200;
static int counts[N_THREADS];

static wasm_trap_t* callback(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)results;
  int id = (int)(intptr_t)env;
  CHECK_EQ_INT(args->data[0].of.i32, id);
  counts[id]++;
  return NULL;
}

static void* run(void* arg) {
  int id = (int)(intptr_t)arg;
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = wasm_module_obtain(store, shared);
  CHECK(module != NULL);
  wasm_functype_t* fty = wasm_functype_new_1_0(wasm_valtype_new_i32());
  wasm_globaltype_t* gty = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  for (int i = 0; i < iterations; i++) {
    wasm_func_t* f = wasm_func_new_with_env(store, fty, callback, (void*)(intptr_t)id, NULL);
    wasm_val_t v = WASM_I32_VAL(id);
    wasm_global_t* g = wasm_global_new(store, gty, &v);
    wasm_extern_t* imports[] = {wasm_func_as_extern(f), wasm_global_as_extern(g)};
    wasm_instance_t* inst = instantiate(store, module, imports, 2);
    wasm_extern_vec_t ex;
    wasm_instance_exports(inst, &ex);
    wasm_val_vec_t none = WASM_EMPTY_VEC, res = WASM_EMPTY_VEC;
    CHECK(wasm_func_call(wasm_extern_as_func(ex.data[0]), &none, &res) == NULL);
    wasm_extern_vec_delete(&ex);
    wasm_instance_delete(inst);
    wasm_global_delete(g);
    wasm_func_delete(f);
  }
  wasm_functype_delete(fty);
  wasm_globaltype_delete(gty);
  wasm_module_delete(module);
  wasm_store_delete(store);
  return NULL;
}

int main(void) {
  if (getenv("WEFT_UNDER_VALGRIND") && *getenv("WEFT_UNDER_VALGRIND")) iterations = 20;
  engine = wasm_engine_new();
  {
    wasm_store_t* store = wasm_store_new(engine);
    wasm_module_t* module = load_module(store, "threads.wasm");
    shared = wasm_module_share(module);
    CHECK(shared != NULL);
    wasm_module_delete(module);
    wasm_store_delete(store);
  }
  pthread_t threads[N_THREADS];
  for (int i = 0; i < N_THREADS; i++) {
    CHECK(pthread_create(&threads[i], NULL, run, (void*)(intptr_t)i) == 0);
  }
  for (int i = 0; i < N_THREADS; i++) pthread_join(threads[i], NULL);
  for (int i = 0; i < N_THREADS; i++) CHECK_EQ_INT(counts[i], iterations);
  printf("%d threads x %d calls ok\n", N_THREADS, iterations);
  wasm_shared_module_delete(shared);
  wasm_engine_delete(engine);
  return 0;
}
