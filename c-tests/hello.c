/* Host callbacks without and with an environment: wasm calls both, the
 * host calls them directly too, and the environment's finalizer runs
 * exactly once, when the store goes. */
#include "common.h"

static int hello_calls = 0;
static int env_finalized = 0;

static wasm_trap_t* hello_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  CHECK(args->size == 1 && results->size == 1);
  CHECK(args->data[0].kind == WASM_I32);
  CHECK(results->data[0].kind == WASM_I32);
  hello_calls++;
  printf("hello(%d)\n", args->data[0].of.i32);
  results->data[0].of.i32 = args->data[0].of.i32 * 2;
  return NULL;
}

typedef struct {
  int calls;
} add_env_t;

static wasm_trap_t* add_cb(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  add_env_t* e = (add_env_t*)env;
  e->calls++;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + args->data[1].of.i32;
  return NULL;
}

static void add_env_finalize(void* env) {
  CHECK(((add_env_t*)env)->calls == 2);
  env_finalized++;
  free(env);
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "hello.wasm");

  wasm_functype_t* hello_ty = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* hello = wasm_func_new(store, hello_ty, hello_cb);
  wasm_functype_t* add_ty = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                                                  wasm_valtype_new_i32());
  add_env_t* env = (add_env_t*)calloc(1, sizeof(add_env_t));
  wasm_func_t* add = wasm_func_new_with_env(store, add_ty, add_cb, env, add_env_finalize);
  CHECK(hello && add);
  CHECK_EQ_INT(wasm_func_param_arity(add), 2);
  CHECK_EQ_INT(wasm_func_result_arity(add), 1);
  wasm_functype_delete(hello_ty);
  wasm_functype_delete(add_ty);

  wasm_extern_t* imports[] = {wasm_func_as_extern(hello), wasm_func_as_extern(add)};
  wasm_instance_t* instance = instantiate(store, module, imports, 2);
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  CHECK_EQ_INT(exports.size, 1);
  const wasm_func_t* run = wasm_extern_as_func_const(exports.data[0]);
  CHECK(run != NULL);

  int32_t arg = 5;
  int32_t r = call_i32(run, 1, &arg);
  printf("run(5) = %d\n", r);
  CHECK_EQ_INT(r, 110);
  CHECK_EQ_INT(hello_calls, 1);
  CHECK_EQ_INT(env->calls, 1);

  /* The host calls its own functions directly. */
  int32_t two[2] = {20, 22};
  CHECK_EQ_INT(call_i32(add, 2, two), 42);
  CHECK_EQ_INT(env->calls, 2);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_func_delete(hello);
  wasm_func_delete(add);
  CHECK_EQ_INT(env_finalized, 0);
  wasm_store_delete(store);
  CHECK_EQ_INT(env_finalized, 1);
  wasm_engine_delete(engine);
  printf("ok\n");
  return 0;
}
