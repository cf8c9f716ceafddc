//! Weft behind the `Side` interface.

use super::host::{self, MAX_CALL_DEPTH, MAX_MEMORY_PAGES};
use super::rng::{hash_bytes, mix};
use super::side::Side;
use super::values::{CallOutcome, ExportKind, Import, Kind, Shape, Ty, HOST_TRAP, UNKNOWN_FUNC, V};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use weft::{
    Config, Engine, ExternRef, ExternType, Func, FuncType, Global, GlobalType, Instance, Limits, Memory,
    MemoryType, Module, Mutability, RefType, Store, Table, TableType, Trap, TrapCode, Val, ValType,
};

pub struct WeftSide {
    module: Module,
    store: Store,
    instance: Option<Instance>,
    /// Exports in the bound order.
    exports: Vec<Option<weft::Extern>>,
    positions: HashMap<Func, u32>,
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
    fn apply(&self, store: &mut Store, fx: host::Effects) -> Result<(), Trap> {
        let memory = *self.memory.lock().unwrap();
        let global = *self.global.lock().unwrap();
        let table = *self.table.lock().unwrap();
        if let Some(m) = memory {
            if let Some((offset, value)) = fx.write {
                let d = m.data_mut(store).map_err(|e| Trap::host(e.to_string()))?;
                if d.len() >= 8 {
                    let o = (offset % (d.len() as u64 - 7)) as usize;
                    d[o..o + 8].copy_from_slice(&value.to_le_bytes());
                }
            }
            if let Some(pages) = fx.grow_memory {
                let r = m.grow(store, pages).ok().flatten();
                self.note(host::outcome_digest(1, &[V::I64(r.map_or(-1, |p| p as i64))]));
            }
        }
        if let (Some(seed), Some((g, ty))) = (fx.set_global, global) {
            g.set(store, host_val(host::value_from(ty, seed)))
                .map_err(|e| Trap::host(e.to_string()))?;
        }
        if let (true, Some((t, ty))) = (fx.grow_table, table) {
            let r = t.grow(store, 1, host_val(V::zero(ty))).ok().flatten();
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
                        .map(host_val)
                        .collect();
                    let ft = f.ty(store).map_err(|e| Trap::host(e.to_string()))?;
                    let mut results: Vec<Val> = ft.results().iter().map(|t| t.default_val()).collect();
                    self.depth.fetch_add(1, Ordering::Relaxed);
                    let r = f.call(store, &args, &mut results);
                    self.depth.fetch_sub(1, Ordering::Relaxed);
                    match r {
                        Ok(()) => {
                            let vals: Vec<V> = results.iter().map(host_view).collect();
                            self.note(host::outcome_digest(3, &vals));
                        }
                        Err(t) => {
                            if kind(&t) == Kind::StackExhausted {
                                self.exhausted.store(true, Ordering::Relaxed);
                            }
                            self.note(host::outcome_digest(4, &[V::I64(kind(&t).tag() as i64)]));
                            return Err(Trap::host(HOST_TRAP));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// The engine configuration the harness uses.
pub fn config() -> Config {
    Config {
        max_memory_pages: MAX_MEMORY_PAGES,
        max_call_depth: MAX_CALL_DEPTH,
        // Lazily committed; generous so that frame sizes never matter.
        max_stack_cells: 1 << 24,
        ..Config::default()
    }
}

fn ty(t: ValType) -> Ty {
    match t {
        ValType::I32 => Ty::I32,
        ValType::I64 => Ty::I64,
        ValType::F32 => Ty::F32,
        ValType::F64 => Ty::F64,
        ValType::FuncRef => Ty::FuncRef,
        ValType::ExternRef => Ty::ExternRef,
    }
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
        RefType::FuncRef => Ty::FuncRef,
        RefType::ExternRef => Ty::ExternRef,
    }
}

fn shape(t: &ExternType) -> Shape {
    match t {
        ExternType::Func(f) => Shape::Func {
            params: f.params().iter().map(|&t| ty(t)).collect(),
            results: f.results().iter().map(|&t| ty(t)).collect(),
        },
        ExternType::Table(t) => Shape::Table {
            elem: ref_ty(t.element),
            min: t.limits.min,
            max: t.limits.max,
        },
        ExternType::Memory(m) => Shape::Memory {
            min: m.limits.min,
            max: m.limits.max,
        },
        ExternType::Global(g) => Shape::Global {
            ty: ty(g.content),
            mutable: g.mutability == Mutability::Var,
        },
    }
}

/// Maps a Weft trap to the shared kinds.
pub fn kind(t: &Trap) -> Kind {
    match t.code() {
        TrapCode::Unreachable => Kind::Unreachable,
        TrapCode::MemoryOutOfBounds | TrapCode::DataSegmentOutOfBounds => Kind::MemoryOutOfBounds,
        TrapCode::TableOutOfBounds | TrapCode::ElemSegmentOutOfBounds | TrapCode::UndefinedElement => {
            Kind::TableOutOfBounds
        }
        TrapCode::IndirectCallToNull => Kind::IndirectCallToNull,
        TrapCode::IndirectCallTypeMismatch => Kind::IndirectCallTypeMismatch,
        TrapCode::IntegerDivideByZero => Kind::IntegerDivideByZero,
        TrapCode::IntegerOverflow => Kind::IntegerOverflow,
        TrapCode::InvalidConversionToInteger => Kind::InvalidConversion,
        TrapCode::StackExhausted => Kind::StackExhausted,
        TrapCode::Host if t.message() == HOST_TRAP => Kind::Host,
        code => Kind::Other(format!("{code:?}: {}", t.message())),
    }
}

/// Host-side view of a value (function references only as null/non-null).
fn host_view(v: &Val) -> V {
    match *v {
        Val::I32(x) => V::I32(x),
        Val::I64(x) => V::I64(x),
        Val::F32(x) => V::F32(x),
        Val::F64(x) => V::F64(x),
        Val::FuncRef(f) => V::FuncRef(f.map(|_| UNKNOWN_FUNC)),
        Val::ExternRef(e) => V::ExternRef(e.map(|e| e.raw())),
    }
}

/// A host-produced value (host functions never return function references).
fn host_val(v: V) -> Val {
    match v {
        V::I32(x) => Val::I32(x),
        V::I64(x) => Val::I64(x),
        V::F32(x) => Val::F32(x),
        V::F64(x) => Val::F64(x),
        V::FuncRef(_) => Val::FuncRef(None),
        V::ExternRef(p) => Val::ExternRef(p.and_then(ExternRef::from_raw)),
    }
}

impl WeftSide {
    fn to_v(&self, v: &Val) -> V {
        match v {
            Val::FuncRef(Some(f)) => V::FuncRef(Some(*self.positions.get(f).unwrap_or(&UNKNOWN_FUNC))),
            other => host_view(other),
        }
    }

    fn to_val(&self, v: V) -> Val {
        match v {
            V::FuncRef(Some(i)) => match self.exports.get(i as usize) {
                Some(Some(weft::Extern::Func(f))) => Val::FuncRef(Some(*f)),
                _ => Val::FuncRef(None),
            },
            other => host_val(other),
        }
    }

    fn make_import(&mut self, import: &Import) -> Result<weft::Extern, Kind> {
        let store = &mut self.store;
        let other = |e: weft::Error| Kind::Other(format!("host environment: {e}"));
        let index = import.key();
        Ok(match &import.shape {
            Shape::Func { params, results } => {
                let ft = FuncType::new(
                    params.iter().map(|&t| val_type(t)),
                    results.iter().map(|&t| val_type(t)),
                );
                let results = results.clone();
                let env = self.env.clone();
                weft::Extern::Func(Func::new_host(store, ft, move |caller, args, out| {
                    let args: Vec<V> = args.iter().map(host_view).collect();
                    env.note(host::call_digest(index, &args));
                    env.apply(caller.store(), host::effects(index, &args))?;
                    match host::host_call(index, &args, &results) {
                        Some(vals) => {
                            for (o, v) in out.iter_mut().zip(vals) {
                                *o = host_val(v);
                            }
                            Ok(())
                        }
                        None => Err(Trap::host(HOST_TRAP)),
                    }
                }))
            }
            Shape::Table { elem, min, max } => {
                let element = if *elem == Ty::FuncRef {
                    RefType::FuncRef
                } else {
                    RefType::ExternRef
                };
                let tt = TableType {
                    element,
                    limits: Limits { min: *min, max: *max },
                };
                let init = host_val(V::zero(*elem));
                let t = Table::new(store, tt, init).map_err(other)?;
                self.env.table.lock().unwrap().get_or_insert((t, *elem));
                weft::Extern::Table(t)
            }
            Shape::Memory { min, max } => {
                let mt = MemoryType {
                    limits: Limits { min: *min, max: *max },
                    shared: false,
                    memory64: false,
                };
                let m = Memory::new(store, mt).map_err(other)?;
                for (i, b) in m
                    .data_mut(store)
                    .map_err(other)?
                    .iter_mut()
                    .enumerate()
                    .take(65536)
                {
                    *b = host::memory_byte(index, i);
                }
                self.env.memory.lock().unwrap().get_or_insert(m);
                weft::Extern::Memory(m)
            }
            Shape::Global { ty, mutable } => {
                let gt = GlobalType::new(
                    val_type(*ty),
                    if *mutable {
                        Mutability::Var
                    } else {
                        Mutability::Const
                    },
                );
                let v = host_val(host::global_init(index, *ty));
                let g = Global::new(store, gt, v).map_err(other)?;
                if *mutable {
                    self.env.global.lock().unwrap().get_or_insert((g, *ty));
                }
                weft::Extern::Global(g)
            }
        })
    }
}

impl Side for WeftSide {
    const NAME: &'static str = "weft";

    fn compile(bytes: &[u8]) -> Result<Self, String> {
        // Both translation modes, chosen by the module (reproducibly).
        let engine = Engine::new(Config {
            lazy_translation: bytes.len().is_multiple_of(2),
            ..config()
        });
        let module = Module::from_binary(&engine, bytes).map_err(|e| e.to_string())?;
        let store = Store::new(&engine);
        Ok(WeftSide {
            module,
            store,
            instance: None,
            exports: Vec::new(),
            positions: HashMap::new(),
            env: Arc::new(Env::default()),
        })
    }

    fn imports(&self) -> Result<Vec<Import>, String> {
        Ok(self
            .module
            .imports()
            .iter()
            .map(|i| Import {
                module: i.module.clone(),
                name: i.name.clone(),
                shape: shape(&i.ty),
            })
            .collect())
    }

    fn exports(&self) -> Result<Vec<(String, ExportKind)>, String> {
        Ok(self
            .module
            .exports()
            .map(|(name, t)| {
                let k = match shape(&t) {
                    Shape::Func { params, results } => ExportKind::Func { params, results },
                    Shape::Table { .. } => ExportKind::Table,
                    Shape::Memory { .. } => ExportKind::Memory,
                    Shape::Global { ty, mutable } => ExportKind::Global { ty, mutable },
                };
                (name.to_string(), k)
            })
            .collect())
    }

    fn instantiate(&mut self, imports: &[Import], _fuel: u64) -> Result<(), Kind> {
        let mut externs = Vec::with_capacity(imports.len());
        for import in imports {
            externs.push(self.make_import(import)?);
        }
        match Instance::new(&mut self.store, &self.module, &externs) {
            Ok(inst) => {
                self.instance = Some(inst);
                Ok(())
            }
            Err(e) => Err(match e.as_trap() {
                Some(t) => kind(t),
                None => Kind::Other(e.to_string()),
            }),
        }
    }

    fn bind(&mut self, names: &[String]) {
        let inst = self.instance.expect("bind before instantiate");
        self.exports = names
            .iter()
            .map(|n| inst.export(&self.store, n).ok().flatten())
            .collect();
        self.positions.clear();
        let mut funcs = Vec::new();
        for (i, e) in self.exports.iter().enumerate() {
            if let Some(weft::Extern::Func(f)) = e {
                self.positions.entry(*f).or_insert(i as u32);
                if let Ok(ft) = f.ty(&self.store) {
                    funcs.push((*f, ft.params().iter().map(|&t| ty(t)).collect()));
                }
            }
        }
        *self.env.funcs.lock().unwrap() = funcs;
    }

    fn call(&mut self, export: usize, args: &[V], _fuel: u64) -> CallOutcome {
        let Some(Some(weft::Extern::Func(f))) = self.exports.get(export).copied() else {
            return Err(Kind::Other("not a function export".into()));
        };
        let ft = f.ty(&self.store).map_err(|e| Kind::Other(e.to_string()))?;
        let args: Vec<Val> = args.iter().map(|&a| self.to_val(a)).collect();
        let mut results: Vec<Val> = ft.results().iter().map(|t| t.default_val()).collect();
        match f.call(&mut self.store, &args, &mut results) {
            Ok(()) => Ok(results.iter().map(|r| self.to_v(r)).collect()),
            Err(t) => Err(kind(&t)),
        }
    }

    fn set_global(&mut self, export: usize, value: V) -> Result<(), String> {
        let Some(Some(weft::Extern::Global(g))) = self.exports.get(export).copied() else {
            return Err("not a global export".into());
        };
        let v = self.to_val(value);
        g.set(&mut self.store, v).map_err(|e| e.to_string())
    }

    fn get_global(&self, export: usize) -> V {
        match self.exports.get(export) {
            Some(Some(weft::Extern::Global(g))) => match g.get(&self.store) {
                Ok(v) => self.to_v(&v),
                Err(_) => V::I64(-1),
            },
            _ => V::I64(-1),
        }
    }

    fn digest(&self, export: usize) -> u64 {
        match self.exports.get(export) {
            Some(Some(weft::Extern::Memory(m))) => match m.data(&self.store) {
                Ok(d) => mix(d.len() as u64, hash_bytes(d)),
                Err(_) => 1,
            },
            Some(Some(weft::Extern::Global(_))) => self.get_global(export).digest(),
            Some(Some(weft::Extern::Table(t))) => {
                let size = t.size(&self.store).unwrap_or(u64::MAX);
                let mut h = mix(0x7AB1E, size);
                for i in 0..size {
                    let v = match t.get(&self.store, i) {
                        Ok(Some(v)) => self.to_v(&v),
                        _ => V::I64(-2),
                    };
                    h = mix(h, v.digest());
                }
                h
            }
            Some(Some(weft::Extern::Func(_))) => 0,
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
