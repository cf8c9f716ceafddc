//! A compact runner for spec-format `.wast` scripts, for `weft wast`.
//!
//! Each script gets its own engine and store, the `spectest` host module
//! (print functions, globals, a table and a memory), a registry of
//! `register`ed instances and a map of named modules and instances.
//! Directives needing what Weft lacks (SIMD values, threads, exceptions,
//! components, GC references) are counted as skipped.

use std::collections::HashMap;
use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};
use weft::{
    Engine, Error, ErrorKind, Extern, ExternRef, Func, FuncType, Global, GlobalType, Instance, Memory,
    MemoryType, Module, Mutability, RefType, Store, Table, TableType, TrapCode, Val, ValType,
};

/// Counts of directive outcomes.
#[derive(Default, Debug)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Why directives were skipped, with counts.
    pub skip_reasons: std::collections::BTreeMap<String, usize>,
}

enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

struct Runner<'a> {
    store: Store,
    spectest: HashMap<&'static str, Extern>,
    registry: HashMap<String, Instance>,
    instances: HashMap<&'a str, Instance>,
    definitions: HashMap<&'a str, Module>,
    current: Option<Instance>,
}

/// Runs `text` (the script `name`), reporting each failure through `report`.
pub fn run_script(name: &str, text: &str, report: &mut dyn FnMut(String)) -> Summary {
    let mut summary = Summary::default();
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let parsed = ParseBuffer::new_with_lexer(lexer).and_then(|buf| {
        let wast = parser::parse::<Wast<'_>>(&buf)?;
        // The directives borrow the buffer; run them before it is dropped.
        let mut runner = Runner::new();
        for directive in wast.directives {
            let span = directive.span();
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runner.directive(directive)))
                    .unwrap_or_else(|p| {
                        let msg = p
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        Outcome::Fail(format!("panic: {msg}"))
                    });
            match outcome {
                Outcome::Pass => summary.passed += 1,
                Outcome::Skip(why) => {
                    summary.skipped += 1;
                    *summary.skip_reasons.entry(why).or_default() += 1;
                }
                Outcome::Fail(msg) => {
                    summary.failed += 1;
                    let (line, col) = span.linecol_in(text);
                    report(format!("{name}:{}:{}: {msg}", line + 1, col + 1));
                }
            }
        }
        Ok(())
    });
    if let Err(mut e) = parsed {
        e.set_text(text);
        summary.failed += 1;
        report(format!(
            "{name}: cannot parse the script: {}",
            e.to_string().replace('\n', " ")
        ));
    }
    summary
}

impl<'a> Runner<'a> {
    fn new() -> Runner<'a> {
        let engine = Engine::default();
        let mut store = Store::new(&engine);
        let spectest = spectest(&mut store);
        Runner {
            store,
            spectest,
            registry: HashMap::new(),
            instances: HashMap::new(),
            definitions: HashMap::new(),
            current: None,
        }
    }

    fn instance(&self, id: Option<Id<'a>>) -> Result<Instance, String> {
        match id {
            Some(id) => self
                .instances
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("unknown instance ${}", id.name())),
            None => self
                .current
                .ok_or_else(|| "no module instantiated yet".to_string()),
        }
    }

    fn imports(&mut self, module: &Module) -> Result<Vec<Extern>, Error> {
        let mut out = Vec::new();
        for imp in module.imports() {
            let ext = if imp.module == "spectest" {
                self.spectest.get(imp.name.as_str()).copied()
            } else {
                match self.registry.get(&imp.module) {
                    Some(inst) => inst.export(&self.store, &imp.name)?,
                    None => None,
                }
            };
            out.push(ext.ok_or_else(|| Error::link(format!("unknown import {}.{}", imp.module, imp.name)))?);
        }
        Ok(out)
    }

    fn compile(&mut self, wat: &mut QuoteWat<'a>) -> Result<Module, Error> {
        let bytes = wat.encode().map_err(|e| Error::malformed(e.to_string(), None))?;
        Module::new(self.store.engine(), &bytes)
    }

    fn instantiate(&mut self, module: &Module) -> Result<Instance, Error> {
        let imports = self.imports(module)?;
        Instance::new(&mut self.store, module, &imports)
    }

    fn directive(&mut self, d: WastDirective<'a>) -> Outcome {
        match d {
            WastDirective::Module(mut wat) => {
                if is_component(&wat) {
                    return Outcome::Skip("component".into());
                }
                let name = wat.name();
                let r = self.compile(&mut wat).and_then(|m| self.instantiate(&m));
                match r {
                    Ok(inst) => {
                        self.current = Some(inst);
                        if let Some(id) = name {
                            self.instances.insert(id.name(), inst);
                        }
                        Outcome::Pass
                    }
                    Err(e) => Outcome::Fail(format!("module failed: {e}")),
                }
            }
            WastDirective::ModuleDefinition(mut wat) => {
                if is_component(&wat) {
                    return Outcome::Skip("component".into());
                }
                let name = wat.name();
                match self.compile(&mut wat) {
                    Ok(m) => {
                        if let Some(id) = name {
                            self.definitions.insert(id.name(), m);
                        }
                        Outcome::Pass
                    }
                    Err(e) => Outcome::Fail(format!("module definition failed: {e}")),
                }
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let Some(def) = module.and_then(|m| self.definitions.get(m.name()).cloned()) else {
                    return Outcome::Fail("unknown module definition".into());
                };
                match self.instantiate(&def) {
                    Ok(inst) => {
                        self.current = Some(inst);
                        if let Some(id) = instance {
                            self.instances.insert(id.name(), inst);
                        }
                        Outcome::Pass
                    }
                    Err(e) => Outcome::Fail(format!("instantiation failed: {e}")),
                }
            }
            WastDirective::Register { name, module, .. } => match self.instance(module) {
                Ok(inst) => {
                    self.registry.insert(name.to_string(), inst);
                    Outcome::Pass
                }
                Err(e) => Outcome::Fail(e),
            },
            WastDirective::Invoke(call) => match self.invoke(call) {
                Ok(Ok(_)) => Outcome::Pass,
                Ok(Err(t)) => Outcome::Fail(format!("unexpected trap: {t}")),
                Err(o) => o,
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let got = match self.execute(exec) {
                    Ok(Ok(v)) => v,
                    Ok(Err(t)) => return Outcome::Fail(format!("expected a return, got trap: {t}")),
                    Err(o) => return o,
                };
                if got.len() != results.len() {
                    return Outcome::Fail(format!("expected {} results, got {}", results.len(), got.len()));
                }
                for (i, (g, want)) in got.iter().zip(&results).enumerate() {
                    match matches(g, want) {
                        Ok(true) => {}
                        Ok(false) => {
                            return Outcome::Fail(format!("result {i}: got {g:?}, expected {want:?}"))
                        }
                        Err(why) => return Outcome::Skip(why),
                    }
                }
                Outcome::Pass
            }
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec) {
                Ok(Ok(v)) => Outcome::Fail(format!("expected trap `{message}`, got {v:?}")),
                Ok(Err(t)) => trap_matches(&t, message),
                Err(o) => o,
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(call) {
                Ok(Ok(v)) => Outcome::Fail(format!("expected exhaustion `{message}`, got {v:?}")),
                Ok(Err(_)) => Outcome::Pass,
                Err(o) => o,
            },
            WastDirective::AssertMalformed { mut module, .. }
            | WastDirective::AssertInvalid { mut module, .. } => {
                if is_component(&module) {
                    return Outcome::Skip("component".into());
                }
                match self.compile(&mut module) {
                    Ok(_) => Outcome::Fail("module was accepted, expected it to be rejected".into()),
                    Err(_) => Outcome::Pass,
                }
            }
            WastDirective::AssertUnlinkable { module, .. } => {
                let mut wat = QuoteWat::Wat(module);
                if is_component(&wat) {
                    return Outcome::Skip("component".into());
                }
                match self.compile(&mut wat) {
                    Err(e) => Outcome::Fail(format!("module did not compile: {e}")),
                    Ok(m) => match self.instantiate(&m) {
                        Ok(_) => Outcome::Fail("module linked, expected a link error".into()),
                        Err(_) => Outcome::Pass,
                    },
                }
            }
            WastDirective::AssertInvalidCustom { .. } | WastDirective::AssertMalformedCustom { .. } => {
                Outcome::Skip("custom sections".into())
            }
            WastDirective::AssertException { .. } => Outcome::Skip("exceptions".into()),
            WastDirective::AssertSuspension { .. } => Outcome::Skip("stack switching".into()),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => Outcome::Skip("threads".into()),
        }
    }

    /// Runs an action. The outer error is an outcome decided before the
    /// call (an unsupported or malformed action); the inner one a trap.
    fn execute(&mut self, exec: WastExecute<'a>) -> Result<Result<Vec<Val>, String>, Outcome> {
        match exec {
            WastExecute::Invoke(call) => self.invoke(call),
            WastExecute::Wat(module) => {
                let mut wat = QuoteWat::Wat(module);
                let m = self
                    .compile(&mut wat)
                    .map_err(|e| Outcome::Fail(format!("module failed: {e}")))?;
                match self.instantiate(&m) {
                    Ok(_) => Ok(Ok(Vec::new())),
                    Err(e) => match e.kind() {
                        ErrorKind::Trap(t) => Ok(Err(t.message().to_string())),
                        _ => Err(Outcome::Fail(format!("instantiation failed: {e}"))),
                    },
                }
            }
            WastExecute::Get { module, global, .. } => {
                let inst = self.instance(module).map_err(Outcome::Fail)?;
                match inst.export(&self.store, global) {
                    Ok(Some(Extern::Global(g))) => g
                        .get(&self.store)
                        .map(|v| Ok(vec![v]))
                        .map_err(|e| Outcome::Fail(e.to_string())),
                    _ => Err(Outcome::Fail(format!("no global export `{global}`"))),
                }
            }
        }
    }

    fn invoke(&mut self, call: WastInvoke<'a>) -> Result<Result<Vec<Val>, String>, Outcome> {
        let inst = self.instance(call.module).map_err(Outcome::Fail)?;
        let func = inst
            .get_func(&self.store, call.name)
            .ok_or_else(|| Outcome::Fail(format!("no function export `{}`", call.name)))?;
        let mut args = Vec::with_capacity(call.args.len());
        for a in &call.args {
            args.push(arg_val(a).map_err(Outcome::Skip)?);
        }
        let ty = func.ty(&self.store).map_err(|e| Outcome::Fail(e.to_string()))?;
        let mut results: Vec<Val> = ty.results().iter().map(|t| t.default_val()).collect();
        Ok(match func.call(&mut self.store, &args, &mut results) {
            Ok(()) => Ok(results),
            Err(t) => Err(if t.code() == TrapCode::StackExhausted {
                "call stack exhausted".to_string()
            } else {
                t.message().to_string()
            }),
        })
    }
}

fn is_component(w: &QuoteWat<'_>) -> bool {
    matches!(w, QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..))
}

fn trap_matches(got: &str, expected: &str) -> Outcome {
    if got.contains(expected)
        || expected.contains(got)
        || got.starts_with(expected.split(' ').next().unwrap_or(""))
    {
        Outcome::Pass
    } else {
        Outcome::Fail(format!("expected trap `{expected}`, got `{got}`"))
    }
}

/// External references in scripts are numbered from 0; Weft's payloads are
/// non-zero, so `ref.extern N` is the payload `N + 1`.
fn extern_ref(n: u32) -> Option<ExternRef> {
    ExternRef::from_raw(n as u64 + 1)
}

fn arg_val(a: &WastArg<'_>) -> Result<Val, String> {
    let WastArg::Core(a) = a else {
        return Err("component value".into());
    };
    Ok(match a {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(f) => Val::F32(f.bits),
        WastArgCore::F64(f) => Val::F64(f.bits),
        WastArgCore::RefNull(HeapType::Abstract {
            ty: AbstractHeapType::Func,
            ..
        }) => Val::FuncRef(None),
        WastArgCore::RefNull(HeapType::Abstract {
            ty: AbstractHeapType::Extern,
            ..
        }) => Val::ExternRef(None),
        WastArgCore::RefExtern(n) => Val::ExternRef(extern_ref(*n)),
        other => return Err(format!("unsupported argument {other:?}")),
    })
}

fn nan_f32(bits: u32, canonical: bool) -> bool {
    let f = f32::from_bits(bits);
    f.is_nan()
        && (if canonical {
            bits & 0x7fff_ffff == 0x7fc0_0000
        } else {
            bits & 0x0040_0000 != 0
        })
}

fn nan_f64(bits: u64, canonical: bool) -> bool {
    let f = f64::from_bits(bits);
    f.is_nan()
        && (if canonical {
            bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000
        } else {
            bits & 0x0008_0000_0000_0000 != 0
        })
}

/// Whether `got` matches the expected result; `Err` for patterns this
/// runner does not support.
fn matches(got: &Val, want: &WastRet<'_>) -> Result<bool, String> {
    let WastRet::Core(want) = want else {
        return Err("component value".into());
    };
    matches_core(got, want)
}

fn matches_core(got: &Val, want: &WastRetCore<'_>) -> Result<bool, String> {
    Ok(match (want, got) {
        (WastRetCore::I32(w), Val::I32(g)) => w == g,
        (WastRetCore::I64(w), Val::I64(g)) => w == g,
        (WastRetCore::F32(p), Val::F32(g)) => match p {
            NanPattern::CanonicalNan => nan_f32(*g, true),
            NanPattern::ArithmeticNan => nan_f32(*g, false),
            NanPattern::Value(v) => v.bits == *g,
        },
        (WastRetCore::F64(p), Val::F64(g)) => match p {
            NanPattern::CanonicalNan => nan_f64(*g, true),
            NanPattern::ArithmeticNan => nan_f64(*g, false),
            NanPattern::Value(v) => v.bits == *g,
        },
        (WastRetCore::RefNull(_), Val::FuncRef(r)) => r.is_none(),
        (WastRetCore::RefNull(_), Val::ExternRef(r)) => r.is_none(),
        (WastRetCore::RefExtern(None), Val::ExternRef(r)) => r.is_some(),
        (WastRetCore::RefExtern(Some(n)), Val::ExternRef(r)) => *r == extern_ref(*n),
        (WastRetCore::RefFunc(_), Val::FuncRef(r)) => r.is_some(),
        (WastRetCore::Either(alts), g) => {
            for alt in alts {
                if matches_core(g, alt)? {
                    return Ok(true);
                }
            }
            false
        }
        (WastRetCore::V128(_), _) => return Err("SIMD values".into()),
        (WastRetCore::I32(_) | WastRetCore::I64(_) | WastRetCore::F32(_) | WastRetCore::F64(_), _) => false,
        (WastRetCore::RefNull(_) | WastRetCore::RefExtern(_) | WastRetCore::RefFunc(_), _) => false,
        (other, _) => return Err(format!("unsupported result pattern {other:?}")),
    })
}

/// The `spectest` module every script may import from.
fn spectest(store: &mut Store) -> HashMap<&'static str, Extern> {
    let mut m = HashMap::new();
    let print = |store: &mut Store, params: &[ValType]| {
        Extern::Func(Func::new_host(
            store,
            FuncType::new(params.to_vec(), []),
            |_, _, _| Ok(()),
        ))
    };
    m.insert("print", print(store, &[]));
    m.insert("print_i32", print(store, &[ValType::I32]));
    m.insert("print_i64", print(store, &[ValType::I64]));
    m.insert("print_f32", print(store, &[ValType::F32]));
    m.insert("print_f64", print(store, &[ValType::F64]));
    m.insert("print_i32_f32", print(store, &[ValType::I32, ValType::F32]));
    m.insert("print_f64_f64", print(store, &[ValType::F64, ValType::F64]));
    let mut global = |name: &'static str, val: Val| {
        let ty = GlobalType::new(val.ty(), Mutability::Const);
        if let Ok(g) = Global::new(store, ty, val) {
            m.insert(name, Extern::Global(g));
        }
    };
    global("global_i32", Val::I32(666));
    global("global_i64", Val::I64(666));
    global("global_f32", Val::f32(666.6));
    global("global_f64", Val::f64(666.6));
    if let Ok(t) = Table::new(
        store,
        TableType::new(RefType::FuncRef, 10, Some(20)),
        Val::FuncRef(None),
    ) {
        m.insert("table", Extern::Table(t));
    }
    if let Ok(mem) = Memory::new(store, MemoryType::new(1, Some(2))) {
        m.insert("memory", Extern::Memory(mem));
    }
    m
}
