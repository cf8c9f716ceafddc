/* weft.h's WASI for wasm.h programs: a configuration with arguments,
 * environment and a stdout descriptor, weft_instance_new_with_wasi, a
 * command's _start writing "hello from wasi", proc_exit's status through
 * weft_trap_exit_code, and a reactor's _initialize run once. */
#include <weft.h>

#include <unistd.h>

#include "common.h"

static wasm_func_t* export_func(const wasm_module_t* module, wasm_extern_vec_t* exports,
                                const char* name) {
  wasm_exporttype_vec_t types;
  wasm_module_exports(module, &types);
  wasm_func_t* f = NULL;
  for (size_t i = 0; i < types.size; i++) {
    const wasm_name_t* n = wasm_exporttype_name(types.data[i]);
    if (n->size == strlen(name) && memcmp(n->data, name, n->size) == 0)
      f = wasm_extern_as_func(exports->data[i]);
  }
  wasm_exporttype_vec_delete(&types);
  CHECK(f != NULL);
  return f;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "weft_wasi.wasm");

  /* Plain wasm_instance_new does not provide WASI. */
  wasm_trap_t* trap = NULL;
  CHECK(wasm_instance_new(store, module, NULL, &trap) == NULL);
  wasm_trap_delete(trap);

  int fds[2];
  CHECK(pipe(fds) == 0);
  weft_wasi_config_t* config = weft_wasi_config_new();
  CHECK(config != NULL);
  const char* argv[] = {"hello", "--loud", "x"};
  CHECK(weft_wasi_config_set_args(config, 3, argv));
  const char* names[] = {"GREETING", "LANG"};
  const char* values[] = {"hi", "C"};
  CHECK(weft_wasi_config_set_env(config, 2, names, values));
  const char* bad[] = {"A=B"};
  CHECK(!weft_wasi_config_set_env(config, 1, bad, values));
  CHECK(!weft_wasi_config_set_args(NULL, 0, NULL));
  CHECK(weft_wasi_config_preopen_dir(config, ".", "/work"));
  CHECK(!weft_wasi_config_preopen_dir(config, "/no/such/dir/for/weft", "/x"));
  CHECK(!weft_wasi_config_set_stdio(config, -1, 12345, -1));
  CHECK(weft_wasi_config_set_stdio(config, -1, fds[1], -1));
  close(fds[1]); /* the configuration holds its own duplicate */

  trap = NULL;
  wasm_instance_t* inst = weft_instance_new_with_wasi(store, module, NULL, config, &trap);
  if (!inst) check_trap_contains(trap, "(no trap expected)");
  CHECK(trap == NULL);
  wasm_extern_vec_t exports;
  wasm_instance_exports(inst, &exports);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(export_func(module, &exports, "_start"), &none, &none) == NULL);
  char buf[64] = {0};
  ssize_t n = read(fds[0], buf, sizeof buf - 1);
  CHECK_EQ_INT(n, 16);
  CHECK(strcmp(buf, "hello from wasi\n") == 0);
  CHECK_EQ_INT(call_i32(export_func(module, &exports, "argc"), 0, NULL), 3);
  CHECK_EQ_INT(call_i32(export_func(module, &exports, "envc"), 0, NULL), 2);

  trap = wasm_func_call(export_func(module, &exports, "quit"), &none, &none);
  CHECK(trap != NULL);
  int code = -1;
  CHECK(weft_trap_exit_code(trap, &code));
  CHECK_EQ_INT(code, 3);
  wasm_trap_delete(trap);
  CHECK(!weft_trap_exit_code(NULL, &code));
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);

  /* The defaults (NULL config), with the imports vector given: the NULL
     entries are the WASI functions. */
  wasm_extern_t* imports[4] = {NULL, NULL, NULL, NULL};
  wasm_extern_vec_t iv = WASM_ARRAY_VEC(imports);
  trap = NULL;
  inst = weft_instance_new_with_wasi(store, module, &iv, NULL, &trap);
  CHECK(inst != NULL && trap == NULL);
  wasm_instance_exports(inst, &exports);
  CHECK_EQ_INT(call_i32(export_func(module, &exports, "argc"), 0, NULL), 0);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);

  /* A reactor is initialised once by weft_instance_new_with_wasi. */
  wasm_module_t* reactor = load_module(store, "weft_reactor.wasm");
  trap = NULL;
  inst = weft_instance_new_with_wasi(store, reactor, NULL, config, &trap);
  CHECK(inst != NULL && trap == NULL);
  wasm_instance_exports(inst, &exports);
  CHECK_EQ_INT(call_i32(export_func(reactor, &exports, "inits"), 0, NULL), 1);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);
  wasm_module_delete(reactor);

  /* NULL store or module: NULL and a trap saying so. */
  trap = NULL;
  CHECK(weft_instance_new_with_wasi(NULL, module, NULL, config, &trap) == NULL);
  check_trap_contains(trap, "the store is NULL");
  wasm_trap_delete(trap);
  trap = NULL;
  CHECK(weft_instance_new_with_wasi(store, NULL, NULL, config, &trap) == NULL);
  check_trap_contains(trap, "the module is NULL");
  wasm_trap_delete(trap);

  weft_wasi_config_delete(config);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  close(fds[0]);
  printf("weft_wasi: ok\n");
  return 0;
}
