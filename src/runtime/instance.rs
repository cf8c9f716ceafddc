//! Instances and instantiation: import matching, creation of the module's
//! own entities, element and data segment initialisation, the start function.

use super::func::{Func, FuncEntity, FuncKind};
use super::global::Global;
use super::memory::{LinearMemory, Memory};
use super::store::{GlobalEntity, Store};
use super::table::{Table, TableEntity};
use crate::core::{Error, ExternType, Trap, TrapCode, ValType};
use crate::module::{DataMode, ElemMode, ExternKind, Module};
use std::collections::HashMap;

/// An entity that can be imported or exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
}

/// Handle to an instance in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance {
    pub(crate) store: u32,
    pub(crate) index: u32,
}

pub(crate) struct InstanceEntity {
    pub module: Module,
    /// Store indices of the function index space.
    pub funcs: Box<[u32]>,
    pub tables: Box<[u32]>,
    pub memories: Box<[u32]>,
    pub globals: Box<[u32]>,
    /// Store indices of this instance's element and data segments.
    pub elems: Box<[u32]>,
    pub datas: Box<[u32]>,
    pub exports: HashMap<String, Extern>,
    /// Call targets of the function index space (for the interpreter).
    pub targets: Box<[super::func::CallTarget]>,
}

impl Extern {
    pub fn ty(&self, store: &Store) -> Result<ExternType, Error> {
        Ok(match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)?),
            Extern::Table(t) => ExternType::Table(t.ty(store)?),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)?),
            Extern::Global(g) => ExternType::Global(g.ty(store)?),
        })
    }

    fn store_id(&self) -> u32 {
        match self {
            Extern::Func(f) => f.store,
            Extern::Table(t) => t.store,
            Extern::Memory(m) => m.store,
            Extern::Global(g) => g.store,
        }
    }
}

impl Instance {
    /// Instantiates `module` with `imports` given in the module's import
    /// order. Link errors name the import. If initialisation or the start
    /// function traps, the error carries the trap; writes already made to
    /// imported tables and memories stay, as the spec requires.
    pub fn new(store: &mut Store, module: &Module, imports: &[Extern]) -> Result<Instance, Error> {
        if !module.engine().same(store.engine()) {
            return Err(Error::usage("module and store belong to different engines"));
        }
        let info = module.info();
        if imports.len() != info.imports.len() {
            return Err(Error::link(format!(
                "module expects {} imports, {} given",
                info.imports.len(),
                imports.len()
            )));
        }
        let mut funcs = Vec::with_capacity(info.funcs.len());
        let mut tables = Vec::with_capacity(info.tables.len());
        let mut memories = Vec::with_capacity(info.memories.len());
        let mut globals = Vec::with_capacity(info.globals.len());
        for (desc, ext) in info.imports.iter().zip(imports) {
            if store.owns(ext.store_id()).is_err() {
                return Err(Error::link(format!(
                    "import {}.{} belongs to another store",
                    desc.module, desc.name
                )));
            }
            let actual = ext.ty(store)?;
            if !import_matches(&actual, &desc.ty) {
                return Err(Error::link(format!(
                    "incompatible import type for {}.{}: expected {}, got {}",
                    desc.module,
                    desc.name,
                    describe(&desc.ty),
                    describe(&actual)
                )));
            }
            match ext {
                Extern::Func(f) => funcs.push(f.index),
                Extern::Table(t) => tables.push(t.index),
                Extern::Memory(m) => memories.push(m.index),
                Extern::Global(g) => globals.push(g.index),
            }
        }

        let inst_index = store.instances.len() as u32;
        // Defined functions (room for all at once: a large module's
        // thousands would otherwise grow the store's vectors step by step).
        let defined = info.funcs.len() - info.num_imported_funcs as usize;
        store.funcs.reserve(defined);
        store.func_targets.reserve(defined);
        for (def, &type_index) in info.funcs[info.num_imported_funcs as usize..].iter().enumerate() {
            let ty = info.types[type_index as usize].clone();
            let type_id = module.type_ids()[type_index as usize];
            let f = store.push_func(FuncEntity {
                ty,
                type_id,
                kind: FuncKind::Wasm {
                    instance: inst_index,
                    module: module.clone(),
                    def: def as u32,
                },
            });
            funcs.push(f.index);
        }
        let func_cell = |funcs: &[u32], idx: u32| funcs[idx as usize] as u64 + 1;
        // Defined globals, in order (initialisers may read earlier globals).
        for g in &info.globals[info.num_imported_globals as usize..] {
            let value = g.init.eval(
                |i| store.globals[globals[i as usize] as usize].value,
                |f| func_cell(&funcs, f),
            );
            let handle = store.push_global(GlobalEntity { ty: g.ty, value });
            globals.push(handle.index);
        }
        // Defined memories.
        let cap = store.engine.config().max_memory_pages;
        for ty in &info.memories[info.num_imported_memories as usize..] {
            let alloc = store.engine.config().memory_allocator.clone();
            let mem = LinearMemory::with_allocator(*ty, cap, alloc)?;
            memories.push(store.push_memory(mem).index);
        }
        // Defined tables.
        for t in &info.tables[info.num_imported_tables as usize..] {
            let init = match &t.init {
                Some(e) => e.eval(
                    |i| store.globals[globals[i as usize] as usize].value,
                    |f| func_cell(&funcs, f),
                ),
                None => 0,
            };
            if t.ty.limits.min > crate::core::limits::MAX_TABLE_ELEMS {
                return Err(Error::resource("table is larger than the engine allows"));
            }
            let handle = store.push_table(TableEntity {
                ty: t.ty,
                elems: vec![init; t.ty.limits.min as usize],
            });
            tables.push(handle.index);
        }
        // Element segments, evaluated to cells now.
        let mut elems = Vec::with_capacity(info.elems.len());
        for seg in &info.elems {
            let cells: Box<[u64]> = seg
                .items
                .iter()
                .map(|e| {
                    e.eval(
                        |i| store.globals[globals[i as usize] as usize].value,
                        |f| func_cell(&funcs, f),
                    )
                })
                .collect();
            store.elems.push(Some(cells));
            elems.push((store.elems.len() - 1) as u32);
        }
        let mut datas = Vec::with_capacity(info.datas.len());
        for seg in &info.datas {
            store.datas.push(Some(seg.bytes.clone()));
            datas.push((store.datas.len() - 1) as u32);
        }
        // Exports.
        let mut exports = HashMap::with_capacity(info.exports.len());
        for e in &info.exports {
            let i = e.index as usize;
            let ext = match e.kind {
                ExternKind::Func => Extern::Func(Func {
                    store: store.id,
                    index: funcs[i],
                }),
                ExternKind::Table => Extern::Table(Table {
                    store: store.id,
                    index: tables[i],
                }),
                ExternKind::Memory => Extern::Memory(Memory {
                    store: store.id,
                    index: memories[i],
                }),
                ExternKind::Global => Extern::Global(Global {
                    store: store.id,
                    index: globals[i],
                }),
            };
            exports.insert(e.name.clone(), ext);
        }
        // A function of another instance gets no code here: a direct call
        // then takes the slow path (which switches instances) after its one
        // null check (see `executor::handlers::control::call`).
        let targets = funcs
            .iter()
            .map(|&f| {
                let mut target = store.func_targets[f as usize].target;
                if target.instance != inst_index {
                    target.code = std::ptr::null();
                }
                target
            })
            .collect();
        store.instances.push(InstanceEntity {
            module: module.clone(),
            funcs: funcs.into(),
            tables: tables.into(),
            memories: memories.into(),
            globals: globals.into(),
            elems: elems.into(),
            datas: datas.into(),
            exports,
            targets,
        });
        let instance = Instance {
            store: store.id,
            index: inst_index,
        };
        instance.initialize(store)?;
        Ok(instance)
    }

    /// Runs active segments and the start function.
    fn initialize(&self, store: &mut Store) -> Result<(), Error> {
        let module = store.instances[self.index as usize].module.clone();
        let info = module.info();
        let inst = self.index as usize;
        for (i, seg) in info.elems.iter().enumerate() {
            let seg_index = store.instances[inst].elems[i] as usize;
            match &seg.mode {
                ElemMode::Active { table, offset } => {
                    let entity = &store.instances[inst];
                    let offset = offset.eval(
                        |g| store.globals[entity.globals[g as usize] as usize].value,
                        |f| entity.funcs[f as usize] as u64 + 1,
                    ) as u32;
                    let table_index = entity.tables[*table as usize] as usize;
                    let cells = store.elems[seg_index].take().unwrap_or_default();
                    let table = &mut store.tables[table_index].elems;
                    let start = offset as usize;
                    match start.checked_add(cells.len()) {
                        Some(end) if end <= table.len() => table[start..end].copy_from_slice(&cells),
                        _ => return Err(Trap::new(TrapCode::TableOutOfBounds).into()),
                    }
                }
                ElemMode::Declared => store.elems[seg_index] = None,
                ElemMode::Passive => {}
            }
        }
        for (i, seg) in info.datas.iter().enumerate() {
            let seg_index = store.instances[inst].datas[i] as usize;
            if let DataMode::Active { memory, offset } = &seg.mode {
                let entity = &store.instances[inst];
                let offset = offset.eval(
                    |g| store.globals[entity.globals[g as usize] as usize].value,
                    |f| entity.funcs[f as usize] as u64 + 1,
                ) as u32;
                let mem_index = entity.memories[*memory as usize] as usize;
                let bytes = store.datas[seg_index].take().unwrap_or_else(|| Vec::new().into());
                let data = store.memories[mem_index].data_mut();
                let start = offset as usize;
                match start.checked_add(bytes.len()) {
                    Some(end) if end <= data.len() => data[start..end].copy_from_slice(&bytes),
                    _ => return Err(Trap::new(TrapCode::MemoryOutOfBounds).into()),
                }
            }
        }
        if let Some(start) = info.start {
            let f = Func {
                store: store.id,
                index: store.instances[inst].funcs[start as usize],
            };
            f.call(store, &[], &mut [])?;
        }
        Ok(())
    }

    /// The export called `name`.
    pub fn export(&self, store: &Store, name: &str) -> Result<Option<Extern>, Error> {
        store.owns(self.store)?;
        Ok(store.instances[self.index as usize].exports.get(name).copied())
    }

    /// All exports, in the module's declaration order.
    pub fn exports(&self, store: &Store) -> Result<Vec<(String, Extern)>, Error> {
        store.owns(self.store)?;
        let entity = &store.instances[self.index as usize];
        Ok(entity
            .module
            .info()
            .exports
            .iter()
            .map(|e| (e.name.clone(), entity.exports[&e.name]))
            .collect())
    }

    pub fn get_func(&self, store: &Store, name: &str) -> Option<Func> {
        match self.export(store, name) {
            Ok(Some(Extern::Func(f))) => Some(f),
            _ => None,
        }
    }

    /// The instance's `index`th memory (imported ones first).
    pub fn memory(&self, store: &Store, index: u32) -> Option<Memory> {
        store.owns(self.store).ok()?;
        let m = *store.instances[self.index as usize]
            .memories
            .get(index as usize)?;
        Some(Memory {
            store: self.store,
            index: m,
        })
    }

    /// The instance's `index`th table (imported ones first).
    pub fn table(&self, store: &Store, index: u32) -> Option<Table> {
        store.owns(self.store).ok()?;
        let t = *store.instances[self.index as usize].tables.get(index as usize)?;
        Some(Table {
            store: self.store,
            index: t,
        })
    }

    /// The instance's `index`th global (imported ones first).
    pub fn global(&self, store: &Store, index: u32) -> Option<Global> {
        store.owns(self.store).ok()?;
        let g = *store.instances[self.index as usize].globals.get(index as usize)?;
        Some(Global {
            store: self.store,
            index: g,
        })
    }

    /// The instance's function `index` in its function index space.
    pub fn func(&self, store: &Store, index: u32) -> Option<Func> {
        store.owns(self.store).ok()?;
        let f = *store.instances[self.index as usize].funcs.get(index as usize)?;
        Some(Func {
            store: self.store,
            index: f,
        })
    }

    pub fn module<'s>(&self, store: &'s Store) -> Option<&'s Module> {
        store.owns(self.store).ok()?;
        Some(&store.instances[self.index as usize].module)
    }

    /// Index of this instance in its store.
    pub fn index(&self) -> u32 {
        self.index
    }
}

impl Store {
    /// The instance with store index `index` (e.g. `TrapFrame::instance`).
    pub fn instance_at(&self, index: u32) -> Option<Instance> {
        (index < self.instances.len() as u32).then_some(Instance {
            store: self.id,
            index,
        })
    }
}

/// Import subtyping (WebAssembly 2.0): functions by equal type, tables by
/// element type and limits, memories by limits, globals by equal type.
fn import_matches(actual: &ExternType, expected: &ExternType) -> bool {
    match (actual, expected) {
        (ExternType::Func(a), ExternType::Func(e)) => a == e,
        (ExternType::Table(a), ExternType::Table(e)) => a.element == e.element && a.limits.matches(&e.limits),
        (ExternType::Memory(a), ExternType::Memory(e)) => a.limits.matches(&e.limits),
        (ExternType::Global(a), ExternType::Global(e)) => a == e,
        _ => false,
    }
}

fn describe(t: &ExternType) -> String {
    match t {
        ExternType::Func(f) => format!("{f}"),
        ExternType::Table(t) => format!("table of {}", ValType::from(t.element)),
        ExternType::Memory(_) => "memory".to_string(),
        ExternType::Global(g) => format!("global {}", g.content),
    }
}
