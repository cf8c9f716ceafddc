/* Instantiation errors: a trapping start function (reported through
 * trap_out, after its side effects happened), import vectors of the wrong
 * length or kinds (a trap naming the import), NULL arguments, and misuse
 * of wasm_func_call (wrong counts and kinds: a trap, never a crash). */
#include "common.h"

static int f_calls = 0;
static wasm_trap_t* f_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)results;
  CHECK_EQ_INT(args->data[0].of.i32, 99);
  f_calls++;
  return NULL;
}

static void expect_failure(wasm_store_t* store, wasm_module_t* module, wasm_extern_t** imports,
                           size_t n, const char* part) {
  wasm_extern_vec_t v = {n, imports};
  wasm_trap_t* trap = NULL;
  wasm_instance_t* inst = wasm_instance_new(store, module, &v, &trap);
  CHECK(inst == NULL);
  check_trap_contains(trap, part);
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  printf("refused: %s\n", msg.data);
  wasm_byte_vec_delete(&msg);
  wasm_trap_delete(trap);
  /* Without trap_out, just NULL. */
  CHECK(wasm_instance_new(store, module, &v, NULL) == NULL);
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "start.wasm");

  wasm_functype_t* fty = wasm_functype_new_1_0(wasm_valtype_new_i32());
  wasm_func_t* f = wasm_func_new(store, fty, f_cb);
  wasm_functype_delete(fty);
  wasm_globaltype_t* gty = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_CONST);
  wasm_val_t v99 = WASM_I32_VAL(99);
  wasm_global_t* g = wasm_global_new(store, gty, &v99);
  wasm_globaltype_delete(gty);

  /* The start function runs, calls the host, then traps. */
  wasm_extern_t* imports[] = {wasm_func_as_extern(f), wasm_global_as_extern(g)};
  wasm_extern_vec_t iv = WASM_ARRAY_VEC(imports);
  wasm_trap_t* trap = (wasm_trap_t*)1; /* must be overwritten */
  wasm_instance_t* inst = wasm_instance_new(store, module, &iv, &trap);
  CHECK(inst == NULL);
  check_trap_message(trap, "unreachable");
  wasm_frame_t* origin = wasm_trap_origin(trap);
  CHECK(origin != NULL);
  CHECK_EQ_INT(wasm_frame_func_index(origin), 1);
  wasm_frame_delete(origin);
  wasm_trap_delete(trap);
  CHECK_EQ_INT(f_calls, 1);

  /* Wrong import vectors: too short, too long, wrong kind, NULL entry. */
  expect_failure(store, module, imports, 1, "missing import #1 \"env\" \"g\"");
  expect_failure(store, module, NULL, 0, "missing import #0 \"env\" \"f\"");
  wasm_extern_t* three[] = {imports[0], imports[1], imports[1]};
  expect_failure(store, module, three, 3, "has 2 imports, 3 given");
  wasm_extern_t* swapped[] = {imports[1], imports[0]};
  expect_failure(store, module, swapped, 2, "import #0 \"env\" \"f\" must be a function, a global given");
  wasm_extern_t* with_null[] = {imports[0], NULL};
  expect_failure(store, module, with_null, 2, "import #1 \"env\" \"g\" is NULL");

  /* A type mismatch (function of another signature) names the import. */
  wasm_functype_t* other = wasm_functype_new_0_0();
  wasm_func_t* f0 = wasm_func_new(store, other, f_cb);
  wasm_functype_delete(other);
  wasm_extern_t* mistyped[] = {wasm_func_as_extern(f0), imports[1]};
  expect_failure(store, module, mistyped, 2, "env.f");

  /* NULL store or module. */
  trap = NULL;
  CHECK(wasm_instance_new(store, NULL, &iv, &trap) == NULL);
  check_trap_contains(trap, "module");
  wasm_trap_delete(trap);
  trap = NULL;
  CHECK(wasm_instance_new(NULL, module, &iv, &trap) == NULL);
  check_trap_contains(trap, "store");
  wasm_trap_delete(trap);

  /* wasm_func_call misuse: every case is a trap. */
  wasm_val_t one_i32[1] = {WASM_I32_VAL(99)};
  wasm_val_t two[2] = {WASM_I32_VAL(1), WASM_I32_VAL(2)};
  wasm_val_t one_i64[1] = {WASM_I64_VAL(99)};
  wasm_val_t out[1] = {WASM_INIT_VAL};
  wasm_val_vec_t a1 = WASM_ARRAY_VEC(one_i32), a2 = WASM_ARRAY_VEC(two), a64 = WASM_ARRAY_VEC(one_i64);
  wasm_val_vec_t none = WASM_EMPTY_VEC, r1 = WASM_ARRAY_VEC(out);
  trap = wasm_func_call(f, &a2, &none);
  check_trap_contains(trap, "takes 1 arguments, 2 given");
  wasm_trap_delete(trap);
  trap = wasm_func_call(f, &none, &none);
  check_trap_contains(trap, "takes 1 arguments, 0 given");
  wasm_trap_delete(trap);
  trap = wasm_func_call(f, NULL, NULL);
  check_trap_contains(trap, "arguments");
  wasm_trap_delete(trap);
  trap = wasm_func_call(f, &a64, &none);
  check_trap_contains(trap, "argument 0");
  wasm_trap_delete(trap);
  trap = wasm_func_call(f, &a1, &r1);
  check_trap_contains(trap, "results");
  wasm_trap_delete(trap);
  trap = wasm_func_call(NULL, &a1, &none);
  check_trap_contains(trap, "NULL");
  wasm_trap_delete(trap);
  wasm_val_t bad_kind[1] = {WASM_I32_VAL(0)};
  bad_kind[0].kind = 77;
  wasm_val_vec_t abad = WASM_ARRAY_VEC(bad_kind);
  trap = wasm_func_call(f, &abad, &none);
  check_trap_contains(trap, "invalid value kind");
  wasm_trap_delete(trap);
  /* And the right call still works. */
  CHECK(wasm_func_call(f, &a1, &none) == NULL);
  CHECK_EQ_INT(f_calls, 2);

  /* A module from bad bytes is NULL, and validation says no. */
  wasm_byte_vec_t junk;
  wasm_name_new_from_string(&junk, "\x01not wasm");
  CHECK(wasm_module_new(store, &junk) == NULL);
  CHECK(!wasm_module_validate(store, &junk));
  wasm_byte_vec_delete(&junk);

  printf("start ok\n");
  wasm_func_delete(f);
  wasm_func_delete(f0);
  wasm_global_delete(g);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
