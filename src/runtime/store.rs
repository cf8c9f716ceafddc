//! The store: owns every run-time entity. Entities are never removed while
//! the store lives, so indices (and the boxed entities' addresses) stay valid.

use super::engine::Engine;
use super::func::{FuncEntity, FuncTarget};
use super::instance::InstanceEntity;
use super::memory::LinearMemory;
use super::table::TableEntity;
use crate::core::{Error, GlobalType};
use crate::engine::executor::Stack;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

static NEXT_STORE_ID: AtomicU32 = AtomicU32::new(1);

pub(crate) struct GlobalEntity {
    pub ty: GlobalType,
    pub value: u64,
}

pub struct Store {
    pub(crate) id: u32,
    pub(crate) engine: Engine,
    pub(crate) funcs: Vec<FuncEntity>,
    /// Type id and call target of each of `funcs` (computed once, when the
    /// function is added): what `call_indirect` checks and what instances'
    /// call tables copy.
    pub(crate) func_targets: Vec<FuncTarget>,
    pub(crate) memories: Vec<LinearMemory>,
    pub(crate) tables: Vec<TableEntity>,
    pub(crate) globals: Vec<GlobalEntity>,
    pub(crate) instances: Vec<InstanceEntity>,
    /// Element segments: `None` once dropped.
    pub(crate) elems: Vec<Option<Box<[u64]>>>,
    /// Data segments: `None` once dropped.
    pub(crate) datas: Vec<Option<Arc<[u8]>>>,
    /// Value stacks ready for reuse (one per nested execution).
    pub(crate) stacks: Vec<Stack>,
    /// Nesting of executions (host function calling back into wasm).
    pub(crate) nesting: u32,
    /// Value-stack cells per execution (initially the engine's setting).
    pub(crate) max_stack_cells: usize,
    /// Nested wasm calls per execution (initially the engine's setting).
    pub(crate) max_call_depth: u32,
}

impl Store {
    pub fn new(engine: &Engine) -> Store {
        Store {
            id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
            engine: engine.clone(),
            funcs: Vec::new(),
            func_targets: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            instances: Vec::new(),
            elems: Vec::new(),
            datas: Vec::new(),
            stacks: Vec::new(),
            nesting: 0,
            max_stack_cells: engine.config().max_stack_cells,
            max_call_depth: engine.config().max_call_depth,
        }
    }

    /// Sets this store's execution limits: value-stack cells and nested
    /// wasm calls per execution (e.g. an embedder's per-instance stack size).
    /// Exceeding either traps with `call stack exhausted`.
    pub fn set_stack_limits(&mut self, max_stack_cells: usize, max_call_depth: u32) {
        self.max_stack_cells = max_stack_cells.max(16);
        self.max_call_depth = max_call_depth.max(1);
        // Pooled stacks of another size are dropped; new ones are made on demand.
        self.stacks.clear();
    }

    /// This store's execution limits: (value-stack cells, call depth).
    pub fn stack_limits(&self) -> (usize, u32) {
        (self.max_stack_cells, self.max_call_depth)
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Checks that a handle belongs to this store.
    #[inline]
    pub(crate) fn owns(&self, store_id: u32) -> Result<(), Error> {
        if store_id == self.id {
            Ok(())
        } else {
            Err(Self::foreign())
        }
    }

    #[cold]
    fn foreign() -> Error {
        Error::usage("object used with a store it does not belong to")
    }
}
