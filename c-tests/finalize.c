/* Host info and finalizers over many instances (300,000, or 30,000 under
 * valgrind): each instance, one of its functions and its module get host
 * info with a finalizer; every finalizer runs exactly once, when the last
 * reference to its object goes, and all have run once the stores are
 * gone. Also covers host info on every other reference type. */
#include "common.h"

static int live = 0;
static int runs = 0;
static unsigned char* seen = NULL;

static void finalize(void* data) {
  size_t i = (size_t)(uintptr_t)data;
  CHECK(seen[i] == 1); /* set once, finalized once */
  seen[i] = 2;
  live--;
  runs++;
}

static void run_in_store(wasm_store_t* store, size_t first, size_t count) {
  wasm_module_t* module = load_module(store, "finalize.wasm");
  for (size_t k = 0; k < count; k++) {
    size_t i = first + k;
    wasm_instance_t* inst = instantiate(store, module, NULL, 0);
    seen[i] = 1;
    live++;
    wasm_instance_set_host_info_with_finalizer(inst, (void*)(uintptr_t)i, finalize);
    CHECK(wasm_instance_get_host_info(inst) == (void*)(uintptr_t)i);
    if (k % 1000 == 0) {
      /* Host info on an export is shared with a second handle to it, and
       * survives as long as one handle does. */
      wasm_extern_vec_t ex, ex2;
      wasm_instance_exports(inst, &ex);
      wasm_instance_exports(inst, &ex2);
      size_t j = i + 1;
      seen[j] = 1;
      live++;
      wasm_func_set_host_info_with_finalizer(wasm_extern_as_func(ex.data[0]), (void*)(uintptr_t)j,
                                             finalize);
      CHECK(wasm_func_get_host_info(wasm_extern_as_func(ex2.data[0])) == (void*)(uintptr_t)j);
      CHECK(wasm_func_get_host_info(wasm_extern_as_func(ex2.data[1])) == NULL);
      wasm_extern_vec_delete(&ex);
      CHECK(seen[j] == 1);
      wasm_extern_vec_delete(&ex2);
      CHECK(seen[j] == 2);
      k++;
    }
    wasm_instance_delete(inst);
    CHECK(seen[i] == 2);
  }
  wasm_module_delete(module);
}

int main(void) {
  size_t n = getenv("WEFT_UNDER_VALGRIND") && *getenv("WEFT_UNDER_VALGRIND") ? 30000 : 300000;
  seen = (unsigned char*)calloc(n + 64, 1);
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store1 = wasm_store_new(engine);
  wasm_store_t* store2 = wasm_store_new(engine);
  run_in_store(store1, 0, n / 2);
  printf("after store 1: live %d\n", live);
  CHECK_EQ_INT(live, 0);
  run_in_store(store2, n / 2, n - n / 2);
  printf("after store 2: live %d, finalizers run %d\n", live, runs);
  CHECK_EQ_INT(live, 0);
  CHECK(runs >= (int)n);

  /* Every other reference type, with a finalizer that runs at the last
   * delete (or, for objects the store keeps, at the latest with it). */
  size_t base = n + 1;
  wasm_module_t* module = load_module(store1, "finalize.wasm");
  wasm_module_t* module_copy = wasm_module_copy(module);
  seen[base] = 1;
  live++;
  wasm_module_set_host_info_with_finalizer(module, (void*)(uintptr_t)base, finalize);
  CHECK(wasm_module_get_host_info(module_copy) == (void*)(uintptr_t)base);
  wasm_module_delete(module);
  CHECK(seen[base] == 1);
  wasm_module_delete(module_copy);
  CHECK(seen[base] == 2);

  wasm_foreign_t* foreign = wasm_foreign_new(store1);
  seen[base + 1] = 1;
  live++;
  wasm_foreign_set_host_info_with_finalizer(foreign, (void*)(uintptr_t)(base + 1), finalize);
  wasm_ref_t* fref = wasm_foreign_as_ref(foreign);
  CHECK(wasm_ref_get_host_info(fref) == (void*)(uintptr_t)(base + 1));
  wasm_ref_t* fref_copy = wasm_ref_copy(fref);
  wasm_foreign_delete(foreign);
  CHECK(seen[base + 1] == 1);
  wasm_ref_delete(fref_copy);
  CHECK(seen[base + 1] == 2);

  wasm_limits_t lim = {1, 2};
  wasm_memorytype_t* mt = wasm_memorytype_new(&lim);
  wasm_memory_t* mem = wasm_memory_new(store1, mt);
  wasm_memorytype_delete(mt);
  seen[base + 2] = 1;
  live++;
  wasm_memory_set_host_info_with_finalizer(mem, (void*)(uintptr_t)(base + 2), finalize);
  /* Replacing host info finalizes the previous one. */
  seen[base + 3] = 1;
  live++;
  wasm_memory_set_host_info_with_finalizer(mem, (void*)(uintptr_t)(base + 3), finalize);
  CHECK(seen[base + 2] == 2);
  wasm_memory_delete(mem);
  CHECK(seen[base + 3] == 2);

  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &lim);
  wasm_table_t* table = wasm_table_new(store1, tt, NULL);
  wasm_tabletype_delete(tt);
  wasm_table_set_host_info(table, &live);
  CHECK(wasm_table_get_host_info(table) == &live);
  wasm_table_delete(table);

  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
  wasm_val_t zero = WASM_I32_VAL(0);
  wasm_global_t* glob = wasm_global_new(store1, gt, &zero);
  wasm_globaltype_delete(gt);
  seen[base + 4] = 1;
  live++;
  wasm_global_set_host_info_with_finalizer(glob, (void*)(uintptr_t)(base + 4), finalize);
  wasm_extern_t* ext = wasm_global_as_extern(glob);
  CHECK(wasm_extern_get_host_info(ext) == (void*)(uintptr_t)(base + 4));
  wasm_extern_set_host_info_with_finalizer(ext, NULL, NULL);
  CHECK(seen[base + 4] == 2);
  wasm_global_delete(glob);

  wasm_store_delete(store1);
  wasm_store_delete(store2);
  printf("after deleting the stores: live %d\n", live);
  CHECK_EQ_INT(live, 0);
  for (size_t i = 0; i < n + 64; i++) CHECK(seen[i] != 1);
  wasm_engine_delete(engine);
  free(seen);
  printf("finalize ok\n");
  return 0;
}
