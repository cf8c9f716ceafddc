/* The module of the embedding-guide test (built with -nostdlib). */
__attribute__((import_module("env"), import_name("host_twice"))) int host_twice(int x);
__attribute__((import_module("env"), import_name("host_log"))) void host_log(const char *msg, int len);

__attribute__((export_name("add"))) int add(int a, int b)
{
    return a + b;
}

__attribute__((export_name("mul64"))) long long mul64(long long a, long long b)
{
    return a * b;
}

__attribute__((export_name("fdiv"))) double fdiv(double a, double b)
{
    return a / b;
}

__attribute__((export_name("mix"))) double mix(int a, long long b, float c, double d)
{
    return (double)a * 1000.0 + (double)b * 100.0 + (double)c * 10.0 + d;
}

__attribute__((export_name("sum_buf"))) int sum_buf(const unsigned char *p, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += p[i];
    return s;
}

__attribute__((export_name("twice_plus_one"))) int twice_plus_one(int x)
{
    return host_twice(x) + 1;
}

__attribute__((export_name("say"))) void say(void)
{
    static const char msg[] = "hello from wasm";
    host_log(msg, (int)sizeof msg - 1);
}

__attribute__((export_name("divide"))) int divide(int a, int b)
{
    return a / b;
}

__attribute__((export_name("main"))) int app_main(int argc, char **argv)
{
    int n = 0;
    if (argc > 1)
        while (argv[1][n])
            n++;
    return argc * 100 + n;
}
