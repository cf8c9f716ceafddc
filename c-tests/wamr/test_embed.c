/*
 * A program written the way WAMR's embedding guide describes: initialise
 * with natives, load, instantiate, create an exec env, call with the three
 * call forms, use the app heap, run main, use spawned exec envs and
 * threads, tear down.
 * Usage: test_embed <wat dir> <plain dir>
 */
#include <pthread.h>
#include <stdatomic.h>

#include "common.h"

static int native_calls = 0;
static wasm_module_inst_t the_inst = NULL;
static void *the_user_data = NULL;
static char logged[64];

static int host_twice(wasm_exec_env_t env, int x)
{
    native_calls++;
    CHECK(wasm_runtime_get_module_inst(env) == the_inst);
    CHECK(wasm_runtime_get_function_attachment(env) == (void *)&native_calls);
    (void)the_user_data;
    return 2 * x;
}

static void host_log(wasm_exec_env_t env, const char *msg, int len)
{
    wasm_module_inst_t module_inst = get_module_inst(env);
    CHECK(validate_app_addr(addr_native_to_app((void *)msg), (uint64_t)len));
    if (len > 0 && len < (int)sizeof logged) {
        memcpy(logged, msg, (size_t)len);
        logged[len] = 0;
    }
}

static NativeSymbol natives[] = {
    EXPORT_WASM_API_WITH_ATT(host_twice, "(i)i", &native_calls),
    EXPORT_WASM_API_WITH_SIG(host_log, "(*~)"),
};

struct thread_arg {
    wasm_exec_env_t env;
    wasm_module_inst_t inst;
    int result;
};

static void *pthread_body(void *p)
{
    struct thread_arg *a = p;
    uint32_t argv[2] = { 5, 6 };
    wasm_function_inst_t f = wasm_runtime_lookup_function(a->inst, "add");
    a->result = f && wasm_runtime_call_wasm(a->env, f, 2, argv) ? (int)argv[0] : -1;
    return NULL;
}

static void *spawned_body(wasm_exec_env_t env, void *arg)
{
    wasm_module_inst_t inst = wasm_runtime_get_module_inst(env);
    uint32_t argv[1] = { (uint32_t)(uintptr_t)arg };
    wasm_function_inst_t f = wasm_runtime_lookup_function(inst, "twice_plus_one");
    if (!f || !wasm_runtime_call_wasm(env, f, 1, argv))
        return NULL;
    return (void *)(uintptr_t)argv[0];
}

static atomic_int release_flag = 0;

static void *blocking_body(wasm_exec_env_t env, void *arg)
{
    (void)env;
    while (!atomic_load(&release_flag))
        ;
    return arg;
}

int main(int argc, char **argv)
{
    char err[256] = { 0 };
    const char *wat_dir = argc > 1 ? argv[1] : ".";
    const char *plain_dir = argc > 2 ? argv[2] : ".";

    RuntimeInitArgs init_args;
    memset(&init_args, 0, sizeof init_args);
    init_args.mem_alloc_type = Alloc_With_System_Allocator;
    init_args.native_module_name = "env";
    init_args.native_symbols = natives;
    init_args.n_native_symbols = sizeof natives / sizeof natives[0];
    init_args.max_thread_num = 4;
    if (!wasm_runtime_full_init(&init_args)) {
        fprintf(stderr, "init failed\n");
        return 1;
    }
    CHECK(wasm_runtime_is_running_mode_supported(Mode_Interp));

    module_dir = plain_dir;
    wasm_module_t module = load_file("guide", err, sizeof err);
    CHECK(module != NULL);
    if (!module) {
        fprintf(stderr, "load: %s\n", err);
        return finish("test_embed");
    }
    wasm_module_inst_t inst = wasm_runtime_instantiate(module, 8192, 65536, err, sizeof err);
    CHECK(inst != NULL);
    if (!inst) {
        fprintf(stderr, "instantiate: %s\n", err);
        return finish("test_embed");
    }
    the_inst = inst;
    CHECK(wasm_runtime_get_module(inst) == module);
    wasm_exec_env_t env = wasm_runtime_create_exec_env(inst, 8192);
    CHECK(env != NULL);
    wasm_runtime_set_user_data(env, &init_args);
    CHECK(wasm_runtime_get_user_data(env) == &init_args);
    CHECK(wasm_runtime_get_module_inst(env) == inst);

    /* 1. wasm_runtime_call_wasm: 32-bit cells. */
    wasm_function_inst_t add = wasm_runtime_lookup_function(inst, "add");
    CHECK(add != NULL);
    CHECK_EQ_INT(wasm_func_get_param_count(add, inst), 2);
    CHECK_EQ_INT(wasm_func_get_result_count(add, inst), 1);
    uint32_t cells[4] = { 3, 4 };
    CHECK(wasm_runtime_call_wasm(env, add, 2, cells));
    CHECK_EQ_INT(cells[0], 7);
    CHECK(!wasm_runtime_call_wasm(env, add, 1, cells));
    CHECK_CONTAINS(wasm_runtime_get_exception(inst), "argument count");

    wasm_function_inst_t mul64 = wasm_runtime_lookup_function(inst, "mul64");
    int64_t a = 0x200000001LL, b = 3, r64;
    memcpy(&cells[0], &a, 8);
    memcpy(&cells[2], &b, 8);
    CHECK(wasm_runtime_call_wasm(env, mul64, 4, cells));
    memcpy(&r64, &cells[0], 8);
    CHECK_EQ_INT(r64, 0x600000003LL);
    wasm_valkind_t kinds[2];
    wasm_func_get_param_types(mul64, inst, kinds);
    CHECK_EQ_INT(kinds[0], WASM_I64);

    /* 2. wasm_runtime_call_wasm_a: wasm_val_t arrays. */
    wasm_function_inst_t fdiv = wasm_runtime_lookup_function(inst, "fdiv");
    wasm_val_t args[2], results[1];
    args[0].kind = WASM_F64;
    args[0].of.f64 = 1.0;
    args[1].kind = WASM_F64;
    args[1].of.f64 = 4.0;
    CHECK(wasm_runtime_call_wasm_a(env, fdiv, 1, results, 2, args));
    CHECK(results[0].kind == WASM_F64 && results[0].of.f64 == 0.25);
    args[1].kind = WASM_I32;
    CHECK(!wasm_runtime_call_wasm_a(env, fdiv, 1, results, 2, args));

    /* 3. wasm_runtime_call_wasm_v: C arguments. */
    CHECK(wasm_runtime_call_wasm_v(env, fdiv, 1, results, 2, 9.0, 2.0));
    CHECK(results[0].of.f64 == 4.5);
    CHECK(wasm_runtime_call_wasm_v(env, add, 1, results, 2, 40, 2));
    CHECK(results[0].kind == WASM_I32 && results[0].of.i32 == 42);
    wasm_function_inst_t mix = wasm_runtime_lookup_function(inst, "mix");
    CHECK(wasm_runtime_call_wasm_v(env, mix, 1, results, 4, 1, (int64_t)2, 0.5, 0.25));
    CHECK(results[0].of.f64 == 1205.25);

    /* A native function given at initialisation. */
    wasm_function_inst_t tpo = wasm_runtime_lookup_function(inst, "twice_plus_one");
    cells[0] = 20;
    CHECK(wasm_runtime_call_wasm(env, tpo, 1, cells));
    CHECK_EQ_INT(cells[0], 41);
    CHECK_EQ_INT(native_calls, 1);
    CHECK(wasm_runtime_call_wasm(env, wasm_runtime_lookup_function(inst, "say"), 0, NULL));
    CHECK(!strcmp(logged, "hello from wasm"));

    /* The app heap: malloc, conversions, checks, dup_data, free. */
    void *native = NULL;
    uint64_t off = wasm_runtime_module_malloc(inst, 64, &native);
    CHECK(off != 0 && native != NULL);
    CHECK(wasm_runtime_addr_app_to_native(inst, off) == native);
    CHECK(wasm_runtime_addr_native_to_app(inst, native) == off);
    CHECK(wasm_runtime_validate_app_addr(inst, off, 64));
    CHECK(wasm_runtime_validate_native_addr(inst, native, 64));
    memcpy(native, "abc", 3);
    wasm_function_inst_t sum_buf = wasm_runtime_lookup_function(inst, "sum_buf");
    cells[0] = (uint32_t)off;
    cells[1] = 3;
    CHECK(wasm_runtime_call_wasm(env, sum_buf, 2, cells));
    CHECK_EQ_INT(cells[0], 'a' + 'b' + 'c');
    uint64_t off2 = wasm_runtime_module_dup_data(inst, "xyz", 3);
    CHECK(off2 != 0 && off2 != off);
    cells[0] = (uint32_t)off2;
    cells[1] = 3;
    CHECK(wasm_runtime_call_wasm(env, sum_buf, 2, cells));
    CHECK_EQ_INT(cells[0], 'x' + 'y' + 'z');
    CHECK(wasm_runtime_validate_app_str_addr(inst, off));
    wasm_runtime_module_free(inst, off2);
    wasm_runtime_module_free(inst, off);
    uint64_t off3 = wasm_runtime_module_malloc(inst, 64, NULL);
    CHECK_EQ_INT(off3, off); /* the freed block is reused */
    wasm_runtime_module_free(inst, off3);
    CHECK(wasm_runtime_module_malloc(inst, 1 << 20, NULL) == 0); /* larger than the heap */
    CHECK(!wasm_runtime_validate_app_addr(inst, 0xFFFFFFF0u, 64));
    CHECK_CONTAINS(wasm_runtime_get_exception(inst), "out of bounds memory access");
    wasm_runtime_clear_exception(inst);
    CHECK(wasm_runtime_get_exception(inst) == NULL);
    int local = 0;
    CHECK(!wasm_runtime_validate_native_addr(inst, &local, sizeof local));
    CHECK(wasm_runtime_addr_app_to_native(inst, 0xFFFFFFF0u) == NULL);
    CHECK(wasm_runtime_addr_native_to_app(inst, &local) == 0);
    wasm_memory_inst_t mem = wasm_runtime_get_default_memory(inst);
    CHECK(mem != NULL);
    CHECK(wasm_memory_get_base_address(mem) == wasm_runtime_addr_app_to_native(inst, 0));
    uint64_t pages = wasm_memory_get_cur_page_count(mem);
    CHECK(wasm_runtime_enlarge_memory(inst, 1));
    CHECK_EQ_INT(wasm_memory_get_cur_page_count(mem), pages + 1);

    /* Exceptions. */
    wasm_function_inst_t divide = wasm_runtime_lookup_function(inst, "divide");
    cells[0] = 1;
    cells[1] = 0;
    CHECK(!wasm_runtime_call_wasm(env, divide, 2, cells));
    CHECK_CONTAINS(wasm_runtime_get_exception(inst), "Exception: integer divide by zero");
    wasm_runtime_set_exception(inst, "custom");
    CHECK(!strcmp(wasm_runtime_get_exception(inst), "Exception: custom"));
    wasm_runtime_set_exception(inst, NULL);
    CHECK(wasm_runtime_get_exception(inst) == NULL);

    /* main, with its arguments copied into the app heap. */
    char *main_argv[] = { "prog", "hello", NULL };
    CHECK(wasm_application_execute_main(inst, 2, main_argv));
    CHECK_EQ_INT(*(int *)main_argv, 205);

    /* A spawned exec env used from a thread of our own. */
    wasm_exec_env_t spawned = wasm_runtime_spawn_exec_env(env);
    CHECK(spawned != NULL);
    struct thread_arg targ = { spawned, inst, 0 };
    pthread_t th;
    CHECK(pthread_create(&th, NULL, pthread_body, &targ) == 0);
    pthread_join(th, NULL);
    CHECK_EQ_INT(targ.result, 11);
    wasm_runtime_destroy_spawned_exec_env(spawned);

    /* Threads started by the runtime. */
    wasm_thread_t tids[3];
    for (int i = 0; i < 3; i++)
        CHECK(wasm_runtime_spawn_thread(env, &tids[i], spawned_body, (void *)(uintptr_t)(i + 1)) == 0);
    for (int i = 0; i < 3; i++) {
        void *ret = NULL;
        CHECK(wasm_runtime_join_thread(tids[i], &ret) == 0);
        CHECK_EQ_INT((uintptr_t)ret, 2 * (i + 1) + 1);
    }
    CHECK(wasm_runtime_join_thread(tids[0], NULL) != 0);

    /* max_thread_num bounds the threads running at once. */
    wasm_runtime_set_max_thread_num(1);
    wasm_thread_t busy, extra;
    CHECK(wasm_runtime_spawn_thread(env, &busy, blocking_body, (void *)7) == 0);
    CHECK(wasm_runtime_spawn_thread(env, &extra, blocking_body, NULL) != 0);
    atomic_store(&release_flag, 1);
    void *busy_ret = NULL;
    CHECK(wasm_runtime_join_thread(busy, &busy_ret) == 0);
    CHECK(busy_ret == (void *)7);
    CHECK(wasm_runtime_spawn_thread(env, &extra, blocking_body, NULL) == 0);
    CHECK(wasm_runtime_join_thread(extra, NULL) == 0);
    wasm_runtime_set_max_thread_num(4);

    wasm_runtime_destroy_exec_env(env);
    wasm_runtime_deinstantiate(inst);
    wasm_runtime_unload(module);

    /* A module with its own malloc and free. */
    module_dir = wat_dir;
    wasm_module_t mm = load_file("malloc", err, sizeof err);
    CHECK(mm != NULL);
    wasm_module_inst_t mi = mm ? wasm_runtime_instantiate(mm, 8192, 4096, err, sizeof err) : NULL;
    CHECK(mi != NULL);
    if (mi) {
        CHECK_EQ_INT(wasm_runtime_module_malloc(mi, 10, NULL), 1024);
        CHECK_EQ_INT(wasm_runtime_module_malloc(mi, 10, NULL), 1040);
        wasm_runtime_module_free(mi, 1024);
        wasm_exec_env_t e = wasm_runtime_get_exec_env_singleton(mi);
        CHECK_EQ_INT(call_i32(e, mi, "frees"), 1);
        wasm_runtime_deinstantiate(mi);
    }
    wasm_runtime_unload(mm);

    wasm_runtime_destroy();
    return finish("test_embed");
}
