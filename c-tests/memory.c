/* Memories: an exported memory's size, data, growth (from wasm and from
 * the host, up to its maximum), out-of-bounds accesses that trap, and a
 * stand-alone host memory imported by two instances (the same storage for
 * the host and for both of them). */
#include "common.h"

static wasm_trap_t* call(const wasm_func_t* f, int n, int32_t a, int32_t b, wasm_val_t* result) {
  wasm_val_t args[2] = {WASM_I32_VAL(a), WASM_I32_VAL(b)};
  wasm_val_vec_t av = {(size_t)n, args};
  wasm_val_t res[1] = {WASM_INIT_VAL};
  wasm_val_vec_t rv = {wasm_func_result_arity(f), res};
  wasm_trap_t* trap = wasm_func_call(f, &av, &rv);
  if (result) *result = res[0];
  return trap;
}

static int32_t ok1(const wasm_func_t* f, int n, int32_t a, int32_t b) {
  wasm_val_t r;
  wasm_trap_t* trap = call(f, n, a, b, &r);
  CHECK(trap == NULL);
  return r.of.i32;
}

static void expect_oob(const wasm_func_t* f, int n, int32_t a, int32_t b) {
  wasm_trap_t* trap = call(f, n, a, b, NULL);
  check_trap_message(trap, "out of bounds memory access");
  wasm_trap_delete(trap);
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "memory.wasm");
  wasm_module_t* importer = load_module(store, "memimport.wasm");

  wasm_limits_t limits = {1, 4};
  wasm_memorytype_t* mt = wasm_memorytype_new(&limits);
  wasm_memory_t* shared = wasm_memory_new(store, mt);
  wasm_memorytype_delete(mt);
  CHECK(shared != NULL);
  CHECK_EQ_INT(wasm_memory_size(shared), 1);
  CHECK_EQ_INT(wasm_memory_data_size(shared), 65536);

  wasm_extern_t* imports[] = {wasm_memory_as_extern(shared)};
  wasm_instance_t* self_inst = instantiate(store, module, NULL, 0);
  wasm_instance_t* a = instantiate(store, importer, imports, 1);
  wasm_instance_t* b = instantiate(store, importer, imports, 1);
  wasm_extern_vec_t ex, ea, eb;
  wasm_instance_exports(self_inst, &ex);
  wasm_instance_exports(a, &ea);
  wasm_instance_exports(b, &eb);
  wasm_memory_t* mem = wasm_extern_as_memory(ex.data[0]);
  CHECK(mem != NULL);
  const wasm_func_t* size = wasm_extern_as_func(ex.data[1]);
  const wasm_func_t* load = wasm_extern_as_func(ex.data[2]);
  const wasm_func_t* store8 = wasm_extern_as_func(ex.data[3]);
  const wasm_func_t* grow = wasm_extern_as_func(ex.data[4]);
  const wasm_func_t* load_imp_a = wasm_extern_as_func(ea.data[0]);
  const wasm_func_t* store_imp_a = wasm_extern_as_func(ea.data[1]);
  const wasm_func_t* load_imp_b = wasm_extern_as_func(eb.data[0]);

  /* Type, size and contents. */
  wasm_memorytype_t* t = wasm_memory_type(mem);
  CHECK_EQ_INT(wasm_memorytype_limits(t)->min, 2);
  CHECK_EQ_INT(wasm_memorytype_limits(t)->max, 3);
  wasm_memorytype_delete(t);
  CHECK_EQ_INT(wasm_memory_size(mem), 2);
  CHECK_EQ_INT(wasm_memory_data_size(mem), 0x20000);
  byte_t* data = wasm_memory_data(mem);
  CHECK(data[0] == 0 && data[0x1000] == 1 && data[0x1003] == 4);
  CHECK_EQ_INT(ok1(size, 0, 0, 0), 2);
  CHECK_EQ_INT(ok1(load, 1, 0x1002, 0), 3);
  CHECK_EQ_INT(ok1(load, 1, 0x1ffff, 0), 0);

  /* Host and wasm see each other's writes. */
  data[0x1003] = 5;
  CHECK_EQ_INT(ok1(load, 1, 0x1003, 0), 5);
  ok1(store8, 2, 0x1004, 6);
  CHECK(data[0x1004] == 6);

  /* Out of bounds. */
  expect_oob(load, 1, 0x20000, 0);
  expect_oob(load, 1, -1, 0);
  expect_oob(store8, 2, 0x20000, 0);

  /* Growth from wasm, from the host, and past the maximum. */
  CHECK_EQ_INT(ok1(grow, 1, 1, 0), 2);
  CHECK_EQ_INT(wasm_memory_size(mem), 3);
  CHECK_EQ_INT(ok1(load, 1, 0x2ffff, 0), 0);
  CHECK(!wasm_memory_grow(mem, 1));
  CHECK_EQ_INT(ok1(grow, 1, 1, 0), -1);
  CHECK_EQ_INT(wasm_memory_size(mem), 3);
  CHECK(wasm_memory_grow(shared, 2));
  CHECK_EQ_INT(wasm_memory_size(shared), 3);
  CHECK(!wasm_memory_grow(shared, 2));
  CHECK(wasm_memory_grow(shared, 0));
  /* The data pointer stays valid across growth. */
  CHECK(wasm_memory_data(mem) == data);
  data[0x2fffe] = 9;
  CHECK_EQ_INT(ok1(load, 1, 0x2fffe, 0), 9);

  /* The stand-alone memory is one storage for the host and both instances. */
  byte_t* sdata = wasm_memory_data(shared);
  sdata[100] = 42;
  CHECK_EQ_INT(ok1(load_imp_a, 1, 100, 0), 42);
  CHECK_EQ_INT(ok1(load_imp_b, 1, 100, 0), 42);
  ok1(store_imp_a, 2, 0x2ffff, 77);
  CHECK_EQ_INT((unsigned char)sdata[0x2ffff], 77);
  CHECK_EQ_INT(ok1(load_imp_b, 1, 0x2ffff, 0), 77);
  expect_oob(load_imp_b, 1, 0x30000, 0);
  CHECK(!wasm_memory_same(shared, mem));
  wasm_memory_t* shared2 = wasm_memory_copy(shared);
  CHECK(wasm_memory_same(shared, shared2));
  wasm_memory_delete(shared2);

  /* A memory larger than its maximum cannot be made. */
  wasm_limits_t bad = {5, 4};
  wasm_memorytype_t* bt = wasm_memorytype_new(&bad);
  CHECK(wasm_memory_new(store, bt) == NULL);
  wasm_memorytype_delete(bt);
  CHECK(wasm_memory_data(NULL) == NULL);
  CHECK_EQ_INT(wasm_memory_size(NULL), 0);

  printf("memory ok\n");
  wasm_extern_vec_delete(&ex);
  wasm_extern_vec_delete(&ea);
  wasm_extern_vec_delete(&eb);
  wasm_instance_delete(self_inst);
  wasm_instance_delete(a);
  wasm_instance_delete(b);
  wasm_memory_delete(shared);
  wasm_module_delete(module);
  wasm_module_delete(importer);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
