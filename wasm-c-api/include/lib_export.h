/*
 * lib_export.h: describing host ("native") functions to Weft's
 * WAMR-compatible embedding API (see wasm_export.h).
 *
 * This is Weft's own text, written to be source- and ABI-compatible with
 * the header of the same name shipped by WAMR 2.x: the NativeSymbol
 * layout and the EXPORT_WASM_API* helpers below match it.
 */

#ifndef _LIB_EXPORT_H_
#define _LIB_EXPORT_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One host function offered to WebAssembly modules.
 *
 *   symbol     the import name the module uses (the import's field name)
 *   func_ptr   the C function; its first parameter is always the
 *              wasm_exec_env_t of the calling execution
 *   signature  NULL, or a string such as "(ii)i" describing parameters and
 *              result (see wasm_runtime_register_natives in wasm_export.h)
 *   attachment any pointer; the function reads it back with
 *              wasm_runtime_get_function_attachment(exec_env)
 */
typedef struct NativeSymbol {
    const char *symbol;
    void *func_ptr;
    const char *signature;
    void *attachment;
} NativeSymbol;

/* Initialisers for NativeSymbol arrays. The *2 forms name a function called
 * `<symbol>_wrapper` while registering it under `<symbol>`. */
#define EXPORT_WASM_API(symbol) { #symbol, (void *)symbol, NULL, NULL }
#define EXPORT_WASM_API2(symbol) { #symbol, (void *)symbol##_wrapper, NULL, NULL }
#define EXPORT_WASM_API_WITH_SIG(symbol, signature) \
    { #symbol, (void *)symbol, signature, NULL }
#define EXPORT_WASM_API_WITH_SIG2(symbol, signature) \
    { #symbol, (void *)symbol##_wrapper, signature, NULL }
#define EXPORT_WASM_API_WITH_ATT(symbol, signature, attachment) \
    { #symbol, (void *)symbol, signature, attachment }
#define EXPORT_WASM_API_WITH_ATT2(symbol, signature, attachment) \
    { #symbol, (void *)symbol##_wrapper, signature, attachment }

#ifdef __cplusplus
}
#endif

#endif /* _LIB_EXPORT_H_ */
