//! Modules: decoding and validation (with `wasmparser`), module metadata,
//! imports and exports, and translation of every function body into the
//! interpreter's code. A `Module` is immutable, `Send + Sync` and cheap to
//! clone, so it can be shared between threads and stores.

pub(crate) mod const_expr;
mod parallel;
mod parse;
pub(crate) use parse::features;
pub(crate) mod strict;

use crate::core::{Error, ExternType, FuncType, GlobalType, MemoryType, TableType};
use crate::engine::{CompiledFunc, FuncCode};
use crate::runtime::Engine;
use const_expr::ConstExpr;
use std::sync::Arc;

/// The kind of an export or import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExternKind {
    Func,
    Table,
    Memory,
    Global,
}

/// An import as declared by a module.
#[derive(Clone, Debug)]
pub struct ImportDesc {
    pub module: String,
    pub name: String,
    pub ty: ExternType,
}

/// An export as declared by a module.
#[derive(Clone, Debug)]
pub struct ExportDesc {
    pub name: String,
    pub kind: ExternKind,
    /// Index in the index space of `kind`.
    pub index: u32,
}

pub(crate) struct GlobalDef {
    pub ty: GlobalType,
    pub init: ConstExpr,
}

pub(crate) struct TableDef {
    pub ty: TableType,
    /// Initial element (function-references proposal); `None` means null.
    pub init: Option<ConstExpr>,
}

pub(crate) enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

pub(crate) struct ElemSegment {
    pub mode: ElemMode,
    pub items: Vec<ConstExpr>,
}

pub(crate) enum DataMode {
    Passive,
    Active { memory: u32, offset: ConstExpr },
}

pub(crate) struct DataSegment {
    pub mode: DataMode,
    pub bytes: Arc<[u8]>,
}

/// Everything known about a module after decoding.
#[derive(Default)]
pub(crate) struct ModuleInfo {
    pub types: Vec<FuncType>,
    pub imports: Vec<ImportDesc>,
    /// Type index of every function in the function index space.
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<TableDef>,
    pub num_imported_tables: u32,
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    pub globals: Vec<GlobalDef>,
    pub num_imported_globals: u32,
    pub exports: Vec<ExportDesc>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    /// Code of the defined functions (translated now or on first call).
    pub code: Vec<FuncCode>,
    /// Module name from the name section, if any.
    pub name: Option<String>,
    /// Function names from the name section (function index, name).
    pub func_names: Vec<(u32, String)>,
}

impl ModuleInfo {
    pub fn func_type(&self, func_index: u32) -> &FuncType {
        &self.types[self.funcs[func_index as usize] as usize]
    }
}

/// A validated and translated module.
#[derive(Clone)]
pub struct Module {
    inner: Arc<ModuleInner>,
}

pub(crate) struct ModuleInner {
    pub engine: Engine,
    pub info: ModuleInfo,
    /// Engine-wide ids of `info.types`.
    pub type_ids: Vec<u32>,
    /// The original bytes (for serialization and reflection).
    pub bytes: Arc<[u8]>,
}

impl Module {
    /// Decodes, validates and translates a binary module, or a module in the
    /// text format (detected by its first bytes).
    pub fn new(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        let wasm;
        let bytes = if bytes.starts_with(b"\0asm") {
            bytes
        } else {
            wasm = wat::parse_bytes(bytes).map_err(|e| Error::malformed(e.to_string(), None))?;
            &wasm[..]
        };
        Module::from_binary(engine, bytes)
    }

    /// Decodes, validates and translates a binary module (with lazy
    /// translation, the default, each body is translated on its first call).
    pub fn from_binary(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        let translation = if engine.config().lazy_translation {
            parse::Translation::Lazy
        } else {
            parse::Translation::Eager
        };
        let info = parse::parse(bytes, translation)?;
        let type_ids = info.types.iter().map(|t| engine.intern_type(t)).collect();
        Ok(Module {
            inner: Arc::new(ModuleInner {
                engine: engine.clone(),
                info,
                type_ids,
                bytes: bytes.into(),
            }),
        })
    }

    /// Checks that `bytes` are a valid binary module without keeping it.
    pub fn validate(_engine: &Engine, bytes: &[u8]) -> Result<(), Error> {
        parse::validate_only(bytes)
    }

    pub fn imports(&self) -> &[ImportDesc] {
        &self.inner.info.imports
    }

    pub fn exports(&self) -> impl ExactSizeIterator<Item = (&str, ExternType)> + '_ {
        self.inner
            .info
            .exports
            .iter()
            .map(|e| (e.name.as_str(), self.extern_type(e.kind, e.index)))
    }

    /// The type of entity `index` of the given kind.
    pub fn extern_type(&self, kind: ExternKind, index: u32) -> ExternType {
        let info = &self.inner.info;
        match kind {
            ExternKind::Func => ExternType::Func(info.func_type(index).clone()),
            ExternKind::Table => ExternType::Table(info.tables[index as usize].ty),
            ExternKind::Memory => ExternType::Memory(info.memories[index as usize]),
            ExternKind::Global => ExternType::Global(info.globals[index as usize].ty),
        }
    }

    /// The module's binary encoding.
    pub fn bytes(&self) -> &[u8] {
        &self.inner.bytes
    }

    /// The name from the module's name section, if any.
    pub fn name(&self) -> Option<&str> {
        self.inner.info.name.as_deref()
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub(crate) fn info(&self) -> &ModuleInfo {
        &self.inner.info
    }

    pub(crate) fn type_ids(&self) -> &[u32] {
        &self.inner.type_ids
    }

    /// The translation of defined function `def`, made now if it was not
    /// made yet (lazy translation).
    pub(crate) fn translated(&self, def: u32) -> Result<&CompiledFunc, Error> {
        let info = &self.inner.info;
        let code = info
            .code
            .get(def as usize)
            .ok_or_else(|| Error::invalid("no such function", None))?;
        code.get_or_translate(|| {
            // Translation runs inside a call (lazy translation): a bug in the
            // translator must not unwind through the interpreter.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                parse::translate_lazily(info, def, &self.inner.bytes)
            }))
            .unwrap_or_else(|_| Err(Error::invalid("internal error: the translator panicked", None)))
        })
    }

    /// See `parse::offsets_again` (for trap backtraces; a translator panic
    /// counts as a failure).
    pub(crate) fn offsets_again(&self, def: u32, installed: &CompiledFunc) -> Option<crate::engine::Offsets> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            parse::offsets_again(&self.inner.info, def, &self.inner.bytes, installed)
        }))
        .ok()
        .flatten()
    }

    /// Translates every function not translated yet (lazy translation
    /// otherwise does it on each function's first call), on several threads
    /// for a large module. The error, if any, is the first function's.
    pub fn translate_all(&self) -> Result<(), Error> {
        let threads = parallel::threads_for(self.inner.bytes.len());
        parallel::map_in_blocks(
            self.inner.info.code.len(),
            threads,
            || (),
            |_, def| self.translated(def as u32).map(|_| ()),
        )
        .map(|_| ())
    }

    /// `translated`, for a call: its error as the call's trap.
    pub(crate) fn translated_for_call(&self, def: u32) -> Result<&CompiledFunc, crate::core::Trap> {
        self.translated(def).map_err(|e| {
            crate::core::Trap::host(format!(
                "translating function {}: {e}",
                self.inner.info.num_imported_funcs + def
            ))
        })
    }

    /// The interpreter code of function `func_index` (module index space),
    /// for inspection (translating it if needed); `None` for imported or
    /// out-of-range functions.
    pub fn disassemble(&self, func_index: u32) -> Option<String> {
        let def = func_index.checked_sub(self.inner.info.num_imported_funcs)?;
        if def as usize >= self.inner.info.code.len() {
            return None;
        }
        match self.translated(def) {
            Ok(c) => Some(c.disassemble()),
            Err(e) => Some(format!("; translation failed: {e}")),
        }
    }

    pub fn same(&self, other: &Module) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}
