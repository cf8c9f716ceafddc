/*
 * WASI through the WAMR API: arguments, environment and stdout given with
 * wasm_runtime_set_wasi_args_ex, a command run with
 * wasm_application_execute_main, its exit code; mC of the multi-module
 * example (a command) runs too.
 * Usage: test_wasi <wasi dir>
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>

#include "common.h"

int main(int argc, char **argv)
{
    char err[256] = { 0 };
    if (argc > 1)
        module_dir = argv[1];
    CHECK(wasm_runtime_init());
    wasm_runtime_set_module_reader(dir_reader, dir_destroyer);

    wasm_module_t m = load_file("wasi_echo", err, sizeof err);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "load: %s\n", err);
        return finish("test_wasi");
    }
    FILE *out = tmpfile();
    CHECK(out != NULL);
    const char *env[] = { "GREETING=hey", "OTHER=1" };
    char *args[] = { "echo", "world", "x" };
    wasm_runtime_set_wasi_args_ex(m, NULL, 0, NULL, 0, env, 2, args, 3, -1, fileno(out), -1);
    wasm_module_inst_t inst = wasm_runtime_instantiate(m, 8192, 0, err, sizeof err);
    CHECK(inst != NULL);
    if (inst) {
        CHECK(wasm_runtime_is_wasi_mode(inst));
        CHECK(wasm_runtime_lookup_wasi_start_function(inst) != NULL);
        CHECK(wasm_application_execute_main(inst, 0, NULL));
        CHECK_EQ_INT(wasm_runtime_get_wasi_exit_code(inst), 33);
        char text[64] = { 0 };
        fflush(out);
        rewind(out);
        CHECK(fgets(text, sizeof text, out) != NULL);
        CHECK(!strcmp(text, "hey world\n"));
        wasm_runtime_deinstantiate(inst);
    }
    if (out)
        fclose(out);
    wasm_runtime_unload(m);

    /* The multi-module example's mC is a command whose main returns 0. */
    wasm_module_t mC = load_file("mC", err, sizeof err);
    CHECK(mC != NULL);
    if (mC) {
        inst = wasm_runtime_instantiate(mC, 8192, 0, err, sizeof err);
        CHECK(inst != NULL);
        if (inst) {
            CHECK(wasm_application_execute_main(inst, 0, NULL));
            CHECK_EQ_INT(wasm_runtime_get_wasi_exit_code(inst), 0);
            wasm_runtime_deinstantiate(inst);
        }
        wasm_runtime_unload(mC);
    }
    /* WASI modules must export their memory. */
    wasm_module_t nm = load_file("wasi_no_memory", err, sizeof err);
    CHECK(nm != NULL);
    if (nm) {
        CHECK(wasm_runtime_instantiate(nm, 8192, 0, err, sizeof err) == NULL);
        CHECK_CONTAINS(err, "does not export its memory");
        wasm_runtime_unload(nm);
    }

    wasm_runtime_destroy();
    CHECK_EQ_INT(destroys, reads);
    return finish("test_wasi");
}
