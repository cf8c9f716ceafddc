/* Globals: stand-alone host globals imported by a module (the same
 * storage on both sides), exported globals read and written from the host
 * and from wasm, types, identity (`same`), host info shared by handles,
 * and writes that must be refused. */
#include "common.h"

static wasm_val_t call1(const wasm_extern_vec_t* ex, size_t i, const wasm_val_t* arg) {
  const wasm_func_t* f = wasm_extern_as_func_const(ex->data[i]);
  CHECK(f != NULL);
  wasm_val_t args[1];
  wasm_val_vec_t av = {0, NULL};
  if (arg) {
    args[0] = *arg;
    av.size = 1;
    av.data = args;
  }
  wasm_val_t res[1] = {WASM_INIT_VAL};
  wasm_val_vec_t rv = {wasm_func_result_arity(f), res};
  wasm_trap_t* trap = wasm_func_call(f, &av, &rv);
  CHECK(trap == NULL);
  return res[0];
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "globals.wasm");

  wasm_globaltype_t* const_ty = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  wasm_globaltype_t* var_ty = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  wasm_val_t seven = WASM_I32_VAL(7);
  wasm_val_t hundred = WASM_I64_VAL(100);
  wasm_global_t* const_g = wasm_global_new(store, const_ty, &seven);
  wasm_global_t* var_g = wasm_global_new(store, var_ty, &hundred);
  CHECK(const_g && var_g);
  /* A value of the wrong kind is refused. */
  CHECK(wasm_global_new(store, const_ty, &hundred) == NULL);
  wasm_globaltype_delete(const_ty);
  wasm_globaltype_delete(var_ty);

  wasm_extern_t* imports[] = {wasm_global_as_extern(const_g), wasm_global_as_extern(var_g)};
  wasm_instance_t* inst = instantiate(store, module, imports, 2);
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  CHECK_EQ_INT(ex.size, 8);

  /* Types of the exported globals. */
  wasm_global_t* exp_const = wasm_extern_as_global(ex.data[0]);
  wasm_global_t* exp_var = wasm_extern_as_global(ex.data[1]);
  wasm_global_t* exp_imp_var = wasm_extern_as_global(ex.data[7]);
  CHECK(exp_const && exp_var && exp_imp_var);
  CHECK(wasm_extern_as_func(ex.data[0]) == NULL);
  wasm_globaltype_t* t = wasm_global_type(exp_const);
  CHECK_EQ_INT(wasm_valtype_kind(wasm_globaltype_content(t)), WASM_F32);
  CHECK_EQ_INT(wasm_globaltype_mutability(t), WASM_CONST);
  wasm_globaltype_delete(t);
  t = wasm_global_type(exp_var);
  CHECK_EQ_INT(wasm_valtype_kind(wasm_globaltype_content(t)), WASM_F64);
  CHECK_EQ_INT(wasm_globaltype_mutability(t), WASM_VAR);
  wasm_globaltype_delete(t);

  /* Reads. */
  wasm_val_t v;
  wasm_global_get(exp_const, &v);
  CHECK(v.kind == WASM_F32 && v.of.f32 == 1.5f);
  wasm_global_get(exp_var, &v);
  CHECK(v.kind == WASM_F64 && v.of.f64 == 2.25);
  v = call1(&ex, 2, NULL);
  CHECK_EQ_INT(v.of.i32, 7);
  v = call1(&ex, 3, NULL);
  CHECK_EQ_INT(v.of.i64, 100);

  /* The host writes an imported global; wasm sees it, and back. */
  wasm_val_t two_hundred = WASM_I64_VAL(200);
  wasm_global_set(var_g, &two_hundred);
  v = call1(&ex, 3, NULL);
  CHECK_EQ_INT(v.of.i64, 200);
  wasm_val_t three_hundred = WASM_I64_VAL(300);
  call1(&ex, 4, &three_hundred);
  wasm_global_get(var_g, &v);
  CHECK_EQ_INT(v.of.i64, 300);
  wasm_global_get(exp_imp_var, &v);
  CHECK_EQ_INT(v.of.i64, 300);

  /* The host writes an exported global; wasm sees it, and back. */
  wasm_val_t f = WASM_F64_VAL(8.5);
  wasm_global_set(exp_var, &f);
  v = call1(&ex, 5, NULL);
  CHECK(v.kind == WASM_F64 && v.of.f64 == 8.5);
  wasm_val_t g = WASM_F64_VAL(-1.25);
  call1(&ex, 6, &g);
  wasm_global_get(exp_var, &v);
  CHECK(v.of.f64 == -1.25);

  /* Refused writes: an immutable global, a value of the wrong kind. */
  wasm_val_t nine = WASM_I32_VAL(9);
  wasm_global_set(const_g, &nine);
  wasm_global_get(const_g, &v);
  CHECK_EQ_INT(v.of.i32, 7);
  wasm_global_set(var_g, &nine);
  wasm_global_get(var_g, &v);
  CHECK(v.kind == WASM_I64 && v.of.i64 == 300);

  /* Identity: the re-exported import is the host's global. */
  CHECK(wasm_global_same(exp_imp_var, var_g));
  CHECK(!wasm_global_same(exp_imp_var, const_g));
  CHECK(!wasm_global_same(exp_const, exp_var));
  wasm_global_t* copy = wasm_global_copy(exp_var);
  CHECK(wasm_global_same(copy, exp_var));
  CHECK(wasm_extern_same(ex.data[7], wasm_global_as_extern(var_g)));

  /* Host info is per global, shared by all its handles. */
  static int marker;
  wasm_global_set_host_info(var_g, &marker);
  CHECK(wasm_global_get_host_info(exp_imp_var) == &marker);
  CHECK(wasm_global_get_host_info(exp_var) == NULL);
  CHECK(wasm_ref_get_host_info(wasm_global_as_ref(var_g)) == &marker);
  CHECK(wasm_ref_as_global(wasm_global_as_ref(var_g)) == var_g);
  CHECK(wasm_ref_as_func(wasm_global_as_ref(var_g)) == NULL);

  /* NULL arguments are tolerated. */
  wasm_global_set(NULL, &nine);
  wasm_global_get(NULL, &v);
  CHECK(wasm_global_type(NULL) == NULL);

  printf("globals ok\n");
  wasm_global_delete(copy);
  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_global_delete(const_g);
  wasm_global_delete(var_g);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
