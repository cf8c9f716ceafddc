/* mC: imports from mA and mB; C5 is deliberately not exported. */
__attribute__((import_module("mA"), import_name("A1"))) int A1(void);
__attribute__((import_module("mB"), import_name("B1"))) int B1(void);
__attribute__((import_module("mB"), import_name("B2"))) int B2(void);

__attribute__((export_name("C1"))) int C1(void)
{
    return 31;
}

__attribute__((export_name("C2"))) int C2(void)
{
    return B1();
}

__attribute__((export_name("C3"))) int C3(void)
{
    return A1();
}

__attribute__((export_name("C4"))) int C4(void)
{
    return B2();
}

int C5(void)
{
    return 51;
}

int main(void)
{
    return C5() == 51 ? 0 : 1;
}
