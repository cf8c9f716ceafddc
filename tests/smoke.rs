//! Smoke tests of the engine through its public API.

use weft::{Engine, Extern, Func, FuncType, Instance, Module, Store, Val, ValType};

/// A store with an instance of `module` (text or binary), no imports.
fn instance(module: impl AsRef<[u8]>) -> (Store, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, module.as_ref()).expect("module");
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

/// The listing of defined function `func` of the instance's module.
fn listing(store: &Store, inst: Instance, func: u32) -> String {
    inst.module(store)
        .expect("a module instance")
        .disassemble(func)
        .expect("defined")
}

/// Checks that the listing of defined function `func` names each of
/// `fused` (instructions the translator should have formed).
fn assert_listed(store: &Store, inst: Instance, func: u32, fused: &[&str]) {
    let listing = listing(store, inst, func);
    for name in fused {
        assert!(listing.contains(name), "{name} missing:\n{listing}");
    }
}

/// Calls `name`, which must trap out of bounds, and checks that the
/// reported module offset holds `opcode` (the access that trapped).
fn assert_oob_at(store: &mut Store, inst: Instance, name: &str, args: &[Val], wasm: &[u8], opcode: u8) {
    let f = inst.get_func(store, name).expect("export");
    let n = f.ty(store).expect("a function type").results().len();
    let mut results = vec![Val::I32(0); n];
    let trap = f.call(store, args, &mut results).unwrap_err();
    assert_eq!(trap.message(), "out of bounds memory access");
    let at = trap.trace()[0].module_offset;
    assert_eq!(wasm[at], opcode, "opcode at the reported offset {at}");
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

/// Wasm code sees a memory grown in the middle of an invocation: by a host
/// function, by a callee in another instance that shares the memory, and
/// by a callee of its own instance. Each time the first byte past the old
/// end becomes accessible and the first byte past the new end traps.
#[test]
fn memory_growth_during_a_call_is_seen() {
    let engine = Engine::default();
    let mut store = Store::new(&engine);
    let other = Module::new(
        &engine,
        br#"(module (import "env" "mem" (memory 1))
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )
    .expect("module");
    let main = Module::new(
        &engine,
        br#"(module
          (import "env" "host_grow" (func $host_grow (param i32) (result i32)))
          (import "env" "other_grow" (func $other_grow (param i32) (result i32)))
          (memory (export "mem") 1)
          (func $own_grow (param i32) (result i32) (memory.grow (local.get 0)))
          ;; Grows by one page with `how` (0 host, 1 other instance, 2 own
          ;; callee), then stores at `addr` and loads it back.
          (func (export "grow_then_touch") (param $how i32) (param $addr i32) (result i32)
            (block $done
              (block $own
                (block $other
                  (block $host (br_table $host $other $own (local.get $how)))
                  (drop (call $host_grow (i32.const 1)))
                  (br $done))
                (drop (call $other_grow (i32.const 1)))
                (br $done))
              (drop (call $own_grow (i32.const 1))))
            (i32.store8 (local.get $addr) (i32.const 7))
            (i32.load8_u (local.get $addr))))"#,
    )
    .expect("module");
    // The host and the other instance grow the memory that `main` exports;
    // they find it through cells filled in once `main` exists.
    let mem_cell: std::sync::Arc<std::sync::Mutex<Option<weft::Memory>>> = Default::default();
    let cell = mem_cell.clone();
    let host_grow = Func::new_host(
        &mut store,
        FuncType::new([ValType::I32], [ValType::I32]),
        move |caller, args, results| {
            let mem = cell.lock().unwrap().expect("memory is known");
            let Val::I32(delta) = args[0] else {
                panic!("i32 argument")
            };
            let old = mem.grow(caller.store(), delta as u64).expect("same store");
            results[0] = Val::I32(old.map_or(-1, |p| p as i32));
            Ok(())
        },
    );
    let other_cell: std::sync::Arc<std::sync::Mutex<Option<Func>>> = Default::default();
    let cell = other_cell.clone();
    let other_grow = Func::new_host(
        &mut store,
        FuncType::new([ValType::I32], [ValType::I32]),
        move |caller, args, results| {
            let f = cell.lock().unwrap().expect("function is known");
            f.call(caller.store(), args, results)
        },
    );
    let inst = Instance::new(
        &mut store,
        &main,
        &[Extern::Func(host_grow), Extern::Func(other_grow)],
    )
    .expect("instance");
    let mem = inst.memory(&store, 0).expect("memory 0");
    *mem_cell.lock().unwrap() = Some(mem);
    let other_inst = Instance::new(&mut store, &other, &[Extern::Memory(mem)]).expect("instance");
    *other_cell.lock().unwrap() = Some(other_inst.get_func(&store, "grow").expect("export"));

    let run = inst.get_func(&store, "grow_then_touch").expect("export");
    const PAGE: i32 = 65536;
    for how in [0, 1, 2] {
        let mut out = [Val::I32(0)];
        // The first byte past the current end: in bounds once grown.
        let end = mem.size(&store).expect("same store") as i32 * PAGE;
        run.call(&mut store, &[Val::I32(how), Val::I32(end)], &mut out)
            .unwrap_or_else(|t| panic!("growth {how}: the new page is accessible: {t}"));
        assert_eq!(out[0], Val::I32(7), "growth {how}");
        // One page past the end after growing by one: still out of bounds.
        let end = mem.size(&store).expect("same store") as i32 * PAGE;
        let err = run.call(&mut store, &[Val::I32(how), Val::I32(end + PAGE)], &mut out);
        assert!(err.is_err(), "growth {how}: past the new end traps");
    }
    assert_eq!(mem.size(&store).expect("same store"), 7);
}

/// A call's first result is used right after the call (by an instruction
/// that takes it from the accumulator): from a wasm callee, a host
/// function, a function of another instance, `call_indirect`, and a callee
/// with two results.
#[test]
fn call_results_used_at_once() {
    let engine = Engine::default();
    let mut store = Store::new(&engine);
    let other = Module::new(
        &engine,
        br#"(module (func (export "f") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))"#,
    )
    .expect("module");
    let other_inst = Instance::new(&mut store, &other, &[]).expect("instance");
    let other_f = other_inst.get_func(&store, "f").expect("export");
    let host = Func::new_host(
        &mut store,
        FuncType::new([ValType::I32], [ValType::I32]),
        |_, args, results| {
            let Val::I32(x) = args[0] else {
                panic!("i32 argument")
            };
            results[0] = Val::I32(x + 1000);
            Ok(())
        },
    );
    let main = Module::new(
        &engine,
        br#"(module
          (import "env" "host" (func $host (param i32) (result i32)))
          (import "env" "other" (func $other (param i32) (result i32)))
          (type $t (func (param i32) (result i32)))
          (table 1 funcref)
          (elem (i32.const 0) $sq)
          (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
          (func $two (param i32) (result i32 i64) (i32.add (local.get 0) (i32.const 7)) (i64.const 5))
          (func $fsq (param f64) (result f64) (f64.mul (local.get 0) (local.get 0)))
          (func (export "run") (param $x i32) (result i32)
            (i32.add (local.get $x) (call $sq (local.get $x)))
            (i32.sub (call $host (local.get $x)) (local.get $x))
            (i32.add)
            (i32.xor (local.get $x) (call $other (local.get $x)))
            (i32.add)
            (i32.add (local.get $x) (call_indirect (type $t) (local.get $x) (i32.const 0)))
            (i32.add)
            (call $two (local.get $x))
            (drop)
            (i32.add)
            (i32.trunc_f64_s (f64.add (f64.const 0.5) (call $fsq (f64.convert_i32_s (local.get $x)))))
            (i32.add)))"#,
    )
    .expect("module");
    let inst =
        Instance::new(&mut store, &main, &[Extern::Func(host), Extern::Func(other_f)]).expect("instance");
    for x in [0i32, 3, 12, 1000] {
        let out = call(&mut store, inst, "run", &[Val::I32(x)], 1);
        let expected = (x + x * x) + 1000 + (x ^ (x * 3)) + (x + x * x) + (x + 7) + x * x;
        assert_eq!(out[0], Val::I32(expected), "x = {x}");
    }
}

#[test]
fn consecutive_copies_run_in_order() {
    // Swaps through a temporary (three copies: the first two run as one
    // instruction), then a copy that reads what the one before it wrote.
    let (mut store, inst) = instance(
        r#"(module (func (export "f") (param $a i32) (param $b i32) (result i32)
             (local $t i32) (local $u i32)
             (local.set $t (local.get $a))
             (local.set $a (local.get $b))
             (local.set $b (local.get $t))
             (local.set $u (local.get $a))
             (local.set $t (local.get $u))
             (i32.add (i32.mul (local.get $a) (i32.const 100))
               (i32.add (i32.mul (local.get $b) (i32.const 10)) (local.get $t)))))"#,
    );
    assert_eq!(
        call(&mut store, inst, "f", &[Val::I32(1), Val::I32(2)], 1),
        vec![Val::I32(2 * 100 + 10 + 2)]
    );
    let module = inst.module(&store).expect("a module instance");
    let listing = module.disassemble(0).expect("defined");
    assert!(listing.contains("Copy2"), "{listing}");
}

#[test]
fn fused_pairs_compute_what_the_pairs_do() {
    // Each loop below translates to a pair that runs as one instruction
    // (checked in the listing); the results are those of the wasm.
    let (mut store, inst) = instance(
        r#"(module (memory 1)
             (data (i32.const 0) "\01\00\00\00\02\00\00\00\ff\ff\ff\ff\04\00\00\00")
             (func (export "f") (param $n i32) (result i64)
               (local $i i32) (local $j i32) (local $k i32) (local $sum i64) (local $count i32)
               ;; j += 3 while j < n: I32Add + BrI32LtUA
               (local.set $k (i32.const 3))
               (loop $l
                 (local.set $count (i32.add (local.get $count) (i32.const 1)))
                 (br_if $l (i32.lt_u (local.tee $j (i32.add (local.get $j) (local.get $k))) (local.get $n))))
               ;; sum of four u32 loads: I64Load32U + I64AddB
               (local.set $i (i32.const 0))
               (loop $m
                 (local.set $sum (i64.add (local.get $sum) (i64.load32_u (local.get $i))))
                 (br_if $m (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 16))))
               ;; k = k * 3 + 1 (I32MulImm + I32AddImmA), added to count below
               (local.set $k (i32.add (i32.mul (local.get $k) (i32.const 3)) (i32.const 1)))
               (local.set $count (i32.add (local.get $count) (local.get $k)))
               ;; i = k = i + 5 (I32AddImm + Copy), then a jump back (I32AddImm + Br)
               (local.set $i (i32.const 0))
               (block $out
                 (loop $top
                   (br_if $out (i32.ge_u (local.get $i) (i32.const 100)))
                   (local.set $k (local.tee $i (i32.add (local.get $i) (i32.const 5))))
                   (local.set $count (i32.add (local.get $count) (i32.const 1)))
                   (br $top)))
               (i64.add (local.get $sum)
                 (i64.extend_i32_u (i32.add (i32.mul (local.get $j) (i32.const 1000))
                   (i32.add (i32.mul (local.get $count) (i32.const 10)) (local.get $k)))))))"#,
    );
    // j: 3, 6, ..., first >= 20 is 21 after 7 rounds; k = 3 * 3 + 1 = 10
    // added to the count; then 20 more rounds of the last loop (i = 5 ..
    // 100, k = 100).
    let expected = (1u64 + 2 + 0xffff_ffff + 4) + (21 * 1000 + (7 + 10 + 20) * 10 + 100);
    assert_eq!(
        call(&mut store, inst, "f", &[Val::I32(20)], 1),
        vec![Val::I64(expected as i64)]
    );
    assert_listed(
        &store,
        inst,
        0,
        &[
            "I32AddBrLtU",
            "I64Load32UAddTo",
            "I32AddImmCopy",
            "I32AddImmBr",
            "I32MulImmAddImm",
        ],
    );
}

#[test]
fn fused_f64_pairs_keep_operand_order() {
    // `(y (x a b) c)` and `(y c (x a b))` for x, y in add, sub, mul: each
    // runs as one fused instruction; results as Rust computes them.
    type Op = fn(f64, f64) -> f64;
    let ops: [(&str, &str, Op); 3] = [
        ("add", "Add", |p, q| p + q),
        ("sub", "Sub", |p, q| p - q),
        ("mul", "Mul", |p, q| p * q),
    ];
    let mut wat = String::from("(module\n");
    let mut cases = Vec::new();
    for (xw, xn, xf) in ops {
        for (yw, yn, yf) in ops {
            for left in [true, false] {
                let inner = format!("(f64.{xw} (local.get 0) (local.get 1))");
                let body = if left {
                    format!("(f64.{yw} {inner} (local.get 2))")
                } else {
                    format!("(f64.{yw} (local.get 2) {inner})")
                };
                let name = format!("F64{xn}Then{yn}{}", if left { "A" } else { "B" });
                wat += &format!("(func (export \"{name}\") (param f64 f64 f64) (result f64) {body})\n");
                cases.push((name, xf, yf, left));
            }
        }
    }
    wat += ")";
    let (mut store, inst) = instance(&wat);
    let (a, b, c) = (1.5, 2.25, -3.0);
    for (index, (name, xf, yf, left)) in cases.iter().enumerate() {
        let args = [
            Val::F64(f64::to_bits(a)),
            Val::F64(f64::to_bits(b)),
            Val::F64(f64::to_bits(c)),
        ];
        let got = call(&mut store, inst, name, &args, 1);
        let x = xf(a, b);
        let expected = if *left { yf(x, c) } else { yf(c, x) };
        assert_eq!(got, vec![Val::F64(expected.to_bits())], "{name}");
        let listing = inst
            .module(&store)
            .expect("a module instance")
            .disassemble(index as u32)
            .expect("defined");
        assert!(listing.contains(name.as_str()), "{name} not fused:\n{listing}");
    }
}

#[test]
fn byte_dispatch_pair_takes_the_right_case_and_traps_out_of_bounds() {
    // A byte-code loop: `br_table` on a loaded byte (one fused instruction).
    let (mut store, inst) = instance(
        r#"(module (memory 1)
             (data (i32.const 0) "\00\01\02\07\01\00\02")
             (func (export "run") (param $p i32) (param $n i32) (result i32)
               (local $acc i32)
               (loop $next
                 (block $default (block $two (block $one (block $zero
                   (br_table $zero $one $two $default (i32.load8_u (local.get $p))))
                   (local.set $acc (i32.add (local.get $acc) (i32.const 1))) (br $default))
                   (local.set $acc (i32.add (local.get $acc) (i32.const 10))) (br $default))
                   (local.set $acc (i32.add (local.get $acc) (i32.const 100))))
                 (local.set $acc (i32.add (local.get $acc) (i32.const 1000)))
                 (local.set $p (i32.add (local.get $p) (i32.const 1)))
                 (br_if $next (i32.lt_u (local.get $p) (local.get $n))))
               (local.get $acc)))"#,
    );
    // Bytes 0 1 2 7 1 0 2: every byte adds 1000, then 0 -> +1, 1 -> +10,
    // 2 -> +100, 7 (default) -> nothing more.
    let expected = 7 * 1000 + 2 + 2 * 10 + 2 * 100;
    assert_eq!(
        call(&mut store, inst, "run", &[Val::I32(0), Val::I32(7)], 1),
        vec![Val::I32(expected)]
    );
    let listing = listing(&store, inst, 0);
    assert!(listing.contains("I32Load8UBrTable"), "{listing}");
    let f = inst.get_func(&store, "run").expect("export");
    let trap = f
        .call(
            &mut store,
            &[Val::I32(65535), Val::I32(65537)],
            &mut [Val::I32(0)],
        )
        .unwrap_err();
    assert_eq!(trap.message(), "out of bounds memory access");
}

#[test]
fn fused_stores_store_and_trap_as_the_store() {
    let wat = r#"(module (memory 1)
         (func (export "f") (param $p i32) (param $x i32) (param $y i32) (result i64)
           (i32.store16 (local.get $p) (i32.mul (i32.add (local.get $x) (local.get $y)) (i32.const 1000)))
           (i32.store8 offset=2 (local.get $p) (i32.xor (i32.add (local.get $x) (local.get $y)) (local.get $y)))
           (i64.add (i64.extend_i32_u (i32.load (local.get $p))) (i64.extend_i32_s (local.get $x)))))"#;
    let bytes = wat::parse_str(wat).expect("text parses");
    let (mut store, inst) = instance(wat);
    // (-3 + 10) * 1000 = 7000 = 0x1b58 (16 bits), then 7 ^ 10 = 0x0d at +2:
    // the u32 at 0 is 0x000d1b58, plus -3 sign-extended.
    assert_eq!(
        call(
            &mut store,
            inst,
            "f",
            &[Val::I32(0), Val::I32(-3), Val::I32(10)],
            1
        ),
        vec![Val::I64(0x000d_1b58 - 3)]
    );
    assert_listed(
        &store,
        inst,
        0,
        &["I32MulImmStore16", "I32XorStore8", "I64AddExtendI32S"],
    );
    // Out of bounds: the trap is the store's (`i32.store16`'s opcode at the
    // reported offset), not the multiplication's.
    let args = [Val::I32(65535), Val::I32(3), Val::I32(4)];
    assert_oob_at(&mut store, inst, "f", &args, &bytes, 0x3b);
}

#[test]
fn fused_byte_access_increment_and_scan_pairs() {
    // Each part translates to one of the pairs named in the listing check.
    let wat = r#"(module (memory 1)
         (data (i32.const 100) "\05\ff\80\01\02\03\04\7f")
         (data (i32.const 200) "\01\00\00\00\02\00\00\00\09\00\00\00\03\00\00\00")
         (func (export "f") (param $base i32) (param $n i32) (result i32)
           (local $i i32) (local $sum i32) (local $p i32) (local $q i32)
           ;; flags[base + i] = 1 (I32AddStore8Imm), bytes summed back
           ;; unsigned through base + i (I32AddLoad8U)
           (loop $set
             (i32.store8 (i32.add (local.get $base) (local.get $i)) (i32.const 257))
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br_if $set (i32.lt_u (local.get $i) (local.get $n))))
           (local.set $i (i32.const 0))
           (loop $get
             (local.set $sum (i32.add (local.get $sum)
               (i32.mul (i32.load8_u (i32.add (local.get $base) (local.get $i))) (i32.const 3))))
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br_if $get (i32.lt_u (local.get $i) (local.get $n))))
           ;; the eight bytes at 100, unsigned then signed (I32Load8{U,S}AddTo)
           (local.set $p (i32.const 100))
           (loop $bytes
             (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $p))))
             (local.set $sum (i32.add (local.get $sum) (i32.load8_s (local.get $p))))
             (local.set $p (i32.add (local.get $p) (i32.const 1)))
             (br_if $bytes (i32.ne (local.get $p) (i32.const 108))))
           ;; two increments (I32AddImm2), the second of the first's result
           (local.set $q (i32.add (local.tee $p (i32.add (local.get $p) (i32.const -8))) (i32.const 300)))
           ;; scan while word < n = 5 (I32AddImm2 then I32LoadBrLtU): stops at the 9
           (local.set $i (i32.const 0))
           (local.set $p (i32.const 196))
           (local.set $n (i32.const 5))
           (loop $scan
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (local.set $p (i32.add (local.get $p) (i32.const 4)))
             (br_if $scan (i32.lt_u (i32.load (local.get $p)) (local.get $n))))
           (i32.add (i32.add (local.get $sum) (i32.mul (local.get $i) (i32.const 1000000)))
             (i32.mul (local.get $q) (i32.const 100000000)))))"#;
    let bytes = wat::parse_str(wat).expect("text parses");
    let (mut store, inst) = instance(wat);
    let n = 10;
    // The stored byte is 257 & 0xff = 1, read back times 3 per index.
    let flags = 3 * n;
    let unsigned: i32 = [5, 0xff, 0x80, 1, 2, 3, 4, 0x7f].iter().sum();
    let signed: i32 = [5i8, -1, -128, 1, 2, 3, 4, 127].iter().map(|&b| b as i32).sum();
    // p ends at 108, minus 8 is 100, plus 300 is q = 400; the scan passes
    // 1 and 2 and stops at the 9 (third word): i = 3.
    let expected = (flags + unsigned + signed)
        .wrapping_add(3 * 1_000_000)
        .wrapping_add(400i32.wrapping_mul(100_000_000));
    assert_eq!(
        call(&mut store, inst, "f", &[Val::I32(1000), Val::I32(n)], 1),
        vec![Val::I32(expected)]
    );
    assert_listed(
        &store,
        inst,
        0,
        &[
            "I32AddStore8Imm",
            "I32AddLoad8U",
            "I32Load8UAddTo",
            "I32Load8SAddTo",
            "I32AddImm2",
            "I32LoadBrLtU",
        ],
    );
    // Out of bounds at base + i: the store's trap (the second instruction
    // of its pair), reported at its opcode (`i32.store8`).
    assert_oob_at(
        &mut store,
        inst,
        "f",
        &[Val::I32(65530), Val::I32(10)],
        &bytes,
        0x3a,
    );
}

#[test]
fn zeroing_a_fresh_local_emits_nothing() {
    let wat = r#"(module
         (func (export "f") (param $p i32) (result i32) (local $a i32) (local $b i64) (local $c i32) (local $d f64) (local $e i32)
           ;; fresh locals: no instruction
           (local.set $a (i32.const 0))
           (local.set $b (i64.const 0))
           (local.set $d (f64.const 0))
           ;; a parameter is not fresh: zeroed for real (then restored)
           (local.set $c (local.get $p))
           (local.set $p (i32.const 0))
           (local.set $p (i32.add (local.get $p) (local.get $c)))
           ;; set, then zeroed again: both kept
           (local.set $a (i32.const 5))
           (local.set $a (i32.const 0))
           ;; a tee of zero leaves the zero as an operand
           (local.set $c (i32.wrap_i64 (i64.add (local.tee $b (i64.const 0)) (i64.const 7))))
           ;; in a loop (after a label) every zeroing runs, even of a local
           ;; not written before it in the text ($e)
           (loop $l
             (local.set $e (i32.const 0))
             (local.set $c (i32.add (local.get $c) (local.get $a)))
             (local.set $c (i32.add (local.get $c) (i32.mul (local.get $e) (i32.const 1000))))
             (local.set $a (i32.const 0))
             (local.set $p (i32.sub (local.get $p) (i32.const 1)))
             (local.set $a (i32.const 100))
             (local.set $e (i32.const 1))
             (br_if $l (i32.gt_s (local.get $p) (i32.const 0))))
           (i32.add (local.get $c) (i32.wrap_i64 (i64.reinterpret_f64 (local.get $d))))))"#;
    let (mut store, inst) = instance(wat);
    // c starts at 7 (the tee's zero plus 7), then adds a: 0 in the first
    // round, 100 in each of the p - 1 others.
    for p in 1..5 {
        assert_eq!(
            call(&mut store, inst, "f", &[Val::I32(p)], 1),
            vec![Val::I32(7 + 100 * (p - 1))],
            "p = {p}"
        );
    }
    let listing = listing(&store, inst, 0);
    // The fresh zeroings of $a (local 1), $b (2) and $d (4) are gone; the
    // parameter's, $a's repeated one and the one in the loop remain.
    let count = |text: &str| listing.lines().filter(|l| l.contains(text)).count();
    assert_eq!(count("Const { dst: 0, val: 0 }"), 1, "{listing}");
    assert_eq!(count("Const { dst: 1, val: 0 }"), 2, "{listing}");
    assert_eq!(count("Const { dst: 5, val: 0 }"), 1, "{listing}");
    assert_eq!(
        count("Const { dst: 2,") + count("Const { dst: 4,"),
        0,
        "{listing}"
    );
}

#[test]
fn copies_after_calls_run_during_the_return() {
    // The `Copy` after a call runs inside the return (one dispatch less):
    // of the result, of another local (a call without results), and of an
    // f64, each read at once by an accumulator form.
    let (mut store, inst) = instance(
        r#"(module
          (func $five (param i32) (result i32) (i32.add (local.get 0) (i32.const 5)))
          (func $none)
          (func $half (param f64) (result f64) (f64.mul (local.get 0) (f64.const 0.5)))
          (func (export "f") (param $n i32) (result i32) (local $x i32) (local $y i32) (local $z f64)
            (local.set $x (call $five (local.get $n)))
            (local.set $y (i32.mul (local.get $x) (i32.const 3)))
            (call $none)
            (local.set $x (local.get $n))
            (local.set $y (i32.add (local.get $y) (i32.mul (local.get $x) (i32.const 100))))
            (local.set $z (call $half (f64.convert_i32_s (local.get $y))))
            (i32.add (local.get $y) (i32.trunc_f64_s (f64.mul (local.get $z) (f64.const 4))))))"#,
    );
    for n in [0, 1, 7, -3] {
        let y = (n + 5) * 3 + n * 100;
        let expected = y + ((y as f64 * 0.5) * 4.0) as i32;
        assert_eq!(
            call(&mut store, inst, "f", &[Val::I32(n)], 1),
            vec![Val::I32(expected)],
            "n = {n}"
        );
    }
    let listing = listing(&store, inst, 3);
    assert!(
        listing.contains("8  Call { base: 4, func: 1 }\n   10  Copy { dst: 1, src: 0 }\n   12  I32MulImmA"),
        "{listing}"
    );
}

#[test]
fn fused_dot_product_and_rotate_xor_pairs() {
    let wat = r#"(module (memory 1)
         (data (i32.const 0) "\02\00\00\00\03\00\00\00\05\00\00\00\07\00\00\00")
         (func (export "f") (param $p i32) (param $x i32) (result i32) (local $i i32) (local $dot i32) (local $h i32)
           ;; dot += x * mem[p + 4i] (I32LoadAdd + I32MulB)
           (loop $l
             (local.set $dot (i32.add (local.get $dot)
               (i32.mul (local.get $x) (i32.load (i32.add (local.get $p) (i32.const 4))))))
             (local.set $p (i32.add (local.get $p) (i32.const 4)))
             (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))
           ;; h = x ^ rotl(dot, 13) (I32RotlImm + I32XorB)
           (local.set $h (i32.xor (local.get $x) (i32.rotl (local.get $dot) (i32.const 13))))
           (i32.add (local.get $h) (local.get $dot))))"#;
    let bytes = wat::parse_str(wat).expect("text parses");
    let (mut store, inst) = instance(wat);
    for x in [1i32, -3, 0x1234_5678] {
        // Words at 4, 8, 12: 3, 5, 7.
        let dot = x
            .wrapping_mul(3)
            .wrapping_add(x.wrapping_mul(5))
            .wrapping_add(x.wrapping_mul(7));
        let h = x ^ (dot as u32).rotate_left(13) as i32;
        assert_eq!(
            call(&mut store, inst, "f", &[Val::I32(0), Val::I32(x)], 1),
            vec![Val::I32(h.wrapping_add(dot))],
            "x = {x}"
        );
    }
    assert_listed(&store, inst, 0, &["I32LoadAddMul", "I32RotlImmXor"]);
    // Out of bounds: the load's trap (the first instruction of the pair,
    // `i32.load`).
    assert_oob_at(
        &mut store,
        inst,
        "f",
        &[Val::I32(65528), Val::I32(1)],
        &bytes,
        0x28,
    );
}

#[test]
fn returning_a_sum_is_one_instruction() {
    let (mut store, inst) = instance(
        r#"(module
          (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
          (func $inc (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const -7)))
          (func (export "f") (param $n i32) (result i32) (local $x i32)
            (local.set $x (call $add (local.get $n) (i32.const 40)))
            (i32.mul (call $inc (local.get $x)) (i32.const 2))))"#,
    );
    // Called from the host (no caller frame) and from wasm (a Copy after
    // the call runs in the return).
    assert_eq!(
        call(&mut store, inst, "add", &[Val::I32(-5), Val::I32(8)], 1),
        vec![Val::I32(3)]
    );
    assert_eq!(
        call(&mut store, inst, "inc", &[Val::I32(i32::MIN)], 1),
        vec![Val::I32(i32::MIN.wrapping_sub(7))]
    );
    for n in [0, 2, -100] {
        assert_eq!(
            call(&mut store, inst, "f", &[Val::I32(n)], 1),
            vec![Val::I32((n + 40 - 7) * 2)]
        );
    }
    assert_listed(&store, inst, 0, &["I32AddReturn"]);
    assert_listed(&store, inst, 1, &["I32AddImmReturn"]);
}

#[test]
fn loop_back_edges_run_with_the_instruction_before_them() {
    // Each loop ends with an instruction (or pair) and a counter step that
    // run as one `{X}Step{K}` instruction: the results count every iteration,
    // and the loop exits at the step's bound (ne, lt_u, gt_u).
    let wasm = wat::parse_str(
        r#"(module
          (memory 1)
          (data (i32.const 0) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00")
          (func (export "sum") (param $end i32) (result i64) (local $p i32) (local $s i64)
            (loop $l
              (local.set $s (i64.add (local.get $s) (i64.load32_u (local.get $p))))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br_if $l (i32.lt_u (local.get $p) (local.get $end))))
            (local.get $s))
          (func (export "sum_to") (result i64) (local $p i32) (local $s i64)
            (loop $l
              (local.set $s (i64.add (local.get $s) (i64.load32_u (local.get $p))))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br_if $l (i32.lt_u (local.get $p) (i32.const 12))))
            (local.get $s))
          (func (export "walk") (param $n i32) (result i32) (local $i i32) (local $q i32)
            (loop $l
              (local.set $q (i32.add (local.get $q) (i32.const 100)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.ne (local.get $i) (local.get $n))))
            (i32.add (local.get $q) (local.get $i)))
          (func (export "walk_to") (result i32) (local $i i32) (local $q i32)
            (loop $l
              (local.set $q (i32.add (local.get $q) (i32.const 100)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.ne (local.get $i) (i32.const 7))))
            (i32.add (local.get $q) (local.get $i)))
          (func (export "down") (param $n i32) (result i32) (local $s i32)
            (loop $l
              (local.set $s (i32.add (i32.mul (local.get $n) (i32.const 3)) (local.get $s)))
              (local.set $n (i32.add (local.get $n) (i32.const -2)))
              (br_if $l (i32.gt_u (local.get $n) (i32.const 1))))
            (i32.add (i32.mul (local.get $s) (i32.const 1000)) (local.get $n)))
          (func (export "oob") (param $p i32) (result i64) (local $s i64) (local $i i32)
            (loop $l
              (local.set $s (i64.add (local.get $s) (i64.load32_u (local.get $p))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const 5))))
            (local.get $s)))"#,
    )
    .expect("valid text");
    let (mut store, inst) = instance(&wasm);
    // 1 + 2 + 3 + 4; the slot form of the bound is not fused (runs as two).
    assert_eq!(
        call(&mut store, inst, "sum", &[Val::I32(16)], 1),
        vec![Val::I64(10)]
    );
    assert_eq!(call(&mut store, inst, "sum_to", &[], 1), vec![Val::I64(6)]);
    assert_eq!(
        call(&mut store, inst, "walk", &[Val::I32(5)], 1),
        vec![Val::I32(505)]
    );
    assert_eq!(call(&mut store, inst, "walk_to", &[], 1), vec![Val::I32(707)]);
    // n = 9, 7, 5, 3 (then 1 ends it): s = 3 * (9 + 7 + 5 + 3) = 72.
    assert_eq!(
        call(&mut store, inst, "down", &[Val::I32(9)], 1),
        vec![Val::I32(72_001)]
    );
    // n = 2 runs once (0 ends it, unsigned).
    assert_eq!(
        call(&mut store, inst, "down", &[Val::I32(2)], 1),
        vec![Val::I32(6_000)]
    );
    assert_listed(&store, inst, 1, &["I64Load32UAddToStepLtU"]);
    assert_listed(&store, inst, 3, &["I32AddImmStepNe"]);
    assert_listed(&store, inst, 4, &["I32AddAStepGtU"]);
    // The fused load traps at its own opcode (`i64.load32_u`, 0x35) on the
    // first iteration (the word crosses the end of the memory).
    assert_listed(&store, inst, 5, &["I64Load32UAddToStepLtU"]);
    assert_oob_at(&mut store, inst, "oob", &[Val::I32(65_533)], &wasm, 0x35);
}

#[test]
fn strided_fill_runs_with_its_back_edge() {
    // `a[j] = 1` for `j += step` while `j < limit` (at least once): the
    // store's pair and the add-and-branch pair run in one dispatch.
    let wasm = wat::parse_str(
        r#"(module
          (memory 1)
          (func (export "fill") (param $j i32) (param $step i32) (param $limit i32) (param $base i32)
            (result i32)
            (loop $l
              (i32.store8 (i32.add (local.get $base) (local.get $j)) (i32.const 1))
              (br_if $l (i32.lt_u (local.tee $j (i32.add (local.get $j) (local.get $step)))
                (local.get $limit))))
            (local.get $j))
          (func (export "count") (result i32) (local $i i32) (local $n i32)
            (loop $l
              (local.set $n (i32.add (local.get $n) (i32.load8_u (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.ne (local.get $i) (i32.const 64))))
            (local.get $n))
          (func (export "oob") (result i32)
            (call 0 (i32.const 65534) (i32.const 1) (i32.const 65540) (i32.const 0))))"#,
    )
    .expect("valid text");
    let (mut store, inst) = instance(&wasm);
    let fill = |store: &mut Store, args: [i32; 4]| {
        let args: Vec<Val> = args.into_iter().map(Val::I32).collect();
        call(store, inst, "fill", &args, 1)
    };
    // 2, 5, 8, 11, 14, 17: ends at 20.
    assert_eq!(fill(&mut store, [2, 3, 20, 0]), vec![Val::I32(20)]);
    assert_eq!(call(&mut store, inst, "count", &[], 1), vec![Val::I32(6)]);
    // Once (12 >= 3), at 32 + 5.
    assert_eq!(fill(&mut store, [5, 7, 3, 32]), vec![Val::I32(12)]);
    assert_eq!(call(&mut store, inst, "count", &[], 1), vec![Val::I32(7)]);
    // The limit reached exactly: 40, 44 (48 is not below 48).
    assert_eq!(fill(&mut store, [40, 4, 48, 0]), vec![Val::I32(48)]);
    assert_eq!(call(&mut store, inst, "count", &[], 1), vec![Val::I32(9)]);
    assert_listed(&store, inst, 0, &["I32AddStore8ImmAddBrLtU"]);
    // The third store (at 65536) traps at its own opcode (`i32.store8`).
    assert_oob_at(&mut store, inst, "oob", &[], &wasm, 0x3a);
}

#[test]
fn backtrace_offsets_point_at_the_calls() {
    // Each caller's frame reports its `call` (0x10); the trapping frame its
    // `unreachable` (0x00); also through a call of another instance's
    // function (imported: the slow call path) and back.
    let engine = Engine::default();
    let other = Module::new(
        &engine,
        br#"(module (func (export "g") (param i32) (result i32)
              (if (i32.eq (local.get 0) (i32.const 1)) (then unreachable)) (i32.const 5)))"#,
    )
    .expect("valid");
    let wasm = wat::parse_str(
        r#"(module
          (import "o" "g" (func $g (param i32) (result i32)))
          (func $c (param i32) (result i32)
            (drop (call $g (i32.const 0)))
            (if (i32.eqz (local.get 0)) (then unreachable))
            (call $g (local.get 0)))
          (func $b (param i32) (result i32) (i32.add (call $c (local.get 0)) (i32.const 1)))
          (func (export "a") (param i32) (result i32) (i32.mul (call $b (local.get 0)) (i32.const 2))))"#,
    )
    .expect("valid text");
    let module = Module::new(&engine, &wasm).expect("valid");
    let mut store = Store::new(&engine);
    let other_inst = Instance::new(&mut store, &other, &[]).expect("instantiates");
    let g = other_inst.get_func(&store, "g").expect("export");
    let inst = Instance::new(&mut store, &module, &[Extern::Func(g)]).expect("instantiates");
    let a = inst.get_func(&store, "a").expect("export");
    let mut out = [Val::I32(0)];
    // No trap: g returns 5 to c (twice, across instances), then b and a.
    a.call(&mut store, &[Val::I32(2)], &mut out).expect("no trap");
    assert_eq!(out, [Val::I32(12)]);
    let trap = a.call(&mut store, &[Val::I32(0)], &mut out).unwrap_err();
    let at: Vec<u8> = trap.trace().iter().map(|f| wasm[f.module_offset]).collect();
    assert_eq!(at, [0x00, 0x10, 0x10], "{:?}", trap.trace());
    // Trapping in the other instance: its frame, then c's call, b's, a's.
    let trap = a.call(&mut store, &[Val::I32(1)], &mut out).unwrap_err();
    assert_eq!(trap.trace().len(), 4, "{:?}", trap.trace());
    let callers: Vec<u8> = trap.trace()[1..].iter().map(|f| wasm[f.module_offset]).collect();
    assert_eq!(callers, [0x10, 0x10, 0x10]);
}

#[test]
fn fused_f64_triples() {
    // `(a + b) * c + d` and `a * b + c * d`, each one instruction; the last
    // reads the first product back even when the second overwrote its slot.
    let (mut store, inst) = instance(
        r#"(module
          (func (export "amd_a") (param f64 f64 f64 f64) (result f64)
            (f64.add (f64.mul (f64.add (local.get 0) (local.get 1)) (local.get 2)) (local.get 3)))
          (func (export "amd_b") (param f64 f64 f64 f64) (result f64)
            (f64.add (local.get 3) (f64.mul (f64.add (local.get 0) (local.get 1)) (local.get 2))))
          (func (export "mma_b") (param f64 f64 f64 f64) (result f64)
            (f64.add (f64.mul (local.get 0) (local.get 1)) (f64.mul (local.get 2) (local.get 3))))
          (func (export "mma_a") (param f64 f64 f64 f64) (result f64) (local $t f64)
            (local.set $t (f64.mul (local.get 0) (local.get 1)))
            (f64.add (f64.mul (local.get 2) (local.get 3)) (local.get $t)))
          (func (export "alias") (param f64 f64 f64 f64) (result f64) (local $x f64)
            (local.set $x (f64.mul (local.get 0) (local.get 1)))
            (local.set $x (f64.mul (local.get 2) (local.get 3)))
            (f64.add (local.get $x) (local.get $x))))"#,
    );
    let args = [3.0, 4.0, 5.0, 6.5].map(Val::f64);
    for (name, expected) in [
        ("amd_a", 41.5),
        ("amd_b", 41.5),
        ("mma_b", 44.5),
        ("mma_a", 44.5),
        ("alias", 65.0),
    ] {
        assert_eq!(
            call(&mut store, inst, name, &args, 1),
            vec![Val::f64(expected)],
            "{name}"
        );
    }
    assert_listed(&store, inst, 0, &["F64AddMulAddA"]);
    assert_listed(&store, inst, 1, &["F64AddMulAddB"]);
    assert_listed(&store, inst, 2, &["F64MulMulAddB"]);
    assert_listed(&store, inst, 3, &["F64MulMulAddA"]);
    assert_listed(&store, inst, 4, &["F64MulMulAdd"]);
}

#[test]
fn fused_f64_load_then_op() {
    // `f64.load` then sub (the order shows) and mul, both ways and with
    // both address forms; a load out of bounds traps at the load.
    let wasm = wat::parse_str(
        r#"(module
          (memory 1)
          (data (i32.const 8) "\00\00\00\00\00\00\24\40")
          (func (export "sub_a") (param i32 f64) (result f64)
            (f64.sub (f64.load (local.get 0)) (local.get 1)))
          (func (export "sub_b") (param i32 f64) (result f64)
            (f64.sub (local.get 1) (f64.load (local.get 0))))
          (func (export "mul_at") (param i32 f64) (result f64)
            (f64.mul (f64.load (i32.add (local.get 0) (i32.const 8))) (local.get 1)))
          (func (export "sub_at_b") (param i32 f64) (result f64)
            (f64.sub (local.get 1) (f64.load (i32.add (local.get 0) (i32.const 8))))))"#,
    )
    .expect("valid text");
    let (mut store, inst) = instance(&wasm);
    // mem[8] = 10.0.
    let args = [Val::I32(8), Val::f64(2.5)];
    assert_eq!(call(&mut store, inst, "sub_a", &args, 1), vec![Val::f64(7.5)]);
    assert_eq!(call(&mut store, inst, "sub_b", &args, 1), vec![Val::f64(-7.5)]);
    let args = [Val::I32(0), Val::f64(2.5)];
    assert_eq!(call(&mut store, inst, "mul_at", &args, 1), vec![Val::f64(25.0)]);
    assert_eq!(call(&mut store, inst, "sub_at_b", &args, 1), vec![Val::f64(-7.5)]);
    assert_listed(&store, inst, 0, &["I64LoadF64SubA"]);
    assert_listed(&store, inst, 1, &["I64LoadF64SubB"]);
    assert_listed(&store, inst, 2, &["I64LoadAddF64MulA"]);
    assert_listed(&store, inst, 3, &["I64LoadAddF64SubB"]);
    // `f64.load` is 0x2b.
    assert_oob_at(
        &mut store,
        inst,
        "sub_a",
        &[Val::I32(65_530), Val::f64(1.0)],
        &wasm,
        0x2b,
    );
    assert_oob_at(
        &mut store,
        inst,
        "mul_at",
        &[Val::I32(65_528), Val::f64(1.0)],
        &wasm,
        0x2b,
    );
}

#[test]
fn fused_integer_pairs() {
    // `x ^ (x >> k)` steps, sums of several terms (also one that re-reads
    // the first sum's slot) and a load times a value.
    let wasm = wat::parse_str(
        r#"(module
          (memory 1)
          (data (i32.const 16) "\07\00\00\00")
          (func (export "shr_xor") (param i32 i32) (result i32)
            (i32.xor (local.get 1) (i32.shr_u (local.get 0) (i32.const 3))))
          (func (export "sum_shr_xor") (param i32 i32) (result i32)
            (i32.xor (local.get 1) (i32.shr_u (i32.add (local.get 0) (local.get 1)) (i32.const 3))))
          (func (export "sum3") (param i32 i32 i32) (result i32)
            (i32.add (local.get 2) (i32.add (local.get 1) (i32.mul (local.get 0) (local.get 1)))))
          (func (export "sum_twice") (param i32 i32 i32) (result i32)
            (i32.add (local.tee 2 (i32.add (local.get 0) (i32.mul (local.get 0) (local.get 1))))
              (local.get 2)))
          (func (export "load_mul") (param i32 i32) (result i32)
            (i32.mul (local.get 1) (i32.load (local.get 0)))))"#,
    )
    .expect("valid text");
    let (mut store, inst) = instance(&wasm);
    let i32s = |v: &[i32]| v.iter().copied().map(Val::I32).collect::<Vec<_>>();
    // 0xf0000000 >> 3 = 0x1e000000, ^ 5.
    let r = call(
        &mut store,
        inst,
        "shr_xor",
        &i32s(&[0xf000_0000_u32 as i32, 5]),
        1,
    );
    assert_eq!(r, i32s(&[0x1e00_0005]));
    // (100 + 4) >> 3 = 13, ^ 4 = 9.
    let r = call(&mut store, inst, "sum_shr_xor", &i32s(&[100, 4]), 1);
    assert_eq!(r, i32s(&[9]));
    // 3 * 5 + 5 + 1000.
    let r = call(&mut store, inst, "sum3", &i32s(&[3, 5, 1000]), 1);
    assert_eq!(r, i32s(&[1020]));
    // 2 * (3 + 3 * 5).
    let r = call(&mut store, inst, "sum_twice", &i32s(&[3, 5, 1000]), 1);
    assert_eq!(r, i32s(&[36]));
    // mem[16] = 7.
    let r = call(&mut store, inst, "load_mul", &i32s(&[16, 6]), 1);
    assert_eq!(r, i32s(&[42]));
    assert_listed(&store, inst, 0, &["I32ShrUImmXor"]);
    assert_listed(&store, inst, 1, &["I32ShrUImmAXor"]);
    assert_listed(&store, inst, 2, &["I32AddAccAdd"]);
    assert_listed(&store, inst, 3, &["I32AddAccAdd"]);
    assert_listed(&store, inst, 4, &["I32LoadMul"]);
    // `i32.load` is 0x28.
    assert_oob_at(&mut store, inst, "load_mul", &i32s(&[65_533, 1]), &wasm, 0x28);
}

#[test]
fn pointer_walk_string_end_and_byte_compare_pairs() {
    // Each function translates to the pair named in its listing check.
    let wat = r#"(module (memory 1)
         (data (i32.const 100) "hello\00")
         (data (i32.const 200) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00")
         (data (i32.const 300) "abcdefgh")
         (data (i32.const 400) "abcdeXgh")
         ;; bytes up to the first zero (a load and `br_if`: no pair, as a
         ;; load-and-branch measured slower in bf's `[`)
         (func (export "strlen") (param $p i32) (result i32) (local $n i32)
           (block $done
             (loop $l
               (br_if $done (i32.eqz (i32.load8_u (local.get $p))))
               (local.set $p (i32.add (local.get $p) (i32.const 1)))
               (local.set $n (i32.add (local.get $n) (i32.const 1)))
               (br $l)))
           (local.get $n))
         ;; sum of n words from p: count down, then load (I32AddImmLoad)
         (func (export "sum") (param $p i32) (param $n i32) (result i32) (local $s i32)
           (loop $l
             (local.set $n (i32.add (local.get $n) (i32.const -1)))
             (local.set $s (i32.add (local.get $s) (i32.load (local.get $p))))
             (local.set $p (i32.add (local.get $p) (i32.const 4)))
             (br_if $l (local.get $n)))
           (local.get $s))
         ;; the word after p, loaded at the advanced pointer (I32AddImmLoad
         ;; with the sum as its address)
         (func (export "next") (param $p i32) (result i32)
           (i32.add (i32.load (local.tee $p (i32.add (local.get $p) (i32.const 4)))) (local.get $p)))
         ;; index of the first difference of two byte strings at 300 and
         ;; 400 from i on, or n (I32Load8UAddBrNe)
         (func (export "mismatch") (param $i i32) (param $n i32) (result i32)
           (block $done
             (loop $l
               (br_if $done (i32.eq (local.get $i) (local.get $n)))
               (br_if $done (i32.ne (i32.load8_u (i32.add (local.get $i) (i32.const 300)))
                 (i32.load8_u (i32.add (local.get $i) (i32.const 400)))))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (br $l)))
           (local.get $i))
         ;; from the word at p down while words > pivot; the address before
         ;; the first that is not (I32AddImmCopyBrGtU)
         (func (export "scan_down") (param $p i32) (param $pivot i32) (result i32) (local $x i32) (local $q i32)
           (loop $l
             (local.set $x (i32.load (local.get $p)))
             (local.set $q (local.tee $p (i32.add (local.get $p) (i32.const -4))))
             (br_if $l (i32.gt_u (local.get $x) (local.get $pivot))))
           (local.get $q))
         ;; words after p up to the first not below limit, counted
         ;; (I32AddImm2LoadBrLtU)
         (func (export "scan_up") (param $p i32) (param $limit i32) (result i32) (local $n i32)
           (loop $l
             (local.set $n (i32.add (local.get $n) (i32.const 1)))
             (local.set $p (i32.add (local.get $p) (i32.const 4)))
             (br_if $l (i32.lt_u (i32.load (local.get $p)) (local.get $limit))))
           (i32.add (i32.mul (local.get $n) (i32.const 1000)) (local.get $p))))"#;
    let bytes = wat::parse_str(wat).expect("text parses");
    let (mut store, inst) = instance(wat);
    let i32s = |v: &[i32]| v.iter().copied().map(Val::I32).collect::<Vec<_>>();
    // Words 1, 2, 3, 4 at 200: from 212 (4) down past 4 and 3 (> 2), stops
    // after reading 2 at 204.
    assert_eq!(
        call(&mut store, inst, "scan_down", &i32s(&[212, 2]), 1),
        i32s(&[200])
    );
    assert_eq!(
        call(&mut store, inst, "scan_down", &i32s(&[212, 9]), 1),
        i32s(&[208])
    );
    // From 196 up: 1, 2 are below 3, stops at 3 (208) after 3 steps.
    assert_eq!(
        call(&mut store, inst, "scan_up", &i32s(&[196, 3]), 1),
        i32s(&[3208])
    );
    assert_eq!(
        call(&mut store, inst, "scan_up", &i32s(&[196, 0]), 1),
        i32s(&[1200])
    );
    assert_listed(&store, inst, 4, &["I32AddImmCopyBrGtU"]);
    assert_listed(&store, inst, 5, &["I32AddImm2LoadBrLtU"]);
    // Zero words up to the end of memory are below 5: the load at the
    // advanced pointer traps, reported at the load (`i32.load`, 0x28).
    assert_oob_at(&mut store, inst, "scan_up", &i32s(&[65_000, 5]), &bytes, 0x28);
    assert_oob_at(&mut store, inst, "scan_down", &i32s(&[65_534, 0]), &bytes, 0x28);
    assert_eq!(call(&mut store, inst, "strlen", &i32s(&[100]), 1), i32s(&[5]));
    assert_eq!(call(&mut store, inst, "strlen", &i32s(&[105]), 1), i32s(&[0]));
    assert_eq!(call(&mut store, inst, "sum", &i32s(&[200, 4]), 1), i32s(&[10]));
    assert_eq!(call(&mut store, inst, "sum", &i32s(&[204, 2]), 1), i32s(&[5]));
    // mem[204] = 2, plus the advanced pointer 204.
    assert_eq!(call(&mut store, inst, "next", &i32s(&[200]), 1), i32s(&[206]));
    assert_eq!(call(&mut store, inst, "mismatch", &i32s(&[0, 8]), 1), i32s(&[5]));
    assert_eq!(call(&mut store, inst, "mismatch", &i32s(&[0, 3]), 1), i32s(&[3]));
    assert_eq!(call(&mut store, inst, "mismatch", &i32s(&[6, 8]), 1), i32s(&[8]));
    assert_listed(&store, inst, 1, &["I32AddImmLoad"]);
    assert_listed(&store, inst, 2, &["I32AddImmLoad"]);
    assert_listed(&store, inst, 3, &["I32Load8UAddBrNe"]);
    // Out of bounds: each trap is its load's (`i32.load8_u` is 0x2d,
    // `i32.load` 0x28), not the addition's before it.
    assert_oob_at(&mut store, inst, "strlen", &i32s(&[65_536]), &bytes, 0x2d);
    assert_oob_at(&mut store, inst, "sum", &i32s(&[65_534, 3]), &bytes, 0x28);
    assert_oob_at(&mut store, inst, "next", &i32s(&[65_532]), &bytes, 0x28);
    // Equal (zero) bytes up to the end of memory: the second load, the
    // fused one, traps first.
    assert_oob_at(&mut store, inst, "mismatch", &i32s(&[65_100, -1]), &bytes, 0x2d);
}

#[test]
fn f64_results_stored_in_one_dispatch() {
    // `mem[p] op= x` (both operand orders), the same with another
    // destination (not joined), and an operation's result stored.
    let wasm = wat::parse_str(
        r#"(module
          (memory 1)
          (func (export "sub_a") (param $p i32) (param $x f64)
            (f64.store (local.get $p) (f64.sub (f64.load (local.get $p)) (local.get $x))))
          (func (export "sub_b") (param $p i32) (param $x f64)
            (f64.store (local.get $p) (f64.sub (local.get $x) (f64.load (local.get $p)))))
          (func (export "add_to") (param $p i32) (param $q i32) (param $x f64)
            (f64.store (local.get $q) (f64.add (f64.load (local.get $p)) (local.get $x))))
          (func (export "mul_neg") (param $p i32) (param $x f64) (param $y f64)
            (f64.store offset=8 (local.get $p) (f64.mul (local.get $x) (f64.neg (local.get $y)))))
          (func (export "get") (param $p i32) (result f64) (f64.load (local.get $p))))"#,
    )
    .expect("valid text");
    let (mut store, inst) = instance(&wasm);
    let get = |store: &mut Store, p: i32| call(store, inst, "get", &[Val::I32(p)], 1);
    // mem[16] = 3 * -4 at 8 + 8, then -12 - 2.5, then 1 - (-14.5).
    call(
        &mut store,
        inst,
        "mul_neg",
        &[Val::I32(8), Val::f64(3.0), Val::f64(4.0)],
        0,
    );
    assert_eq!(get(&mut store, 16), vec![Val::f64(-12.0)]);
    call(&mut store, inst, "sub_a", &[Val::I32(16), Val::f64(2.5)], 0);
    assert_eq!(get(&mut store, 16), vec![Val::f64(-14.5)]);
    call(&mut store, inst, "sub_b", &[Val::I32(16), Val::f64(1.0)], 0);
    assert_eq!(get(&mut store, 16), vec![Val::f64(15.5)]);
    // mem[32] = mem[16] + 0.5; mem[16] stays.
    call(
        &mut store,
        inst,
        "add_to",
        &[Val::I32(16), Val::I32(32), Val::f64(0.5)],
        0,
    );
    assert_eq!(get(&mut store, 32), vec![Val::f64(16.0)]);
    assert_eq!(get(&mut store, 16), vec![Val::f64(15.5)]);
    assert_listed(&store, inst, 0, &["I64LoadF64SubAStore"]);
    assert_listed(&store, inst, 1, &["I64LoadF64SubBStore"]);
    assert!(
        !listing(&store, inst, 2).contains("Store {"),
        "another address: not joined"
    );
    assert_listed(&store, inst, 3, &["F64MulBStore"]);
    // The joined load traps at `f64.load` (0x2b); the fused store at
    // `f64.store` (0x39).
    assert_oob_at(
        &mut store,
        inst,
        "sub_a",
        &[Val::I32(65_530), Val::f64(1.0)],
        &wasm,
        0x2b,
    );
    let args = [Val::I32(65_528), Val::f64(1.0), Val::f64(1.0)];
    assert_oob_at(&mut store, inst, "mul_neg", &args, &wasm, 0x39);
}
