/* Serialization: a module serialized and deserialized (in another store of
 * the same engine and in a store of another engine) behaves the same;
 * truncated, extended or corrupted blobs are rejected. */
#include "common.h"

static int32_t answer_of(wasm_store_t* store, const wasm_module_t* module) {
  wasm_instance_t* inst = instantiate(store, module, NULL, 0);
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  int32_t r = call_i32(wasm_extern_as_func(ex.data[0]), 0, NULL);
  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  return r;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_engine_t* engine2 = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_store_t* store2 = wasm_store_new(engine2);
  wasm_module_t* module = load_module(store, "serialize.wasm");

  wasm_byte_vec_t blob;
  wasm_module_serialize(module, &blob);
  CHECK(blob.size > 8);
  printf("serialized %zu bytes\n", blob.size);

  wasm_module_t* same_engine = wasm_module_deserialize(store, &blob);
  wasm_module_t* other_engine = wasm_module_deserialize(store2, &blob);
  CHECK(same_engine && other_engine);
  CHECK_EQ_INT(answer_of(store, same_engine), 42);
  CHECK_EQ_INT(answer_of(store2, other_engine), 42);
  wasm_exporttype_vec_t exports;
  wasm_module_exports(other_engine, &exports);
  CHECK_EQ_INT(exports.size, 1);
  wasm_exporttype_vec_delete(&exports);

  /* Truncated at every length. */
  for (size_t n = 0; n < blob.size; n++) {
    wasm_byte_vec_t cut = {n, blob.data};
    CHECK(wasm_module_deserialize(store, &cut) == NULL);
  }
  /* Every single-bit corruption. */
  for (size_t i = 0; i < blob.size; i++) {
    for (int bit = 0; bit < 8; bit++) {
      blob.data[i] ^= (char)(1 << bit);
      CHECK(wasm_module_deserialize(store, &blob) == NULL);
      blob.data[i] ^= (char)(1 << bit);
    }
  }
  /* Extra bytes at the end. */
  wasm_byte_vec_t longer;
  wasm_byte_vec_new_uninitialized(&longer, blob.size + 1);
  memcpy(longer.data, blob.data, blob.size);
  longer.data[blob.size] = 0;
  CHECK(wasm_module_deserialize(store, &longer) == NULL);
  wasm_byte_vec_delete(&longer);
  /* A plain module binary is not a serialized module. */
  wasm_byte_vec_t raw;
  load_module_bytes("serialize.wasm", &raw);
  CHECK(wasm_module_deserialize(store, &raw) == NULL);
  wasm_byte_vec_delete(&raw);
  CHECK(wasm_module_deserialize(store, NULL) == NULL);
  /* The intact blob still works. */
  wasm_module_t* again = wasm_module_deserialize(store, &blob);
  CHECK(again != NULL);
  wasm_module_delete(again);

  printf("serialize ok\n");
  wasm_byte_vec_delete(&blob);
  wasm_module_delete(same_engine);
  wasm_module_delete(other_engine);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_store_delete(store2);
  wasm_engine_delete(engine);
  wasm_engine_delete(engine2);
  return 0;
}
