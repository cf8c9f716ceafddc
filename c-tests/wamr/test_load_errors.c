/*
 * Dependency loading failures: a cycle, a module the reader cannot supply,
 * a reader that fails, a file that is not WebAssembly, no reader at all;
 * reserved names are never read and cannot be registered; the destroyer
 * gets back every buffer the reader handed out, exactly once.
 * Usage: test_load_errors <wat dir>
 */
#include "common.h"

static int failing_calls = 0;

static bool failing_reader(package_type_t type, const char *name, uint8_t **buf, uint32_t *size)
{
    (void)type;
    (void)name;
    (void)buf;
    (void)size;
    failing_calls++;
    return false;
}

int main(int argc, char **argv)
{
    char err[256];
    if (argc > 1)
        module_dir = argv[1];
    CHECK(wasm_runtime_init());
    /* Nested init/destroy pairs are allowed. */
    CHECK(wasm_runtime_init());
    wasm_runtime_destroy();

    /* Nothing to read dependencies with yet. */
    err[0] = 0;
    CHECK(load_file("cyc_root", err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "cycB");
    CHECK_CONTAINS(err, "no module reader");

    wasm_runtime_set_module_reader(dir_reader, dir_destroyer);

    /* A cycle: cyc_root -> cycB -> cycC -> cycB. */
    err[0] = 0;
    CHECK(load_file("cyc_root", err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "circular dependency on cycB");
    CHECK(wasm_runtime_find_module_registered("cycB") == NULL);
    CHECK(wasm_runtime_find_module_registered("cycC") == NULL);
    CHECK_EQ_INT(reads, 2);
    CHECK_EQ_INT(destroys, 2);

    /* A missing dependency: named in the error; what did load stays. */
    err[0] = 0;
    CHECK(load_file("needs_missing", err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "no_such_module");
    CHECK(wasm_runtime_find_module_registered("dep_ok") != NULL);
    CHECK(wasm_runtime_find_module_registered("no_such_module") == NULL);

    /* A dependency that is not WebAssembly: its buffer still goes back. */
    int before = destroys;
    err[0] = 0;
    CHECK(load_file("needs_garbage", err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "garbage");
    CHECK_EQ_INT(destroys, before + 1);
    CHECK_EQ_INT(destroys, reads);

    /* Reserved names are resolved without the reader. */
    wasm_module_t res = load_file("reserved", err, sizeof err);
    CHECK(res != NULL);
    CHECK_EQ_INT(reserved_reads, 0);
    if (res) {
        wasm_module_inst_t inst = wasm_runtime_instantiate(res, 8192, 0, err, sizeof err);
        CHECK(inst != NULL);
        if (inst) {
            wasm_exec_env_t env = wasm_runtime_create_exec_env(inst, 8192);
            CHECK_EQ_INT(call_i32(env, inst, "g"), 666);
            /* An unlinked import traps when called, naming itself. */
            uint32_t cells[1] = { 0 };
            CHECK(!wasm_runtime_call_wasm(env, wasm_runtime_lookup_function(inst, "call_missing"), 0, cells));
            CHECK_CONTAINS(wasm_runtime_get_exception(inst), "(env, missing_native)");
            wasm_runtime_destroy_exec_env(env);
            wasm_runtime_deinstantiate(inst);
        }
        const char *reserved[] = { "env", "wasi_snapshot_preview1", "wasi_unstable", "spectest", "" };
        for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
            err[0] = 0;
            CHECK(!wasm_runtime_register_module(reserved[i], res, err, sizeof err));
            CHECK_CONTAINS(err, "reserved");
        }
        CHECK(wasm_runtime_register_module("reserved_user", res, err, sizeof err));
        CHECK(!wasm_runtime_register_module("another_name", res, err, sizeof err));
    }

    /* NULL arguments are errors, not crashes. */
    CHECK(!wasm_runtime_register_module(NULL, res, err, sizeof err));
    CHECK(!wasm_runtime_register_module("x", NULL, err, sizeof err));
    CHECK(wasm_runtime_find_module_registered(NULL) == NULL);
    CHECK(wasm_runtime_load(NULL, 0, err, sizeof err) == NULL);
    CHECK(wasm_runtime_load((uint8_t *)"\0asm", 4, NULL, 0) == NULL);
    CHECK(wasm_runtime_instantiate(NULL, 0, 0, err, sizeof err) == NULL);
    CHECK(wasm_runtime_lookup_function(NULL, "f") == NULL);
    CHECK(!wasm_runtime_call_wasm(NULL, NULL, 0, NULL));
    CHECK(wasm_runtime_create_exec_env(NULL, 0) == NULL);
    CHECK(wasm_runtime_get_exception(NULL) == NULL);
    CHECK(wasm_runtime_module_malloc(NULL, 8, NULL) == 0);
    wasm_runtime_unload(NULL);
    wasm_runtime_deinstantiate(NULL);
    wasm_runtime_destroy_exec_env(NULL);
    CHECK_EQ_INT(get_package_type((const uint8_t *)"\0asm\1\0\0\0", 8), Wasm_Module_Bytecode);
    CHECK_EQ_INT(get_package_type((const uint8_t *)"\0aot\3\0\0\0", 8), Wasm_Module_AoT);
    CHECK_EQ_INT(get_package_type((const uint8_t *)"junk", 4), Package_Type_Unknown);

    /* A reader that fails. */
    wasm_runtime_set_module_reader(failing_reader, dir_destroyer);
    err[0] = 0;
    CHECK(load_file("cyc_root", err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "cycB");
    CHECK_CONTAINS(err, "reader failed");
    CHECK_EQ_INT(failing_calls, 1);

    int read_total = reads;
    wasm_runtime_destroy();
    CHECK_EQ_INT(destroys, read_total);
    CHECK_EQ_INT(reserved_reads, 0);
    return finish("test_load_errors");
}
