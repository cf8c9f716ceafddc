/*
 * The runtime's allocator: with Alloc_With_Pool, the runtime's objects
 * (modules, instances, exec envs, function records, wasm_runtime_malloc)
 * come out of the caller's buffer, and exhausting the buffer makes loading
 * fail cleanly; with Alloc_With_Allocator, the embedder's functions are
 * used and every allocation is given back.
 * Usage: test_pool <wat dir> <plain dir>
 */
#include "common.h"

static _Alignas(16) char pool[256 * 1024];

static bool in_pool(const void *p)
{
    return (const char *)p >= pool && (const char *)p < pool + sizeof pool;
}

static int mallocs = 0, frees = 0;

static void *my_malloc(unsigned int size)
{
    mallocs++;
    return malloc(size);
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

int main(int argc, char **argv)
{
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
    mem_alloc_info_t info;
    CHECK(wasm_runtime_get_mem_alloc_info(&info));
    CHECK_EQ_INT(info.total_free_size, info.total_size); /* all given back */

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
    wasm_runtime_destroy();
    CHECK(mallocs > 0);
    CHECK_EQ_INT(frees, mallocs);

    /* 3. Back to the system allocator. */
    CHECK(wasm_runtime_init());
    use_runtime(plain_dir, false);
    wasm_runtime_destroy();
    return finish("test_pool");
}
