/* Tables: call_indirect through an exported table and through a
 * stand-alone host table that the module imports, host functions in
 * tables, get/set/size/grow from the host and from wasm, out-of-bounds
 * and null elements, and signature mismatches. */
#include "common.h"

static wasm_trap_t* double_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 * 2;
  return NULL;
}

static wasm_trap_t* call2(const wasm_func_t* f, int32_t a, int32_t b, int32_t* out) {
  wasm_val_t args[2] = {WASM_I32_VAL(a), WASM_I32_VAL(b)};
  wasm_val_t res[1] = {WASM_INIT_VAL};
  wasm_val_vec_t av = WASM_ARRAY_VEC(args);
  wasm_val_vec_t rv = WASM_ARRAY_VEC(res);
  wasm_trap_t* trap = wasm_func_call(f, &av, &rv);
  if (!trap && out) *out = res[0].of.i32;
  return trap;
}

static int32_t ok2(const wasm_func_t* f, int32_t a, int32_t b) {
  int32_t r = 0;
  wasm_trap_t* trap = call2(f, a, b, &r);
  CHECK(trap == NULL);
  return r;
}

static void expect_trap(const wasm_func_t* f, int32_t a, int32_t b, const char* msg) {
  wasm_trap_t* trap = call2(f, a, b, NULL);
  check_trap_message(trap, msg);
  wasm_trap_delete(trap);
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "table.wasm");

  wasm_functype_t* i2i = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* host_double = wasm_func_new(store, i2i, double_cb);
  wasm_limits_t lim = {2, 10};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &lim);
  wasm_table_t* host_table = wasm_table_new(store, tt, NULL);
  CHECK(host_table != NULL);
  CHECK_EQ_INT(wasm_table_size(host_table), 2);
  CHECK(wasm_table_get(host_table, 0) == NULL);

  wasm_extern_t* imports[] = {wasm_func_as_extern(host_double), wasm_table_as_extern(host_table)};
  wasm_instance_t* inst = instantiate(store, module, imports, 2);
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  CHECK_EQ_INT(ex.size, 7);
  wasm_table_t* table = wasm_extern_as_table(ex.data[0]);
  const wasm_func_t* inc = wasm_extern_as_func(ex.data[1]);
  const wasm_func_t* call_own = wasm_extern_as_func(ex.data[2]);
  const wasm_func_t* call_imported = wasm_extern_as_func(ex.data[3]);
  const wasm_func_t* size = wasm_extern_as_func(ex.data[4]);
  const wasm_func_t* grow = wasm_extern_as_func(ex.data[5]);
  const wasm_func_t* get_nullary = wasm_extern_as_func(ex.data[6]);
  CHECK(table && inc && call_own && call_imported && size && grow && get_nullary);

  /* Type. */
  wasm_tabletype_t* t = wasm_table_type(table);
  CHECK_EQ_INT(wasm_valtype_kind(wasm_tabletype_element(t)), WASM_FUNCREF);
  CHECK_EQ_INT(wasm_tabletype_limits(t)->min, 3);
  CHECK_EQ_INT(wasm_tabletype_limits(t)->max, 5);
  wasm_tabletype_delete(t);

  /* call_indirect through the element segment: a wasm and a host function. */
  CHECK_EQ_INT(ok2(call_own, 0, 41), 42);
  CHECK_EQ_INT(ok2(call_own, 1, 21), 42);
  expect_trap(call_own, 2, 0, "uninitialized element");
  expect_trap(call_own, 3, 0, "undefined element");

  /* Elements as seen by the host. */
  wasm_ref_t* r0 = wasm_table_get(table, 0);
  CHECK(r0 != NULL);
  CHECK(wasm_func_same(wasm_ref_as_func(r0), inc));
  wasm_ref_t* r1 = wasm_table_get(table, 1);
  CHECK(wasm_func_same(wasm_ref_as_func(r1), host_double));
  CHECK(wasm_table_get(table, 2) == NULL);
  CHECK(wasm_table_get(table, 99) == NULL);

  /* Host writes: a host function into the imported table, then calls. */
  CHECK(wasm_table_set(host_table, 1, wasm_func_as_ref(host_double)));
  CHECK_EQ_INT(ok2(call_imported, 1, 8), 16);
  CHECK(wasm_table_set(host_table, 0, r0));
  CHECK_EQ_INT(ok2(call_imported, 0, 8), 9);
  CHECK(!wasm_table_set(host_table, 2, r0));
  CHECK(wasm_table_set(host_table, 0, NULL));
  expect_trap(call_imported, 0, 0, "uninitialized element");

  /* A function of another signature. */
  wasm_val_t res[1] = {WASM_INIT_VAL};
  wasm_val_vec_t none = WASM_EMPTY_VEC, rv = WASM_ARRAY_VEC(res);
  CHECK(wasm_func_call(get_nullary, &none, &rv) == NULL);
  CHECK(res[0].kind == WASM_FUNCREF && res[0].of.ref != NULL);
  CHECK(wasm_table_set(table, 2, res[0].of.ref));
  expect_trap(call_own, 2, 0, "indirect call type mismatch");
  wasm_val_delete(&res[0]);

  /* Growth from wasm (with ref.func init) and from the host. */
  /* (size takes no arguments: giving it two is a trap, not a crash) */
  wasm_trap_t* usage = call2(size, 0, 0, NULL);
  check_trap_contains(usage, "arguments");
  wasm_trap_delete(usage);
  CHECK_EQ_INT(call_i32(size, 0, NULL), 3);
  const int32_t one = 1;
  CHECK_EQ_INT(call_i32(grow, 1, &one), 3);
  CHECK_EQ_INT(wasm_table_size(table), 4);
  CHECK_EQ_INT(ok2(call_own, 3, 5), -5);
  CHECK(wasm_table_grow(table, 1, wasm_func_as_ref(host_double)));
  CHECK_EQ_INT(wasm_table_size(table), 5);
  CHECK_EQ_INT(ok2(call_own, 4, 5), 10);
  CHECK(!wasm_table_grow(table, 1, NULL));
  CHECK_EQ_INT(call_i32(grow, 1, &one), -1);
  CHECK(wasm_table_grow(host_table, 3, NULL));
  CHECK_EQ_INT(wasm_table_size(host_table), 5);
  CHECK(wasm_table_get(host_table, 4) == NULL);

  /* A non-function cannot go in a funcref table. */
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  CHECK(!wasm_table_set(table, 0, wasm_foreign_as_ref(foreign)));
  wasm_foreign_delete(foreign);

  printf("table ok\n");
  wasm_ref_delete(r0);
  wasm_ref_delete(r1);
  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_func_delete(host_double);
  wasm_table_delete(host_table);
  wasm_tabletype_delete(tt);
  wasm_functype_delete(i2i);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
