//! Smoke tests of the engine through its public API.

use weft::{Engine, Extern, Func, FuncType, Instance, Module, Store, Val, ValType};

fn instance(wat: &str) -> (Store, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat.as_bytes()).expect("module");
    let mut store = Store::new(&engine);
    let inst = Instance::new(&mut store, &module, &[]).expect("instance");
    (store, inst)
}

fn call(store: &mut Store, inst: Instance, name: &str, args: &[Val], n: usize) -> Vec<Val> {
    let f = inst.get_func(store, name).expect("export");
    let mut results = vec![Val::I32(0); n];
    f.call(store, args, &mut results).expect("call");
    results
}

#[test]
fn fib_and_loops() {
    let (mut store, inst) = instance(
        r#"(module
          (func $fib (export "fib") (param i32) (result i32)
            (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
              (then (local.get 0))
              (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                             (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
          (func (export "sum") (param i32) (result i64) (local i64)
            (block $done
              (loop $l
                (br_if $done (i32.eqz (local.get 0)))
                (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
                (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                (br $l)))
            (local.get 1))
          (func (export "swap") (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
          (memory (export "mem") 1)
          (func (export "bytes") (param i32) (result i32)
            (i32.store (i32.const 8) (local.get 0))
            (i32.load8_u (i32.const 9))))"#,
    );
    assert_eq!(
        call(&mut store, inst, "fib", &[Val::I32(20)], 1),
        vec![Val::I32(6765)]
    );
    assert_eq!(
        call(&mut store, inst, "sum", &[Val::I32(100)], 1),
        vec![Val::I64(5050)]
    );
    assert_eq!(
        call(&mut store, inst, "swap", &[Val::I32(1), Val::I32(2)], 2),
        vec![Val::I32(2), Val::I32(1)]
    );
    assert_eq!(
        call(&mut store, inst, "bytes", &[Val::I32(0x1234)], 1),
        vec![Val::I32(0x12)]
    );
}

#[test]
fn traps_and_host_calls() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        br#"(module
          (import "env" "double" (func $d (param i32) (result i32)))
          (func (export "quad") (param i32) (result i32) (call $d (call $d (local.get 0))))
          (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
          (func $r (export "rec") (call $r)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine);
    let double = Func::new_host(
        &mut store,
        FuncType::new([ValType::I32], [ValType::I32]),
        |_, a, r| {
            let Val::I32(x) = a[0] else { unreachable!() };
            r[0] = Val::I32(x * 2);
            Ok(())
        },
    );
    let inst = Instance::new(&mut store, &module, &[Extern::Func(double)]).unwrap();
    assert_eq!(
        call(&mut store, inst, "quad", &[Val::I32(5)], 1),
        vec![Val::I32(20)]
    );
    let div = inst.get_func(&store, "div").unwrap();
    let err = div
        .call(&mut store, &[Val::I32(1), Val::I32(0)], &mut [Val::I32(0)])
        .unwrap_err();
    assert_eq!(err.message(), "integer divide by zero");
    assert_eq!(err.trace().len(), 1);
    let rec = inst.get_func(&store, "rec").unwrap();
    let err = rec.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(err.message(), "call stack exhausted");
}

#[test]
fn translation_fuses_constants_and_branches() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        br#"(module (func (param i32) (result i32) (local i32)
              (loop $l
                (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
              (local.get 1)))"#,
    )
    .unwrap();
    let listing = module.disassemble(0).unwrap();
    // The increment (an immediate, written to the local in place), the
    // comparison and the branch become one instruction per iteration.
    assert!(
        listing.contains("StepBrI32LtU { step: 1, a: 1, b: 0, target: 0 }"),
        "{listing}"
    );
    assert_eq!(listing.lines().count(), 3, "{listing}");
}

#[test]
fn per_store_stack_limits() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        br#"(module (func $f (export "down") (param i32) (result i32)
              (if (result i32) (i32.eqz (local.get 0))
                (then (i32.const 0))
                (else (i32.add (i32.const 1) (call $f (i32.sub (local.get 0) (i32.const 1))))))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine);
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    assert_eq!(
        call(&mut store, inst, "down", &[Val::I32(1000)], 1),
        vec![Val::I32(1000)]
    );
    store.set_stack_limits(1 << 20, 100);
    let f = inst.get_func(&store, "down").unwrap();
    let err = f
        .call(&mut store, &[Val::I32(1000)], &mut [Val::I32(0)])
        .unwrap_err();
    assert_eq!(err.message(), "call stack exhausted");
    assert_eq!(
        call(&mut store, inst, "down", &[Val::I32(50)], 1),
        vec![Val::I32(50)]
    );
    store.set_stack_limits(64, 1000);
    let err = f
        .call(&mut store, &[Val::I32(1000)], &mut [Val::I32(0)])
        .unwrap_err();
    assert_eq!(err.message(), "call stack exhausted");
}

#[test]
fn negated_float_comparison_branches_keep_nan_semantics() {
    // `br_if (i32.eqz (f64.le x 4))` fuses into one "jump when not <="
    // instruction, which must jump for NaN (where `f64.gt` would not).
    let (mut store, inst) = instance(
        r#"(module (func (export "f") (param f64) (result i32)
              (block (br_if 0 (i32.eqz (f64.le (local.get 0) (f64.const 4))))
                     (return (i32.const 1)))
              (i32.const 0)))"#,
    );
    for (x, expected) in [(3.0, 1), (4.0, 1), (5.0, 0), (f64::NAN, 0)] {
        let out = call(&mut store, inst, "f", &[Val::F64(x.to_bits())], 1);
        assert_eq!(out, vec![Val::I32(expected)], "x = {x}");
    }
}
