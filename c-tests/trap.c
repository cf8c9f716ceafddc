/* Traps: from wasm (unreachable, division by zero) and from a host
 * callback, with their NUL-terminated messages, origin and trace
 * (innermost first, with instance, function index and offsets), traps
 * made by the host, copies, identity and host info on traps. */
#include "common.h"

static wasm_trap_t* fail_cb(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)args;
  (void)results;
  wasm_message_t msg;
  wasm_name_new_from_string_nt(&msg, "host says no");
  wasm_trap_t* trap = wasm_trap_new((wasm_store_t*)env, &msg);
  wasm_byte_vec_delete(&msg);
  return trap;
}

static wasm_trap_t* call0(const wasm_extern_vec_t* ex, size_t i) {
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_val_vec_t res = WASM_EMPTY_VEC;
  return wasm_func_call(wasm_extern_as_func_const(ex->data[i]), &none, &res);
}

static int finalized = 0;
static void finalize(void* p) {
  CHECK(p == &finalized);
  finalized++;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "trap.wasm");
  wasm_functype_t* ty = wasm_functype_new_0_0();
  wasm_func_t* fail = wasm_func_new_with_env(store, ty, fail_cb, store, NULL);
  wasm_functype_delete(ty);
  wasm_extern_t* imports[] = {wasm_func_as_extern(fail)};
  wasm_instance_t* inst = instantiate(store, module, imports, 1);
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  CHECK_EQ_INT(ex.size, 4);

  /* unreachable: message, origin in function 1 of our instance. */
  wasm_trap_t* trap = call0(&ex, 0);
  check_trap_message(trap, "unreachable");
  wasm_frame_t* origin = wasm_trap_origin(trap);
  CHECK(origin != NULL);
  CHECK_EQ_INT(wasm_frame_func_index(origin), 1);
  CHECK(wasm_instance_same(wasm_frame_instance(origin), inst));
  CHECK(wasm_frame_module_offset(origin) > wasm_frame_func_offset(origin));
  wasm_frame_t* origin2 = wasm_frame_copy(origin);
  CHECK_EQ_INT(wasm_frame_func_index(origin2), 1);
  CHECK_EQ_INT(wasm_frame_module_offset(origin2), wasm_frame_module_offset(origin));
  wasm_frame_delete(origin2);
  wasm_frame_delete(origin);
  wasm_trap_delete(trap);

  /* A nested trap: the trace is innermost first. */
  trap = call0(&ex, 1);
  check_trap_message(trap, "unreachable");
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  CHECK_EQ_INT(trace.size, 3);
  CHECK_EQ_INT(wasm_frame_func_index(trace.data[0]), 1);
  CHECK_EQ_INT(wasm_frame_func_index(trace.data[1]), 2);
  CHECK_EQ_INT(wasm_frame_func_index(trace.data[2]), 3);
  for (size_t i = 0; i < trace.size; i++) {
    CHECK(wasm_instance_same(wasm_frame_instance(trace.data[i]), inst));
    printf("frame %zu: func %u, func offset %zu, module offset %zu\n", i,
           wasm_frame_func_index(trace.data[i]), wasm_frame_func_offset(trace.data[i]),
           wasm_frame_module_offset(trace.data[i]));
  }
  wasm_frame_vec_t trace2;
  wasm_frame_vec_copy(&trace2, &trace);
  CHECK_EQ_INT(trace2.size, 3);
  CHECK_EQ_INT(wasm_frame_func_index(trace2.data[2]), 3);
  wasm_frame_vec_delete(&trace2);
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);

  /* A host callback's trap goes through wasm to the caller. */
  trap = call0(&ex, 2);
  check_trap_message(trap, "host says no");
  origin = wasm_trap_origin(trap);
  CHECK(origin != NULL);
  CHECK_EQ_INT(wasm_frame_func_index(origin), 4);
  wasm_frame_delete(origin);
  wasm_trap_delete(trap);

  /* Arithmetic traps. */
  int32_t zero = 0;
  wasm_val_t arg[1] = {WASM_I32_VAL(zero)};
  wasm_val_t res[1] = {WASM_INIT_VAL};
  wasm_val_vec_t av = WASM_ARRAY_VEC(arg), rv = WASM_ARRAY_VEC(res);
  trap = wasm_func_call(wasm_extern_as_func(ex.data[3]), &av, &rv);
  check_trap_message(trap, "integer divide by zero");
  wasm_trap_delete(trap);

  /* A trap made by the host: no origin, empty trace; copies are the same
   * trap and share host info, whose finalizer runs once at the end. */
  wasm_message_t msg;
  wasm_name_new_from_string_nt(&msg, "made here");
  trap = wasm_trap_new(store, &msg);
  wasm_byte_vec_delete(&msg);
  check_trap_message(trap, "made here");
  CHECK(wasm_trap_origin(trap) == NULL);
  wasm_trap_trace(trap, &trace);
  CHECK_EQ_INT(trace.size, 0);
  wasm_frame_vec_delete(&trace);
  wasm_trap_t* copy = wasm_trap_copy(trap);
  CHECK(wasm_trap_same(trap, copy));
  wasm_trap_set_host_info_with_finalizer(trap, &finalized, finalize);
  CHECK(wasm_trap_get_host_info(copy) == &finalized);
  const wasm_ref_t* as_ref = wasm_trap_as_ref_const(copy);
  CHECK(wasm_ref_as_trap_const(as_ref) == copy);
  CHECK(wasm_ref_as_module_const(as_ref) == NULL);
  wasm_trap_delete(trap);
  CHECK_EQ_INT(finalized, 0);
  wasm_trap_delete(copy);
  CHECK_EQ_INT(finalized, 1);

  /* A message without a NUL gets one. */
  wasm_name_new_from_string(&msg, "no nul");
  trap = wasm_trap_new(store, &msg);
  wasm_byte_vec_delete(&msg);
  check_trap_message(trap, "no nul");
  wasm_trap_delete(trap);

  printf("trap ok\n");
  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_func_delete(fail);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
