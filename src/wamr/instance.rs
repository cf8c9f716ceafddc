//! Instances: a module is instantiated together with its dependency tree
//! in one store, each dependency once, dependencies first. The store is
//! single-threaded, so every use goes through a re-entrant lock: another
//! thread waits, while a native function running on the owning thread may
//! call back into the API (its store is reached through the pointer the
//! native's caller lent it, see [`Shared::with_store`]).
//!
//! `wasm_module_inst_t` points to a [`ModuleInst`]: one per node of the
//! tree; the root's handle is what `wasm_runtime_instantiate` returns.
//! `wasm_function_inst_t` points to a [`FuncRec`] owned by the tree.
//!
//! Registering a module that has a live instance registers that instance
//! too (as the spec's `register` does): a module instantiated later that
//! depends on it links to that very instance, so it is instantiated into
//! the same store. A store with several roots is a group ([`Shared`]); it
//! is freed when its last root is deinstantiated (the engine cannot free
//! part of a store).

use super::alloc::RtBox;
use super::exec_env::ExecEnv;
use super::memory::AppHeap;
use super::module::{is_wasi_name, module_ref, WamrModule};
use super::natives;
use super::{cstr, guard, set_error_buf, SendPtr};
use crate::core::{
    ExternType, FuncType, GlobalType, MemoryType, Mutability, RefType, TableType, Trap, Val, ValType,
};
use crate::module::Module;
use crate::runtime::{Extern, Func, Global, Instance, Memory, Store, Table};
use std::cell::UnsafeCell;
use std::collections::HashSet;
use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, RwLock};

/// Room for the exception text handed to C (longer texts are cut).
const EXCEPTION_LEN: usize = 256;

/// What `wasm_module_inst_t` points to: one node of an instance tree.
pub struct ModuleInst {
    shared: AtomicPtr<Shared>,
    pub(crate) node: u32,
}

impl ModuleInst {
    pub(crate) fn shared(&self) -> &Shared {
        // SAFETY: set right after the tree is allocated; the tree outlives
        // its handles (they are freed with it).
        unsafe { &*self.shared.load(Ordering::Acquire) }
    }

    pub(crate) fn node(&self) -> &Node {
        self.shared().node(self.node)
    }
}

/// What `wasm_function_inst_t` points to.
pub struct FuncRec {
    pub(crate) shared: *const Shared,
    pub(crate) node: u32,
    pub(crate) func: Func,
    pub(crate) ty: FuncType,
}

// SAFETY: the record is immutable; `shared` synchronises itself.
unsafe impl Send for FuncRec {}
// SAFETY: as above.
unsafe impl Sync for FuncRec {}

/// One instance of the tree.
pub struct Node {
    /// Import module name this node satisfies (the root: its module's name).
    pub name: String,
    pub module: Module,
    pub(crate) wamr_module: SendPtr<WamrModule>,
    pub instance: OnceLock<Instance>,
    pub(crate) handle: RtBox<ModuleInst>,
    /// The app heap inside memory 0, if any.
    pub heap: Mutex<Option<AppHeap>>,
    /// The module's exported `malloc` and `free`, used instead of a heap.
    pub malloc_free: OnceLock<(Func, Func)>,
    /// The root of the instantiation this node belongs to.
    pub root: u32,
    /// Roots only: dependency name and node, for every module of the tree.
    scope: Vec<(String, u32)>,
    /// Roots only: the instance's own exec env.
    singleton: OnceLock<RtBox<ExecEnv>>,
    pub custom_data: AtomicPtr<c_void>,
}

/// A lock that the thread holding it may take again. Threads are told
/// apart by the address of a thread-local (unique among live threads).
struct ReLock {
    state: Mutex<(usize, u32)>,
    cv: Condvar,
}

struct ReGuard<'a> {
    lock: &'a ReLock,
    depth: u32,
}

impl ReLock {
    fn new() -> ReLock {
        ReLock {
            state: Mutex::new((0, 0)),
            cv: Condvar::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, (usize, u32)> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock(&self) -> ReGuard<'_> {
        thread_local! {
            static ME: u8 = const { 0 };
        }
        let me = ME.with(|m| m as *const u8 as usize);
        let mut s = self.state();
        loop {
            if s.0 == 0 {
                *s = (me, 1);
                break;
            }
            if s.0 == me {
                s.1 += 1;
                break;
            }
            s = self.cv.wait(s).unwrap_or_else(|p| p.into_inner());
        }
        ReGuard {
            lock: self,
            depth: s.1,
        }
    }
}

impl Drop for ReGuard<'_> {
    fn drop(&mut self) {
        let mut s = self.lock.state();
        s.1 -= 1;
        if s.1 == 0 {
            s.0 = 0;
            self.lock.cv.notify_one();
        }
    }
}

/// The nodes of a group. Each is boxed on purpose: `Shared::node` hands out
/// references that must stay valid while the vector grows.
#[allow(clippy::vec_box)]
type NodeList = Vec<Box<Node>>;

/// A group: the store of one or more instance trees (see the module doc),
/// and the state their nodes share.
pub struct Shared {
    lock: ReLock,
    store: UnsafeCell<Store>,
    /// While a native function runs: the store its caller lent it.
    active: AtomicPtr<Store>,
    /// Boxed, so that nodes keep their address as the group grows.
    nodes: RwLock<NodeList>,
    roots_alive: AtomicU32,
    exception: Mutex<Option<String>>,
    exception_text: UnsafeCell<[u8; EXCEPTION_LEN]>,
    /// The exec env of the running call (natives receive it).
    pub current_env: AtomicPtr<ExecEnv>,
    funcs: Mutex<Vec<(u32, String, RtBox<FuncRec>)>>,
    pub(crate) mems: Mutex<Vec<(u32, u32, RtBox<super::memory::MemRec>)>>,
    pub exit_code: AtomicU32,
    /// The WASI context of the group (from the first root that needs one).
    wasi: OnceLock<crate::wasi::Wasi>,
    engine: crate::runtime::Engine,
}

// SAFETY: the store is only reached under `lock` (see with_store), the
// exception text only under `exception`; everything else is Sync.
unsafe impl Sync for Shared {}
// SAFETY: as above; the store itself is Send.
unsafe impl Send for Shared {}

impl Shared {
    /// Runs `f` with the tree's store, holding the re-entrant lock. On the
    /// thread that holds it already, this is only possible from inside a
    /// native function, which lent its caller's store; anything else is
    /// refused.
    pub(crate) fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> Result<R, String> {
        let g = self.lock.lock();
        let active = self.active.load(Ordering::Acquire);
        if !active.is_null() {
            // SAFETY: set by a native function's wrapper on this thread (we
            // hold the lock) from the `&mut Store` its caller lent it; the
            // wrapper does not use that borrow until the native returns.
            return Ok(f(unsafe { &mut *active }));
        }
        if g.depth > 1 {
            return Err("the instance is busy on this thread".into());
        }
        // SAFETY: we hold the lock at depth 1 and no native is running, so
        // no other reference to the store exists.
        Ok(f(unsafe { &mut *self.store.get() }))
    }

    /// Lends `store` to nested API calls while `f` runs (a native function).
    pub(crate) fn lend_store<R>(&self, store: &mut Store, f: impl FnOnce() -> R) -> R {
        let old = self.active.swap(store as *mut Store, Ordering::AcqRel);
        let r = f();
        self.active.store(old, Ordering::Release);
        r
    }

    fn nodes(&self) -> std::sync::RwLockReadGuard<'_, NodeList> {
        self.nodes.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Node `i` of the group.
    pub(crate) fn node(&self, i: u32) -> &Node {
        let p: *const Node = &*self.nodes()[i as usize];
        // SAFETY: nodes are boxed and never removed while the group lives.
        unsafe { &*p }
    }

    /// The node whose instance is `inst`.
    pub(crate) fn node_of(&self, inst: Option<Instance>) -> Option<u32> {
        let inst = inst?;
        self.nodes()
            .iter()
            .position(|n| n.instance.get() == Some(&inst))
            .map(|p| p as u32)
    }

    /// The node called `name` in the tree of root `root`.
    pub(crate) fn node_by_name(&self, root: u32, name: &str) -> Option<u32> {
        let r = self.node(root);
        r.scope.iter().find(|(n, _)| n == name).map(|(_, i)| *i)
    }

    /// The own exec env of node `node`'s root.
    pub(crate) fn singleton(&self, node: u32) -> *mut ExecEnv {
        let root = self.node(node).root;
        self.node(root)
            .singleton
            .get()
            .map(|e| e.as_ptr())
            .unwrap_or(std::ptr::null_mut())
    }

    /// The exec env natives should see: the running call's, else the
    /// instance's own.
    pub(crate) fn env_for_natives(&self, node: u32) -> *mut ExecEnv {
        let e = self.current_env.load(Ordering::Acquire);
        if e.is_null() {
            self.singleton(node)
        } else {
            e
        }
    }

    /// Sets or clears the exception (without the "Exception: " prefix).
    pub(crate) fn set_exception(&self, msg: Option<&str>) {
        let mut e = self.exception.lock().unwrap_or_else(|p| p.into_inner());
        *e = msg.map(str::to_string);
        if let Some(m) = msg {
            let text = format!("Exception: {m}");
            let n = text.len().min(EXCEPTION_LEN - 1);
            // SAFETY: written only with `exception` locked; C reads it only
            // through the pointer from exception_ptr, as with WAMR.
            unsafe {
                let buf = &mut *self.exception_text.get();
                buf[..n].copy_from_slice(&text.as_bytes()[..n]);
                buf[n] = 0;
            }
        }
    }

    pub(crate) fn exception(&self) -> Option<String> {
        self.exception.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn exception_ptr(&self) -> *const c_char {
        let e = self.exception.lock().unwrap_or_else(|p| p.into_inner());
        if e.is_some() {
            self.exception_text.get() as *const c_char
        } else {
            std::ptr::null()
        }
    }

    /// Records a failed execution: an exit request is a success.
    pub(crate) fn record_trap(&self, t: &Trap) -> bool {
        if let Some(code) = t.exit_code() {
            self.exit_code.store(code as u32, Ordering::Release);
            return true;
        }
        self.set_exception(Some(t.message()));
        false
    }

    /// The record of export `name` of node `node` (cached, stable address).
    pub(crate) fn func_rec(&self, node: u32, name: &str) -> Option<*mut FuncRec> {
        let mut funcs = self.funcs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, _, r)) = funcs.iter().find(|(n, s, _)| *n == node && s == name) {
            return Some(r.as_ptr());
        }
        if node as usize >= self.nodes().len() {
            return None;
        }
        let inst = *self.node(node).instance.get()?;
        let (func, ty) = self
            .with_store(|s| {
                let f = inst.get_func(s, name)?;
                let ty = f.ty(s).ok()?;
                Some((f, ty))
            })
            .ok()??;
        let rec = RtBox::new(FuncRec {
            shared: self as *const Shared,
            node,
            func,
            ty,
        })?;
        let p = rec.as_ptr();
        funcs.push((node, name.to_string(), rec));
        Some(p)
    }
}

/// # Safety
/// `p` is NULL or a live `wasm_module_inst_t`.
pub(crate) unsafe fn inst_ref<'a>(p: *const ModuleInst) -> Option<&'a ModuleInst> {
    // SAFETY: per the contract.
    unsafe { p.as_ref() }
}

/// # Safety
/// `p` is NULL or a live `wasm_function_inst_t`.
pub(crate) unsafe fn func_ref<'a>(p: *const c_void) -> Option<&'a FuncRec> {
    // SAFETY: per the contract.
    unsafe { (p as *const FuncRec).as_ref() }
}

fn exports_func(module: &Module, name: &str) -> bool {
    module
        .exports()
        .any(|(n, t)| n == name && matches!(t, ExternType::Func(_)))
}

/// A WASI command: imports WASI and exports `_start`.
fn is_wasi_command(m: &WamrModule) -> bool {
    m.imports_wasi() && exports_func(&m.module, "_start")
}

fn command_as_dependency(name: &str) -> String {
    format!("module {name} is a WASI command (it exports _start) and cannot be a dependency; build it as a reactor")
}

/// A module of a tree to instantiate: a new instance, or the registered
/// instance of a registered module (group and node).
enum Entry {
    New(String, SendPtr<WamrModule>),
    Existing(String, SendPtr<Shared>, u32),
}

/// The dependency order: every dependency before its importers, each once,
/// the root last. A dependency with a registered instance is taken as it
/// is (its own dependencies are already linked).
fn tree_order(root: &WamrModule) -> Vec<Entry> {
    fn visit(m: &WamrModule, seen: &mut HashSet<String>, out: &mut Vec<Entry>) {
        for (name, dep) in &m.deps {
            if seen.insert(name.clone()) {
                // SAFETY: dependencies are registered modules, alive until
                // the runtime is destroyed.
                let d = unsafe { &*dep.0 };
                if let Some((g, n)) = d.registered_instance() {
                    out.push(Entry::Existing(name.clone(), g, n));
                    continue;
                }
                visit(d, seen, out);
                out.push(Entry::New(name.clone(), *dep));
            }
        }
    }
    let mut out = Vec::new();
    visit(root, &mut HashSet::new(), &mut out);
    out
}

/// A store whose value stack honours WAMR's `stack_size` (bytes of 32-bit
/// cells in WAMR; our cells are 64-bit, so one of ours per 4 bytes keeps the
/// same capacity in values). 0 keeps the engine's default; very small sizes
/// are raised to 1024 cells.
fn store_with_stack(engine: &crate::runtime::Engine, stack_size: u32) -> Store {
    let mut store = Store::new(engine);
    if stack_size > 0 {
        let cells = (stack_size as usize / 4).max(1024);
        store.set_stack_limits(cells, engine.config().max_call_depth);
    }
    store
}

pub(crate) fn instantiate(
    module: *mut WamrModule,
    stack_size: u32,
    heap_size: u32,
) -> Result<*mut ModuleInst, String> {
    // SAFETY: the caller passes NULL or a live module.
    let root_module = unsafe { module_ref(module) }.ok_or("the module is NULL")?;
    let mut order = tree_order(root_module);
    order.push(Entry::New(root_module.name(), SendPtr(module)));
    let mut groups: Vec<SendPtr<Shared>> = Vec::new();
    for e in &order {
        if let Entry::Existing(name, g, n) = e {
            // SAFETY: a registered instance's group is alive while the
            // instance is registered.
            let wm = unsafe { &*g.get() }.node(*n).wamr_module;
            // SAFETY: the module of a live instance is alive.
            if is_wasi_command(unsafe { &*wm.0 }) {
                return Err(command_as_dependency(name));
            }
            if !groups.contains(g) {
                groups.push(*g);
            }
        }
    }
    if groups.len() > 1 {
        return Err("the module depends on registered instances that live in different stores".into());
    }
    let owned = match groups.first() {
        Some(_) => None,
        None => Some(
            RtBox::new(Shared {
                lock: ReLock::new(),
                store: UnsafeCell::new(store_with_stack(root_module.module.engine(), stack_size)),
                active: AtomicPtr::new(std::ptr::null_mut()),
                nodes: RwLock::new(Vec::new()),
                roots_alive: AtomicU32::new(0),
                exception: Mutex::new(None),
                exception_text: UnsafeCell::new([0; EXCEPTION_LEN]),
                current_env: AtomicPtr::new(std::ptr::null_mut()),
                funcs: Mutex::new(Vec::new()),
                mems: Mutex::new(Vec::new()),
                exit_code: AtomicU32::new(0),
                wasi: OnceLock::new(),
                engine: root_module.module.engine().clone(),
            })
            .ok_or(OUT_OF_MEMORY)?,
        ),
    };
    let sp = match (&owned, groups.first()) {
        (Some(o), _) => o.as_ptr(),
        (None, Some(g)) => g.get(),
        (None, None) => return Err("internal error: no store".into()),
    };
    // SAFETY: a new group we own, or the live group of a registered instance.
    let shared = unsafe { &*sp };
    let root = build_tree(shared, SendPtr(sp), root_module, order, stack_size, heap_size)?;
    shared.roots_alive.fetch_add(1, Ordering::AcqRel);
    root_module.set_live_instance(Some((SendPtr(sp), root)));
    if let Some(o) = owned {
        // Owned from now on by its roots (see wasm_runtime_deinstantiate).
        let _ = o.into_raw();
    }
    Ok(shared.node(root).handle.as_ptr())
}

/// Adds the nodes of a tree to the group and instantiates them; returns
/// the root's node index. On failure, a new group is freed with everything
/// in it; nodes added to an existing group stay in its store, unused,
/// until the group is freed.
fn build_tree(
    shared: &Shared,
    sp: SendPtr<Shared>,
    root_module: &WamrModule,
    order: Vec<Entry>,
    stack_size: u32,
    heap_size: u32,
) -> Result<u32, String> {
    if !root_module.module.engine().same(&shared.engine) {
        return Err(
            "the module and the registered instance it depends on belong to different engines".into(),
        );
    }
    let uses_wasi = order.iter().any(|e| match e {
        // SAFETY: live modules (the root by contract, dependencies registered).
        Entry::New(_, m) => unsafe { &*m.0 }.imports_wasi(),
        Entry::Existing(..) => false,
    });
    if uses_wasi && shared.wasi.get().is_none() {
        let _ = shared.wasi.set(super::wasi::context(root_module)?);
    }
    // Add the nodes in one step, so that concurrent instantiations into
    // the same group get distinct indices.
    let (first, root, count) = {
        let mut nodes = shared.nodes.write().unwrap_or_else(|p| p.into_inner());
        let first = nodes.len() as u32;
        let mut scope = Vec::with_capacity(order.len());
        let mut next = first;
        for e in &order {
            match e {
                Entry::New(name, _) => {
                    scope.push((name.clone(), next));
                    next += 1;
                }
                Entry::Existing(name, _, n) => scope.push((name.clone(), *n)),
            }
        }
        let root = next - 1;
        let mut new_nodes = Vec::new();
        for e in order {
            let Entry::New(name, m) = e else {
                continue;
            };
            let index = first + new_nodes.len() as u32;
            let handle = RtBox::new(ModuleInst {
                shared: AtomicPtr::new(sp.get()),
                node: index,
            })
            .ok_or(OUT_OF_MEMORY)?;
            new_nodes.push(Box::new(Node {
                name,
                // SAFETY: live modules (see above).
                module: unsafe { &*m.0 }.module.clone(),
                wamr_module: m,
                instance: OnceLock::new(),
                handle,
                heap: Mutex::new(None),
                malloc_free: OnceLock::new(),
                root,
                scope: if index == root {
                    std::mem::take(&mut scope)
                } else {
                    Vec::new()
                },
                singleton: OnceLock::new(),
                custom_data: AtomicPtr::new(std::ptr::null_mut()),
            }));
        }
        let count = new_nodes.len() as u32;
        nodes.extend(new_nodes);
        (first, root, count)
    };
    let env = ExecEnv::new(shared.node(root).handle.as_ptr(), stack_size).ok_or(OUT_OF_MEMORY)?;
    let _ = shared.node(root).singleton.set(env);
    for i in first..first + count {
        instantiate_node(shared, sp, i, heap_size)?;
    }
    Ok(root)
}

const OUT_OF_MEMORY: &str = "out of memory: the runtime's allocator is exhausted";

fn instantiate_node(shared: &Shared, sp: SendPtr<Shared>, i: u32, heap_size: u32) -> Result<(), String> {
    let node = shared.node(i);
    let is_root = i == node.root;
    // SAFETY: the node's module is alive (see instantiate).
    let wm = unsafe { &*node.wamr_module.0 };
    let exports_func = |name: &str| exports_func(&node.module, name);
    if !is_root && is_wasi_command(wm) {
        return Err(command_as_dependency(&node.name));
    }
    let exports_memory = node
        .module
        .exports()
        .any(|(n, t)| n == "memory" && matches!(t, ExternType::Memory(_)));
    if wm.imports_wasi() && !exports_memory {
        let who = if node.name.is_empty() {
            "the module".to_string()
        } else {
            format!("module {}", node.name)
        };
        return Err(format!(
            "{who} imports WASI but does not export its memory as \"memory\""
        ));
    }
    let inst = shared
        .with_store(|store| -> Result<Instance, String> {
            let imports = link(shared, sp, store, i)?;
            Instance::new(store, &node.module, &imports).map_err(|e| e.to_string())
        })
        .and_then(|r| r)?;
    let _ = node.instance.set(inst);
    shared
        .with_store(|store| -> Result<(), String> {
            if heap_size > 0 {
                setup_heap(shared, store, i, inst, heap_size)?;
            }
            if exports_func("_initialize") && !exports_func("_start") {
                if let Some(f) = inst.get_func(store, "_initialize") {
                    f.call(store, &[], &mut []).map_err(|t| t.message().to_string())?;
                }
            }
            Ok(())
        })
        .and_then(|r| r)
}

/// Gives node `i` its app heap: the module's malloc/free if it exports
/// them, else `heap_size` bytes appended to memory 0 (for dependencies,
/// only to a memory of their own).
fn setup_heap(
    shared: &Shared,
    store: &mut Store,
    i: u32,
    inst: Instance,
    heap_size: u32,
) -> Result<(), String> {
    let node = shared.node(i);
    let malloc = inst.get_func(store, "malloc");
    let free = inst.get_func(store, "free");
    if let (Some(m), Some(f)) = (malloc, free) {
        let mt = m.ty(store).map_err(|e| e.to_string())?;
        let ft = f.ty(store).map_err(|e| e.to_string())?;
        if mt.params() == [ValType::I32] && mt.results() == [ValType::I32] && ft.params() == [ValType::I32] {
            let _ = node.malloc_free.set((m, f));
            return Ok(());
        }
    }
    let own_memory = node.module.info().num_imported_memories == 0;
    if i != node.root && !own_memory {
        return Ok(());
    }
    let Some(mem) = inst.memory(store, 0) else {
        return Ok(());
    };
    let pages = (heap_size as u64).div_ceil(crate::core::limits::PAGE_SIZE as u64);
    let old = mem
        .grow(store, pages)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!("cannot add an app heap of {heap_size} bytes: the memory cannot grow by {pages} pages")
        })?;
    let start = old * crate::core::limits::PAGE_SIZE as u64;
    let size = pages * crate::core::limits::PAGE_SIZE as u64;
    if start + size > u32::MAX as u64 + 1 {
        return Err("cannot add an app heap: the memory would exceed 4 GiB".into());
    }
    *node.heap.lock().unwrap_or_else(|p| p.into_inner()) = Some(AppHeap::new(start as u32, size as u32));
    Ok(())
}

/// The externs for node `i`'s imports, in order.
fn link(shared: &Shared, sp: SendPtr<Shared>, store: &mut Store, i: u32) -> Result<Vec<Extern>, String> {
    let node = shared.node(i);
    // SAFETY: alive (see instantiate).
    let wm = unsafe { &*node.wamr_module.0 };
    let mut out = Vec::with_capacity(node.module.imports().len());
    for imp in node.module.imports() {
        if wm.dep(&imp.module).is_some() {
            let dep = shared
                .node_by_name(node.root, &imp.module)
                .and_then(|d| shared.node(d).instance.get().copied())
                .ok_or_else(|| format!("dependency {} is not instantiated", imp.module))?;
            match dep.export(store, &imp.name) {
                Ok(Some(e)) => out.push(e),
                _ => {
                    return Err(format!(
                        "unknown import {}.{}: module {} has no such export",
                        imp.module, imp.name, imp.module
                    ))
                }
            }
            continue;
        }
        out.push(builtin(
            Some((sp, i)),
            shared.wasi.get(),
            store,
            &imp.module,
            &imp.name,
            &imp.ty,
        )?);
    }
    Ok(out)
}

/// An import not satisfied by a dependency: a registered native, a WASI
/// function, a spectest built-in, or a stand-in (a function that traps
/// when called, a fresh memory or table of the declared type, a zero
/// global).
pub(crate) fn builtin(
    natives_for: Option<(SendPtr<Shared>, u32)>,
    wasi: Option<&crate::wasi::Wasi>,
    store: &mut Store,
    module: &str,
    name: &str,
    ty: &ExternType,
) -> Result<Extern, String> {
    let err = |e: crate::core::Error| e.to_string();
    Ok(match ty {
        ExternType::Func(ft) => {
            let wasi_func = match wasi {
                Some(w) if is_wasi_name(module) => w.func(store, module, name).ok().flatten(),
                _ => None,
            };
            let native = natives_for.and_then(|nf| Some((nf, natives::resolve(module, name, ft)?)));
            if let Some(((sp, importer), n)) = native {
                Extern::Func(Func::new_host(
                    store,
                    ft.clone(),
                    natives::host_closure(sp, importer, n),
                ))
            } else if let Some(f) = wasi_func.filter(|f| f.ty(store).ok().as_ref() == Some(ft)) {
                Extern::Func(f)
            } else if module == "spectest" && name.starts_with("print") {
                Extern::Func(Func::new_host(store, ft.clone(), |_, args, _| {
                    let parts: Vec<String> = args.iter().map(describe_val).collect();
                    println!("{}", parts.join(" "));
                    Ok(())
                }))
            } else {
                let msg = format!("failed to call unlinked import function ({module}, {name})");
                Extern::Func(Func::new_host(store, ft.clone(), move |_, _, _| {
                    Err(Trap::host(msg.clone()))
                }))
            }
        }
        ExternType::Global(gt) => {
            let v = spectest_global(module, name, gt).unwrap_or_else(|| gt.content.default_val());
            Extern::Global(Global::new(store, *gt, v).map_err(err)?)
        }
        ExternType::Memory(mt) => {
            let t = if module == "spectest" && name == "memory" {
                MemoryType::new(1, Some(2))
            } else {
                *mt
            };
            Extern::Memory(Memory::new(store, t).map_err(err)?)
        }
        ExternType::Table(tt) => {
            let t = if module == "spectest" && name == "table" {
                TableType::new(RefType::FuncRef, 10, Some(20))
            } else {
                *tt
            };
            Extern::Table(Table::new(store, t, ValType::from(t.element).default_val()).map_err(err)?)
        }
    })
}

fn spectest_global(module: &str, name: &str, gt: &GlobalType) -> Option<Val> {
    if module != "spectest" || gt.mutability != Mutability::Const {
        return None;
    }
    match (name, gt.content) {
        ("global_i32", ValType::I32) => Some(Val::I32(666)),
        ("global_i64", ValType::I64) => Some(Val::I64(666)),
        ("global_f32", ValType::F32) => Some(Val::f32(666.6)),
        ("global_f64", ValType::F64) => Some(Val::f64(666.6)),
        _ => None,
    }
}

fn describe_val(v: &Val) -> String {
    match v {
        Val::I32(x) => format!("{x}:i32"),
        Val::I64(x) => format!("{x}:i64"),
        Val::F32(b) => format!("{}:f32", f32::from_bits(*b)),
        Val::F64(b) => format!("{}:f64", f64::from_bits(*b)),
        Val::FuncRef(f) => format!("{}:funcref", if f.is_some() { "func" } else { "null" }),
        Val::ExternRef(e) => format!("{}:externref", e.map(|e| e.raw()).unwrap_or(0)),
    }
}

/// # Safety
/// `module` is NULL or a live module; `error_buf` as usual.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_instantiate(
    module: *mut WamrModule,
    stack_size: u32,
    heap_size: u32,
    error_buf: *mut c_char,
    error_buf_size: u32,
) -> *mut ModuleInst {
    let out = guard(Err("internal error while instantiating".to_string()), || {
        instantiate(module, stack_size, heap_size)
    });
    match out {
        Ok(p) => p,
        Err(e) => {
            // SAFETY: the caller's error buffer.
            unsafe {
                set_error_buf(
                    error_buf,
                    error_buf_size,
                    &format!("WASM module instantiate failed: {e}"),
                )
            };
            std::ptr::null_mut()
        }
    }
}

/// `InstantiationArgs` (its first three fields).
#[repr(C)]
pub struct InstantiationArgs {
    pub default_stack_size: u32,
    pub host_managed_heap_size: u32,
    pub max_memory_pages: u32,
}

/// # Safety
/// As [`wasm_runtime_instantiate`]; `args` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_instantiate_ex(
    module: *mut WamrModule,
    args: *const InstantiationArgs,
    error_buf: *mut c_char,
    error_buf_size: u32,
) -> *mut ModuleInst {
    // SAFETY: NULL or valid per the contract.
    let (stack, heap) = match unsafe { args.as_ref() } {
        Some(a) => (a.default_stack_size, a.host_managed_heap_size),
        None => (0, 0),
    };
    // SAFETY: forwarded contract.
    unsafe { wasm_runtime_instantiate(module, stack, heap, error_buf, error_buf_size) }
}

/// # Safety
/// `inst` is NULL or a live instance handle, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_deinstantiate(inst: *mut ModuleInst) {
    guard((), || {
        // SAFETY: per the contract.
        let Some(h) = (unsafe { inst_ref(inst) }) else {
            return;
        };
        let node = h.node();
        if node.root != h.node {
            // A dependency's handle: it lives as long as its tree.
            return;
        }
        let shared = h.shared.load(Ordering::Acquire);
        // SAFETY: the root's module outlives its instances (WAMR's rule).
        unsafe { &*node.wamr_module.0 }.forget_instance(SendPtr(shared), h.node);
        if h.shared().roots_alive.fetch_sub(1, Ordering::AcqRel) == 1 {
            // SAFETY: the last root of the group owns it; made by
            // RtBox::into_raw in instantiate.
            drop(unsafe { RtBox::from_raw(shared) });
        }
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_module(inst: *mut ModuleInst) -> *mut WamrModule {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        unsafe { inst_ref(inst) }
            .map(|h| h.node().wamr_module.0)
            .unwrap_or(std::ptr::null_mut())
    })
}

/// # Safety
/// `inst` is NULL or live; `name` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_lookup_function(
    inst: *const ModuleInst,
    name: *const c_char,
) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        let (Some(h), Some(name)) = (unsafe { inst_ref(inst) }, unsafe { cstr(name) }) else {
            return std::ptr::null_mut();
        };
        lookup(h, name)
            .map(|p| p as *mut c_void)
            .unwrap_or(std::ptr::null_mut())
    })
}

/// Resolves `name` ("$mod$name" for dependency `mod`) to a record.
pub(crate) fn lookup(h: &ModuleInst, name: &str) -> Option<*mut FuncRec> {
    let shared = h.shared();
    if let Some((m, f)) = name.strip_prefix('$').and_then(|r| r.split_once('$')) {
        let node = shared.node_by_name(h.node().root, m)?;
        return shared.func_rec(node, f);
    }
    shared.func_rec(h.node, name)
}

pub(crate) fn valkind(t: ValType) -> u8 {
    match t {
        ValType::I32 => 0,
        ValType::I64 => 1,
        ValType::F32 => 2,
        ValType::F64 => 3,
        ValType::ExternRef => 128,
        ValType::FuncRef => 129,
    }
}

/// # Safety
/// `f` is NULL or a live function record.
#[no_mangle]
pub unsafe extern "C" fn wasm_func_get_param_count(f: *const c_void, _inst: *const ModuleInst) -> u32 {
    // SAFETY: per the contract.
    guard(0, || {
        unsafe { func_ref(f) }
            .map(|r| r.ty.params().len() as u32)
            .unwrap_or(0)
    })
}

/// # Safety
/// `f` is NULL or a live function record.
#[no_mangle]
pub unsafe extern "C" fn wasm_func_get_result_count(f: *const c_void, _inst: *const ModuleInst) -> u32 {
    // SAFETY: per the contract.
    guard(0, || {
        unsafe { func_ref(f) }
            .map(|r| r.ty.results().len() as u32)
            .unwrap_or(0)
    })
}

/// # Safety
/// `f` is NULL or live; `out` NULL or room for the parameter count.
#[no_mangle]
pub unsafe extern "C" fn wasm_func_get_param_types(f: *const c_void, _inst: *const ModuleInst, out: *mut u8) {
    guard((), || {
        // SAFETY: per the contract.
        if let (Some(r), false) = (unsafe { func_ref(f) }, out.is_null()) {
            for (i, t) in r.ty.params().iter().enumerate() {
                // SAFETY: the caller provides room for every parameter.
                unsafe { *out.add(i) = valkind(*t) };
            }
        }
    })
}

/// # Safety
/// `f` is NULL or live; `out` NULL or room for the result count.
#[no_mangle]
pub unsafe extern "C" fn wasm_func_get_result_types(
    f: *const c_void,
    _inst: *const ModuleInst,
    out: *mut u8,
) {
    guard((), || {
        // SAFETY: per the contract.
        if let (Some(r), false) = (unsafe { func_ref(f) }, out.is_null()) {
            for (i, t) in r.ty.results().iter().enumerate() {
                // SAFETY: the caller provides room for every result.
                unsafe { *out.add(i) = valkind(*t) };
            }
        }
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_set_custom_data(inst: *mut ModuleInst, data: *mut c_void) {
    guard((), || {
        // SAFETY: per the contract.
        if let Some(h) = unsafe { inst_ref(inst) } {
            h.node().custom_data.store(data, Ordering::Release);
        }
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_custom_data(inst: *mut ModuleInst) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        unsafe { inst_ref(inst) }
            .map(|h| h.node().custom_data.load(Ordering::Acquire))
            .unwrap_or(std::ptr::null_mut())
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_set_running_mode(inst: *mut ModuleInst, mode: u32) -> bool {
    // SAFETY: per the contract.
    guard(false, || {
        unsafe { inst_ref(inst) }.is_some() && mode == super::runtime::MODE_INTERP
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_running_mode(inst: *mut ModuleInst) -> u32 {
    // SAFETY: per the contract.
    guard(0, || {
        if unsafe { inst_ref(inst) }.is_some() {
            super::runtime::MODE_INTERP
        } else {
            0
        }
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_is_wasi_mode(inst: *mut ModuleInst) -> bool {
    guard(false, || {
        // SAFETY: per the contract; the node's module is alive.
        unsafe { inst_ref(inst) }
            .map(|h| h.node().module.imports().iter().any(|i| is_wasi_name(&i.module)))
            .unwrap_or(false)
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_lookup_wasi_start_function(inst: *mut ModuleInst) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        unsafe { inst_ref(inst) }
            .and_then(|h| lookup(h, "_start"))
            .map(|p| p as *mut c_void)
            .unwrap_or(std::ptr::null_mut())
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_wasi_exit_code(inst: *mut ModuleInst) -> u32 {
    guard(0, || {
        // SAFETY: per the contract.
        unsafe { inst_ref(inst) }
            .map(|h| h.shared().exit_code.load(Ordering::Acquire))
            .unwrap_or(0)
    })
}

#[cfg(test)]
mod stack_size_tests {
    use super::store_with_stack;
    use crate::runtime::Engine;

    #[test]
    fn stack_size_bounds_the_value_stack() {
        let engine = Engine::default();
        assert_eq!(store_with_stack(&engine, 64 * 1024).stack_limits().0, 16 * 1024);
        assert_eq!(store_with_stack(&engine, 100).stack_limits().0, 1024);
        let default = engine.config().max_stack_cells;
        assert_eq!(store_with_stack(&engine, 0).stack_limits().0, default);
    }
}
