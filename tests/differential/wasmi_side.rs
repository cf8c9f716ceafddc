//! wasmi 2.0, the reference engine, behind the `Side` interface. It runs
//! with fuel so that it also serves as the gate for Weft (which has none):
//! code that wasmi did not finish within its fuel is never run in Weft.

use super::host::{self, MAX_CALL_DEPTH, MAX_MEMORY_PAGES, MAX_TABLE_ELEMS};
use super::rng::{hash_bytes, mix};
use super::side::Side;
use super::values::{CallOutcome, ExportKind, Import, Kind, Shape, Ty, HOST_TRAP, UNKNOWN_FUNC, V};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use wasmi::{
    Caller, Config, Engine, Error, ExternRef, ExternType, Func, FuncType, Global, Instance, Memory,
    MemoryType, Module, Mutability, Nullable, Ref, RefType, Store, StoreLimits, StoreLimitsBuilder, Table,
    TableType, TrapCode, Val, ValType,
};

pub struct WasmiSide {
    module: Module,
    store: Store<StoreLimits>,
    instance: Option<Instance>,
    exports: Vec<Option<wasmi::Extern>>,
    /// Function identity by handle (wasmi's `Func` has no `Eq`): its debug
    /// form names the store slot.
    positions: HashMap<String, u32>,
    env: Arc<Env>,
}

/// What host functions reach: the log and the entities their effects act on.
#[derive(Default)]
struct Env {
    log: Mutex<u64>,
    memory: Mutex<Option<Memory>>,
    global: Mutex<Option<(Global, Ty)>>,
    table: Mutex<Option<(Table, Ty)>>,
    /// Exported functions (for re-entry), set once the instance is bound.
    funcs: Mutex<Vec<(Func, Vec<Ty>)>>,
    depth: AtomicU32,
    /// A re-entrant call exhausted the stack.
    exhausted: AtomicBool,
}

impl Env {
    fn note(&self, d: u64) {
        let mut l = self.log.lock().unwrap();
        *l = mix(*l, d);
    }

    /// Performs a host call's side effects (see `host::Effects`).
    fn apply(&self, caller: &mut Caller<'_, StoreLimits>, fx: host::Effects) -> Result<(), Error> {
        let memory = *self.memory.lock().unwrap();
        let global = *self.global.lock().unwrap();
        let table = *self.table.lock().unwrap();
        if let Some(m) = memory {
            if let Some((offset, value)) = fx.write {
                let d = m.data_mut(&mut *caller);
                if d.len() >= 8 {
                    let o = (offset % (d.len() as u64 - 7)) as usize;
                    d[o..o + 8].copy_from_slice(&value.to_le_bytes());
                }
            }
            if let Some(pages) = fx.grow_memory {
                let r = m.grow(&mut *caller, pages).ok();
                self.note(host::outcome_digest(1, &[V::I64(r.map_or(-1, |p| p as i64))]));
            }
        }
        if let (Some(seed), Some((g, ty))) = (fx.set_global, global) {
            let v = host_val(&mut *caller, host::value_from(ty, seed));
            g.set(&mut *caller, v).map_err(|e| Error::new(e.to_string()))?;
        }
        if let (true, Some((t, ty))) = (fx.grow_table, table) {
            let rt = if ty == Ty::FuncRef {
                RefType::Func
            } else {
                RefType::Extern
            };
            let r = t.grow(&mut *caller, 1, Ref::null(rt)).ok();
            self.note(host::outcome_digest(2, &[V::I64(r.map_or(-1, |p| p as i64))]));
        }
        if let Some(seed) = fx.reenter {
            let target = {
                let funcs = self.funcs.lock().unwrap();
                (!funcs.is_empty()).then(|| funcs[(seed % funcs.len() as u64) as usize].clone())
            };
            if let Some((f, params)) = target {
                if self.depth.load(Ordering::Relaxed) < host::MAX_REENTRY {
                    let args: Vec<Val> = host::reentry_args(seed, &params)
                        .into_iter()
                        .map(|v| host_val(&mut *caller, v))
                        .collect();
                    let ft = f.ty(&*caller);
                    let mut results: Vec<Val> =
                        ft.results().iter().map(|&t| Val::default_for_ty(t)).collect();
                    self.depth.fetch_add(1, Ordering::Relaxed);
                    let r = f.call(&mut *caller, &args, &mut results);
                    self.depth.fetch_sub(1, Ordering::Relaxed);
                    match r {
                        Ok(()) => {
                            let vals: Vec<V> = results.iter().map(|r| host_view(&*caller, r)).collect();
                            self.note(host::outcome_digest(3, &vals));
                        }
                        Err(e) => {
                            if kind(&e) == Kind::StackExhausted {
                                self.exhausted.store(true, Ordering::Relaxed);
                            }
                            self.note(host::outcome_digest(4, &[V::I64(kind(&e).tag() as i64)]));
                            return Err(Error::new(HOST_TRAP));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// wasmi's configuration: the features Weft supports, the same call depth,
/// a value stack large enough never to matter, and fuel. Functions are
/// translated eagerly: a wasmi translator panic (it has some, e.g. on
/// certain stores) then happens in `Module::new`, where it is caught,
/// instead of in the middle of execution, where wasmi cannot unwind and
/// the process aborts.
pub fn config() -> Config {
    let mut c = Config::default();
    c.compilation_mode(wasmi::CompilationMode::Eager)
        .consume_fuel(true)
        .wasm_tail_call(false)
        .wasm_multi_memory(false)
        .wasm_memory64(false)
        .wasm_custom_page_sizes(false)
        .wasm_wide_arithmetic(false)
        .wasm_extended_const(true)
        .set_max_recursion_depth(MAX_CALL_DEPTH as usize)
        .set_max_stack_height(1 << 28);
    c
}

fn ty(t: ValType) -> Result<Ty, String> {
    Ok(match t {
        ValType::I32 => Ty::I32,
        ValType::I64 => Ty::I64,
        ValType::F32 => Ty::F32,
        ValType::F64 => Ty::F64,
        ValType::FuncRef => Ty::FuncRef,
        ValType::ExternRef => Ty::ExternRef,
        ValType::V128 => return Err("v128 is not supported".into()),
    })
}

fn val_type(t: Ty) -> ValType {
    match t {
        Ty::I32 => ValType::I32,
        Ty::I64 => ValType::I64,
        Ty::F32 => ValType::F32,
        Ty::F64 => ValType::F64,
        Ty::FuncRef => ValType::FuncRef,
        Ty::ExternRef => ValType::ExternRef,
    }
}

fn ref_ty(r: RefType) -> Ty {
    match r {
        RefType::Func => Ty::FuncRef,
        RefType::Extern => Ty::ExternRef,
    }
}

fn tys(ts: &[ValType]) -> Result<Vec<Ty>, String> {
    ts.iter().map(|&t| ty(t)).collect()
}

fn shape(t: &ExternType) -> Result<Shape, String> {
    Ok(match t {
        ExternType::Func(f) => Shape::Func {
            params: tys(f.params())?,
            results: tys(f.results())?,
        },
        ExternType::Table(t) => {
            if t.is_64() {
                return Err("table64 is not supported".into());
            }
            Shape::Table {
                elem: ref_ty(t.element()),
                min: t.minimum(),
                max: t.maximum(),
            }
        }
        ExternType::Memory(m) => {
            if m.is_64() {
                return Err("memory64 is not supported".into());
            }
            Shape::Memory {
                min: m.minimum(),
                max: m.maximum(),
            }
        }
        ExternType::Global(g) => Shape::Global {
            ty: ty(g.content())?,
            mutable: g.mutability() == Mutability::Var,
        },
    })
}

/// Maps a wasmi error to the shared kinds.
pub fn kind(e: &Error) -> Kind {
    if let Some(code) = e.as_trap_code() {
        return match code {
            TrapCode::UnreachableCodeReached => Kind::Unreachable,
            TrapCode::MemoryOutOfBounds => Kind::MemoryOutOfBounds,
            TrapCode::TableOutOfBounds => Kind::TableOutOfBounds,
            TrapCode::IndirectCallToNull => Kind::IndirectCallToNull,
            TrapCode::IntegerDivisionByZero => Kind::IntegerDivideByZero,
            TrapCode::IntegerOverflow => Kind::IntegerOverflow,
            TrapCode::BadConversionToInteger => Kind::InvalidConversion,
            TrapCode::StackOverflow => Kind::StackExhausted,
            TrapCode::BadSignature => Kind::IndirectCallTypeMismatch,
            TrapCode::OutOfFuel => Kind::OutOfFuel,
            other => Kind::Other(format!("{other:?}")),
        };
    }
    // Segment initialisation reports out-of-bounds as table or memory
    // errors without a trap code.
    let msg = e.to_string();
    if msg.contains(HOST_TRAP) {
        Kind::Host
    } else if msg.contains("out of bounds table access") {
        Kind::TableOutOfBounds
    } else if msg.contains("out of bounds memory access") {
        Kind::MemoryOutOfBounds
    } else {
        Kind::Other(msg)
    }
}

fn host_view(store: impl wasmi::AsContext, v: &Val) -> V {
    match v {
        Val::I32(x) => V::I32(*x),
        Val::I64(x) => V::I64(*x),
        Val::F32(x) => V::F32(x.to_bits()),
        Val::F64(x) => V::F64(x.to_bits()),
        Val::FuncRef(f) => V::FuncRef(f.val().map(|_| UNKNOWN_FUNC)),
        Val::ExternRef(e) => V::ExternRef(e.val().map(|e| payload(&store, e))),
        Val::V128(_) => V::I64(-3),
    }
}

fn payload(store: &impl wasmi::AsContext, e: &ExternRef) -> u64 {
    e.data(store.as_context())
        .downcast_ref::<u64>()
        .copied()
        .unwrap_or(u64::MAX)
}

fn host_val(mut store: impl wasmi::AsContextMut, v: V) -> Val {
    match v {
        V::I32(x) => Val::I32(x),
        V::I64(x) => Val::I64(x),
        V::F32(x) => Val::F32(wasmi::F32::from_bits(x)),
        V::F64(x) => Val::F64(wasmi::F64::from_bits(x)),
        V::FuncRef(_) => Val::FuncRef(Nullable::Null),
        V::ExternRef(None) => Val::ExternRef(Nullable::Null),
        V::ExternRef(Some(p)) => Val::ExternRef(Nullable::Val(ExternRef::new(&mut store, p))),
    }
}

fn func_key(f: &Func) -> String {
    format!("{f:?}")
}

impl WasmiSide {
    fn to_v(&self, v: &Val) -> V {
        match v {
            Val::FuncRef(Nullable::Val(f)) => {
                V::FuncRef(Some(*self.positions.get(&func_key(f)).unwrap_or(&UNKNOWN_FUNC)))
            }
            other => host_view(&self.store, other),
        }
    }

    fn make_val(&mut self, v: V) -> Val {
        match v {
            V::FuncRef(Some(i)) => match self.exports.get(i as usize) {
                Some(Some(wasmi::Extern::Func(f))) => Val::FuncRef(Nullable::Val(*f)),
                _ => Val::FuncRef(Nullable::Null),
            },
            other => host_val(&mut self.store, other),
        }
    }

    fn ref_v(&self, r: &Ref) -> V {
        match r {
            Ref::Func(f) => self.to_v(&Val::FuncRef(*f)),
            Ref::Extern(e) => self.to_v(&Val::ExternRef(*e)),
        }
    }

    fn make_import(&mut self, import: &Import) -> Result<wasmi::Extern, Kind> {
        let other = |e: Error| Kind::Other(format!("host environment: {e}"));
        let to_u32 = |x: u64| u32::try_from(x).map_err(|_| Kind::Other("limit too large".into()));
        let index = import.key();
        Ok(match &import.shape {
            Shape::Func { params, results } => {
                let ft = FuncType::new(
                    params.iter().map(|&t| val_type(t)),
                    results.iter().map(|&t| val_type(t)),
                );
                let results = results.clone();
                let env = self.env.clone();
                wasmi::Extern::Func(Func::new(&mut self.store, ft, move |mut caller, args, out| {
                    let args: Vec<V> = args.iter().map(|a| host_view(&caller, a)).collect();
                    env.note(host::call_digest(index, &args));
                    env.apply(&mut caller, host::effects(index, &args))?;
                    match host::host_call(index, &args, &results) {
                        Some(vals) => {
                            for (o, v) in out.iter_mut().zip(vals) {
                                *o = host_val(&mut caller, v);
                            }
                            Ok(())
                        }
                        None => Err(Error::new(HOST_TRAP)),
                    }
                }))
            }
            Shape::Table { elem, min, max } => {
                let rt = if *elem == Ty::FuncRef {
                    RefType::Func
                } else {
                    RefType::Extern
                };
                let tt = TableType::new(rt, to_u32(*min)?, max.map(to_u32).transpose()?);
                let t = Table::new(&mut self.store, tt, Ref::null(rt)).map_err(other)?;
                self.env.table.lock().unwrap().get_or_insert((t, *elem));
                wasmi::Extern::Table(t)
            }
            Shape::Memory { min, max } => {
                let mt = MemoryType::new(to_u32(*min)?, max.map(to_u32).transpose()?);
                let m = Memory::new(&mut self.store, mt).map_err(other)?;
                for (i, b) in m.data_mut(&mut self.store).iter_mut().enumerate().take(65536) {
                    *b = host::memory_byte(index, i);
                }
                self.env.memory.lock().unwrap().get_or_insert(m);
                wasmi::Extern::Memory(m)
            }
            Shape::Global { ty, mutable } => {
                let v = host_val(&mut self.store, host::global_init(index, *ty));
                let m = if *mutable {
                    Mutability::Var
                } else {
                    Mutability::Const
                };
                let g = Global::new(&mut self.store, v, m);
                if *mutable {
                    self.env.global.lock().unwrap().get_or_insert((g, *ty));
                }
                wasmi::Extern::Global(g)
            }
        })
    }
}

impl Side for WasmiSide {
    const NAME: &'static str = "wasmi";

    fn compile(bytes: &[u8]) -> Result<Self, String> {
        let engine = Engine::new(&config());
        let module = Module::new(&engine, bytes).map_err(|e| e.to_string())?;
        let limits = StoreLimitsBuilder::new()
            .memory_size((MAX_MEMORY_PAGES * 65536) as usize)
            .table_elements(MAX_TABLE_ELEMS as usize)
            .build();
        let mut store = Store::new(&engine, limits);
        store.limiter(|l| l);
        Ok(WasmiSide {
            module,
            store,
            instance: None,
            exports: Vec::new(),
            positions: HashMap::new(),
            env: Arc::new(Env::default()),
        })
    }

    fn imports(&self) -> Result<Vec<Import>, String> {
        self.module
            .imports()
            .map(|i| {
                Ok(Import {
                    module: i.module().to_string(),
                    name: i.name().to_string(),
                    shape: shape(i.ty())?,
                })
            })
            .collect()
    }

    fn exports(&self) -> Result<Vec<(String, ExportKind)>, String> {
        self.module
            .exports()
            .map(|e| {
                let k = match shape(e.ty())? {
                    Shape::Func { params, results } => ExportKind::Func { params, results },
                    Shape::Table { .. } => ExportKind::Table,
                    Shape::Memory { .. } => ExportKind::Memory,
                    Shape::Global { ty, mutable } => ExportKind::Global { ty, mutable },
                };
                Ok((e.name().to_string(), k))
            })
            .collect()
    }

    fn instantiate(&mut self, imports: &[Import], fuel: u64) -> Result<(), Kind> {
        let mut externs = Vec::with_capacity(imports.len());
        for import in imports {
            externs.push(self.make_import(import)?);
        }
        self.store
            .set_fuel(fuel)
            .map_err(|e| Kind::Other(e.to_string()))?;
        match Instance::new(&mut self.store, &self.module, &externs) {
            Ok(inst) => {
                self.instance = Some(inst);
                Ok(())
            }
            Err(e) => Err(kind(&e)),
        }
    }

    fn bind(&mut self, names: &[String]) {
        let inst = self.instance.expect("bind before instantiate");
        self.exports = names.iter().map(|n| inst.get_export(&self.store, n)).collect();
        self.positions.clear();
        let mut funcs = Vec::new();
        for (i, e) in self.exports.iter().enumerate() {
            if let Some(wasmi::Extern::Func(f)) = e {
                self.positions.entry(func_key(f)).or_insert(i as u32);
                if let Ok(params) = tys(f.ty(&self.store).params()) {
                    funcs.push((*f, params));
                }
            }
        }
        *self.env.funcs.lock().unwrap() = funcs;
    }

    fn call(&mut self, export: usize, args: &[V], fuel: u64) -> CallOutcome {
        let Some(Some(wasmi::Extern::Func(f))) = self.exports.get(export).cloned() else {
            return Err(Kind::Other("not a function export".into()));
        };
        let ft = f.ty(&self.store);
        let args: Vec<Val> = args.iter().map(|&a| self.make_val(a)).collect();
        let mut results: Vec<Val> = ft.results().iter().map(|&t| Val::default_for_ty(t)).collect();
        self.store
            .set_fuel(fuel)
            .map_err(|e| Kind::Other(e.to_string()))?;
        match f.call(&mut self.store, &args, &mut results) {
            Ok(()) => Ok(results.iter().map(|r| self.to_v(r)).collect()),
            Err(e) => Err(kind(&e)),
        }
    }

    fn set_global(&mut self, export: usize, value: V) -> Result<(), String> {
        let Some(Some(wasmi::Extern::Global(g))) = self.exports.get(export).cloned() else {
            return Err("not a global export".into());
        };
        let v = self.make_val(value);
        g.set(&mut self.store, v).map_err(|e| e.to_string())
    }

    fn get_global(&self, export: usize) -> V {
        match self.exports.get(export) {
            Some(Some(wasmi::Extern::Global(g))) => self.to_v(&g.get(&self.store)),
            _ => V::I64(-1),
        }
    }

    fn digest(&self, export: usize) -> u64 {
        match self.exports.get(export) {
            Some(Some(wasmi::Extern::Memory(m))) => {
                let d = m.data(&self.store);
                mix(d.len() as u64, hash_bytes(d))
            }
            Some(Some(wasmi::Extern::Global(_))) => self.get_global(export).digest(),
            Some(Some(wasmi::Extern::Table(t))) => {
                let size = t.size(&self.store);
                let mut h = mix(0x7AB1E, size);
                for i in 0..size {
                    let v = match t.get(&self.store, i) {
                        Some(r) => self.ref_v(&r),
                        None => V::I64(-2),
                    };
                    h = mix(h, v.digest());
                }
                h
            }
            Some(Some(wasmi::Extern::Func(_))) => 0,
            _ => 2,
        }
    }

    fn host_log(&self) -> u64 {
        *self.env.log.lock().unwrap()
    }

    fn nested_exhaustion(&self) -> bool {
        self.env.exhausted.load(Ordering::Relaxed)
    }
}
