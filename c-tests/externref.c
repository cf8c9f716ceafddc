/* Externref values carrying host references: foreign objects (with host
 * info) and functions pass through wasm parameters, results, a host
 * callback, a global and a table, and come back as the same objects; null
 * references stay null; wasm holds its references until the store goes,
 * and only then does the foreign object's finalizer run. */
#include "common.h"

static int touched = 0;
static wasm_trap_t* touch_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  CHECK(args->data[0].kind == WASM_EXTERNREF);
  CHECK(results->data[0].kind == WASM_EXTERNREF && results->data[0].of.ref == NULL);
  touched++;
  /* The argument is borrowed; the result is handed over, so copy it. */
  results->data[0].of.ref = args->data[0].of.ref ? wasm_ref_copy(args->data[0].of.ref) : NULL;
  return NULL;
}

static int finalized = 0;
static void finalize(void* p) {
  CHECK(p == &finalized);
  finalized++;
}

/* Calls export `i` with `args`, returns its single externref result. */
static wasm_ref_t* call_ref(const wasm_extern_vec_t* ex, size_t i, wasm_val_t* args, size_t n) {
  const wasm_func_t* f = wasm_extern_as_func_const(ex->data[i]);
  wasm_val_t res[1] = {WASM_INIT_VAL};
  wasm_val_vec_t av = {n, args};
  wasm_val_vec_t rv = {wasm_func_result_arity(f), res};
  CHECK(wasm_func_call(f, &av, &rv) == NULL);
  if (rv.size == 0) return NULL;
  CHECK(res[0].kind == WASM_EXTERNREF);
  return res[0].of.ref;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "externref.wasm");
  wasm_functype_t* ty = wasm_functype_new_1_1(wasm_valtype_new_externref(), wasm_valtype_new_externref());
  wasm_func_t* touch = wasm_func_new(store, ty, touch_cb);
  wasm_functype_delete(ty);
  wasm_extern_t* imports[] = {wasm_func_as_extern(touch)};
  wasm_instance_t* inst = instantiate(store, module, imports, 1);
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);

  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_foreign_set_host_info_with_finalizer(foreign, &finalized, finalize);
  wasm_ref_t* fref = wasm_foreign_as_ref(foreign);

  /* Through a parameter, the host callback and a result. */
  wasm_val_t arg[1] = {WASM_REF_VAL(fref)};
  wasm_ref_t* back = call_ref(&ex, 2, arg, 1);
  CHECK(back != NULL && back != fref);
  CHECK(wasm_ref_same(back, fref));
  CHECK(wasm_ref_as_foreign(back) != NULL);
  CHECK(wasm_foreign_same(wasm_ref_as_foreign(back), foreign));
  CHECK(wasm_ref_get_host_info(back) == &finalized);
  CHECK_EQ_INT(touched, 1);
  wasm_ref_delete(back);

  /* Null stays null. */
  wasm_val_t null_arg[1] = {WASM_REF_VAL(NULL)};
  CHECK(call_ref(&ex, 2, null_arg, 1) == NULL);
  {
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t av = WASM_ARRAY_VEC(null_arg), rv = WASM_ARRAY_VEC(r);
    CHECK(wasm_func_call(wasm_extern_as_func(ex.data[7]), &av, &rv) == NULL);
    CHECK_EQ_INT(r[0].of.i32, 1);
    wasm_val_vec_t av2 = WASM_ARRAY_VEC(arg);
    CHECK(wasm_func_call(wasm_extern_as_func(ex.data[7]), &av2, &rv) == NULL);
    CHECK_EQ_INT(r[0].of.i32, 0);
  }

  /* Through a global: set by wasm, read by the host, set by the host. */
  call_ref(&ex, 3, arg, 1);
  wasm_global_t* glob = wasm_extern_as_global(ex.data[0]);
  wasm_val_t gv;
  wasm_global_get(glob, &gv);
  CHECK(gv.kind == WASM_EXTERNREF && wasm_ref_same(gv.of.ref, fref));
  wasm_val_delete(&gv);
  wasm_func_t* as_func = touch;
  wasm_val_t fval = WASM_REF_VAL(wasm_func_as_ref(as_func));
  wasm_global_set(glob, &fval);
  back = call_ref(&ex, 4, NULL, 0);
  CHECK(back != NULL && wasm_ref_as_func(back) != NULL);
  CHECK(wasm_func_same(wasm_ref_as_func(back), touch));
  wasm_ref_delete(back);

  /* Through a table: the host sets, wasm reads, and back. */
  wasm_table_t* table = wasm_extern_as_table(ex.data[1]);
  CHECK(wasm_table_set(table, 0, fref));
  wasm_val_t idx0[1] = {WASM_I32_VAL(0)};
  back = call_ref(&ex, 6, idx0, 1);
  CHECK(wasm_ref_same(back, fref));
  wasm_ref_delete(back);
  wasm_val_t set_args[2] = {WASM_I32_VAL(1), WASM_REF_VAL(fref)};
  call_ref(&ex, 5, set_args, 2);
  back = wasm_table_get(table, 1);
  CHECK(back && wasm_ref_same(back, fref));
  wasm_ref_delete(back);
  CHECK(wasm_table_grow(table, 2, fref));
  back = wasm_table_get(table, 3);
  CHECK(back && wasm_ref_same(back, fref));
  wasm_ref_delete(back);

  /* A value copy owns its own reference. */
  wasm_val_t copy;
  wasm_val_copy(&copy, &arg[0]);
  CHECK(copy.of.ref != fref && wasm_ref_same(copy.of.ref, fref));
  wasm_val_delete(&copy);
  wasm_val_vec_t vs, vs2;
  wasm_val_vec_new(&vs, 1, arg);
  wasm_val_vec_copy(&vs2, &vs);
  CHECK(wasm_ref_same(vs2.data[0].of.ref, fref));
  wasm_val_vec_delete(&vs2);
  /* vs only borrowed fref: clear it before deleting the vector. */
  vs.data[0].of.ref = NULL;
  wasm_val_vec_delete(&vs);

  /* wasm still holds the foreign object: it lives until the store goes. */
  wasm_foreign_delete(foreign);
  CHECK_EQ_INT(finalized, 0);
  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_func_delete(touch);
  wasm_module_delete(module);
  wasm_store_delete(store);
  CHECK_EQ_INT(finalized, 1);
  wasm_engine_delete(engine);
  printf("externref ok\n");
  return 0;
}
