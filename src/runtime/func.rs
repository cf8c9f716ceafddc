//! Functions: wasm functions (code of an instance) and host functions (Rust
//! closures with a signature), called the same way.

use super::instance::{Extern, Instance};
use super::memory::Memory;
use super::store::Store;
use crate::core::{Error, FuncType, Trap, Val};
use crate::module::Module;
use std::sync::Arc;

/// The Rust side of a host function: reads `args`, writes every element of
/// `results` (pre-filled with zero values of the right types), or traps.
pub type HostFunc = dyn Fn(&mut Caller<'_>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync;

pub(crate) enum FuncKind {
    Wasm {
        instance: u32,
        module: Module,
        /// Index among the module's defined (not imported) functions.
        def: u32,
    },
    Host(Arc<HostFunc>),
}

pub(crate) struct FuncEntity {
    pub ty: FuncType,
    /// Engine-wide id of `ty`.
    pub type_id: u32,
    pub kind: FuncKind,
}

/// What the interpreter needs to call a function without looking through
/// the store: its store index and, for wasm functions, its code and instance.
#[derive(Clone, Copy)]
pub(crate) struct CallTarget {
    pub func: u32,
    pub instance: u32,
    /// Null for host functions (and, in an instance's `targets`, for
    /// functions of other instances).
    pub code: *const crate::engine::FuncCode,
}

/// A function as the interpreter calls it: its type id and its call target.
#[derive(Clone, Copy)]
pub(crate) struct FuncTarget {
    pub type_id: u32,
    pub target: CallTarget,
}

// SAFETY: `code` points into an `Arc`ed, immutable module that the store keeps
// alive (function entities are never removed); modules are `Send + Sync`.
unsafe impl Send for CallTarget {}
// SAFETY: as above; the pointee is never mutated.
unsafe impl Sync for CallTarget {}

impl FuncEntity {
    pub fn call_target(&self, func: u32) -> CallTarget {
        match &self.kind {
            FuncKind::Wasm {
                instance,
                module,
                def,
            } => CallTarget {
                func,
                instance: *instance,
                code: &module.info().code[*def as usize],
            },
            FuncKind::Host(_) => CallTarget {
                func,
                instance: u32::MAX,
                code: std::ptr::null(),
            },
        }
    }
}

/// Handle to a function in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: u32,
    pub(crate) index: u32,
}

/// What a host function sees of its caller: the store, and the instance
/// whose code made the call (`None` when called directly by the embedder).
pub struct Caller<'a> {
    pub(crate) store: &'a mut Store,
    pub(crate) instance: Option<Instance>,
}

impl<'a> Caller<'a> {
    pub fn store(&mut self) -> &mut Store {
        self.store
    }

    pub fn store_ref(&self) -> &Store {
        self.store
    }

    pub fn instance(&self) -> Option<Instance> {
        self.instance
    }

    /// The caller instance's exported memory `memory`, else its first memory.
    pub fn memory(&self) -> Option<Memory> {
        let inst = self.instance?;
        if let Ok(Some(Extern::Memory(m))) = inst.export(self.store, "memory") {
            return Some(m);
        }
        inst.memory(self.store, 0)
    }
}

impl Func {
    /// Wraps a Rust closure as a function of type `ty`.
    pub fn new_host(
        store: &mut Store,
        ty: FuncType,
        f: impl Fn(&mut Caller<'_>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Func {
        Func::new_host_arc(store, ty, Arc::new(f))
    }

    pub fn new_host_arc(store: &mut Store, ty: FuncType, f: Arc<HostFunc>) -> Func {
        let type_id = store.engine.intern_type(&ty);
        store.push_func(FuncEntity {
            ty,
            type_id,
            kind: FuncKind::Host(f),
        })
    }

    pub fn ty(&self, store: &Store) -> Result<FuncType, Error> {
        store.owns(self.store)?;
        Ok(store.funcs[self.index as usize].ty.clone())
    }

    /// Calls the function. `args` must match the parameter types and
    /// `results` must have one slot per result; otherwise an error trap.
    pub fn call(&self, store: &mut Store, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
        store.owns(self.store).map_err(|e| Trap::host(e.to_string()))?;
        {
            let ty = &store.funcs[self.index as usize].ty;
            if args.len() != ty.params().len() {
                return Err(Trap::host(format!(
                    "function expects {} arguments, got {}",
                    ty.params().len(),
                    args.len()
                )));
            }
            if results.len() != ty.results().len() {
                return Err(Trap::host(format!(
                    "function returns {} results, got room for {}",
                    ty.results().len(),
                    results.len()
                )));
            }
            for (i, (a, t)) in args.iter().zip(ty.params()).enumerate() {
                if a.ty() != *t {
                    return Err(Trap::host(format!(
                        "argument {i} has type {}, expected {t}",
                        a.ty()
                    )));
                }
            }
        }
        for a in args {
            store.check_val(a).map_err(|e| Trap::host(e.to_string()))?;
        }
        crate::engine::executor::invoke(store, self.index, args, results)
    }

    /// Index of this function in its store (stable for the store's lifetime).
    pub fn index(&self) -> u32 {
        self.index
    }

    /// For a wasm function: its instance and index in that instance's
    /// function index space.
    pub fn wasm_origin(&self, store: &Store) -> Option<(Instance, u32)> {
        store.owns(self.store).ok()?;
        match &store.funcs[self.index as usize].kind {
            FuncKind::Wasm {
                instance,
                module,
                def,
            } => Some((
                Instance {
                    store: self.store,
                    index: *instance,
                },
                module.info().num_imported_funcs + def,
            )),
            FuncKind::Host(_) => None,
        }
    }
}

impl Store {
    pub(crate) fn push_func(&mut self, f: FuncEntity) -> Func {
        let index = self.funcs.len() as u32;
        self.func_targets.push(FuncTarget {
            type_id: f.type_id,
            target: f.call_target(index),
        });
        self.funcs.push(f);
        Func {
            store: self.id,
            index,
        }
    }
}
