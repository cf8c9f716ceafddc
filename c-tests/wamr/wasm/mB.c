/* mB: imports A1 from mA. */
__attribute__((import_module("mA"), import_name("A1"))) int A1(void);

__attribute__((export_name("B1"))) int B1(void)
{
    return 21;
}

__attribute__((export_name("B2"))) int B2(void)
{
    return A1();
}
