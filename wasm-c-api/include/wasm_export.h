/*
 * wasm_export.h: Weft's WAMR-compatible embedding API.
 *
 * This is Weft's own text. It is written to be source- and ABI-compatible
 * with the wasm_export.h of WAMR (WebAssembly Micro Runtime) 2.x, so that
 * an embedder written against WAMR builds against this file and links
 * against libweft instead: the names, signatures, enumerator values and
 * structure layouts below follow that API. Only the functions declared
 * here are provided.
 *
 * Like WAMR's, this header and wasm.h must not be included by the same
 * translation unit: both define wasm_module_t (differently) and
 * wasm_val_t. One library, libweft, serves both APIs.
 *
 * Differences in behaviour worth knowing:
 *   - Modules are always interpreted (Mode_Interp); AOT files are refused.
 *   - Multi-module linking is always on and links functions, globals
 *     (a mutable global is shared), memories and tables, with exact type
 *     and limit checks. Within one instantiation each dependency is
 *     instantiated once, however many modules of the tree import it.
 *   - A module instance is single-threaded: calls made from several
 *     threads (spawned exec envs, spawned threads) are serialised.
 */

#ifndef _WASM_EXPORT_H
#define _WASM_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib_export.h"

#ifndef WASM_RUNTIME_API_EXTERN
#define WASM_RUNTIME_API_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Short forms for native functions that have `module_inst` in scope. */
#define get_module_inst(exec_env) wasm_runtime_get_module_inst(exec_env)
#define validate_app_addr(offset, size) \
    wasm_runtime_validate_app_addr(module_inst, offset, size)
#define validate_app_str_addr(offset) \
    wasm_runtime_validate_app_str_addr(module_inst, offset)
#define addr_app_to_native(offset) \
    wasm_runtime_addr_app_to_native(module_inst, offset)
#define addr_native_to_app(ptr) \
    wasm_runtime_addr_native_to_app(module_inst, ptr)
#define module_malloc(size, p_native_addr) \
    wasm_runtime_module_malloc(module_inst, size, p_native_addr)
#define module_free(offset) wasm_runtime_module_free(module_inst, offset)

/* Helpers for raw natives: void fn(wasm_exec_env_t, uint64_t *args). */
#define native_raw_return_type(type, args) type *raw_ret = (type *)(args)
#define native_raw_get_arg(type, name, args) type name = *((type *)(args++))
#define native_raw_set_return(val) *raw_ret = (val)

/* ------------------------------------------------------------------ */
/* Handles                                                             */
/* ------------------------------------------------------------------ */

#ifndef WASM_MODULE_T_DEFINED
#define WASM_MODULE_T_DEFINED
/* A loaded (validated, not yet instantiated) module. */
struct WASMModuleCommon;
typedef struct WASMModuleCommon *wasm_module_t;
#endif

/* An instantiated module. */
struct WASMModuleInstanceCommon;
typedef struct WASMModuleInstanceCommon *wasm_module_inst_t;

/* A function of an instance; owned by the instance. */
typedef void WASMFunctionInstanceCommon;
typedef WASMFunctionInstanceCommon *wasm_function_inst_t;

/* A linear memory of an instance; owned by the instance. */
struct WASMMemoryInstance;
typedef struct WASMMemoryInstance *wasm_memory_inst_t;

/* An execution environment: what a call runs in. */
struct WASMExecEnv;
typedef struct WASMExecEnv *wasm_exec_env_t;

typedef enum {
    WASM_IMPORT_EXPORT_KIND_FUNC,
    WASM_IMPORT_EXPORT_KIND_TABLE,
    WASM_IMPORT_EXPORT_KIND_MEMORY,
    WASM_IMPORT_EXPORT_KIND_GLOBAL
} wasm_import_export_kind_t;

/* What a buffer holds. */
typedef enum {
    Wasm_Module_Bytecode = 0,
    Wasm_Module_AoT,
    Package_Type_Unknown = 0xFFFF
} package_type_t;

/* ------------------------------------------------------------------ */
/* Runtime initialisation                                              */
/* ------------------------------------------------------------------ */

#ifndef MEM_ALLOC_OPTION_DEFINED
#define MEM_ALLOC_OPTION_DEFINED
/* Where the runtime's own memory comes from. */
typedef enum {
    /* Out of a buffer the embedder provides (pool.heap_buf/heap_size). */
    Alloc_With_Pool = 0,
    /* From the embedder's malloc/realloc/free (allocator.*). */
    Alloc_With_Allocator,
    /* From the C library. */
    Alloc_With_System_Allocator,
} mem_alloc_type_t;

typedef enum { Alloc_For_Runtime, Alloc_For_LinearMemory } mem_alloc_usage_t;

typedef union MemAllocOption {
    struct {
        void *heap_buf;
        uint32_t heap_size;
    } pool;
    struct {
        /* void *malloc_func(unsigned int size);
         * void *realloc_func(void *ptr, unsigned int size);
         * void free_func(void *ptr);  (user_data is not passed) */
        void *malloc_func;
        void *realloc_func;
        void *free_func;
        void *user_data;
    } allocator;
} MemAllocOption;
#endif

/* Usage of a pool (Alloc_With_Pool only). */
typedef struct mem_alloc_info_t {
    uint32_t total_size;
    uint32_t total_free_size;
    uint32_t highmark_size;
} mem_alloc_info_t;

/* Execution modes; Weft interprets (Mode_Interp) only. */
typedef enum RunningMode {
    Mode_Interp = 1,
    Mode_Fast_JIT,
    Mode_LLVM_JIT,
    Mode_Multi_Tier_JIT,
} RunningMode;

/* Arguments of wasm_runtime_full_init. Fields after max_thread_num are
 * accepted for compatibility and ignored. Zero-initialise the structure. */
typedef struct RuntimeInitArgs {
    mem_alloc_type_t mem_alloc_type;
    MemAllocOption mem_alloc_option;

    /* Natives registered at start-up under this module name. */
    const char *native_module_name;
    NativeSymbol *native_symbols;
    uint32_t n_native_symbols;

    /* Largest number of threads started with wasm_runtime_spawn_thread
     * that may run at once (0: the default, 4). */
    uint32_t max_thread_num;

    char ip_addr[128];
    int unused;
    int instance_port;
    uint32_t fast_jit_code_cache_size;
    uint32_t gc_heap_size;
    RunningMode running_mode;
    uint32_t llvm_jit_opt_level;
    uint32_t llvm_jit_size_level;
    uint32_t segue_flags;
    bool enable_linux_perf;
} RuntimeInitArgs;

#ifndef LOAD_ARGS_OPTION_DEFINED
#define LOAD_ARGS_OPTION_DEFINED
/* Arguments of wasm_runtime_load_ex; `name`, if not NULL, is given to the
 * module as by wasm_runtime_set_module_name. The module never refers to
 * the caller's buffer after loading, so the flags are ignored. */
typedef struct LoadArgs {
    char *name;
    bool clone_wasm_binary;
    bool wasm_binary_freeable;
    bool no_resolve;
} LoadArgs;
#endif

typedef struct WASMExternInstance {
    const char *module_name;
    const char *field_name;
    wasm_import_export_kind_t kind;
    union {
        wasm_memory_inst_t memory;
    } u;
} WASMExternInstance, *wasm_extern_inst_t;

#ifndef INSTANTIATION_ARGS_OPTION_DEFINED
#define INSTANTIATION_ARGS_OPTION_DEFINED
/* Arguments of wasm_runtime_instantiate_ex. Only the first two fields are
 * used; max_memory_pages and the imports are accepted and ignored. */
typedef struct InstantiationArgs {
    uint32_t default_stack_size;
    uint32_t host_managed_heap_size;
    uint32_t max_memory_pages;
    uint32_t import_count;
    const wasm_extern_inst_t imports;
} InstantiationArgs;
#endif

/* ------------------------------------------------------------------ */
/* Values (this wasm_val_t is not wasm.h's)                            */
/* ------------------------------------------------------------------ */

#ifndef WASM_VALKIND_T_DEFINED
#define WASM_VALKIND_T_DEFINED
typedef uint8_t wasm_valkind_t;
enum wasm_valkind_enum {
    WASM_I32,
    WASM_I64,
    WASM_F32,
    WASM_F64,
    WASM_V128,
    WASM_EXTERNREF = 128,
    WASM_FUNCREF,
};
#endif

#ifndef WASM_VAL_T_DEFINED
#define WASM_VAL_T_DEFINED
struct wasm_ref_t;

typedef struct wasm_val_t {
    wasm_valkind_t kind;
    uint8_t _paddings[7];
    union {
        int32_t i32;   /* also a function index, for WASM_FUNCREF */
        int64_t i64;
        float f32;
        double f64;
        uintptr_t foreign; /* WASM_EXTERNREF: the host's value, 0 is null */
        struct wasm_ref_t *ref;
    } of;
} wasm_val_t;
#endif

typedef enum {
    WASM_LOG_LEVEL_FATAL = 0,
    WASM_LOG_LEVEL_ERROR = 1,
    WASM_LOG_LEVEL_WARNING = 2,
    WASM_LOG_LEVEL_DEBUG = 3,
    WASM_LOG_LEVEL_VERBOSE = 4
} log_level_t;

/* Initialises the runtime with the system allocator. Calls nest: each
 * successful init needs one wasm_runtime_destroy. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_init(void);

/* Initialises the runtime with the given allocator, start-up natives and
 * thread limit. With Alloc_With_Pool (or Alloc_With_Allocator), the
 * objects this API hands out (modules, instances, exec envs, function and
 * memory records), wasm_runtime_malloc and the linear memories come from
 * the caller's buffer (or functions); exhausting the pool makes those
 * calls (and instantiation) fail cleanly. A linear memory never moves, so
 * it is given its initial size plus some room to grow: from a pool, up to
 * half of what the pool has left (within its declared maximum); from the
 * embedder's functions, room to double (at least a page, at most 64 MiB).
 * Growing past that room fails as growing past a maximum does.
 * Not from the pool: the engine's decoded code. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_full_init(RuntimeInitArgs *init_args);

/* Releases everything: registered modules (and the buffers the module
 * reader handed out), natives, the reader. */
WASM_RUNTIME_API_EXTERN void wasm_runtime_destroy(void);

WASM_RUNTIME_API_EXTERN void wasm_runtime_set_log_level(log_level_t level);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_is_running_mode_supported(RunningMode running_mode);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_set_default_running_mode(RunningMode running_mode);

/* The runtime's allocator (the pool, the embedder's functions or the C
 * library, as chosen at initialisation). */
WASM_RUNTIME_API_EXTERN void *wasm_runtime_malloc(unsigned int size);
WASM_RUNTIME_API_EXTERN void *wasm_runtime_realloc(void *ptr, unsigned int size);
WASM_RUNTIME_API_EXTERN void wasm_runtime_free(void *ptr);
/* Pool usage; false unless the runtime uses a pool. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_get_mem_alloc_info(mem_alloc_info_t *mem_alloc_info);

WASM_RUNTIME_API_EXTERN package_type_t get_package_type(const uint8_t *buf, uint32_t size);
WASM_RUNTIME_API_EXTERN package_type_t wasm_runtime_get_file_package_type(const uint8_t *buf,
                                                                          uint32_t size);
WASM_RUNTIME_API_EXTERN package_type_t wasm_runtime_get_module_package_type(const wasm_module_t module);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_is_xip_file(const uint8_t *buf, uint32_t size);

/* Threads that call wasm: nothing to set up in Weft; kept for callers. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_init_thread_env(void);
WASM_RUNTIME_API_EXTERN void wasm_runtime_destroy_thread_env(void);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_thread_env_inited(void);

/* ------------------------------------------------------------------ */
/* Modules and multi-module loading                                    */
/* ------------------------------------------------------------------ */

/* Supplies the bytes of the module called `module_name` (an import's
 * module name). Returns false if it cannot. */
typedef bool (*module_reader)(package_type_t module_type, const char *module_name,
                              uint8_t **p_buffer, uint32_t *p_size);

/* Releases a buffer that module_reader handed out; called exactly once for
 * each such buffer. */
typedef void (*module_destroyer)(uint8_t *buffer, uint32_t size);

/* Sets (or, with NULLs, clears) the callbacks used to load dependencies. */
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_module_reader(const module_reader reader,
                                                            const module_destroyer destroyer);

/* Registers `module` under `module_name`, so that modules importing from
 * that name link to it. The reserved names ("env",
 * "wasi_snapshot_preview1", "wasi_unstable", "spectest" and "") are
 * refused, as is a name taken by another module. A registered module is
 * owned by the runtime from then on: wasm_runtime_unload ignores it and
 * wasm_runtime_destroy releases it. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_register_module(const char *module_name, wasm_module_t module,
                                                          char *error_buf, uint32_t error_buf_size);

/* The module registered under `module_name`, or NULL. */
WASM_RUNTIME_API_EXTERN wasm_module_t wasm_runtime_find_module_registered(const char *module_name);

/* Decodes and validates a module and loads its dependencies: for each
 * import module name that is not reserved and has no natives registered,
 * the registered module of that name, else the reader's. Dependencies are
 * registered under their names. A cycle or a dependency that cannot be
 * read fails the load, with the reason in error_buf. The module does not
 * refer to `buf` afterwards. */
WASM_RUNTIME_API_EXTERN wasm_module_t wasm_runtime_load(uint8_t *buf, uint32_t size, char *error_buf,
                                                        uint32_t error_buf_size);
WASM_RUNTIME_API_EXTERN wasm_module_t wasm_runtime_load_ex(uint8_t *buf, uint32_t size,
                                                           const LoadArgs *args, char *error_buf,
                                                           uint32_t error_buf_size);

/* Releases a module that is not registered; instances of it stay valid. */
WASM_RUNTIME_API_EXTERN void wasm_runtime_unload(wasm_module_t module);

WASM_RUNTIME_API_EXTERN bool wasm_runtime_set_module_name(wasm_module_t module, const char *name,
                                                          char *error_buf, uint32_t error_buf_size);
/* The name last set or registered, or "". */
WASM_RUNTIME_API_EXTERN const char *wasm_runtime_get_module_name(wasm_module_t module);

/* ------------------------------------------------------------------ */
/* Instances                                                           */
/* ------------------------------------------------------------------ */

/* Instantiates `module` and, first, each of its dependencies (once per
 * tree). `default_stack_size` is accepted for compatibility. With
 * `host_managed_heap_size` > 0, an app heap of that size is added to the
 * end of the instance's linear memory for wasm_runtime_module_malloc,
 * unless the module exports `malloc` and `free`, which are used instead. */
WASM_RUNTIME_API_EXTERN wasm_module_inst_t wasm_runtime_instantiate(const wasm_module_t module,
                                                                    uint32_t default_stack_size,
                                                                    uint32_t host_managed_heap_size,
                                                                    char *error_buf,
                                                                    uint32_t error_buf_size);
WASM_RUNTIME_API_EXTERN wasm_module_inst_t wasm_runtime_instantiate_ex(const wasm_module_t module,
                                                                       const InstantiationArgs *args,
                                                                       char *error_buf,
                                                                       uint32_t error_buf_size);
WASM_RUNTIME_API_EXTERN void wasm_runtime_deinstantiate(wasm_module_inst_t module_inst);

/* WASI settings used when `module` (as the root of an instantiation)
 * imports WASI: preopened directories (`dir_list`: host paths, also used
 * as guest paths; `map_dir_list`: "<guest>::<host>"), environment
 * ("KEY=VALUE"), arguments, and for _ex the host descriptors behind
 * stdin/stdout/stderr (-1: inherit the process's). Without them a WASI
 * module gets no arguments, no environment, no preopens and inherited
 * stdio. Dependencies share their root's WASI context. */
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_wasi_args_ex(wasm_module_t module, const char *dir_list[],
                                                           uint32_t dir_count, const char *map_dir_list[],
                                                           uint32_t map_dir_count, const char *env[],
                                                           uint32_t env_count, char *argv[], int argc,
                                                           int64_t stdinfd, int64_t stdoutfd,
                                                           int64_t stderrfd);
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_wasi_args(wasm_module_t module, const char *dir_list[],
                                                        uint32_t dir_count, const char *map_dir_list[],
                                                        uint32_t map_dir_count, const char *env[],
                                                        uint32_t env_count, char *argv[], int argc);

WASM_RUNTIME_API_EXTERN bool wasm_runtime_set_running_mode(wasm_module_inst_t module_inst,
                                                           RunningMode running_mode);
WASM_RUNTIME_API_EXTERN RunningMode wasm_runtime_get_running_mode(wasm_module_inst_t module_inst);

WASM_RUNTIME_API_EXTERN wasm_module_t wasm_runtime_get_module(wasm_module_inst_t module_inst);

/* True if the module imports WASI. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_is_wasi_mode(wasm_module_inst_t module_inst);
WASM_RUNTIME_API_EXTERN wasm_function_inst_t wasm_runtime_lookup_wasi_start_function(
    wasm_module_inst_t module_inst);
/* The status given to proc_exit by the last execution (0 if none). */
WASM_RUNTIME_API_EXTERN uint32_t wasm_runtime_get_wasi_exit_code(wasm_module_inst_t module_inst);

/* The exported function `name`; "$mB$f" names the export f of the
 * dependency mB of this instance. NULL if there is none. */
WASM_RUNTIME_API_EXTERN wasm_function_inst_t wasm_runtime_lookup_function(
    const wasm_module_inst_t module_inst, const char *name);

/* Callers written for older WAMR releases pass a third argument (a
 * signature, which was never checked); both forms compile. */
static inline wasm_function_inst_t
weft_lookup_function_with_signature(const wasm_module_inst_t module_inst, const char *name,
                                    const char *signature)
{
    (void)signature;
    return (wasm_runtime_lookup_function)(module_inst, name);
}
#define WEFT_PICK_LOOKUP_(a1, a2, a3, chosen, ...) chosen
#define wasm_runtime_lookup_function(...)                                      \
    WEFT_PICK_LOOKUP_(__VA_ARGS__, weft_lookup_function_with_signature,        \
                      (wasm_runtime_lookup_function), unused)(__VA_ARGS__)

WASM_RUNTIME_API_EXTERN uint32_t wasm_func_get_param_count(const wasm_function_inst_t func_inst,
                                                           const wasm_module_inst_t module_inst);
WASM_RUNTIME_API_EXTERN uint32_t wasm_func_get_result_count(const wasm_function_inst_t func_inst,
                                                            const wasm_module_inst_t module_inst);
WASM_RUNTIME_API_EXTERN void wasm_func_get_param_types(const wasm_function_inst_t func_inst,
                                                       const wasm_module_inst_t module_inst,
                                                       wasm_valkind_t *param_types);
WASM_RUNTIME_API_EXTERN void wasm_func_get_result_types(const wasm_function_inst_t func_inst,
                                                        const wasm_module_inst_t module_inst,
                                                        wasm_valkind_t *result_types);

WASM_RUNTIME_API_EXTERN void wasm_runtime_set_custom_data(wasm_module_inst_t module_inst,
                                                          void *custom_data);
WASM_RUNTIME_API_EXTERN void *wasm_runtime_get_custom_data(wasm_module_inst_t module_inst);

/* ------------------------------------------------------------------ */
/* Execution environments                                              */
/* ------------------------------------------------------------------ */

WASM_RUNTIME_API_EXTERN wasm_exec_env_t wasm_runtime_create_exec_env(wasm_module_inst_t module_inst,
                                                                     uint32_t stack_size);
WASM_RUNTIME_API_EXTERN void wasm_runtime_destroy_exec_env(wasm_exec_env_t exec_env);
/* The instance's own exec env (do not destroy it). */
WASM_RUNTIME_API_EXTERN wasm_exec_env_t wasm_runtime_get_exec_env_singleton(
    wasm_module_inst_t module_inst);
/* The instance the exec env runs: inside a native function, the instance
 * whose code called it. */
WASM_RUNTIME_API_EXTERN wasm_module_inst_t wasm_runtime_get_module_inst(wasm_exec_env_t exec_env);
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_module_inst(wasm_exec_env_t exec_env,
                                                          const wasm_module_inst_t module_inst);
/* Inside a native function: the attachment it was registered with. */
WASM_RUNTIME_API_EXTERN void *wasm_runtime_get_function_attachment(wasm_exec_env_t exec_env);
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_user_data(wasm_exec_env_t exec_env, void *user_data);
WASM_RUNTIME_API_EXTERN void *wasm_runtime_get_user_data(wasm_exec_env_t exec_env);

/* ------------------------------------------------------------------ */
/* Calls                                                               */
/* ------------------------------------------------------------------ */

/* Calls `function` with arguments in 32-bit cells (i32/f32 one cell,
 * i64/f64 two, low half first; externref two cells on 64-bit hosts).
 * `argc` is the number of cells. Results are written back from argv[0].
 * On failure the instance's exception says why. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_call_wasm(wasm_exec_env_t exec_env,
                                                    wasm_function_inst_t function, uint32_t argc,
                                                    uint32_t argv[]);

/* Calls with typed arguments and results; the counts must match. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_call_wasm_a(wasm_exec_env_t exec_env,
                                                      wasm_function_inst_t function,
                                                      uint32_t num_results, wasm_val_t results[],
                                                      uint32_t num_args, wasm_val_t *args);

/* As wasm_runtime_call_wasm_a, the arguments given as C arguments: an
 * int32_t for i32, an int64_t for i64, a double for f32 and f64, a
 * uintptr_t for externref. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_call_wasm_v(wasm_exec_env_t exec_env,
                                                      wasm_function_inst_t function,
                                                      uint32_t num_results, wasm_val_t results[],
                                                      uint32_t num_args, ...);

/* Calls the function at `element_index` of the instance's table 0. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_call_indirect(wasm_exec_env_t exec_env,
                                                        uint32_t element_index, uint32_t argc,
                                                        uint32_t argv[]);

/* ------------------------------------------------------------------ */
/* Applications                                                        */
/* ------------------------------------------------------------------ */

/* Runs `_start` (a WASI command), else `main` / `__main_argc_argv` with
 * the arguments copied into the app heap. If main returns a value and
 * argv is not NULL, the value is stored at *(int *)argv. */
WASM_RUNTIME_API_EXTERN bool wasm_application_execute_main(wasm_module_inst_t module_inst,
                                                           int32_t argc, char *argv[]);

/* Calls the function `name` ("$module$name" for a dependency's) with
 * arguments parsed from strings, and prints its results to stdout in the
 * form 0x1f:i32. */
WASM_RUNTIME_API_EXTERN bool wasm_application_execute_func(wasm_module_inst_t module_inst,
                                                           const char *name, int32_t argc,
                                                           char *argv[]);

/* ------------------------------------------------------------------ */
/* Exceptions                                                          */
/* ------------------------------------------------------------------ */

/* "Exception: <reason>" after a failed call, or NULL. */
WASM_RUNTIME_API_EXTERN const char *wasm_runtime_get_exception(wasm_module_inst_t module_inst);
/* Sets the exception (NULL clears it). A native function that sets one
 * makes the running call fail with it once the native returns. */
WASM_RUNTIME_API_EXTERN void wasm_runtime_set_exception(wasm_module_inst_t module_inst,
                                                        const char *exception);
WASM_RUNTIME_API_EXTERN void wasm_runtime_clear_exception(wasm_module_inst_t module_inst);

/* ------------------------------------------------------------------ */
/* Linear memory                                                       */
/* ------------------------------------------------------------------ */

/* Allocates `size` bytes in linear memory: from the app heap, or with the
 * module's exported malloc. Returns the app offset (0 on failure) and, if
 * p_native_addr is not NULL, the native address. */
WASM_RUNTIME_API_EXTERN uint64_t wasm_runtime_module_malloc(wasm_module_inst_t module_inst,
                                                            uint64_t size, void **p_native_addr);
WASM_RUNTIME_API_EXTERN void wasm_runtime_module_free(wasm_module_inst_t module_inst, uint64_t ptr);
/* module_malloc of `size` bytes, filled from `src`. */
WASM_RUNTIME_API_EXTERN uint64_t wasm_runtime_module_dup_data(wasm_module_inst_t module_inst,
                                                              const char *src, uint64_t size);

/* Address checks and conversions against the instance's memory 0. The
 * validate functions set an "out of bounds memory access" exception when
 * they fail; the conversions return NULL / 0 for addresses outside. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_validate_app_addr(wasm_module_inst_t module_inst,
                                                            uint64_t app_offset, uint64_t size);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_validate_app_str_addr(wasm_module_inst_t module_inst,
                                                                uint64_t app_str_offset);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_validate_native_addr(wasm_module_inst_t module_inst,
                                                               void *native_ptr, uint64_t size);
WASM_RUNTIME_API_EXTERN void *wasm_runtime_addr_app_to_native(wasm_module_inst_t module_inst,
                                                              uint64_t app_offset);
WASM_RUNTIME_API_EXTERN uint64_t wasm_runtime_addr_native_to_app(wasm_module_inst_t module_inst,
                                                                 void *native_ptr);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_get_app_addr_range(wasm_module_inst_t module_inst,
                                                             uint64_t app_offset,
                                                             uint64_t *p_app_start_offset,
                                                             uint64_t *p_app_end_offset);
WASM_RUNTIME_API_EXTERN bool wasm_runtime_get_native_addr_range(wasm_module_inst_t module_inst,
                                                                uint8_t *native_ptr,
                                                                uint8_t **p_native_start_addr,
                                                                uint8_t **p_native_end_addr);
/* Grows memory 0 by `inc_page_count` pages. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_enlarge_memory(wasm_module_inst_t module_inst,
                                                         uint64_t inc_page_count);

/* Memory handles (memory 0, by index, or by export name). */
WASM_RUNTIME_API_EXTERN wasm_memory_inst_t wasm_runtime_get_default_memory(
    const wasm_module_inst_t module_inst);
WASM_RUNTIME_API_EXTERN wasm_memory_inst_t wasm_runtime_get_memory(const wasm_module_inst_t module_inst,
                                                                   uint32_t index);
WASM_RUNTIME_API_EXTERN wasm_memory_inst_t wasm_runtime_lookup_memory(
    const wasm_module_inst_t module_inst, const char *name);
WASM_RUNTIME_API_EXTERN uint64_t wasm_memory_get_cur_page_count(const wasm_memory_inst_t memory_inst);
WASM_RUNTIME_API_EXTERN uint64_t wasm_memory_get_max_page_count(const wasm_memory_inst_t memory_inst);
WASM_RUNTIME_API_EXTERN uint64_t wasm_memory_get_bytes_per_page(const wasm_memory_inst_t memory_inst);
WASM_RUNTIME_API_EXTERN bool wasm_memory_get_shared(const wasm_memory_inst_t memory_inst);
WASM_RUNTIME_API_EXTERN void *wasm_memory_get_base_address(const wasm_memory_inst_t memory_inst);
WASM_RUNTIME_API_EXTERN bool wasm_memory_enlarge(wasm_memory_inst_t memory_inst, uint64_t inc_page_count);

/* ------------------------------------------------------------------ */
/* Native functions                                                    */
/* ------------------------------------------------------------------ */

/*
 * Registers host functions for imports from `module_name`. The array is
 * copied; it may be released after the call. Later registrations take
 * precedence. A function is linked to an import of the same module and
 * field name when instantiating, if its signature (when given) matches the
 * import's type; an import left unlinked traps when called.
 *
 * Signature letters: 'i' i32, 'I' i64, 'f' f32, 'F' f64, 'r' externref
 * (a uintptr_t in C); '*' an i32 app address passed to C as a pointer,
 * checked to lie inside linear memory for the length given by the next
 * parameter if it is '~' (the length, an i32), else for one byte; '$' an
 * i32 app address passed as a char * to a NUL-terminated string, checked
 * to end inside linear memory. A failed check traps ("out of bounds
 * memory access") before the function runs. Example: "(i*~$)I".
 *
 * The C function takes the wasm_exec_env_t first, then the parameters.
 */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_register_natives(const char *module_name,
                                                           NativeSymbol *native_symbols,
                                                           uint32_t n_native_symbols);

/* As above for functions of the form
 *     void fn(wasm_exec_env_t exec_env, uint64_t *args);
 * one 64-bit slot per parameter ('*' and '$' slots hold native pointers),
 * the result written to args[0]. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_register_natives_raw(const char *module_name,
                                                               NativeSymbol *native_symbols,
                                                               uint32_t n_native_symbols);

/* Undoes a registration (the same module name and array pointer). */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_unregister_natives(const char *module_name,
                                                             NativeSymbol *native_symbols);

/* True if a registered native would be linked to that import. */
WASM_RUNTIME_API_EXTERN bool wasm_runtime_is_import_func_linked(const char *module_name,
                                                                const char *func_name);

/* ------------------------------------------------------------------ */
/* Threads                                                             */
/* ------------------------------------------------------------------ */

typedef void *(*wasm_thread_callback_t)(wasm_exec_env_t, void *);
typedef uintptr_t wasm_thread_t;

WASM_RUNTIME_API_EXTERN void wasm_runtime_set_max_thread_num(uint32_t num);

/* A new exec env on the same instance, for use in another thread. */
WASM_RUNTIME_API_EXTERN wasm_exec_env_t wasm_runtime_spawn_exec_env(wasm_exec_env_t exec_env);
WASM_RUNTIME_API_EXTERN void wasm_runtime_destroy_spawned_exec_env(wasm_exec_env_t exec_env);

/* Starts a thread running callback(spawned exec env, arg). 0 on success. */
WASM_RUNTIME_API_EXTERN int32_t wasm_runtime_spawn_thread(wasm_exec_env_t exec_env, wasm_thread_t *tid,
                                                          wasm_thread_callback_t callback, void *arg);
/* Waits for a spawned thread; 0 on success. */
WASM_RUNTIME_API_EXTERN int32_t wasm_runtime_join_thread(wasm_thread_t tid, void **retval);

#ifdef __cplusplus
}
#endif

#endif /* _WASM_EXPORT_H */
