/*
 * The runtime's allocator: with Alloc_With_Pool, the runtime's objects
 * (modules, instances, exec envs, function records, wasm_runtime_malloc)
 * and the linear memories come out of the caller's buffer, and exhausting
 * the buffer makes loading or instantiation fail cleanly; with
 * Alloc_With_Allocator, the embedder's functions are used (for linear
 * memories too) and every allocation is given back.
 * Usage: test_pool <wat dir> <plain dir>
 */
#include "common.h"

static _Alignas(16) char pool[256 * 1024];

static bool in_pool(const void *p)
{
    return (const char *)p >= pool && (const char *)p < pool + sizeof pool;
}

static int mallocs = 0, frees = 0;
/* The last allocation of at least a wasm page (a linear memory). */
static void *last_big = NULL;

static void *my_malloc(unsigned int size)
{
    mallocs++;
    void *p = malloc(size);
    if (size >= 65536)
        last_big = p;
    return p;
}

static void *my_realloc(void *p, unsigned int size)
{
    return realloc(p, size);
}

static void my_free(void *p)
{
    if (p)
        frees++;
    free(p);
}

static void use_runtime(const char *plain_dir, bool check_pool)
{
    char err[256] = { 0 };
    module_dir = plain_dir;
    wasm_module_t m = load_file("mA", err, sizeof err);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "load: %s\n", err);
        return;
    }
    wasm_module_inst_t inst = wasm_runtime_instantiate(m, 8192, 0, err, sizeof err);
    CHECK(inst != NULL);
    if (!inst) {
        fprintf(stderr, "instantiate: %s\n", err);
        wasm_runtime_unload(m);
        return;
    }
    wasm_exec_env_t env = wasm_runtime_create_exec_env(inst, 8192);
    wasm_function_inst_t f = wasm_runtime_lookup_function(inst, "A1");
    void *p = wasm_runtime_malloc(100);
    CHECK(env && f && p);
    if (check_pool) {
        CHECK(in_pool(m));
        CHECK(in_pool(inst));
        CHECK(in_pool(env));
        CHECK(in_pool(f));
        CHECK(in_pool(p));
        CHECK(in_pool(wasm_runtime_get_exec_env_singleton(inst)));
        mem_alloc_info_t info;
        CHECK(wasm_runtime_get_mem_alloc_info(&info));
        CHECK(info.total_size > 0 && info.total_size <= sizeof pool);
        CHECK(info.total_free_size < info.total_size);
        CHECK(info.highmark_size >= info.total_size - info.total_free_size);
    }
    p = wasm_runtime_realloc(p, 5000);
    CHECK(p != NULL);
    if (p)
        memset(p, 1, 5000);
    wasm_runtime_free(p);
    CHECK_EQ_INT(call_i32(env, inst, "A1"), 11);
    wasm_runtime_destroy_exec_env(env);
    wasm_runtime_deinstantiate(inst);
    wasm_runtime_unload(m);
}

static bool call_a(wasm_exec_env_t env, wasm_module_inst_t inst, const char *name,
                   uint32_t argc, uint32_t *argv)
{
    wasm_function_inst_t f = wasm_runtime_lookup_function(inst, name);
    if (!f) {
        fprintf(stderr, "no function %s\n", name);
        return false;
    }
    if (!wasm_runtime_call_wasm(env, f, argc, argv)) {
        fprintf(stderr, "%s failed: %s\n", name, wasm_runtime_get_exception(inst));
        return false;
    }
    return true;
}

/*
 * A linear memory: with a pool it lies inside the pool (and grows there,
 * within its reservation); with the embedder's allocator it is the block
 * its malloc returned; with the system allocator it is neither.
 */
static void check_memory(const char *wat_dir, int mode)
{
    char err[256] = { 0 };
    module_dir = wat_dir;
    wasm_module_t m = load_file("pool_mem", err, sizeof err);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "load: %s\n", err);
        return;
    }
    last_big = NULL;
    wasm_module_inst_t inst = wasm_runtime_instantiate(m, 8192, 0, err, sizeof err);
    CHECK(inst != NULL);
    if (!inst) {
        fprintf(stderr, "instantiate: %s\n", err);
        wasm_runtime_unload(m);
        return;
    }
    wasm_exec_env_t env = wasm_runtime_create_exec_env(inst, 8192);
    CHECK(env != NULL);
    char *base = wasm_runtime_addr_app_to_native(inst, 0);
    char *last = wasm_runtime_addr_app_to_native(inst, 65535);
    CHECK(base != NULL && last == base + 65535);
    if (mode == 0) {
        CHECK(in_pool(base) && in_pool(last));
    } else if (mode == 1) {
        CHECK(base == last_big);
    } else {
        CHECK(!in_pool(base));
    }
    /* The memory starts zeroed, and what wasm stores is where C looks. */
    uint32_t argv[2] = { 64, 0 };
    CHECK(call_a(env, inst, "peek", 1, argv));
    CHECK_EQ_INT(argv[0], 0);
    argv[0] = 64;
    argv[1] = 0x5eed;
    CHECK(call_a(env, inst, "poke", 2, argv));
    CHECK_EQ_INT(*(uint32_t *)(base + 64), 0x5eed);
    /* Growing by a page works, keeps the base, and the new page is zero and
       (with a pool) inside the pool. */
    argv[0] = 1;
    CHECK(call_a(env, inst, "grow", 1, argv));
    CHECK_EQ_INT(argv[0], 1);
    CHECK(wasm_runtime_addr_app_to_native(inst, 0) == base);
    char *second = wasm_runtime_addr_app_to_native(inst, 65536 + 100);
    CHECK(second == base + 65536 + 100);
    if (mode == 0)
        CHECK(in_pool(second));
    argv[0] = 65536 + 100;
    CHECK(call_a(env, inst, "peek", 1, argv));
    CHECK_EQ_INT(argv[0], 0);
    if (env)
        wasm_runtime_destroy_exec_env(env);
    wasm_runtime_deinstantiate(inst);
    wasm_runtime_unload(m);
}

int main(int argc, char **argv)
{
    const char *wat_dir = argc > 1 ? argv[1] : ".";
    const char *plain_dir = argc > 2 ? argv[2] : ".";
    char err[256] = { 0 };

    /* 1. A pool. */
    RuntimeInitArgs init;
    memset(&init, 0, sizeof init);
    init.mem_alloc_type = Alloc_With_Pool;
    init.mem_alloc_option.pool.heap_buf = pool;
    init.mem_alloc_option.pool.heap_size = sizeof pool;
    CHECK(wasm_runtime_full_init(&init));
    use_runtime(plain_dir, true);
    check_memory(wat_dir, 0);
    mem_alloc_info_t info;
    CHECK(wasm_runtime_get_mem_alloc_info(&info));
    CHECK_EQ_INT(info.total_free_size, info.total_size); /* all given back */

    /* A memory larger than the pool: the module loads, instantiation fails
       with an error, and nothing stays taken. */
    module_dir = wat_dir;
    wasm_module_t big = load_file("pool_big", err, sizeof err);
    CHECK(big != NULL);
    if (big) {
        err[0] = 0;
        wasm_module_inst_t bi = wasm_runtime_instantiate(big, 8192, 0, err, sizeof err);
        CHECK(bi == NULL);
        CHECK_CONTAINS(err, "memory");
        if (bi)
            wasm_runtime_deinstantiate(bi);
        wasm_runtime_unload(big);
    }
    CHECK(wasm_runtime_get_mem_alloc_info(&info));
    CHECK_EQ_INT(info.total_free_size, info.total_size);

    /* Exhaust the pool: loading fails with a clear error, then works again. */
    void *blocks[1024];
    int n = 0;
    while (n < 1024 && (blocks[n] = wasm_runtime_malloc(1024)) != NULL)
        n++;
    CHECK(n > 100 && n < 1024);
    while (n < 1024 && (blocks[n] = wasm_runtime_malloc(16)) != NULL)
        n++;
    module_dir = plain_dir;
    wasm_module_t m = load_file("mA", err, sizeof err);
    CHECK(m == NULL);
    CHECK_CONTAINS(err, "out of memory");
    while (n > 0)
        wasm_runtime_free(blocks[--n]);
    use_runtime(plain_dir, true);
    wasm_runtime_destroy();

    /* A pool too small to hold anything is refused. */
    init.mem_alloc_option.pool.heap_size = 8;
    CHECK(!wasm_runtime_full_init(&init));

    /* 2. The embedder's allocator. */
    memset(&init, 0, sizeof init);
    init.mem_alloc_type = Alloc_With_Allocator;
    init.mem_alloc_option.allocator.malloc_func = (void *)my_malloc;
    init.mem_alloc_option.allocator.realloc_func = (void *)my_realloc;
    init.mem_alloc_option.allocator.free_func = (void *)my_free;
    CHECK(wasm_runtime_full_init(&init));
    CHECK(!wasm_runtime_get_mem_alloc_info(&info));
    use_runtime(plain_dir, false);
    check_memory(wat_dir, 1);
    wasm_runtime_destroy();
    CHECK(mallocs > 0);
    CHECK_EQ_INT(frees, mallocs);

    /* 3. Back to the system allocator. */
    CHECK(wasm_runtime_init());
    use_runtime(plain_dir, false);
    check_memory(wat_dir, 2);
    wasm_runtime_destroy();
    return finish("test_pool");
}
