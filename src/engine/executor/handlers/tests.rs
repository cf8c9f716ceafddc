//! Every handler must hand over by a jump in optimised builds: one that
//! makes a real call grows the host stack per executed instruction. This
//! test runs a loop that executes every instruction kind (checked against
//! the full list) many times on a thread with a small stack, so such a
//! handler overflows it. In unoptimised builds (loop backend) it checks the
//! coverage and the results only.

use crate::{Engine, Extern, Func, FuncType, Instance, Module, Store, Val, ValType};
use std::collections::BTreeSet;

/// Loop iterations; with a 512 KiB stack, a handler that leaves even one
/// return address per execution overflows it.
const ITERATIONS: i32 = 100_000;

/// Every `Instr` variant name (the list the handler table is built from).
fn all_variants() -> BTreeSet<&'static str> {
    macro_rules! names {
        ($($v:ident)*) => {
            [$(stringify!($v)),*]
        };
    }
    macro_rules! names_families {
        ($($families:tt)*) => {
            list_variants!(names; $($families)*)
        };
    }
    crate::ir::for_each_op_family!(names_families)
        .into_iter()
        .collect()
}

/// `I64ExtendI32S` -> `["I64", "Extend", "I32", "S"]`: a word starts at
/// each capital letter.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in name.chars() {
        match out.last_mut() {
            Some(w) if !c.is_ascii_uppercase() => w.push(c),
            _ => out.push(c.to_string()),
        }
    }
    out
}

fn is_type(w: &str) -> bool {
    matches!(w, "I32" | "I64" | "F32" | "F64")
}

/// Wasm text name: `I64ExtendI32S` -> `i64.extend_i32_s`.
fn wasm_name(name: &str) -> String {
    let w = words(name);
    let rest: Vec<String> = w[1..].iter().map(|s| s.to_lowercase()).collect();
    format!("{}.{}", w[0].to_lowercase(), rest.join("_"))
}

/// Operand of type `t` (a local holding a value every op accepts).
fn operand(t: &str, which: char) -> String {
    format!("(local.get ${}{which})", t.to_lowercase())
}

/// A value of type `t` computed right before its use, so that the user
/// takes it from the accumulator.
fn fresh(t: &str) -> String {
    let t = t.to_lowercase();
    format!("({t}.add (local.get ${t}a) (local.get ${t}b))")
}

/// The loop body exercising the numeric, memory and comparison families.
fn family_body() -> String {
    let mut body = String::new();
    macro_rules! gen {
        (
            binop: [$(($bin:ident $($_binx:ident)*))*]
            tbinop: [$(($tbin:ident $($_tbinx:ident)*))*]
            unop: [$(($un:ident $_unA:ident))*]
            tunop: [$(($tun:ident $_tunA:ident))*]
            load: [$(($ld:ident $lda:ident $_ldA:ident $_ldk:ident))*]
            store: [$(($st:ident $sta:ident $sti:ident $_stA:ident $_stk:ident $_stki:ident $_stiA:ident))*]
            cmp: [$(($cv:ident $cvi:ident $cb:ident $cbi:ident $cs:ident $csi:ident $cneg:ident $cty:ident $cop:tt $($_cx:ident)*))*]
            fcmp: [$(($fv:ident $fb:ident $fnb:ident $fty:ident $fop:tt $($_fx:ident)*))*]
            arith_imm: [$(($ab:ident $ai:ident $aty:ident $aop:ident $_aiA:ident))*]
        ) => {
            for name in [$(stringify!($bin),)* $(stringify!($tbin),)*] {
                let t = &words(name)[0];
                let (op, a, b, sum) = (wasm_name(name), operand(t, 'a'), operand(t, 'b'), fresh(t));
                body += &format!("(drop ({op} {a} {b}))\n");
                // The forms taking an operand from the accumulator.
                body += &format!("(drop ({op} {sum} {b}))\n(drop ({op} {a} {sum}))\n");
            }
            for name in [$(stringify!($un),)* $(stringify!($tun),)*] {
                let w = words(name);
                // The operand type is the last type word (`I64ExtendI32S`).
                let t = w.iter().rev().find(|w| is_type(w)).unwrap();
                body += &format!("(drop ({} {}))\n", wasm_name(name), operand(t, 'a'));
                body += &format!("(drop ({} {}))\n", wasm_name(name), fresh(t));
            }
            for name in [$(stringify!($ld),)*] {
                body += &format!("(drop ({} (local.get $addr)))\n", wasm_name(name));
                body += &format!("(drop ({} (i32.const 16)))\n", wasm_name(name));
                body += &format!(
                    "(drop ({} (i32.add (local.get $addr) (local.get $zero))))\n",
                    wasm_name(name)
                );
                body += &format!(
                    "(drop ({} (i32.add (local.get $addr) (i32.const 4))))\n",
                    wasm_name(name)
                );
            }
            for name in [$(stringify!($st),)*] {
                let t = &words(name)[0];
                body += &format!("({} (local.get $addr) {})\n", wasm_name(name), operand(t, 'a'));
                body += &format!(
                    "({} (i32.add (local.get $addr) (i32.const 4)) {})\n",
                    wasm_name(name), operand(t, 'a')
                );
                body += &format!(
                    "({} (local.get $addr) ({}.const 9))\n",
                    wasm_name(name), t.to_lowercase()
                );
                body += &format!("({} (local.get $addr) {})\n", wasm_name(name), fresh(t));
                body += &format!("({} (i32.const 16) {})\n", wasm_name(name), operand(t, 'a'));
                body += &format!("({} (i32.const 16) ({}.const 9))\n", wasm_name(name), t.to_lowercase());
                body += &format!(
                    "({} (i32.add (local.get $addr) (local.get $zero)) ({}.const 9))\n",
                    wasm_name(name), t.to_lowercase()
                );
            }
            for name in [$(stringify!($cv),)*] {
                let t = &words(name)[0];
                let op = wasm_name(name);
                let (a, b) = (operand(t, 'a'), operand(t, 'b'));
                let k = format!("({}.const 5)", t.to_lowercase());
                body += &format!("(drop ({op} {a} {b}))\n(drop ({op} {a} {k}))\n");
                body += &format!("(block $x (br_if $x ({op} {a} {b})))\n");
                body += &format!("(block $x (br_if $x ({op} {a} {k})))\n");
                let sum = fresh(t);
                body += &format!("(drop ({op} {sum} {b}))\n(drop ({op} {a} {sum}))\n(drop ({op} {sum} {k}))\n");
                body += &format!("(block $x (br_if $x ({op} {sum} {b})))\n");
                body += &format!("(block $x (br_if $x ({op} {a} {sum})))\n");
                body += &format!("(block $x (br_if $x ({op} {sum} {k})))\n");
                // A counter update right before the test fuses with it.
                let ty = t.to_lowercase();
                let step = format!("(local.set $step{ty} ({ty}.add (local.get $step{ty}) ({ty}.const 1)))");
                body += &format!("(block $x {step} (br_if $x ({op} (local.get $step{ty}) {b})))\n");
                body += &format!("(block $x {step} (br_if $x ({op} (local.get $step{ty}) {k})))\n");
            }
            for name in [$(stringify!($fv),)*] {
                let t = &words(name)[0];
                let (op, a, b) = (wasm_name(name), operand(t, 'a'), operand(t, 'b'));
                body += &format!("(block $x (br_if $x ({op} {a} {b})))\n");
                body += &format!("(if ({op} {a} {b}) (then (local.set $copy (i32.const 1))))\n");
                let sum = fresh(t);
                // A constant right operand (2.5 is exact in both widths).
                let k = format!("({}.const 2.5)", t.to_lowercase());
                body += &format!("(drop ({op} {a} {k}))\n");
                for (x, y) in [(&sum, &b), (&a, &sum), (&a, &k), (&sum, &k)] {
                    body += &format!("(block $x (br_if $x ({op} {x} {y})))\n");
                    body += &format!("(if ({op} {x} {y}) (then (local.set $copy (i32.const 1))))\n");
                }
            }
            for name in [$(stringify!($ab),)*] {
                let t = &words(name)[0];
                for x in [operand(t, 'a'), fresh(t)] {
                    body += &format!("(drop ({} {x} ({}.const 5)))\n", wasm_name(name), t.to_lowercase());
                }
            }
        };
    }
    crate::ir::for_each_op_family!(gen);
    body
}

/// `(y (x a b) c)` and `(y c (x a b))` for x, y in f64 add, sub, mul: each
/// pair fuses (`F64{X}Then{Y}{A|B}`); then loads with each op, and the
/// fused triples.
fn f64_pairs() -> String {
    let ops = ["add", "sub", "mul"];
    let mut body = String::new();
    for x in ops {
        for y in ops {
            let inner = format!("(f64.{x} (local.get $f64a) (local.get $f64b))");
            body += &format!("(drop (f64.{y} {inner} (local.get $f64b)))\n");
            body += &format!("(drop (f64.{y} (local.get $f64b) {inner}))\n");
        }
    }
    // An `f64.load` (at `addr`, or at `addr + 8`) then each op, both ways.
    for op in ops {
        for at in ["(local.get $addr)", "(i32.add (local.get $addr) (i32.const 8))"] {
            let load = format!("(f64.load {at})");
            body += &format!("(drop (f64.{op} {load} (local.get $f64b)))\n");
            body += &format!("(drop (f64.{op} (local.get $f64b) {load}))\n");
        }
    }
    // `mem[addr] op= x` both ways, and an op of a negation stored.
    for op in ops {
        let load = "(f64.load (local.get $addr))";
        for expr in [
            format!("(f64.{op} {load} (local.get $f64b))"),
            format!("(f64.{op} (local.get $f64b) {load})"),
            format!("(f64.{op} (f64.neg (local.get $f64a)) (local.get $f64b))"),
            format!("(f64.{op} (local.get $f64b) (f64.neg (local.get $f64a)))"),
        ] {
            body += &format!("(f64.store (local.get $addr) {expr})\n");
        }
    }
    // The triples: `(a + b) * c + d` both ways, `a * b + c * d` both ways.
    let (a, b) = ("(local.get $f64a)", "(local.get $f64b)");
    body += &format!("(drop (f64.add (f64.mul (f64.add {a} {b}) {a}) {b}))\n");
    body += &format!("(drop (f64.add {b} (f64.mul (f64.add {a} {b}) {a})))\n");
    body += &format!("(drop (f64.add (f64.mul {a} {b}) (f64.mul {b} {b})))\n");
    body += &format!("(local.set $f64c (f64.mul {a} {b}))\n");
    body += &format!("(drop (f64.add (f64.mul {b} {b}) (local.get $f64c)))\n");
    body
}

/// Two-iteration loops whose last instruction before the back edge joins
/// it, for each `{X}Step{K}` (`I32AddImm`, `I32AddA`, `I64Load32UAddTo`
/// times `ne`, `lt_u`, `gt_u`), and a fill loop whose store joins its
/// back edge.
fn step_loops() -> String {
    let bodies = [
        "(local.set $c2 (i32.add (local.get $c2) (i32.const 1)))",
        "(local.set $c2 (i32.add (i32.mul (local.get $c1) (i32.const 3)) (local.get $c2)))",
        "(local.set $sum64 (i64.add (local.get $sum64) (i64.load32_u (local.get $addr))))",
    ];
    // Start, step and test of the counter.
    let kinds = [(0, 1, "i32.ne"), (0, 1, "i32.lt_u"), (2, -1, "i32.gt_u")];
    let mut text = String::new();
    for body in bodies {
        for (start, step, test) in kinds {
            let bound = if start == 0 { 2 } else { 0 };
            text += &format!(
                "(local.set $c1 (i32.const {start}))
                 (loop $s {body}
                   (local.set $c1 (i32.add (local.get $c1) (i32.const {step})))
                   (br_if $s ({test} (local.get $c1) (i32.const {bound}))))\n"
            );
        }
    }
    // A strided fill (`I32AddStore8ImmAddBrLtU`): bytes `addr + 0, 1, 2`.
    text += "(local.set $c1 (i32.const 0)) (local.set $c2 (i32.const 1))
             (loop $s
               (i32.store8 (i32.add (local.get $addr) (local.get $c1)) (i32.const 1))
               (br_if $s (i32.lt_u (local.tee $c1 (i32.add (local.get $c1) (local.get $c2)))
                 (local.get $i32b))))\n";
    text
}

fn module_text() -> String {
    format!(
        r#"(module
  (import "env" "host" (func $host (param i32) (result i32)))
  (import "env" "other" (func $other (param i32) (result i32)))
  (type $leaf_t (func (param i32) (result i32)))
  (memory 1)
  (table $t 2 funcref)
  (global $g (mut i64) (i64.const 0))
  (elem (i32.const 0) $leaf)
  (elem $passive funcref (ref.func $leaf))
  (data $bytes "abcd")
  (func $leaf (type $leaf_t) (i32.add (local.get 0) (i32.const 1)))
  (func $sum (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func $two (result i32 i64) (i32.const 1) (i64.const 2))
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $addr i32) (local $zero i32) (local $copy i32)
    (local $stepi32 i32) (local $stepi64 i64) (local $c1 i32) (local $c2 i32)
    (local $i32a i32) (local $i32b i32) (local $i64a i64) (local $i64b i64)
    (local $f32a f32) (local $f32b f32) (local $f64a f64) (local $f64b f64) (local $sum64 i64) (local $f64c f64)
    (local.set $i32a (i32.const 7)) (local.set $i32b (i32.const 3))
    (local.set $i64a (i64.const 7)) (local.set $i64b (i64.const 3))
    (local.set $f32a (f32.const 1.5)) (local.set $f32b (f32.const 2.5))
    (local.set $f64a (f64.const 1.5)) (local.set $f64b (f64.const 2.5))
    (local.set $addr (i32.const 8))
    (loop $next
      {family}
      (local.set $copy (local.get $i))
      (block $a (br $a))
      (if (local.get $zero)
        (then (drop (call $leaf (local.get $i))))
        (else (local.set $copy (i32.const 3))))
      (block $a (local.set $copy (i32.const 3)) (br $a))
      (block $a (local.set $copy (local.get $i32a)) (br $a))
      (block $a (br_if $a (local.get $zero)))
      (if (local.get $zero) (then (global.set $g (i64.const 99))))
      (block $a (block $b (br_table $a $b (local.get $zero))))
      (block $a (br_if $a (i32.add (local.get $zero) (local.get $zero))))
      (if (i32.add (local.get $zero) (local.get $zero)) (then (global.set $g (i64.const 99))))
      (block $a (block $b (br_table $a $b (i32.add (local.get $zero) (local.get $zero)))))
      (drop (call $leaf (local.get $i)))
      (local.set $c1 (local.get $i)) (local.set $c2 (local.get $c1))
      (drop (call $sum (local.get $i) (local.get $i32a)))
      (drop (call $triple (local.get $i)))
      (block $x (br_if $x (i32.lt_u (local.tee $c1 (i32.add (local.get $i) (local.get $zero))) (local.get $n))))
      (block $x (local.set $c1 (i32.add (local.get $i) (i32.const 1))) (br $x))
      (local.set $c2 (local.tee $c1 (i32.add (local.get $i) (i32.const 1))))
      (drop (i64.add (local.get $i64a) (i64.load32_u (local.get $addr))))
      (block $a (block $b (br_table $a $b (i32.load8_u (local.get $addr)))))
      (i32.store16 (local.get $addr) (i32.mul (i32.add (local.get $i) (local.get $zero)) (i32.const 3)))
      (i32.store8 (local.get $addr) (i32.xor (i32.add (local.get $i) (local.get $zero)) (local.get $i32b)))
      (drop (i64.add (local.get $i64a) (i64.extend_i32_s (local.get $i32a))))
      (drop (i32.add (local.get $i32a) (i32.load8_u (local.get $addr))))
      (drop (i32.add (local.get $i32a) (i32.load8_s (local.get $addr))))
      (local.set $c1 (i32.add (local.get $c1) (i32.const 3)))
      (local.set $c2 (i32.add (local.get $c2) (i32.const -2)))
      (block $x (br_if $x (i32.lt_u (i32.load (i32.add (local.get $addr) (local.get $zero))) (local.get $i32b))))
      (drop (i32.mul (local.get $i32a) (i32.load (i32.add (local.get $addr) (i32.const 4)))))
      (drop (i32.xor (local.get $i32b) (i32.rotl (local.get $i32a) (i32.const 7))))
      (drop (i32.xor (local.get $i32b) (i32.shr_u (local.get $i32a) (i32.const 3))))
      (drop (i32.xor (local.get $i32b) (i32.shr_u (i32.add (local.get $i32a) (local.get $i32b)) (i32.const 3))))
      (drop (i32.add (local.get $i32b) (i32.add (local.get $i32a) (i32.mul (local.get $i32a) (local.get $i32b)))))
      (drop (i32.mul (local.get $i32a) (i32.load (local.get $addr))))
      (local.set $c1 (i32.add (local.get $c1) (i32.const 5))) (local.set $c2 (i32.load (local.get $addr)))
      (block $x (br_if $x (i32.eqz (i32.load8_u (local.get $addr)))))
      (local.set $c1 (i32.const 12))
      (loop $scan
        (local.set $c2 (i32.add (local.get $c2) (i32.const 1)))
        (local.set $c1 (i32.add (local.get $c1) (i32.const 4)))
        (br_if $scan (i32.lt_u (i32.load (local.get $c1)) (local.get $zero))))
      (loop $down
        (local.set $c1 (i32.load (local.get $addr)))
        (local.set $c2 (local.tee $copy (i32.add (local.get $copy) (i32.const -4))))
        (br_if $down (i32.gt_u (local.get $zero) (local.get $i32a))))
      (block $x (br_if $x (i32.ne (local.get $i32a) (i32.load8_u (i32.add (local.get $addr) (i32.const 1))))))
      (local.set $c1 (i32.add (i32.mul (local.get $i) (i32.const 1664525)) (i32.const 1013904223)))
      {f64_pairs}
      {step_loops}
      (drop (call $host (local.get $i)))
      (drop (call $other (local.get $i)))
      (drop (call_indirect (type $leaf_t) (local.get $i) (i32.const 0)))
      (call $two) (drop) (drop)
      (drop (select (local.get $i32a) (local.get $i32b) (local.get $zero)))
      (drop (select (local.get $i32a) (local.get $i32b) (i32.add (local.get $zero) (local.get $zero))))
      (drop (select (i32.add (local.get $i32a) (local.get $i32b)) (local.get $i32b) (local.get $zero)))
      (drop (select (i32.add (local.get $i32a) (local.get $i32b)) (local.get $i32b)
        (i32.add (local.get $zero) (local.get $zero))))
      (local.set $copy (select (local.get $i32a) (local.get $i32b) (local.get $zero)))
      (drop (ref.func $leaf))
      (global.set $g (i64.add (global.get $g) (i64.const 1)))
      (drop (table.get $t (i32.const 0)))
      (table.set $t (i32.const 1) (table.get $t (i32.const 0)))
      (drop (table.size $t))
      (drop (table.grow $t (ref.null func) (i32.const 0)))
      (table.fill $t (i32.const 1) (ref.null func) (i32.const 1))
      (table.copy $t $t (i32.const 1) (i32.const 0) (i32.const 1))
      (table.init $t $passive (i32.const 1) (i32.const 0) (i32.const 0))
      (elem.drop $passive)
      (drop (memory.size))
      (drop (memory.grow (i32.const 0)))
      (memory.fill (i32.const 100) (local.get $i) (i32.const 4))
      (memory.copy (i32.const 200) (i32.const 100) (i32.const 4))
      (memory.init $bytes (i32.const 300) (i32.const 0) (i32.const 0))
      (data.drop $bytes)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (global.get $g)))"#,
        family = family_body(),
        f64_pairs = f64_pairs(),
        step_loops = step_loops()
    )
}

fn run_loop() {
    let engine = Engine::default();
    let wat = module_text();
    let bytes = wat::parse_str(&wat).expect("test module parses");
    let module = Module::new(&engine, &bytes).expect("test module is valid");

    let mut seen = BTreeSet::new();
    module.translate_all().expect("the test module translates");
    for code in &module.info().code {
        let code = code.get().expect("translated");
        for (_, op) in code.code.iter() {
            let text = format!("{op:?}");
            let name = text.split([' ', '{']).next().unwrap_or_default().to_string();
            seen.insert(name);
        }
    }
    let missing: Vec<_> = all_variants()
        .into_iter()
        // Not in translated code; the calls of `$other` run the last.
        .filter(|v| {
            !["Unreachable", "TranslateAndEnter", "ReturnToInstance"].contains(v) && !seen.contains(*v)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "instructions the loop does not execute: {missing:?}"
    );

    let mut store = Store::new(&engine);
    let host = Func::new_host(
        &mut store,
        FuncType::new([ValType::I32], [ValType::I32]),
        |_, args, results| {
            results[0] = args[0];
            Ok(())
        },
    );
    // A function of another instance: calls into it and returns from it
    // switch instances.
    let other_module = Module::new(
        &engine,
        br#"(module (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#,
    )
    .expect("valid");
    let other_inst = Instance::new(&mut store, &other_module, &[]).expect("instantiates");
    let other = other_inst.get_func(&store, "f").expect("export");
    let inst =
        Instance::new(&mut store, &module, &[Extern::Func(host), Extern::Func(other)]).expect("instantiates");
    let run = inst.get_func(&store, "run").expect("export");
    let mut out = [Val::I64(0)];
    run.call(&mut store, &[Val::I32(ITERATIONS)], &mut out)
        .expect("the loop runs without trapping");
    assert_eq!(out[0], Val::I64(ITERATIONS as i64));
}

#[test]
fn every_handler_continues_without_growing_the_host_stack() {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(run_loop)
        .expect("thread starts")
        .join()
        .expect("the loop finished");
}

#[test]
fn wasm_names_follow_the_variant_names() {
    assert_eq!(wasm_name("I64ExtendI32S"), "i64.extend_i32_s");
    assert_eq!(wasm_name("I32TruncSatF64U"), "i32.trunc_sat_f64_u");
    assert_eq!(wasm_name("I64Load8S"), "i64.load8_s");
}

#[test]
fn table_matches_variants() {
    use super::{handler_for, HANDLERS};
    assert_eq!(HANDLERS.len(), all_variants().len());
    for (tag, entry) in HANDLERS.iter().enumerate() {
        let mut bytes = [0u8; std::mem::size_of::<crate::ir::Instr>()];
        bytes[..2].copy_from_slice(&(tag as u16).to_ne_bytes());
        // SAFETY: `Instr` is `repr(u16)` with integer fields only: a valid
        // tag followed by zero bytes is a valid value of that variant.
        let instr: crate::ir::Instr = unsafe { std::mem::transmute(bytes) };
        assert_eq!(
            *entry as usize,
            handler_for(&instr) as usize,
            "HANDLERS[{tag}] is not the handler of {instr:?}"
        );
    }
}
