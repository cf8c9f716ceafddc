/* A small C program that uses Weft only through its installed headers and
 * pkg-config: it loads a module (binary bytes below) that imports a host
 * function, calls its export and prints the result. c-tests/pkgconfig.sh
 * builds it with `pkg-config --cflags --libs weft` and checks its output.
 *
 *   (module
 *     (import "host" "twice" (func $twice (param i32) (result i32)))
 *     (func (export "add_twice") (param i32 i32) (result i32)
 *       local.get 0 local.get 1 i32.add call $twice))
 */
#include <stdio.h>
#include <wasm.h>

static const unsigned char module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,                         /* magic, version */
    0x01, 0x0c, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, /* types */
    0x01, 0x7f,                                                             /* */
    0x02, 0x0e, 0x01, 0x04, 'h', 'o', 's', 't', 0x05, 't', 'w', 'i', 'c', 'e', /* import */
    0x00, 0x00,                                                             /* */
    0x03, 0x02, 0x01, 0x01,                                                 /* function */
    0x07, 0x0d, 0x01, 0x09, 'a', 'd', 'd', '_', 't', 'w', 'i', 'c', 'e',    /* export */
    0x00, 0x01,                                                             /* */
    0x0a, 0x0b, 0x01, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x10, 0x00, /* code */
    0x0b,                                                                   /* */
};

static int twice_calls = 0;

static wasm_trap_t* twice(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  twice_calls++;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 * 2;
  return NULL;
}

/* Calls add_twice(2, 3) and prints what it returns; 0 on success. */
static int call_add_twice(wasm_instance_t* instance) {
  int status = 1;
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  const wasm_func_t* add_twice = exports.size == 1 ? wasm_extern_as_func(exports.data[0]) : NULL;
  if (!add_twice) {
    fprintf(stderr, "error: export add_twice not found\n");
  } else {
    wasm_val_t arg_list[] = {WASM_I32_VAL(2), WASM_I32_VAL(3)};
    wasm_val_t result_list[] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(arg_list);
    wasm_val_vec_t results = WASM_ARRAY_VEC(result_list);
    wasm_trap_t* trap = wasm_func_call(add_twice, &args, &results);
    if (trap) {
      wasm_message_t message;
      wasm_trap_message(trap, &message);
      fprintf(stderr, "error: trap: %s\n", message.data);
      wasm_byte_vec_delete(&message);
      wasm_trap_delete(trap);
    } else {
      printf("add_twice(2, 3) = %d\n", result_list[0].of.i32);
      printf("host function called %d time(s)\n", twice_calls);
      status = 0;
    }
  }
  wasm_extern_vec_delete(&exports);
  return status;
}

int main(void) {
  int status = 1;
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);

  wasm_byte_vec_t binary;
  wasm_byte_vec_new(&binary, sizeof module_bytes, (const wasm_byte_t*)module_bytes);
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);

  wasm_functype_t* twice_type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* twice_func = wasm_func_new(store, twice_type, twice);
  wasm_functype_delete(twice_type);

  if (!module) {
    fprintf(stderr, "error: the module did not compile\n");
  } else {
    wasm_extern_t* import_list[] = {wasm_func_as_extern(twice_func)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(import_list);
    wasm_trap_t* trap = NULL;
    wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
    if (!instance) {
      fprintf(stderr, "error: instantiation failed\n");
      if (trap) wasm_trap_delete(trap);
    } else {
      status = call_add_twice(instance);
      wasm_instance_delete(instance);
    }
    wasm_module_delete(module);
  }
  wasm_func_delete(twice_func);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return status;
}
