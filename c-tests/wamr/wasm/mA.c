/* mA: the bottom of the multi-module example. */
__attribute__((export_name("A1"))) int A1(void)
{
    return 11;
}
