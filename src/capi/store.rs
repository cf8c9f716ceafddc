//! `wasm_store_t` and the per-store state the C API needs beyond the Rust
//! `Store`: the shared host-info record of every entity that has live
//! handles, the table that maps externref payloads to C references, and
//! the access discipline that lets host callbacks reach the store.
//!
//! Access discipline: the Rust `Store` is owned through a raw pointer.
//! Outside calls, [`StoreInner::with`] lends it out from that pointer.
//! While wasm runs, the executor holds the store mutably and lends it to
//! host functions through their `Caller`; a host callback records that
//! reborrow with [`StoreInner::enter_callback`], and any C API call made
//! from the callback uses it. So at any time exactly one live mutable path
//! to the store is in use, and re-entrant use is caught (a panic, which the
//! boundary turns into an error) instead of aliasing.

use super::engine::wasm_engine_t;
use super::ffi;
use super::refs::{Identity, RefCore};
use crate::runtime::{Engine, Store};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

/// A store handle. Objects created in the store keep it alive, so deleting
/// the handle before them is harmless.
pub struct wasm_store_t {
    pub(crate) inner: Rc<StoreInner>,
}

/// Identifies an entity of a store for its shared host-info record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct EntityKey {
    pub kind: u8,
    pub index: u32,
}

/// References that wasm holds as externref values: payload `i + 1` is
/// `entries[i]`. Entries live as long as the store (wasm may keep a
/// reference anywhere), and a reference passed again gets its old payload.
#[derive(Default)]
pub(crate) struct ExternRefTable {
    entries: Vec<RefCore>,
    by_identity: HashMap<*const Identity, u64>,
}

impl ExternRefTable {
    pub(crate) fn intern(&mut self, core: &RefCore) -> u64 {
        let key = Rc::as_ptr(&core.ident);
        if let Some(&id) = self.by_identity.get(&key) {
            return id;
        }
        self.entries.push(core.clone());
        let id = self.entries.len() as u64;
        self.by_identity.insert(key, id);
        id
    }

    pub(crate) fn get(&self, payload: u64) -> Option<RefCore> {
        let i = usize::try_from(payload.checked_sub(1)?).ok()?;
        self.entries.get(i).cloned()
    }
}

pub(crate) struct StoreInner {
    /// The store, from `Box::into_raw`; freed in `Drop`.
    base: *mut Store,
    /// The store as lent to the host callback running now (null if none).
    active: Cell<*mut Store>,
    /// True while a `with` closure holds the store.
    borrowed: Cell<bool>,
    pub(crate) engine: Engine,
    pub(crate) store_id: u32,
    pub(crate) identities: RefCell<HashMap<EntityKey, Weak<Identity>>>,
    pub(crate) externrefs: RefCell<ExternRefTable>,
    pub(crate) self_weak: Weak<StoreInner>,
}

/// Restores the store's access state when a `with` or a callback ends.
pub(crate) struct AccessGuard<'a> {
    inner: &'a StoreInner,
    active: *mut Store,
    borrowed: bool,
}

impl Drop for AccessGuard<'_> {
    fn drop(&mut self) {
        self.inner.active.set(self.active);
        self.inner.borrowed.set(self.borrowed);
    }
}

impl StoreInner {
    pub(crate) fn new(engine: &Engine) -> Rc<StoreInner> {
        let store = Box::new(Store::new(engine));
        let store_id = store.id;
        Rc::new_cyclic(|w| StoreInner {
            base: Box::into_raw(store),
            active: Cell::new(std::ptr::null_mut()),
            borrowed: Cell::new(false),
            engine: engine.clone(),
            store_id,
            identities: RefCell::new(HashMap::new()),
            externrefs: RefCell::new(ExternRefTable::default()),
            self_weak: w.clone(),
        })
    }

    /// Lends the store to `f`. Must not be nested (except through a host
    /// callback, see the module documentation).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        assert!(!self.borrowed.get(), "the store is already in use");
        let active = self.active.get();
        let p = if active.is_null() { self.base } else { active };
        let _guard = AccessGuard {
            inner: self,
            active,
            borrowed: false,
        };
        self.borrowed.set(true);
        // SAFETY: `p` is either `base` (the live boxed store, used only
        // here, and no other borrow exists since `borrowed` was false) or
        // the reborrow that the executor lent to the running host callback,
        // which stays valid until the callback returns; `borrowed` ensures
        // this is the only reference made from it at a time.
        f(unsafe { &mut *p })
    }

    /// Records `store` (the running callback's view of this store) as the
    /// one to use until the guard is dropped.
    pub(crate) fn enter_callback(&self, store: &mut Store) -> AccessGuard<'_> {
        let guard = AccessGuard {
            inner: self,
            active: self.active.get(),
            borrowed: self.borrowed.get(),
        };
        self.active.set(store as *mut Store);
        self.borrowed.set(false);
        guard
    }

    /// A strong reference to this store.
    pub(crate) fn rc(&self) -> Rc<StoreInner> {
        self.self_weak.upgrade().expect("store is alive while in use")
    }
}

impl Drop for StoreInner {
    fn drop(&mut self) {
        // SAFETY: `base` came from `Box::into_raw` in `new` and is freed
        // only here; no borrow of it can outlive the `StoreInner`.
        drop(unsafe { Box::from_raw(self.base) });
        // The externref table (and the finalizers of what it holds) goes
        // with the other fields, after the store itself.
    }
}

#[no_mangle]
pub extern "C" fn wasm_store_new(engine: Option<&wasm_engine_t>) -> Option<Box<wasm_store_t>> {
    ffi(|| {
        let engine = engine?;
        Some(Box::new(wasm_store_t {
            inner: StoreInner::new(&engine.engine),
        }))
    })
}

#[no_mangle]
pub extern "C" fn wasm_store_delete(store: Option<Box<wasm_store_t>>) {
    ffi(|| drop(store))
}
