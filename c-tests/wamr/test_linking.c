/*
 * Linking with dependencies beyond functions: a memory, a table and a
 * mutable global of lib are shared with user (not copied), and imports
 * are checked exactly (limits, mutability, function types, names).
 * Usage: test_linking <wat dir>
 */
#include "common.h"

static void expect_instantiate_error(const char *name, const char *part)
{
    char err[256] = { 0 };
    wasm_module_t m = load_file(name, err, sizeof err);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s: %s\n", name, err);
        return;
    }
    wasm_module_inst_t inst = wasm_runtime_instantiate(m, 8192, 0, err, sizeof err);
    CHECK(inst == NULL);
    CHECK_CONTAINS(err, part);
    if (inst)
        wasm_runtime_deinstantiate(inst);
    wasm_runtime_unload(m);
}

int main(int argc, char **argv)
{
    char err[256] = { 0 };
    if (argc > 1)
        module_dir = argv[1];
    CHECK(wasm_runtime_init());
    wasm_runtime_set_module_reader(dir_reader, dir_destroyer);

    wasm_module_t user = load_file("user", err, sizeof err);
    CHECK(user != NULL);
    if (!user) {
        fprintf(stderr, "load user: %s\n", err);
        return finish("test_linking");
    }
    CHECK(wasm_runtime_find_module_registered("lib") != NULL);
    wasm_module_inst_t inst = wasm_runtime_instantiate(user, 8192, 0, err, sizeof err);
    CHECK(inst != NULL);
    if (!inst) {
        fprintf(stderr, "instantiate user: %s\n", err);
        return finish("test_linking");
    }
    wasm_exec_env_t env = wasm_runtime_create_exec_env(inst, 8192);
    uint32_t cells[2];

    /* Shared memory: user writes, lib reads. */
    cells[0] = 100;
    cells[1] = 4242;
    CHECK(wasm_runtime_call_wasm(env, wasm_runtime_lookup_function(inst, "store"), 2, cells));
    cells[0] = 100;
    CHECK(wasm_runtime_call_wasm(env, wasm_runtime_lookup_function(inst, "$lib$load"), 1, cells));
    CHECK_EQ_INT(cells[0], 4242);
    /* user's memory 0 is lib's: the same native address. */
    CHECK(wasm_runtime_addr_app_to_native(inst, 100) != NULL);
    CHECK_EQ_INT(*(int32_t *)wasm_runtime_addr_app_to_native(inst, 100), 4242);

    /* Shared mutable global. */
    CHECK_EQ_INT(call_i32(env, inst, "$lib$get_g"), 5);
    cells[0] = 77;
    CHECK(wasm_runtime_call_wasm(env, wasm_runtime_lookup_function(inst, "set_g"), 1, cells));
    CHECK_EQ_INT(call_i32(env, inst, "$lib$get_g"), 77);
    CHECK_EQ_INT(call_i32(env, inst, "get_g_via_lib"), 77);
    CHECK_EQ_INT(call_i32(env, inst, "k"), 9);

    /* Shared table: user's element segment wrote into lib's table. */
    cells[0] = 1;
    CHECK(wasm_runtime_call_wasm(env, wasm_runtime_lookup_function(inst, "$lib$call_tab"), 1, cells));
    CHECK_EQ_INT(cells[0], 99);
    cells[0] = 0;
    CHECK(!wasm_runtime_call_wasm(env, wasm_runtime_lookup_function(inst, "$lib$call_tab"), 1, cells));
    CHECK_CONTAINS(wasm_runtime_get_exception(inst), "uninitialized element");

    /* A second instance has its own lib. */
    wasm_module_inst_t inst2 = wasm_runtime_instantiate(user, 8192, 0, err, sizeof err);
    CHECK(inst2 != NULL);
    if (inst2) {
        wasm_exec_env_t env2 = wasm_runtime_create_exec_env(inst2, 8192);
        CHECK_EQ_INT(call_i32(env2, inst2, "$lib$get_g"), 5);
        wasm_runtime_destroy_exec_env(env2);
        wasm_runtime_deinstantiate(inst2);
    }
    CHECK_EQ_INT(call_i32(env, inst, "$lib$get_g"), 77);

    wasm_runtime_destroy_exec_env(env);
    wasm_runtime_deinstantiate(inst);
    wasm_runtime_unload(user);

    /* Exact import checks. */
    expect_instantiate_error("bad_limits", "lib.mem");
    expect_instantiate_error("bad_global", "lib.g");
    expect_instantiate_error("bad_func", "lib.get_g");
    expect_instantiate_error("bad_export", "nothing_here");

    /* Registering an instantiated module registers that instance: later
     * importers link to it rather than to an instance of their own. */
    wasm_module_t lib = wasm_runtime_find_module_registered("lib");
    wasm_module_inst_t lib_inst = wasm_runtime_instantiate(lib, 8192, 0, err, sizeof err);
    CHECK(lib_inst != NULL);
    CHECK(wasm_runtime_register_module("lib", lib, err, sizeof err));
    user = load_file("user", err, sizeof err);
    CHECK(user != NULL);
    wasm_module_inst_t shared_user = user && lib_inst
        ? wasm_runtime_instantiate(user, 8192, 0, err, sizeof err) : NULL;
    CHECK(shared_user != NULL);
    if (shared_user) {
        wasm_exec_env_t lib_env = wasm_runtime_create_exec_env(lib_inst, 8192);
        wasm_exec_env_t user_env = wasm_runtime_create_exec_env(shared_user, 8192);
        cells[0] = 123;
        CHECK(wasm_runtime_call_wasm(user_env, wasm_runtime_lookup_function(shared_user, "set_g"), 1, cells));
        CHECK_EQ_INT(call_i32(lib_env, lib_inst, "get_g"), 123);
        cells[0] = 200;
        cells[1] = 5;
        CHECK(wasm_runtime_call_wasm(user_env, wasm_runtime_lookup_function(shared_user, "store"), 2, cells));
        cells[0] = 200;
        CHECK(wasm_runtime_call_wasm(lib_env, wasm_runtime_lookup_function(lib_inst, "load"), 1, cells));
        CHECK_EQ_INT(cells[0], 5);
        cells[0] = 1;
        CHECK(wasm_runtime_call_wasm(lib_env, wasm_runtime_lookup_function(lib_inst, "call_tab"), 1, cells));
        CHECK_EQ_INT(cells[0], 99);
        CHECK_EQ_INT(call_i32(user_env, shared_user, "$lib$get_g"), 123);
        wasm_runtime_destroy_exec_env(lib_env);
        /* The importer keeps the shared store alive after lib goes. */
        wasm_runtime_deinstantiate(lib_inst);
        lib_inst = NULL;
        CHECK_EQ_INT(call_i32(user_env, shared_user, "get_g_via_lib"), 123);
        wasm_runtime_destroy_exec_env(user_env);
        wasm_runtime_deinstantiate(shared_user);
    }
    if (lib_inst)
        wasm_runtime_deinstantiate(lib_inst);
    /* With the instance gone, importers get their own lib again. */
    wasm_module_inst_t fresh = user ? wasm_runtime_instantiate(user, 8192, 0, err, sizeof err) : NULL;
    CHECK(fresh != NULL);
    if (fresh) {
        wasm_exec_env_t e = wasm_runtime_create_exec_env(fresh, 8192);
        CHECK_EQ_INT(call_i32(e, fresh, "$lib$get_g"), 5);
        wasm_runtime_destroy_exec_env(e);
        wasm_runtime_deinstantiate(fresh);
    }
    wasm_runtime_unload(user);

    wasm_runtime_destroy();
    CHECK_EQ_INT(destroys, reads);
    return finish("test_linking");
}
