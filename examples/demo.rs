//! A small tour of Weft's embedding API: compile a module from WAT text,
//! give it a host function to print with, instantiate it, call its exports.
//!
//! Run with `make demo` (or `cargo run --release --example demo`).

use weft::{Engine, Extern, Func, FuncType, Instance, Module, Store, Val, ValType};

/// Fibonacci and factorial, each reporting its result through the imported
/// `env.print` before returning it.
const DEMO_WAT: &str = r#"
(module
  (import "env" "print" (func $print (param i32 i64)))

  ;; fib(n), iteratively, in i64.
  (func $fib (export "fib") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $a))

  ;; n!, recursively, in i64 (wraps around past 20!).
  (func $fact (export "fact") (param $n i64) (result i64)
    (if (result i64) (i64.le_s (local.get $n) (i64.const 1))
      (then (i64.const 1))
      (else (i64.mul (local.get $n) (call $fact (i64.sub (local.get $n) (i64.const 1)))))))

  ;; Prints fib(i) for i in 0..n through the host; returns fib(n).
  (func (export "fib_table") (param $n i32) (result i64)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $print (local.get $i) (call $fib (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (call $fib (local.get $n)))
)
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::default();
    let module = Module::new(&engine, DEMO_WAT.as_bytes())?;
    let mut store = Store::new(&engine);

    let print_ty = FuncType::new([ValType::I32, ValType::I64], []);
    let print = Func::new_host(&mut store, print_ty, |_caller, args, _results| {
        if let [Val::I32(i), Val::I64(v)] = args {
            println!("  host print: fib({i:>2}) = {v}");
        }
        Ok(())
    });
    let instance = Instance::new(&mut store, &module, &[Extern::Func(print)])?;

    let export = |name: &str| {
        instance
            .get_func(&store, name)
            .ok_or(format!("no export `{name}`"))
    };
    let fib = export("fib")?;
    let fact = export("fact")?;
    let fib_table = export("fib_table")?;

    let mut out = [Val::I64(0)];
    println!("fib_table(10), calling back into the host:");
    fib_table.call(&mut store, &[Val::I32(10)], &mut out)?;
    println!("  returned fib(10) = {}", as_i64(out[0]));

    fib.call(&mut store, &[Val::I32(90)], &mut out)?;
    println!("fib(90)  = {}", as_i64(out[0]));
    for n in [5, 10, 20] {
        fact.call(&mut store, &[Val::I64(n)], &mut out)?;
        println!("fact({n}) = {}", as_i64(out[0]));
    }
    Ok(())
}

fn as_i64(v: Val) -> i64 {
    match v {
        Val::I64(x) => x,
        other => panic!("expected an i64 result, got {other:?}"),
    }
}
