/* Reflection: every kind of import and export type of a module (names,
 * kinds, function signatures, global content and mutability, table element
 * and limits, memory limits), the type of every kind of extern, type
 * construction, copies and views, and tag types. */
#include "common.h"

static wasm_trap_t* fn_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0].of.i64 = (int64_t)args->data[0].of.i32 + (int64_t)args->data[1].of.f64;
  return NULL;
}

static void check_name(const wasm_name_t* n, const char* want) {
  CHECK(n->size == strlen(want) && memcmp(n->data, want, n->size) == 0);
}

static void check_kinds(const wasm_valtype_vec_t* v, size_t n, const wasm_valkind_t* kinds) {
  CHECK_EQ_INT(v->size, n);
  for (size_t i = 0; i < n; i++) CHECK_EQ_INT(wasm_valtype_kind(v->data[i]), kinds[i]);
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = load_module(store, "reflect.wasm");

  wasm_importtype_vec_t imports;
  wasm_module_imports(module, &imports);
  CHECK_EQ_INT(imports.size, 4);
  const char* names[] = {"fn", "glob", "tab", "mem"};
  const wasm_externkind_t kinds[] = {WASM_EXTERN_FUNC, WASM_EXTERN_GLOBAL, WASM_EXTERN_TABLE,
                                     WASM_EXTERN_MEMORY};
  for (size_t i = 0; i < 4; i++) {
    check_name(wasm_importtype_module(imports.data[i]), "host");
    check_name(wasm_importtype_name(imports.data[i]), names[i]);
    CHECK_EQ_INT(wasm_externtype_kind(wasm_importtype_type(imports.data[i])), kinds[i]);
  }
  const wasm_functype_t* ft = wasm_externtype_as_functype_const(wasm_importtype_type(imports.data[0]));
  CHECK(ft != NULL);
  wasm_valkind_t p0[] = {WASM_I32, WASM_F64}, r0[] = {WASM_I64};
  check_kinds(wasm_functype_params(ft), 2, p0);
  check_kinds(wasm_functype_results(ft), 1, r0);
  CHECK(wasm_externtype_as_globaltype_const(wasm_importtype_type(imports.data[0])) == NULL);
  const wasm_globaltype_t* gt = wasm_externtype_as_globaltype_const(wasm_importtype_type(imports.data[1]));
  CHECK_EQ_INT(wasm_valtype_kind(wasm_globaltype_content(gt)), WASM_F32);
  CHECK_EQ_INT(wasm_globaltype_mutability(gt), WASM_VAR);
  const wasm_tabletype_t* tt = wasm_externtype_as_tabletype_const(wasm_importtype_type(imports.data[2]));
  CHECK_EQ_INT(wasm_valtype_kind(wasm_tabletype_element(tt)), WASM_EXTERNREF);
  CHECK_EQ_INT(wasm_tabletype_limits(tt)->min, 1);
  CHECK_EQ_INT(wasm_tabletype_limits(tt)->max, 8);
  const wasm_memorytype_t* mt = wasm_externtype_as_memorytype_const(wasm_importtype_type(imports.data[3]));
  CHECK_EQ_INT(wasm_memorytype_limits(mt)->min, 2);
  CHECK_EQ_INT(wasm_memorytype_limits(mt)->max, wasm_limits_max_default);
  wasm_importtype_vec_t imports2;
  wasm_importtype_vec_copy(&imports2, &imports);
  check_name(wasm_importtype_name(imports2.data[3]), "mem");
  wasm_importtype_vec_delete(&imports2);
  wasm_importtype_vec_delete(&imports);

  wasm_exporttype_vec_t exports;
  wasm_module_exports(module, &exports);
  CHECK_EQ_INT(exports.size, 4);
  const char* enames[] = {"func", "global", "table", "memory"};
  for (size_t i = 0; i < 4; i++) {
    check_name(wasm_exporttype_name(exports.data[i]), enames[i]);
    CHECK_EQ_INT(wasm_externtype_kind(wasm_exporttype_type(exports.data[i])), kinds[i]);
  }
  ft = wasm_externtype_as_functype_const(wasm_exporttype_type(exports.data[0]));
  wasm_valkind_t p1[] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_EXTERNREF, WASM_FUNCREF};
  wasm_valkind_t r1[] = {WASM_I32, WASM_F64};
  check_kinds(wasm_functype_params(ft), 6, p1);
  check_kinds(wasm_functype_results(ft), 2, r1);
  CHECK(wasm_valtype_is_ref(wasm_functype_params(ft)->data[4]));
  CHECK(wasm_valtype_is_num(wasm_functype_params(ft)->data[3]));
  gt = wasm_externtype_as_globaltype_const(wasm_exporttype_type(exports.data[1]));
  CHECK_EQ_INT(wasm_valtype_kind(wasm_globaltype_content(gt)), WASM_I64);
  CHECK_EQ_INT(wasm_globaltype_mutability(gt), WASM_CONST);
  tt = wasm_externtype_as_tabletype_const(wasm_exporttype_type(exports.data[2]));
  CHECK_EQ_INT(wasm_valtype_kind(wasm_tabletype_element(tt)), WASM_FUNCREF);
  CHECK_EQ_INT(wasm_tabletype_limits(tt)->max, 3);
  mt = wasm_externtype_as_memorytype_const(wasm_exporttype_type(exports.data[3]));
  CHECK_EQ_INT(wasm_memorytype_limits(mt)->min, 2);
  CHECK_EQ_INT(wasm_memorytype_limits(mt)->max, wasm_limits_max_default);
  wasm_exporttype_vec_delete(&exports);

  /* The types of live externs, one per kind. */
  wasm_valtype_vec_t ps, rs;
  wasm_valtype_t* pv[] = {wasm_valtype_new_i32(), wasm_valtype_new_f64()};
  wasm_valtype_vec_new(&ps, 2, pv);
  wasm_valtype_vec_new_uninitialized(&rs, 1);
  rs.data[0] = wasm_valtype_new_i64();
  wasm_functype_t* fty = wasm_functype_new(&ps, &rs);
  CHECK(ps.size == 0 && rs.size == 0);
  wasm_globaltype_t* gty = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_VAR);
  wasm_limits_t tl = {1, 8}, ml = {2, wasm_limits_max_default};
  wasm_tabletype_t* tty = wasm_tabletype_new(wasm_valtype_new_externref(), &tl);
  wasm_memorytype_t* mty = wasm_memorytype_new(&ml);
  CHECK(wasm_externtype_as_functype(wasm_functype_as_externtype(fty)) == fty);
  CHECK(wasm_externtype_as_tabletype(wasm_functype_as_externtype(fty)) == NULL);
  CHECK(wasm_externtype_as_memorytype_const(wasm_memorytype_as_externtype_const(mty)) == mty);
  CHECK(wasm_externtype_as_globaltype(wasm_globaltype_as_externtype(gty)) == gty);
  CHECK(wasm_externtype_as_tabletype(wasm_tabletype_as_externtype(tty)) == tty);
  CHECK(wasm_valtype_new(42) == NULL);

  wasm_func_t* f = wasm_func_new(store, fty, NULL);
  CHECK(f == NULL); /* a NULL callback is refused */
  wasm_val_t fz = WASM_F32_VAL(0.5f);
  wasm_global_t* g = wasm_global_new(store, gty, &fz);
  wasm_table_t* t = wasm_table_new(store, tty, NULL);
  wasm_memory_t* m = wasm_memory_new(store, mty);
  CHECK(g && t && m);
  wasm_extern_t* exts[] = {wasm_global_as_extern(g), wasm_table_as_extern(t), wasm_memory_as_extern(m)};
  wasm_externkind_t ek[] = {WASM_EXTERN_GLOBAL, WASM_EXTERN_TABLE, WASM_EXTERN_MEMORY};
  for (size_t i = 0; i < 3; i++) {
    CHECK_EQ_INT(wasm_extern_kind(exts[i]), ek[i]);
    wasm_externtype_t* et = wasm_extern_type(exts[i]);
    CHECK_EQ_INT(wasm_externtype_kind(et), ek[i]);
    wasm_externtype_t* et2 = wasm_externtype_copy(et);
    CHECK_EQ_INT(wasm_externtype_kind(et2), ek[i]);
    wasm_externtype_delete(et2);
    wasm_externtype_delete(et);
  }
  /* Instantiate with one host extern of each kind; the exports' types
   * and identities follow. */
  wasm_func_t* hf = wasm_func_new(store, fty, fn_cb);
  wasm_extern_t* imps[] = {wasm_func_as_extern(hf), exts[0], exts[1], exts[2]};
  wasm_instance_t* inst = instantiate(store, module, imps, 4);
  wasm_extern_vec_t iex;
  wasm_instance_exports(inst, &iex);
  CHECK_EQ_INT(iex.size, 4);
  for (size_t i = 0; i < 4; i++) {
    wasm_externtype_t* xt = wasm_extern_type(iex.data[i]);
    CHECK_EQ_INT(wasm_externtype_kind(xt), kinds[i]);
    CHECK_EQ_INT(wasm_extern_kind(iex.data[i]), kinds[i]);
    wasm_externtype_delete(xt);
  }
  CHECK(wasm_memory_same(wasm_extern_as_memory(iex.data[3]), m));
  wasm_functype_t* xf = wasm_func_type(wasm_extern_as_func(iex.data[0]));
  wasm_valkind_t xr[] = {WASM_I32, WASM_F64};
  check_kinds(wasm_functype_results(xf), 2, xr);
  wasm_functype_delete(xf);
  wasm_extern_vec_t iex2;
  wasm_extern_vec_copy(&iex2, &iex);
  CHECK(wasm_extern_same(iex2.data[2], iex.data[2]));
  wasm_extern_vec_delete(&iex2);
  wasm_extern_vec_delete(&iex);
  wasm_instance_delete(inst);
  wasm_func_delete(hf);

  wasm_globaltype_t* g2 = wasm_global_type(g);
  CHECK_EQ_INT(wasm_valtype_kind(wasm_globaltype_content(g2)), WASM_F32);
  wasm_globaltype_delete(g2);

  /* Tag types: pure type data. */
  wasm_functype_t* tag_fn = wasm_functype_new_2_0(wasm_valtype_new_i32(), wasm_valtype_new_i64());
  wasm_tagtype_t* tag = wasm_tagtype_new(tag_fn);
  CHECK(tag != NULL);
  CHECK_EQ_INT(wasm_functype_params(wasm_tagtype_functype(tag))->size, 2);
  wasm_externtype_t* tag_ext = wasm_tagtype_as_externtype(tag);
  CHECK_EQ_INT(wasm_externtype_kind(tag_ext), WASM_EXTERN_TAG);
  CHECK(wasm_externtype_as_tagtype(tag_ext) == tag);
  CHECK(wasm_externtype_as_tagtype_const(wasm_tagtype_as_externtype_const(tag)) == tag);
  CHECK(wasm_externtype_as_functype(tag_ext) == NULL);
  wasm_tagtype_t* tag2 = wasm_tagtype_copy(tag);
  CHECK_EQ_INT(wasm_valtype_kind(wasm_functype_params(wasm_tagtype_functype(tag2))->data[1]), WASM_I64);
  wasm_tagtype_vec_t tags;
  wasm_tagtype_t* tag_arr[] = {tag2};
  wasm_tagtype_vec_new(&tags, 1, tag_arr);
  wasm_tagtype_vec_t tags2;
  wasm_tagtype_vec_copy(&tags2, &tags);
  wasm_tagtype_vec_delete(&tags);
  wasm_tagtype_vec_delete(&tags2);
  wasm_tagtype_delete(tag);

  /* Import and export types built by the host. */
  wasm_name_t mod_name, item_name;
  wasm_name_new_from_string(&mod_name, "m");
  wasm_name_new_from_string(&item_name, "x");
  wasm_importtype_t* it = wasm_importtype_new(&mod_name, &item_name,
                                              wasm_memorytype_as_externtype(wasm_memorytype_copy(mty)));
  check_name(wasm_importtype_module(it), "m");
  check_name(wasm_importtype_name(it), "x");
  CHECK_EQ_INT(wasm_externtype_kind(wasm_importtype_type(it)), WASM_EXTERN_MEMORY);
  wasm_importtype_delete(it);
  wasm_name_new_from_string(&item_name, "e");
  wasm_exporttype_t* et = wasm_exporttype_new(&item_name, wasm_functype_as_externtype(wasm_functype_copy(fty)));
  wasm_exporttype_t* et2 = wasm_exporttype_copy(et);
  check_name(wasm_exporttype_name(et2), "e");
  wasm_exporttype_delete(et);
  wasm_exporttype_delete(et2);

  printf("reflect ok\n");
  wasm_functype_delete(fty);
  wasm_globaltype_delete(gty);
  wasm_tabletype_delete(tty);
  wasm_memorytype_delete(mty);
  wasm_global_delete(g);
  wasm_table_delete(t);
  wasm_memory_delete(m);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
