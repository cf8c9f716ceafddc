//! References: the single handle type behind every reference type of the
//! C API (`wasm_ref_t`, and `wasm_func_t`, `wasm_global_t`, `wasm_table_t`,
//! `wasm_memory_t`, `wasm_extern_t`, `wasm_instance_t`, `wasm_module_t`,
//! `wasm_trap_t`, `wasm_foreign_t` as views of it), host information with
//! finalizers, identity (`wasm_*_same`), the `declare_ref!` macro that
//! generates each reference family, and foreign objects.
//!
//! Host information lives in an [`Identity`] shared by every handle to the
//! same object: for store entities (functions, globals, tables, memories,
//! instances) the store keeps the record keyed by entity while any handle
//! is alive; for modules, traps and foreign objects it is created with the
//! object and shared by its copies. When the last handle (or externref
//! held by wasm) goes, the record is dropped and its finalizer runs, once.

use super::ffi;
use super::store::{wasm_store_t, EntityKey, StoreInner};
use crate::core::Trap;
use crate::module::Module;
use crate::runtime::{Extern, Func, Global, Instance, Memory, Table};
use std::cell::Cell;
use std::ffi::c_void;
use std::rc::{Rc, Weak};

/// A host-info finalizer.
pub type wasm_finalizer_t = Option<unsafe extern "C" fn(*mut c_void)>;

/// Host information shared by all handles to one object.
pub(crate) struct Identity {
    info: Cell<*mut c_void>,
    finalizer: Cell<wasm_finalizer_t>,
    key: Option<EntityKey>,
    store: Weak<StoreInner>,
    /// A module's name (`wasm_module_set_name`), shared by its copies.
    pub(crate) name: std::cell::RefCell<Option<std::ffi::CString>>,
}

impl Identity {
    fn new(key: Option<EntityKey>, store: Weak<StoreInner>) -> Identity {
        Identity {
            info: Cell::new(std::ptr::null_mut()),
            finalizer: Cell::new(None),
            key,
            store,
            name: std::cell::RefCell::new(None),
        }
    }

    pub(crate) fn info(&self) -> *mut c_void {
        self.info.get()
    }

    /// Replaces the host information; a previous finalizer runs on the
    /// previous information (each finalizer runs exactly once).
    pub(crate) fn set(&self, info: *mut c_void, finalizer: wasm_finalizer_t) {
        let old_info = self.info.replace(info);
        let old_fin = self.finalizer.replace(finalizer);
        if let Some(f) = old_fin {
            // SAFETY: the embedder registered `f` for `old_info`.
            unsafe { f(old_info) }
        }
    }
}

impl Drop for Identity {
    fn drop(&mut self) {
        if let (Some(key), Some(store)) = (self.key, self.store.upgrade()) {
            if let Ok(mut map) = store.identities.try_borrow_mut() {
                if map.get(&key).is_some_and(|w| std::ptr::eq(w.as_ptr(), self)) {
                    map.remove(&key);
                }
            }
        }
        if let Some(f) = self.finalizer.take() {
            // SAFETY: the embedder registered `f` for this information and
            // it runs once, now that the last reference is gone.
            unsafe { f(self.info.get()) }
        }
    }
}

/// What a handle refers to.
#[derive(Clone)]
pub(crate) enum RefKind {
    Func(Func),
    Global(Global),
    Table(Table),
    Memory(Memory),
    Instance(Instance),
    Module(Module),
    Trap(Trap),
    Foreign,
}

impl RefKind {
    /// The store entity this refers to, if any (its host-info key).
    fn entity_key(&self) -> Option<EntityKey> {
        let (kind, index) = match self {
            RefKind::Func(f) => (0, f.index()),
            RefKind::Global(g) => (1, g.index()),
            RefKind::Table(t) => (2, t.index()),
            RefKind::Memory(m) => (3, m.index()),
            RefKind::Instance(i) => (4, i.index()),
            _ => return None,
        };
        Some(EntityKey { kind, index })
    }

    pub(crate) fn as_extern(&self) -> Option<Extern> {
        match self {
            RefKind::Func(f) => Some(Extern::Func(*f)),
            RefKind::Global(g) => Some(Extern::Global(*g)),
            RefKind::Table(t) => Some(Extern::Table(*t)),
            RefKind::Memory(m) => Some(Extern::Memory(*m)),
            _ => None,
        }
    }

    pub(crate) fn from_extern(e: Extern) -> RefKind {
        match e {
            Extern::Func(f) => RefKind::Func(f),
            Extern::Global(g) => RefKind::Global(g),
            Extern::Table(t) => RefKind::Table(t),
            Extern::Memory(m) => RefKind::Memory(m),
        }
    }

    pub(crate) fn is_func(&self) -> bool {
        matches!(self, RefKind::Func(_))
    }
    pub(crate) fn is_global(&self) -> bool {
        matches!(self, RefKind::Global(_))
    }
    pub(crate) fn is_table(&self) -> bool {
        matches!(self, RefKind::Table(_))
    }
    pub(crate) fn is_memory(&self) -> bool {
        matches!(self, RefKind::Memory(_))
    }
    pub(crate) fn is_extern(&self) -> bool {
        self.as_extern().is_some()
    }
    pub(crate) fn is_instance(&self) -> bool {
        matches!(self, RefKind::Instance(_))
    }
    pub(crate) fn is_module(&self) -> bool {
        matches!(self, RefKind::Module(_))
    }
    pub(crate) fn is_trap(&self) -> bool {
        matches!(self, RefKind::Trap(_))
    }
    pub(crate) fn is_foreign(&self) -> bool {
        matches!(self, RefKind::Foreign)
    }
}

/// A reference without its store: what an externref payload stands for.
#[derive(Clone)]
pub(crate) struct RefCore {
    pub kind: RefKind,
    pub ident: Rc<Identity>,
}

impl RefCore {
    fn same(&self, other: &RefCore) -> bool {
        match (&self.kind, &other.kind) {
            (RefKind::Func(a), RefKind::Func(b)) => a == b,
            (RefKind::Global(a), RefKind::Global(b)) => a == b,
            (RefKind::Table(a), RefKind::Table(b)) => a == b,
            (RefKind::Memory(a), RefKind::Memory(b)) => a == b,
            (RefKind::Instance(a), RefKind::Instance(b)) => a == b,
            (RefKind::Module(a), RefKind::Module(b)) => a.same(b),
            _ => Rc::ptr_eq(&self.ident, &other.ident),
        }
    }
}

/// The handle behind every reference type. Fields drop in order: the
/// identity (and maybe its finalizer) first, while the store is alive.
pub struct wasm_ref_t {
    pub(crate) core: RefCore,
    pub(crate) store: Rc<StoreInner>,
}

impl StoreInner {
    /// A new handle to `kind`: store entities share one identity per
    /// entity; anything else gets a fresh identity.
    pub(crate) fn make_ref(&self, kind: RefKind) -> Box<wasm_ref_t> {
        let key = kind.entity_key();
        let ident = match key {
            Some(key) => {
                let mut map = self.identities.borrow_mut();
                match map.get(&key).and_then(Weak::upgrade) {
                    Some(rc) => rc,
                    None => {
                        let rc = Rc::new(Identity::new(Some(key), self.self_weak.clone()));
                        map.insert(key, Rc::downgrade(&rc));
                        rc
                    }
                }
            }
            None => Rc::new(Identity::new(None, self.self_weak.clone())),
        };
        Box::new(wasm_ref_t {
            core: RefCore { kind, ident },
            store: self.rc(),
        })
    }

    /// A handle for a reference held as an externref payload.
    pub(crate) fn ref_from_core(&self, core: RefCore) -> Box<wasm_ref_t> {
        Box::new(wasm_ref_t {
            core,
            store: self.rc(),
        })
    }
}

impl wasm_ref_t {
    pub(crate) fn copy_ref(&self) -> Box<wasm_ref_t> {
        Box::new(wasm_ref_t {
            core: self.core.clone(),
            store: self.store.clone(),
        })
    }
}

impl super::vec::CopyObj for wasm_ref_t {
    fn copy_obj(&self) -> Box<Self> {
        self.copy_ref()
    }
}

/// Generates the functions of one reference family. `$is` tells whether a
/// `wasm_ref_t` is of this family (for the checked `ref_as` views).
macro_rules! declare_ref {
    (base: $delete:ident, $copy:ident, $same:ident, $get:ident, $set:ident, $set_fin:ident) => {
        #[no_mangle]
        pub extern "C" fn $delete(r: Option<Box<$crate::capi::refs::wasm_ref_t>>) {
            $crate::capi::ffi(|| drop(r))
        }

        #[no_mangle]
        pub extern "C" fn $copy(
            r: Option<&$crate::capi::refs::wasm_ref_t>,
        ) -> Option<Box<$crate::capi::refs::wasm_ref_t>> {
            $crate::capi::ffi(|| Some(r?.copy_ref()))
        }

        #[no_mangle]
        pub extern "C" fn $same(
            a: Option<&$crate::capi::refs::wasm_ref_t>,
            b: Option<&$crate::capi::refs::wasm_ref_t>,
        ) -> bool {
            $crate::capi::ffi(|| $crate::capi::refs::same(a, b))
        }

        #[no_mangle]
        pub extern "C" fn $get(r: Option<&$crate::capi::refs::wasm_ref_t>) -> *mut std::ffi::c_void {
            $crate::capi::ffi_or(std::ptr::null_mut(), || {
                r.map_or(std::ptr::null_mut(), |r| r.core.ident.info())
            })
        }

        #[no_mangle]
        pub extern "C" fn $set(r: Option<&$crate::capi::refs::wasm_ref_t>, info: *mut std::ffi::c_void) {
            $crate::capi::ffi(|| {
                if let Some(r) = r {
                    r.core.ident.set(info, None)
                }
            })
        }

        #[no_mangle]
        pub extern "C" fn $set_fin(
            r: Option<&$crate::capi::refs::wasm_ref_t>,
            info: *mut std::ffi::c_void,
            finalizer: $crate::capi::refs::wasm_finalizer_t,
        ) {
            $crate::capi::ffi(|| {
                if let Some(r) = r {
                    r.core.ident.set(info, finalizer)
                }
            })
        }
    };
    (
        $delete:ident, $copy:ident, $same:ident, $get:ident, $set:ident, $set_fin:ident,
        $as_ref:ident, $ref_as:ident, $as_ref_const:ident, $ref_as_const:ident, $is:ident
    ) => {
        $crate::capi::refs::declare_ref!(base: $delete, $copy, $same, $get, $set, $set_fin);

        #[no_mangle]
        pub extern "C" fn $as_ref(
            r: Option<&$crate::capi::refs::wasm_ref_t>,
        ) -> Option<&$crate::capi::refs::wasm_ref_t> {
            r
        }

        #[no_mangle]
        pub extern "C" fn $ref_as(
            r: Option<&$crate::capi::refs::wasm_ref_t>,
        ) -> Option<&$crate::capi::refs::wasm_ref_t> {
            r.filter(|r| r.core.kind.$is())
        }

        #[no_mangle]
        pub extern "C" fn $as_ref_const(
            r: Option<&$crate::capi::refs::wasm_ref_t>,
        ) -> Option<&$crate::capi::refs::wasm_ref_t> {
            r
        }

        #[no_mangle]
        pub extern "C" fn $ref_as_const(
            r: Option<&$crate::capi::refs::wasm_ref_t>,
        ) -> Option<&$crate::capi::refs::wasm_ref_t> {
            r.filter(|r| r.core.kind.$is())
        }
    };
}

pub(crate) use declare_ref;

/// `wasm_*_same`: both non-NULL and naming the same object.
pub(crate) fn same(a: Option<&wasm_ref_t>, b: Option<&wasm_ref_t>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.store.store_id == b.store.store_id && a.core.same(&b.core),
        _ => false,
    }
}

declare_ref!(
    base: wasm_ref_delete,
    wasm_ref_copy,
    wasm_ref_same,
    wasm_ref_get_host_info,
    wasm_ref_set_host_info,
    wasm_ref_set_host_info_with_finalizer
);

/// `wasm_foreign_t`: a host object wasm can hold as an externref.
pub type wasm_foreign_t = wasm_ref_t;

declare_ref!(
    wasm_foreign_delete,
    wasm_foreign_copy,
    wasm_foreign_same,
    wasm_foreign_get_host_info,
    wasm_foreign_set_host_info,
    wasm_foreign_set_host_info_with_finalizer,
    wasm_foreign_as_ref,
    wasm_ref_as_foreign,
    wasm_foreign_as_ref_const,
    wasm_ref_as_foreign_const,
    is_foreign
);

#[no_mangle]
pub extern "C" fn wasm_foreign_new(store: Option<&wasm_store_t>) -> Option<Box<wasm_foreign_t>> {
    ffi(|| Some(store?.inner.make_ref(RefKind::Foreign)))
}
