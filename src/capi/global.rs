//! `wasm_global_t`: globals, stand-alone or exported, read and written
//! from the host. An imported global is its exporter's global.

use super::ffi;
use super::refs::{declare_ref, wasm_ref_t, RefKind};
use super::store::wasm_store_t;
use super::types::globaltype::{wasm_globaltype_t, CGlobalType};
use super::val::wasm_val_t;
use crate::runtime::Global;
use std::mem::MaybeUninit;

pub type wasm_global_t = wasm_ref_t;

declare_ref!(
    wasm_global_delete,
    wasm_global_copy,
    wasm_global_same,
    wasm_global_get_host_info,
    wasm_global_set_host_info,
    wasm_global_set_host_info_with_finalizer,
    wasm_global_as_ref,
    wasm_ref_as_global,
    wasm_global_as_ref_const,
    wasm_ref_as_global_const,
    is_global
);

impl wasm_ref_t {
    pub(crate) fn as_global(&self) -> Option<Global> {
        match self.core.kind {
            RefKind::Global(g) => Some(g),
            _ => None,
        }
    }
}

/// NULL when the value does not have the global's content type.
#[no_mangle]
pub extern "C" fn wasm_global_new(
    store: Option<&wasm_store_t>,
    ty: Option<&wasm_globaltype_t>,
    val: Option<&wasm_val_t>,
) -> Option<Box<wasm_global_t>> {
    ffi(|| {
        let store = &store?.inner;
        let ty = ty?.data().to_engine()?;
        let v = val?.to_engine(store, Some(ty.content)).ok()?;
        let g = store.with(|s| Global::new(s, ty, v)).ok()?;
        Some(store.make_ref(RefKind::Global(g)))
    })
}

#[no_mangle]
pub extern "C" fn wasm_global_type(g: Option<&wasm_global_t>) -> Option<Box<wasm_globaltype_t>> {
    ffi(|| {
        let g = g?;
        let global = g.as_global()?;
        let ty = g.store.with(|s| global.ty(s)).ok()?;
        Some(wasm_globaltype_t::new(CGlobalType::from_engine(&ty)))
    })
}

/// Writes the current value to `out` (i32 0 when `g` is not a global).
#[no_mangle]
pub extern "C" fn wasm_global_get(g: Option<&wasm_global_t>, out: Option<&mut MaybeUninit<wasm_val_t>>) {
    ffi(|| {
        let Some(out) = out else { return };
        let v = g.and_then(|g| {
            let global = g.as_global()?;
            let v = g.store.with(|s| global.get(s)).ok()?;
            Some(wasm_val_t::from_engine(&g.store, v))
        });
        out.write(v.unwrap_or_else(|| wasm_val_t::i32(0)));
    })
}

/// Sets a mutable global; an immutable global or a value of the wrong
/// kind leaves it unchanged.
#[no_mangle]
pub extern "C" fn wasm_global_set(g: Option<&wasm_global_t>, val: Option<&wasm_val_t>) {
    ffi(|| {
        let (Some(g), Some(val)) = (g, val) else { return };
        let Some(global) = g.as_global() else { return };
        let Ok(ty) = g.store.with(|s| global.ty(s)) else {
            return;
        };
        if let Ok(v) = val.to_engine(&g.store, Some(ty.content)) {
            let _ = g.store.with(|s| global.set(s, v));
        }
    })
}
