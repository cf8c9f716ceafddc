/*
 * Native functions with each signature character ('i' 'I' 'f' 'F' 'r' '*'
 * '~' '$'), raw natives, attachments, exceptions raised by natives,
 * re-entry into wasm, and pointer arguments outside linear memory, which
 * are refused before the native runs.
 * Usage: test_natives <wat dir>
 */
#include "common.h"

static int calls = 0;
static int attachment_value = 1234;
static wasm_module_inst_t the_inst;

static int32_t n_add(wasm_exec_env_t env, int32_t a, int32_t b)
{
    calls++;
    CHECK(wasm_runtime_get_module_inst(env) == the_inst);
    CHECK(wasm_runtime_get_function_attachment(env) == &attachment_value);
    return a + b;
}

static int64_t n_i64(wasm_exec_env_t env, int64_t a, int32_t b)
{
    (void)env;
    calls++;
    return a * b;
}

static float n_f32(wasm_exec_env_t env, float a, double b)
{
    (void)env;
    calls++;
    return a * 2.0f + (float)b;
}

static double n_f64(wasm_exec_env_t env, double a, float b, int32_t c)
{
    (void)env;
    calls++;
    return a + (double)b * 10.0 + (double)c * 100.0;
}

static int32_t n_buf(wasm_exec_env_t env, const uint8_t *buf, uint32_t len)
{
    (void)env;
    calls++;
    int32_t s = 0;
    for (uint32_t i = 0; i < len; i++)
        s += buf[i];
    return s;
}

static int32_t n_ptr(wasm_exec_env_t env, const uint8_t *p)
{
    (void)env;
    calls++;
    return *p;
}

static int32_t n_str(wasm_exec_env_t env, const char *s)
{
    (void)env;
    calls++;
    return (int32_t)strlen(s);
}

static uintptr_t n_ref(wasm_exec_env_t env, uintptr_t r)
{
    (void)env;
    calls++;
    return r + 1;
}

static double n_many(wasm_exec_env_t env, int32_t i1, int32_t i2, int32_t i3, int32_t i4,
                     int32_t i5, int32_t i6, int32_t i7, int32_t i8, double d1, double d2,
                     double d3, double d4, double d5, double d6, double d7, double d8,
                     double d9, double d10, int64_t big, float f)
{
    (void)env;
    calls++;
    int32_t is[] = { i1, i2, i3, i4, i5, i6, i7, i8 };
    double ds[] = { d1, d2, d3, d4, d5, d6, d7, d8, d9, d10 };
    double r = 0;
    for (int k = 0; k < 8; k++)
        r += is[k] * (k + 1);           /* 204 */
    for (int k = 0; k < 10; k++)
        r += ds[k] * (k + 1) * 1000.0;  /* 357500 */
    return r + (double)(big >> 32) * 1e6 + (double)f; /* + 1e6 + 0.25 */
}

static int void_calls = 0;
static void n_void(wasm_exec_env_t env)
{
    (void)env;
    void_calls++;
}

static void n_exc(wasm_exec_env_t env, int32_t code)
{
    char msg[64];
    snprintf(msg, sizeof msg, "native failed with %d", code);
    wasm_runtime_set_exception(wasm_runtime_get_module_inst(env), msg);
}

/* Calls back into wasm from a native, and uses the API on the way. */
static int32_t n_reenter(wasm_exec_env_t env, int32_t x)
{
    wasm_module_inst_t inst = wasm_runtime_get_module_inst(env);
    uint32_t cells[1] = { (uint32_t)x };
    CHECK(wasm_runtime_validate_app_addr(inst, 16, 6));
    CHECK(!strcmp((const char *)wasm_runtime_addr_app_to_native(inst, 16), "hello"));
    if (!wasm_runtime_call_wasm(env, wasm_runtime_lookup_function(inst, "double"), 1, cells))
        return -1;
    return (int32_t)cells[0] + 1;
}

static int32_t n_badsig(wasm_exec_env_t env, int64_t x)
{
    (void)env;
    calls++;
    return (int32_t)x;
}

/* Raw natives: (exec_env, uint64_t *args), result in args[0]. */
static void r_mix(wasm_exec_env_t env, uint64_t *args)
{
    native_raw_return_type(double, args);
    native_raw_get_arg(int32_t, a, args);
    native_raw_get_arg(int64_t, b, args);
    native_raw_get_arg(float, c, args);
    native_raw_get_arg(double, d, args);
    native_raw_get_arg(const uint8_t *, p, args);
    native_raw_get_arg(uint32_t, len, args);
    native_raw_get_arg(const char *, s, args);
    (void)env;
    calls++;
    double sum = 0;
    for (uint32_t i = 0; i < len; i++)
        sum += p[i];
    native_raw_set_return(a + (double)b * 10 + (double)c * 100 + d * 1000 + sum * 1e4
                          + (double)strlen(s) * 1e6);
}

static void r_f32(wasm_exec_env_t env, uint64_t *args)
{
    native_raw_return_type(float, args);
    native_raw_get_arg(float, x, args);
    (void)env;
    native_raw_set_return(x * 3.0f);
}

static NativeSymbol env_natives[] = {
    EXPORT_WASM_API_WITH_ATT(n_add, "(ii)i", &attachment_value),
    EXPORT_WASM_API_WITH_SIG(n_i64, "(Ii)I"),
    EXPORT_WASM_API_WITH_SIG(n_f32, "(fF)f"),
    EXPORT_WASM_API_WITH_SIG(n_f64, "(Ffi)F"),
    EXPORT_WASM_API_WITH_SIG(n_buf, "(*~)i"),
    EXPORT_WASM_API_WITH_SIG(n_ptr, "(*)i"),
    EXPORT_WASM_API_WITH_SIG(n_str, "($)i"),
    EXPORT_WASM_API_WITH_SIG(n_ref, "(r)r"),
    EXPORT_WASM_API_WITH_SIG(n_many, "(iiiiiiiiFFFFFFFFFFIf)F"),
    EXPORT_WASM_API(n_void),
    EXPORT_WASM_API_WITH_SIG(n_exc, "(i)"),
    EXPORT_WASM_API_WITH_SIG(n_reenter, "(i)i"),
    /* The import is (i32) -> i32: this signature does not match it. */
    EXPORT_WASM_API_WITH_SIG(n_badsig, "(I)i"),
};

static NativeSymbol raw_natives[] = {
    EXPORT_WASM_API_WITH_SIG(r_mix, "(iIfF*~$)F"),
    EXPORT_WASM_API_WITH_SIG(r_f32, "(f)f"),
};

static wasm_exec_env_t env;

static bool call(const char *name, uint32_t argc, uint32_t *argv)
{
    wasm_function_inst_t f = wasm_runtime_lookup_function(the_inst, name);
    CHECK(f != NULL);
    return f && wasm_runtime_call_wasm(env, f, argc, argv);
}

/* Calls a pointer-taking export that must be refused: the native must not
 * run and the exception must name the out-of-bounds access. */
static void expect_refused(const char *name, uint32_t argc, uint32_t *argv)
{
    int before = calls;
    CHECK(!call(name, argc, argv));
    CHECK_CONTAINS(wasm_runtime_get_exception(the_inst), "out of bounds memory access");
    CHECK_EQ_INT(calls, before);
}

int main(int argc, char **argv)
{
    char err[256] = { 0 };
    if (argc > 1)
        module_dir = argv[1];
    CHECK(wasm_runtime_init());
    CHECK(wasm_runtime_register_natives("env", env_natives, sizeof env_natives / sizeof env_natives[0]));
    CHECK(wasm_runtime_register_natives_raw("raw", raw_natives, sizeof raw_natives / sizeof raw_natives[0]));
    CHECK(wasm_runtime_is_import_func_linked("env", "n_add"));
    CHECK(!wasm_runtime_is_import_func_linked("env", "n_nope"));

    wasm_module_t m = load_file("natives", err, sizeof err);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "load: %s\n", err);
        return finish("test_natives");
    }
    the_inst = wasm_runtime_instantiate(m, 8192, 0, err, sizeof err);
    CHECK(the_inst != NULL);
    if (!the_inst) {
        fprintf(stderr, "instantiate: %s\n", err);
        return finish("test_natives");
    }
    env = wasm_runtime_create_exec_env(the_inst, 8192);
    uint32_t c[8];
    int64_t i64;
    float f32;
    double f64;

    c[0] = 40; c[1] = 2;
    CHECK(call("t_add", 2, c));
    CHECK_EQ_INT((int32_t)c[0], 42);

    i64 = -0x100000001LL;
    memcpy(c, &i64, 8);
    c[2] = 3;
    CHECK(call("t_i64", 3, c));
    memcpy(&i64, c, 8);
    CHECK_EQ_INT(i64, -0x300000003LL);

    f32 = 1.5f;
    f64 = 0.25;
    memcpy(&c[0], &f32, 4);
    memcpy(&c[1], &f64, 8);
    CHECK(call("t_f32", 3, c));
    memcpy(&f32, c, 4);
    CHECK(f32 == 3.25f);

    f64 = 0.5;
    f32 = 2.0f;
    memcpy(&c[0], &f64, 8);
    memcpy(&c[2], &f32, 4);
    c[3] = 3;
    CHECK(call("t_f64", 4, c));
    memcpy(&f64, c, 8);
    CHECK(f64 == 320.5);

    /* '*' with '~': a buffer and its length. */
    c[0] = 32; c[1] = 5;
    CHECK(call("t_buf", 2, c));
    CHECK_EQ_INT(c[0], 15);
    c[0] = 65536; c[1] = 0; /* empty, at the very end: allowed */
    CHECK(call("t_buf", 2, c));
    CHECK_EQ_INT(c[0], 0);
    c[0] = 65530; c[1] = 7;
    expect_refused("t_buf", 2, c);
    c[0] = 0xFFFFFFF0u; c[1] = 0x20;
    expect_refused("t_buf", 2, c);
    c[0] = 16; c[1] = 0x80000000u;
    expect_refused("t_buf", 2, c);

    /* '*' alone: one byte. */
    c[0] = 33;
    CHECK(call("t_ptr", 1, c));
    CHECK_EQ_INT(c[0], 2);
    c[0] = 65535;
    CHECK(call("t_ptr", 1, c));
    c[0] = 65536;
    expect_refused("t_ptr", 1, c);

    /* '$': a NUL-terminated string inside memory. */
    c[0] = 16;
    CHECK(call("t_str", 1, c));
    CHECK_EQ_INT(c[0], 5);
    c[0] = 65535; c[1] = 'x';
    CHECK(call("poke", 2, c)); /* the last byte is no longer NUL */
    c[0] = 65535;
    expect_refused("t_str", 1, c);
    c[0] = 70000;
    expect_refused("t_str", 1, c);

    /* 'r': externref as uintptr_t, through call_wasm_a. */
    wasm_val_t a[1], r[1];
    a[0].kind = WASM_EXTERNREF;
    a[0].of.foreign = 0x1234;
    CHECK(wasm_runtime_call_wasm_a(env, wasm_runtime_lookup_function(the_inst, "t_ref"), 1, r, 1, a));
    CHECK(r[0].kind == WASM_EXTERNREF && r[0].of.foreign == 0x1235);

    /* Arguments beyond the argument registers go on the stack. */
    CHECK(call("t_many", 0, c));
    memcpy(&f64, c, 8);
    CHECK(f64 == 204.0 + 357500.0 + 1e6 + 0.25);

    /* No signature, no parameters. */
    CHECK(call("t_void", 0, c));
    CHECK_EQ_INT(void_calls, 1);

    /* A native that raises an exception fails the call with it. */
    c[0] = 7;
    CHECK(!call("t_exc", 1, c));
    CHECK(!strcmp(wasm_runtime_get_exception(the_inst), "Exception: native failed with 7"));
    c[0] = 1; c[1] = 2;
    CHECK(call("t_add", 2, c)); /* the next call starts clean */
    CHECK(wasm_runtime_get_exception(the_inst) == NULL);

    /* A native that calls back into wasm. */
    c[0] = 20;
    CHECK(call("t_reenter", 1, c));
    CHECK_EQ_INT(c[0], 41);

    /* A signature that disagrees with the import leaves it unlinked. */
    c[0] = 1;
    CHECK(!call("t_badsig", 1, c));
    CHECK_CONTAINS(wasm_runtime_get_exception(the_inst), "(env, n_badsig)");

    /* Raw natives, pointers included. */
    f32 = 0.5f;
    f64 = 0.25;
    c[0] = 1;
    i64 = 2;
    memcpy(&c[1], &i64, 8);
    memcpy(&c[3], &f32, 4);
    memcpy(&c[4], &f64, 8);
    c[6] = 32; c[7] = 3;
    uint32_t big[9];
    memcpy(big, c, sizeof c);
    big[8] = 16;
    CHECK(call("t_rmix", 9, big));
    memcpy(&f64, big, 8);
    CHECK(f64 == 1 + 20 + 50 + 250 + 6e4 + 5e6);
    memcpy(big, c, sizeof c);
    big[6] = 65535; big[7] = 2; big[8] = 16;
    expect_refused("t_rmix", 9, big);
    f32 = 1.5f;
    memcpy(&c[0], &f32, 4);
    CHECK(call("t_rf32", 1, c));
    memcpy(&f32, c, 4);
    CHECK(f32 == 4.5f);

    wasm_runtime_destroy_exec_env(env);
    wasm_runtime_deinstantiate(the_inst);

    /* Unregistered natives are no longer linked in new instances. */
    CHECK(wasm_runtime_unregister_natives("env", env_natives));
    CHECK(!wasm_runtime_unregister_natives("env", env_natives));
    the_inst = wasm_runtime_instantiate(m, 8192, 0, err, sizeof err);
    CHECK(the_inst != NULL);
    if (the_inst) {
        env = wasm_runtime_create_exec_env(the_inst, 8192);
        c[0] = 1; c[1] = 2;
        CHECK(!call("t_add", 2, c));
        CHECK_CONTAINS(wasm_runtime_get_exception(the_inst), "failed to call unlinked import function (env, n_add)");
        wasm_runtime_destroy_exec_env(env);
        wasm_runtime_deinstantiate(the_inst);
    }
    wasm_runtime_unload(m);
    wasm_runtime_destroy();
    return finish("test_natives");
}
