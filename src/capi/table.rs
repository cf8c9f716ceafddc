//! `wasm_table_t`: tables of references, stand-alone or exported: get,
//! set, size and grow from the host. Elements cross the API as `wasm_ref_t`
//! (a function for funcref tables, any reference for externref tables).

use super::ffi;
use super::refs::{declare_ref, wasm_ref_t, RefKind};
use super::store::{wasm_store_t, StoreInner};
use super::types::tabletype::{wasm_tabletype_t, CTableType};
use crate::core::{ExternRef, RefType, Val};
use crate::runtime::Table;

pub type wasm_table_t = wasm_ref_t;
pub type wasm_table_size_t = u32;

declare_ref!(
    wasm_table_delete,
    wasm_table_copy,
    wasm_table_same,
    wasm_table_get_host_info,
    wasm_table_set_host_info,
    wasm_table_set_host_info_with_finalizer,
    wasm_table_as_ref,
    wasm_ref_as_table,
    wasm_table_as_ref_const,
    wasm_ref_as_table_const,
    is_table
);

/// The element value for `r` in a table of `element`s (`None` if a
/// funcref table is given something other than a function).
pub(crate) fn ref_to_val(store: &StoreInner, element: RefType, r: Option<&wasm_ref_t>) -> Option<Val> {
    Some(match element {
        RefType::FuncRef => Val::FuncRef(match r {
            None => None,
            Some(r) => Some(r.as_func()?),
        }),
        RefType::ExternRef => Val::ExternRef(match r {
            None => None,
            Some(r) => ExternRef::from_raw(store.externrefs.borrow_mut().intern(&r.core)),
        }),
    })
}

/// A new handle for a reference value (`None` for null).
pub(crate) fn val_to_ref(store: &StoreInner, v: Val) -> Option<Box<wasm_ref_t>> {
    match v {
        Val::FuncRef(Some(f)) => Some(store.make_ref(RefKind::Func(f))),
        Val::ExternRef(Some(e)) => {
            let core = store.externrefs.borrow().get(e.raw())?;
            Some(store.ref_from_core(core))
        }
        _ => None,
    }
}

impl wasm_ref_t {
    fn as_table(&self) -> Option<Table> {
        match self.core.kind {
            RefKind::Table(t) => Some(t),
            _ => None,
        }
    }

    fn table_element(&self) -> Option<(Table, RefType)> {
        let t = self.as_table()?;
        let ty = self.store.with(|s| t.ty(s)).ok()?;
        Some((t, ty.element))
    }
}

/// `init` (borrowed, may be NULL) fills the initial elements.
#[no_mangle]
pub extern "C" fn wasm_table_new(
    store: Option<&wasm_store_t>,
    ty: Option<&wasm_tabletype_t>,
    init: Option<&wasm_ref_t>,
) -> Option<Box<wasm_table_t>> {
    ffi(|| {
        let store = &store?.inner;
        let ty = ty?.data().to_engine()?;
        let init = ref_to_val(store, ty.element, init)?;
        let t = store.with(|s| Table::new(s, ty, init)).ok()?;
        Some(store.make_ref(RefKind::Table(t)))
    })
}

#[no_mangle]
pub extern "C" fn wasm_table_type(t: Option<&wasm_table_t>) -> Option<Box<wasm_tabletype_t>> {
    ffi(|| {
        let t = t?;
        let table = t.as_table()?;
        let ty = t.store.with(|s| table.ty(s)).ok()?;
        Some(wasm_tabletype_t::new(CTableType::from_engine(&ty)))
    })
}

/// The element at `index`: NULL for a null element or out of bounds.
#[no_mangle]
pub extern "C" fn wasm_table_get(
    t: Option<&wasm_table_t>,
    index: wasm_table_size_t,
) -> Option<Box<wasm_ref_t>> {
    ffi(|| {
        let t = t?;
        let table = t.as_table()?;
        let v = t.store.with(|s| table.get(s, u64::from(index))).ok()??;
        val_to_ref(&t.store, v)
    })
}

/// False when out of bounds or when `r` does not fit the element type.
#[no_mangle]
pub extern "C" fn wasm_table_set(
    t: Option<&wasm_table_t>,
    index: wasm_table_size_t,
    r: Option<&wasm_ref_t>,
) -> bool {
    ffi(|| {
        let Some(t) = t else { return false };
        let Some((table, element)) = t.table_element() else {
            return false;
        };
        let Some(v) = ref_to_val(&t.store, element, r) else {
            return false;
        };
        t.store.with(|s| table.set(s, u64::from(index), v)).is_ok()
    })
}

#[no_mangle]
pub extern "C" fn wasm_table_size(t: Option<&wasm_table_t>) -> wasm_table_size_t {
    ffi(|| {
        t.and_then(|t| {
            let table = t.as_table()?;
            t.store.with(|s| table.size(s)).ok()
        })
        .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
    })
}

/// Grows by `delta` elements set to `init`; false past the maximum.
#[no_mangle]
pub extern "C" fn wasm_table_grow(
    t: Option<&wasm_table_t>,
    delta: wasm_table_size_t,
    init: Option<&wasm_ref_t>,
) -> bool {
    ffi(|| {
        let Some(t) = t else { return false };
        let Some((table, element)) = t.table_element() else {
            return false;
        };
        let Some(v) = ref_to_val(&t.store, element, init) else {
            return false;
        };
        matches!(t.store.with(|s| table.grow(s, u64::from(delta), v)), Ok(Some(_)))
    })
}
