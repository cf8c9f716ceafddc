/*
 * weft.h: Weft's additions to the WebAssembly C API. Include it instead of
 * (or after) wasm.h; it includes wasm.h.
 *
 * 1. WAMR's c-api extensions for multi-module programs: a module can be
 *    given a name, under which it is registered (as
 *    wasm_runtime_register_module does), and wasm_instance_new resolves
 *    each import that the caller leaves NULL in its imports vector from the
 *    module registered under the import's module name, or else from the
 *    module reader (weft_set_module_reader). Such a dependency is
 *    instantiated in the caller's store, once per wasm_instance_new call,
 *    with its own dependencies resolved the same way.
 *
 * 2. WASI for wasm.h programs: a weft_wasi_config_t holds arguments,
 *    environment, preopened directories and stdio descriptors;
 *    weft_instance_new_with_wasi instantiates a module with its NULL WASI
 *    imports (wasi_snapshot_preview1, wasi_unstable) bound to a fresh WASI
 *    context made from it. A command is then run by calling its "_start"
 *    export; a guest's proc_exit ends that call with a trap whose status
 *    weft_trap_exit_code reads.
 *
 * Ownership follows wasm.h: `own` results belong to the caller.
 * Every function accepts NULL arguments and then fails (NULL, false or "").
 */

#ifndef WEFT_H
#define WEFT_H

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef own
#define own
#define WEFT_UNDEF_OWN
#endif

/* Names `module` and registers it under `name`. False if the name is
   reserved ("env", "wasi_snapshot_preview1", "wasi_unstable", "spectest",
   empty) or held by a different module, or the module's own dependencies
   cannot be loaded. */
WASM_API_EXTERN bool wasm_module_set_name(wasm_module_t *module, const char *name);

/* The module's name, or "" if it has none. Valid while the module lives and
   its name is not set again. */
WASM_API_EXTERN const char *wasm_module_get_name(wasm_module_t *module);

/* Supplies the binary of the module called `module_name` (package_type is
   0, bytecode): sets *buffer and *size and returns true, or returns false. */
typedef bool (*weft_module_reader_t)(uint32_t package_type, const char *module_name,
                                     uint8_t **buffer, uint32_t *size);
/* Takes back a buffer the reader handed out; called once for each. */
typedef void (*weft_module_destroyer_t)(uint8_t *buffer, uint32_t size);

/* Sets the reader consulted, by module name, for imports left NULL whose
   module is not registered (the same setting as wasm_export.h's
   wasm_runtime_set_module_reader). NULL removes it. */
WASM_API_EXTERN void weft_set_module_reader(weft_module_reader_t reader,
                                            weft_module_destroyer_t destroyer);

/* WASI settings. */
typedef struct weft_wasi_config_t weft_wasi_config_t;

/* No arguments, no environment, no preopened directories, and the host's
   stdin, stdout and stderr. */
WASM_API_EXTERN own weft_wasi_config_t *weft_wasi_config_new(void);
WASM_API_EXTERN void weft_wasi_config_delete(own weft_wasi_config_t *config);

/* Replaces the arguments with argv[0..argc) (copied). */
WASM_API_EXTERN bool weft_wasi_config_set_args(weft_wasi_config_t *config, size_t argc,
                                               const char *const argv[]);

/* Replaces the environment with names[i]=values[i], i < n (copied); a
   name must be non-empty and free of '='. */
WASM_API_EXTERN bool weft_wasi_config_set_env(weft_wasi_config_t *config, size_t n,
                                              const char *const names[],
                                              const char *const values[]);

/* Lets the guest open files under the host directory `host_path`, which it
   sees as `guest_path`. False if `host_path` is not a directory. */
WASM_API_EXTERN bool weft_wasi_config_preopen_dir(weft_wasi_config_t *config,
                                                  const char *host_path,
                                                  const char *guest_path);

/* The guest's stdin, stdout and stderr become duplicates of these host
   descriptors (the caller keeps its own); -1 keeps the host's stream. */
WASM_API_EXTERN bool weft_wasi_config_set_stdio(weft_wasi_config_t *config, int stdin_fd,
                                                int stdout_fd, int stderr_fd);

/* As wasm_instance_new, and the imports left NULL in `imports` (all of
   them if `imports` is NULL) are resolved: WASI functions from a new WASI
   context made from `config` (NULL: the defaults), other modules as
   wasm_instance_new does. `config` is only read and may be reused. */
WASM_API_EXTERN own wasm_instance_t *weft_instance_new_with_wasi(
    wasm_store_t *store, const wasm_module_t *module, const wasm_extern_vec_t *imports,
    const weft_wasi_config_t *config, own wasm_trap_t **trap);

/* True if `trap` ended a call because the guest called WASI's proc_exit;
   its status is then stored in *code (when `code` is not NULL). */
WASM_API_EXTERN bool weft_trap_exit_code(const wasm_trap_t *trap, int *code);

#ifdef WEFT_UNDEF_OWN
#undef own
#undef WEFT_UNDEF_OWN
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WEFT_H */
