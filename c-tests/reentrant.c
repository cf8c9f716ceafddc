/* Re-entrancy: a host callback, called from wasm, uses the store of its
 * caller: it reads and writes the instance's memory, calls back into wasm
 * (twice nested), and creates and deletes objects; all of it must behave
 * as outside a call. */
#include "common.h"

static wasm_memory_t* mem = NULL;
static const wasm_func_t* square = NULL;
static const wasm_func_t* run = NULL;
static wasm_store_t* the_store = NULL;
static int depth = 0;

static wasm_trap_t* host_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  int32_t x = args->data[0].of.i32;
  depth++;
  /* Call back into wasm. */
  int32_t sq = call_i32(square, 1, &x);
  /* Recurse once through wasm: run -> host -> run -> host. */
  if (x > 100) {
    int32_t small = x - 100;
    int32_t inner = call_i32(run, 1, &small);
    CHECK_EQ_INT(inner, small * small + 1);
  }
  /* Write the instance's memory; wasm reads it after we return. */
  byte_t* data = wasm_memory_data(mem);
  CHECK(data != NULL && wasm_memory_data_size(mem) == 65536);
  memcpy(data, &sq, sizeof sq);
  /* Objects can be created and deleted during a call. */
  wasm_foreign_t* f = wasm_foreign_new(the_store);
  wasm_foreign_delete(f);
  wasm_limits_t lim = {0, 1};
  wasm_memorytype_t* mt = wasm_memorytype_new(&lim);
  wasm_memory_t* m = wasm_memory_new(the_store, mt);
  CHECK(m != NULL && wasm_memory_size(m) == 0);
  wasm_memory_delete(m);
  wasm_memorytype_delete(mt);
  /* Growing the caller's memory is allowed too. */
  CHECK(wasm_memory_grow(mem, 0));
  results->data[0].of.i32 = sq + 1;
  depth--;
  return NULL;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  the_store = wasm_store_new(engine);
  wasm_module_t* module = load_module(the_store, "reentrant.wasm");
  wasm_functype_t* ty = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* host = wasm_func_new(the_store, ty, host_cb);
  wasm_functype_delete(ty);
  wasm_extern_t* imports[] = {wasm_func_as_extern(host)};
  wasm_instance_t* inst = instantiate(the_store, module, imports, 1);
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  mem = wasm_extern_as_memory(ex.data[0]);
  square = wasm_extern_as_func(ex.data[1]);
  run = wasm_extern_as_func(ex.data[2]);
  const wasm_func_t* peek = wasm_extern_as_func(ex.data[3]);

  int32_t seven = 7;
  CHECK_EQ_INT(call_i32(run, 1, &seven), 50);
  CHECK_EQ_INT(call_i32(peek, 0, NULL), 49);
  int32_t big = 103;
  CHECK_EQ_INT(call_i32(run, 1, &big), 103 * 103 + 1);
  CHECK_EQ_INT(call_i32(peek, 0, NULL), 103 * 103);
  CHECK_EQ_INT(depth, 0);
  /* The host function called directly re-enters too. */
  CHECK_EQ_INT(call_i32(host, 1, &seven), 50);

  printf("reentrant ok\n");
  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_func_delete(host);
  wasm_module_delete(module);
  wasm_store_delete(the_store);
  wasm_engine_delete(engine);
  return 0;
}
