/*
 * The multi-module example: mC imports from mA and mB, mB from mA. The
 * host loads mC; the runtime loads mA and mB through the reader.
 * Usage: test_multi_module <dir with mA/mB/mC.wasm> [wasi]
 */
#include "common.h"

int main(int argc, char **argv)
{
    char err[256] = { 0 };
    bool wasi = argc > 2 && !strcmp(argv[2], "wasi");
    if (argc > 1)
        module_dir = argv[1];

    CHECK(wasm_runtime_init());
    wasm_runtime_set_module_reader(dir_reader, dir_destroyer);

    wasm_module_t mC = load_file("mC", err, sizeof err);
    CHECK(mC != NULL);
    if (!mC) {
        fprintf(stderr, "load mC: %s\n", err);
        return finish("test_multi_module");
    }
    CHECK_EQ_INT(reads, 2);
    CHECK_EQ_INT(destroys, 2);
    wasm_module_t mA = wasm_runtime_find_module_registered("mA");
    wasm_module_t mB = wasm_runtime_find_module_registered("mB");
    CHECK(mA != NULL);
    CHECK(mB != NULL);
    CHECK(mA != mB);
    CHECK(wasm_runtime_find_module_registered("mC") == NULL);
    CHECK(!strcmp(wasm_runtime_get_module_name(mA), "mA"));

    wasm_module_inst_t inst = wasm_runtime_instantiate(mC, 16 * 1024, 0, err, sizeof err);
    CHECK(inst != NULL);
    if (!inst) {
        fprintf(stderr, "instantiate mC: %s\n", err);
        return finish("test_multi_module");
    }
    wasm_exec_env_t env = wasm_runtime_create_exec_env(inst, 16 * 1024);
    CHECK(env != NULL);

    CHECK_EQ_INT(call_i32(env, inst, "C1"), 31);
    CHECK_EQ_INT(call_i32(env, inst, "C2"), 21);
    CHECK_EQ_INT(call_i32(env, inst, "C3"), 11);
    CHECK_EQ_INT(call_i32(env, inst, "C4"), 11);
    CHECK(wasm_runtime_lookup_function(inst, "C5") == NULL);

    /* Functions of the dependencies of this instance. */
    CHECK_EQ_INT(call_i32(env, inst, "$mB$B1"), 21);
    CHECK_EQ_INT(call_i32(env, inst, "$mB$B2"), 11);
    CHECK_EQ_INT(call_i32(env, inst, "$mA$A1"), 11);
    CHECK(wasm_runtime_lookup_function(inst, "$mX$B1") == NULL);
    CHECK(wasm_runtime_lookup_function(inst, "$mB$C1") == NULL);
    CHECK(wasm_runtime_lookup_function(inst, "B1") == NULL);
    /* The same record each time; the old three-argument form compiles. */
    CHECK(wasm_runtime_lookup_function(inst, "C1")
          == wasm_runtime_lookup_function(inst, "C1", "()i"));

    /* As in WAMR's documentation, through wasm_application_execute_func. */
    CHECK(wasm_application_execute_func(inst, "$mB$B1", 0, NULL));
    CHECK(!wasm_application_execute_func(inst, "C5", 0, NULL));
    CHECK_CONTAINS(wasm_runtime_get_exception(inst), "C5");

    /* mC is not registered until the host registers it. */
    CHECK(wasm_runtime_register_module("mC", mC, err, sizeof err));
    CHECK(wasm_runtime_find_module_registered("mC") == mC);
    CHECK(wasm_runtime_register_module("mC", mC, err, sizeof err));
    CHECK(!wasm_runtime_register_module("mA", mC, err, sizeof err));
    CHECK_CONTAINS(err, "mA");

    if (wasi) {
        /* A WASI command (mC has _start) cannot be a dependency. */
        wasm_module_t user = load_file("uses_mC", err, sizeof err);
        CHECK(user != NULL);
        if (user) {
            wasm_module_inst_t bad = wasm_runtime_instantiate(user, 8192, 0, err, sizeof err);
            CHECK(bad == NULL);
            CHECK_CONTAINS(err, "WASI command");
            wasm_runtime_unload(user);
        }
    }

    wasm_runtime_destroy_exec_env(env);
    wasm_runtime_deinstantiate(inst);
    wasm_runtime_unload(mC); /* registered: kept until destroy */
    CHECK(wasm_runtime_find_module_registered("mC") == mC);
    wasm_runtime_destroy();
    CHECK_EQ_INT(destroys, reads);
    CHECK_EQ_INT(reserved_reads, 0);
    return finish(wasi ? "test_multi_module (wasi)" : "test_multi_module");
}
