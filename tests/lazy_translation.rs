//! Lazy translation (the default: each body is translated on its first
//! call) against eager translation (`Config::lazy_translation = false`):
//! same results, same traps and backtraces, same stack limits, and a module
//! shared by threads that call its functions for the first time at once.

use std::sync::{Arc, Barrier};
use weft::{Config, Engine, Instance, Module, Store, Val};

fn engine(lazy: bool) -> Engine {
    Engine::new(Config {
        lazy_translation: lazy,
        ..Config::default()
    })
}

const CHAIN: &str = r#"(module
  (func $c (param i32) (result i32)
    (if (i32.eq (local.get 0) (i32.const 7)) (then unreachable))
    (i32.mul (local.get 0) (i32.const 3)))
  (func $b (param i32) (result i32) (i32.add (call $c (local.get 0)) (i32.const 1)))
  (func (export "a") (param i32) (result i32) (call $b (local.get 0))))"#;

#[test]
fn lazy_and_eager_agree_on_results_traps_and_backtraces() {
    let mut outcomes = Vec::new();
    for lazy in [true, false] {
        let engine = engine(lazy);
        let module = Module::new(&engine, CHAIN.as_bytes()).expect("valid");
        let mut store = Store::new(&engine);
        let inst = Instance::new(&mut store, &module, &[]).expect("instantiates");
        let a = inst.get_func(&store, "a").expect("export");
        let mut out = [Val::I32(0)];
        a.call(&mut store, &[Val::I32(5)], &mut out).expect("no trap");
        assert_eq!(out, [Val::I32(16)]);
        // The trap happens in functions translated by the call before.
        let trap = a.call(&mut store, &[Val::I32(7)], &mut out).unwrap_err();
        assert_eq!(trap.message(), "unreachable");
        let frames: Vec<_> = trap
            .trace()
            .iter()
            .map(|f| (f.func_index, f.func_offset, f.module_offset))
            .collect();
        assert_eq!(frames.len(), 3, "{frames:?}");
        assert_eq!(
            frames.iter().map(|f| f.0).collect::<Vec<_>>(),
            [0, 1, 2],
            "innermost first"
        );
        outcomes.push(frames);
    }
    assert_eq!(outcomes[0], outcomes[1], "lazy vs eager backtraces");
}

#[test]
fn a_trap_on_the_first_call_has_a_backtrace() {
    let engine = engine(true);
    let module = Module::new(&engine, CHAIN.as_bytes()).expect("valid");
    let mut store = Store::new(&engine);
    let inst = Instance::new(&mut store, &module, &[]).expect("instantiates");
    let a = inst.get_func(&store, "a").expect("export");
    let trap = a
        .call(&mut store, &[Val::I32(7)], &mut [Val::I32(0)])
        .unwrap_err();
    assert_eq!(trap.message(), "unreachable");
    assert_eq!(trap.trace().len(), 3);
    assert!(trap.trace()[0].func_offset > 0);
}

/// `$big` needs far more cells than its locals: its operand stack holds 200
/// products at once (no call in between would check the room). Before
/// translation only its locals are known, so its first call must check the
/// frame again once translated.
fn deep_operand_stack_module() -> String {
    let mut expr = String::from("(local.get 0)");
    for _ in 0..200 {
        expr = format!("(i32.add (i32.mul (local.get 0) (local.get 0)) {expr})");
    }
    format!(
        r#"(module
  (func $big (param i32) (result i32) {expr})
  (func (export "f") (param i32) (result i32) (call $big (local.get 0))))"#
    )
}

/// The smallest stack (in cells) with which `f` returns, for a fresh module
/// (so that the first call is the one measured); every smaller stack must
/// give the trap "call stack exhausted".
fn smallest_stack(lazy: bool, wat: &str) -> usize {
    for cells in 1..2000 {
        let engine = engine(lazy);
        let module = Module::new(&engine, wat.as_bytes()).expect("valid");
        let mut store = Store::new(&engine);
        store.set_stack_limits(cells, 1000);
        let inst = Instance::new(&mut store, &module, &[]).expect("instantiates");
        let f = inst.get_func(&store, "f").expect("export");
        let mut out = [Val::I32(0)];
        match f.call(&mut store, &[Val::I32(10)], &mut out) {
            Ok(()) => {
                assert_eq!(out, [Val::I32(20010)]);
                return cells;
            }
            Err(t) => assert_eq!(t.message(), "call stack exhausted", "{cells} cells"),
        }
    }
    panic!("no stack size up to 2000 cells is enough");
}

#[test]
fn first_calls_check_the_translated_frame_size() {
    let wat = deep_operand_stack_module();
    let lazy = smallest_stack(true, &wat);
    let eager = smallest_stack(false, &wat);
    assert_eq!(lazy, eager);
    assert!(lazy > 200, "the operand stack counts: {lazy}");
}

#[test]
fn threads_translate_a_shared_module_at_once() {
    let engine = engine(true);
    let module = Module::new(
        &engine,
        br#"(module
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2))))))))"#,
    )
    .expect("valid");
    let start = Arc::new(Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (engine, module, start) = (engine.clone(), module.clone(), start.clone());
            std::thread::spawn(move || {
                let mut store = Store::new(&engine);
                let inst = Instance::new(&mut store, &module, &[]).expect("instantiates");
                let fib = inst.get_func(&store, "fib").expect("export");
                let mut out = [Val::I32(0)];
                start.wait();
                fib.call(&mut store, &[Val::I32(20)], &mut out).expect("no trap");
                out[0]
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().expect("no panic"), Val::I32(6765));
    }
}

#[test]
fn translate_all_and_disassemble_translate_on_demand() {
    let engine = engine(true);
    let module = Module::new(&engine, CHAIN.as_bytes()).expect("valid");
    let listing = module.disassemble(1).expect("a defined function");
    assert!(listing.contains("Call"), "{listing}");
    assert_eq!(module.disassemble(3), None, "out of range");
    module.translate_all().expect("valid bodies translate");
}

/// A module over 256 KiB (its bodies are checked, and eagerly translated,
/// on several threads when the machine has more than one core): 3000
/// exported functions `f{N}`, each adding 40 constants to its argument;
/// those in `invalid` declare an `i64` result instead (a type mismatch).
fn large_module(invalid: &[i32]) -> Vec<u8> {
    let mut wat = String::from("(module (memory 1)\n");
    for f in 0..3000 {
        let result = if invalid.contains(&f) { "i64" } else { "i32" };
        wat += &format!("(func (export \"f{f}\") (param i32) (result {result}) (local.get 0)");
        for k in 0..40 {
            wat += &format!(" (i32.add (i32.const {}))", f * 40 + k);
        }
        wat += ")\n";
    }
    wat += ")";
    let bytes = wat::parse_str(&wat).expect("generated text parses");
    assert!(bytes.len() > 256 << 10, "{} bytes", bytes.len());
    bytes
}

#[test]
fn large_modules_give_the_same_results_in_both_modes() {
    let bytes = large_module(&[]);
    for lazy in [false, true] {
        let engine = engine(lazy);
        let module = Module::new(&engine, &bytes).expect("valid");
        let mut store = Store::new(&engine);
        let inst = Instance::new(&mut store, &module, &[]).expect("instantiates");
        for f in [0, 1, 1499, 2999] {
            let func = inst.get_func(&store, &format!("f{f}")).expect("export");
            let mut out = [Val::I32(0)];
            func.call(&mut store, &[Val::I32(1)], &mut out).expect("no trap");
            let expected = (0..40).fold(1i32, |acc, k| acc.wrapping_add(f * 40 + k));
            assert_eq!(out, [Val::I32(expected)], "f{f}, lazy {lazy}");
        }
    }
}

#[test]
fn the_first_invalid_body_of_a_large_module_is_reported() {
    // Two invalid bodies far apart (in different blocks of bodies, so on
    // different threads when there are several): the first one's error.
    let bytes = large_module(&[1000, 2500]);
    // The offset of the validation error (in both translation modes).
    let offset_of = |bytes: &[u8]| match Module::new(&engine(true), bytes).map(|_| ()) {
        Err(e) => match e.kind() {
            weft::ErrorKind::Invalid { offset, .. } => *offset,
            other => panic!("not a validation error: {other:?}"),
        },
        Ok(()) => panic!("an invalid module was accepted"),
    };
    for lazy in [true, false] {
        let err = Module::new(&engine(lazy), &bytes).map(|_| ()).unwrap_err();
        let weft::ErrorKind::Invalid { message, offset } = err.kind() else {
            panic!("not a validation error: {err}");
        };
        assert!(message.contains("type mismatch"), "{message}");
        assert_eq!(*offset, offset_of(&bytes));
    }
    // The offset is that of function 1000: the same module with only that
    // body invalid reports the same offset.
    let only_first = large_module(&[1000]);
    let only_last = large_module(&[2500]);
    assert_eq!(offset_of(&bytes), offset_of(&only_first));
    assert_ne!(offset_of(&bytes), offset_of(&only_last));
}

#[test]
fn an_invalid_body_is_reported_before_a_later_malformed_section() {
    // A large module (bodies checked after the other sections) with an
    // invalid body and, after the code section, a malformed data section:
    // the error is the body's, the first in the module, as in one pass.
    let valid_tail = large_module(&[1000]);
    let mut bad_tail = valid_tail.clone();
    // Data section (id 11), 3 bytes: one segment whose header is garbage.
    bad_tail.extend_from_slice(&[11, 3, 1, 0xff, 0xff]);
    let error = |bytes: &[u8], lazy: bool| match Module::new(&engine(lazy), bytes).map(|_| ()) {
        Err(e) => e.kind().clone(),
        Ok(()) => panic!("an invalid module was accepted"),
    };
    for lazy in [true, false] {
        let first = error(&valid_tail, lazy);
        assert!(matches!(first, weft::ErrorKind::Invalid { .. }), "{first:?}");
        assert_eq!(error(&bad_tail, lazy), first, "lazy {lazy}");
    }
}

/// A function whose frame (locals plus the deepest operand stack) needs
/// more cells than a 16-bit slot can name: eager translation refuses the
/// module, lazy translation traps on the call; the function below it with
/// a frame of exactly 65,536 cells runs.
#[test]
fn frames_beyond_16_bit_slots_are_refused_cleanly() {
    // `locals` declared i32 locals, then `depth` constants on the stack.
    let func = |locals: u32, depth: u32| {
        let mut body = format!("(func (export \"f{locals}_{depth}\") (result i32) (local");
        body.push_str(&" i32".repeat(locals as usize));
        body.push(')');
        body.push_str(&" (i32.const 1)".repeat(depth as usize));
        body.push_str(&" (drop)".repeat(depth as usize - 1));
        body.push(')');
        body
    };
    let fits = func(50_000, 15_536);
    let too_big = func(50_000, 15_537);
    for lazy in [true, false] {
        let engine = engine(lazy);
        let ok = format!("(module {fits})");
        let module = Module::new(&engine, ok.as_bytes()).expect("a frame of 65,536 cells translates");
        let mut store = Store::new(&engine);
        let inst = Instance::new(&mut store, &module, &[]).expect("instantiates");
        let f = inst.get_func(&store, "f50000_15536").expect("export");
        let mut out = [Val::I32(0)];
        f.call(&mut store, &[], &mut out).expect("runs");
        assert_eq!(out, [Val::I32(1)]);

        let bad = format!("(module {too_big})");
        let message = if lazy {
            let module = Module::new(&engine, bad.as_bytes()).expect("valid: translated on the call");
            let mut store = Store::new(&engine);
            let inst = Instance::new(&mut store, &module, &[]).expect("instantiates");
            let f = inst.get_func(&store, "f50000_15537").expect("export");
            f.call(&mut store, &[], &mut out)
                .unwrap_err()
                .message()
                .to_string()
        } else {
            match Module::new(&engine, bad.as_bytes()) {
                Ok(_) => panic!("eager translation accepted a frame of 65,537 cells"),
                Err(e) => e.to_string(),
            }
        };
        assert!(
            message.contains("function frame too large"),
            "lazy {lazy}: {message}"
        );
    }
}
