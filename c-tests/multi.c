/* Multiple values in both directions: the host calls wasm with four
 * parameters and gets four results, and wasm calls a host callback that
 * returns four results in another order. */
#include "common.h"

static int swaps = 0;
static wasm_trap_t* swap_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  CHECK(args->size == 4 && results->size == 4);
  CHECK(results->data[0].kind == WASM_F64 && results->data[3].kind == WASM_I32);
  results->data[0] = args->data[3];
  results->data[1] = args->data[2];
  results->data[2] = args->data[1];
  results->data[3] = args->data[0];
  swaps++;
  return NULL;
}

static wasm_trap_t* bad_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  /* Results of the wrong kinds: the caller gets a trap. */
  results->data[0] = args->data[0];
  return NULL;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "multi.wasm");
  wasm_valtype_t* ps[] = {wasm_valtype_new_i32(), wasm_valtype_new_i64(), wasm_valtype_new_f32(),
                          wasm_valtype_new_f64()};
  wasm_valtype_t* rs[] = {wasm_valtype_new_f64(), wasm_valtype_new_f32(), wasm_valtype_new_i64(),
                          wasm_valtype_new_i32()};
  wasm_valtype_vec_t pv, rv;
  wasm_valtype_vec_new(&pv, 4, ps);
  wasm_valtype_vec_new(&rv, 4, rs);
  wasm_functype_t* ty = wasm_functype_new(&pv, &rv);
  wasm_func_t* swap = wasm_func_new(store, ty, swap_cb);
  wasm_extern_t* imports[] = {wasm_func_as_extern(swap)};
  wasm_instance_t* inst = instantiate(store, module, imports, 1);
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  const wasm_func_t* roundtrip = wasm_extern_as_func_const(ex.data[0]);
  const wasm_func_t* pair = wasm_extern_as_func_const(ex.data[1]);

  wasm_val_t args[4] = {WASM_I32_VAL(1), WASM_I64_VAL(-2), WASM_F32_VAL(3.5f), WASM_F64_VAL(4.25)};
  wasm_val_t results[4] = {WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t av = WASM_ARRAY_VEC(args), resv = WASM_ARRAY_VEC(results);
  CHECK(wasm_func_call(roundtrip, &av, &resv) == NULL);
  printf("roundtrip -> %g %g %lld %d\n", results[0].of.f64, (double)results[1].of.f32,
         (long long)results[2].of.i64, results[3].of.i32);
  CHECK(results[0].kind == WASM_F64 && results[0].of.f64 == 4.25);
  CHECK(results[1].kind == WASM_F32 && results[1].of.f32 == 3.5f);
  CHECK(results[2].kind == WASM_I64 && results[2].of.i64 == -2);
  CHECK(results[3].kind == WASM_I32 && results[3].of.i32 == 1);
  CHECK_EQ_INT(swaps, 1);

  wasm_val_t one[1] = {WASM_I32_VAL(7)};
  wasm_val_t two[2] = {WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t onev = WASM_ARRAY_VEC(one), twov = WASM_ARRAY_VEC(two);
  CHECK(wasm_func_call(pair, &onev, &twov) == NULL);
  CHECK(two[0].of.i32 == 7 && two[1].of.i32 == 21);

  /* The host function called directly. */
  CHECK(wasm_func_call(swap, &av, &resv) == NULL);
  CHECK(results[3].of.i32 == 1 && results[0].of.f64 == 4.25);

  /* A callback whose results have the wrong kinds gives a trap. */
  wasm_func_t* bad = wasm_func_new(store, ty, bad_cb);
  wasm_trap_t* trap = wasm_func_call(bad, &av, &resv);
  check_trap_contains(trap, "result 0");
  wasm_trap_delete(trap);

  printf("multi ok\n");
  wasm_functype_delete(ty);
  wasm_func_delete(bad);
  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_func_delete(swap);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
