//! The engine: configuration shared by stores and modules, and the interner
//! that gives every distinct function type a small id (so that
//! `call_indirect` compares two integers).

use crate::core::limits::{DEFAULT_MAX_CALL_DEPTH, DEFAULT_MAX_STACK_CELLS, MAX_PAGES_32};
use crate::core::FuncType;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Tunables. `Default` gives the documented defaults.
#[derive(Clone)]
pub struct Config {
    /// Cap on any linear memory's size in pages (also bounds `memory.grow`).
    pub max_memory_pages: u64,
    /// Deepest nesting of wasm calls before the trap `call stack exhausted`.
    pub max_call_depth: u32,
    /// Value-stack cells available to one execution.
    pub max_stack_cells: usize,
    /// Where linear memories get their address space (default: `mmap`).
    pub memory_allocator: Option<Arc<dyn crate::runtime::memory::MemoryAllocator>>,
    /// Translate each function body on its first call (the default) rather
    /// than when the module is created. Bodies are validated when the module
    /// is created either way.
    pub lazy_translation: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("max_memory_pages", &self.max_memory_pages)
            .field("max_call_depth", &self.max_call_depth)
            .field("max_stack_cells", &self.max_stack_cells)
            .field("memory_allocator", &self.memory_allocator.is_some())
            .field("lazy_translation", &self.lazy_translation)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_memory_pages: MAX_PAGES_32,
            max_call_depth: DEFAULT_MAX_CALL_DEPTH,
            max_stack_cells: DEFAULT_MAX_STACK_CELLS,
            memory_allocator: None,
            lazy_translation: true,
        }
    }
}

/// A compilation and execution environment. Cheap to clone, `Send + Sync`.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

struct EngineInner {
    config: Config,
    types: Mutex<TypeInterner>,
}

#[derive(Default)]
struct TypeInterner {
    ids: HashMap<FuncType, u32>,
    types: Vec<FuncType>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new(Config::default())
    }
}

impl Engine {
    pub fn new(config: Config) -> Engine {
        Engine {
            inner: Arc::new(EngineInner {
                config,
                types: Mutex::new(TypeInterner::default()),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The engine-wide id of a function type: equal types, equal ids.
    pub(crate) fn intern_type(&self, ty: &FuncType) -> u32 {
        let mut t = self
            .inner
            .types
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(&id) = t.ids.get(ty) {
            return id;
        }
        let id = t.types.len() as u32;
        t.types.push(ty.clone());
        t.ids.insert(ty.clone(), id);
        id
    }

    pub fn same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}
