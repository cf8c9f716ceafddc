/* weft.h's multi-module extensions: wasm_module_set_name/get_name, and
 * wasm_instance_new resolving the imports left NULL from the registry
 * (a module named with wasm_module_set_name) and from the module reader
 * (weft_set_module_reader), with a failure naming the import when neither
 * has the module. */
#include <weft.h>

#include "common.h"

static int reads = 0, destroys = 0;

/* Serves $WASM_DIR/<name>.wasm for names starting with "weft_". */
static bool reader(uint32_t package_type, const char* name, uint8_t** buf, uint32_t* size) {
  (void)package_type;
  if (strncmp(name, "weft_", 5) != 0) return false;
  char file[256];
  snprintf(file, sizeof file, "%s.wasm", name);
  wasm_byte_vec_t bytes;
  load_module_bytes(file, &bytes);
  *buf = (uint8_t*)bytes.data;
  *size = (uint32_t)bytes.size;
  reads++;
  return true;
}

static void destroyer(uint8_t* buf, uint32_t size) {
  wasm_byte_vec_t bytes = {size, (wasm_byte_t*)buf};
  wasm_byte_vec_delete(&bytes);
  destroys++;
}

static wasm_trap_t* one_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  (void)args;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = 1;
  return NULL;
}

/* The export called `name` of `inst` (of `module`), as a function. */
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

  /* Names. */
  wasm_module_t* lib = load_module(store, "weft_lib.wasm");
  CHECK(strcmp(wasm_module_get_name(lib), "") == 0);
  CHECK(strcmp(wasm_module_get_name(NULL), "") == 0);
  CHECK(!wasm_module_set_name(NULL, "x"));
  CHECK(!wasm_module_set_name(lib, NULL));
  CHECK(!wasm_module_set_name(lib, "env"));
  CHECK(!wasm_module_set_name(lib, "wasi_snapshot_preview1"));
  CHECK(!wasm_module_set_name(lib, ""));
  CHECK(strcmp(wasm_module_get_name(lib), "") == 0);
  CHECK(wasm_module_set_name(lib, "weft_lib"));
  CHECK(strcmp(wasm_module_get_name(lib), "weft_lib") == 0);
  CHECK(wasm_module_set_name(lib, "weft_lib")); /* again: the same module */
  wasm_module_t* copy = wasm_module_copy(lib);
  CHECK(strcmp(wasm_module_get_name(copy), "weft_lib") == 0);
  wasm_module_delete(copy);

  wasm_module_t* user = load_module(store, "weft_user.wasm");
  wasm_functype_t* ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t* one = wasm_func_new(store, ft, one_cb);
  wasm_functype_delete(ft);

  /* Without a reader, weft_dep cannot be found: the trap names it. */
  wasm_extern_t* imports[4] = {NULL, NULL, NULL, wasm_func_as_extern(one)};
  wasm_extern_vec_t iv = WASM_ARRAY_VEC(imports);
  wasm_trap_t* trap = NULL;
  wasm_instance_t* inst = wasm_instance_new(store, user, &iv, &trap);
  CHECK(inst == NULL);
  check_trap_contains(trap, "import #1 \"weft_dep\" \"twice\" is NULL and cannot be resolved");
  check_trap_contains(trap, "weft_dep");
  wasm_trap_delete(trap);

  /* With the reader: weft_lib from the registry, weft_dep read (once) and
     linked to the registered weft_lib. */
  weft_set_module_reader(reader, destroyer);
  trap = NULL;
  inst = wasm_instance_new(store, user, &iv, &trap);
  if (!inst) check_trap_contains(trap, "(no trap expected)");
  CHECK(trap == NULL);
  CHECK_EQ_INT(reads, 1);
  CHECK_EQ_INT(destroys, 1);
  wasm_extern_vec_t exports;
  wasm_instance_exports(inst, &exports);
  wasm_func_t* sum = export_func(user, &exports, "sum");
  wasm_func_t* bump = export_func(user, &exports, "bump");
  /* 42 + 2 * 42 + 1 + 5 */
  CHECK_EQ_INT(call_i32(sum, 0, NULL), 132);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(bump, &none, &none) == NULL);
  CHECK_EQ_INT(call_i32(sum, 0, NULL), 133);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);

  /* The host import left NULL too: the reader has no module "host". */
  imports[3] = NULL;
  trap = NULL;
  inst = wasm_instance_new(store, user, &iv, &trap);
  CHECK(inst == NULL);
  check_trap_contains(trap, "import #3 \"host\" \"one\" is NULL and cannot be resolved");
  wasm_trap_delete(trap);
  CHECK_EQ_INT(destroys, reads);

  /* A vector of the wrong length is still refused. */
  wasm_extern_vec_t short_v = {2, imports};
  trap = NULL;
  CHECK(wasm_instance_new(store, user, &short_v, &trap) == NULL);
  check_trap_contains(trap, "the module has 4 imports, 2 given");
  wasm_trap_delete(trap);

  weft_set_module_reader(NULL, NULL);
  wasm_func_delete(one);
  wasm_module_delete(user);
  wasm_module_delete(lib);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  printf("weft_names: ok\n");
  return 0;
}
