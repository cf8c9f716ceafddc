//! `wasm_memory_t`: linear memories, stand-alone or exported: data, size
//! and growth from the host. The data pointer stays valid across growth
//! (the engine never moves a memory).

use super::refs::{declare_ref, wasm_ref_t, RefKind};
use super::store::wasm_store_t;
use super::types::memorytype::{wasm_memorytype_t, CMemoryType};
use super::{ffi, ffi_or};
use crate::runtime::Memory;
use std::ffi::c_char;

pub type wasm_memory_t = wasm_ref_t;
pub type wasm_memory_pages_t = u32;

declare_ref!(
    wasm_memory_delete,
    wasm_memory_copy,
    wasm_memory_same,
    wasm_memory_get_host_info,
    wasm_memory_set_host_info,
    wasm_memory_set_host_info_with_finalizer,
    wasm_memory_as_ref,
    wasm_ref_as_memory,
    wasm_memory_as_ref_const,
    wasm_ref_as_memory_const,
    is_memory
);

impl wasm_ref_t {
    fn as_memory(&self) -> Option<Memory> {
        match self.core.kind {
            RefKind::Memory(m) => Some(m),
            _ => None,
        }
    }
}

#[no_mangle]
pub extern "C" fn wasm_memory_new(
    store: Option<&wasm_store_t>,
    ty: Option<&wasm_memorytype_t>,
) -> Option<Box<wasm_memory_t>> {
    ffi(|| {
        let store = &store?.inner;
        let ty = ty?.data().to_engine();
        let m = store.with(|s| Memory::new(s, ty)).ok()?;
        Some(store.make_ref(RefKind::Memory(m)))
    })
}

#[no_mangle]
pub extern "C" fn wasm_memory_type(m: Option<&wasm_memory_t>) -> Option<Box<wasm_memorytype_t>> {
    ffi(|| {
        let m = m?;
        let memory = m.as_memory()?;
        let ty = m.store.with(|s| memory.ty(s)).ok()?;
        Some(wasm_memorytype_t::new(CMemoryType::from_engine(&ty)))
    })
}

/// The first byte of the memory (NULL when `m` is not a memory).
#[no_mangle]
pub extern "C" fn wasm_memory_data(m: Option<&wasm_memory_t>) -> *mut c_char {
    ffi_or(std::ptr::null_mut(), || {
        let Some(m) = m else { return std::ptr::null_mut() };
        let Some(memory) = m.as_memory() else {
            return std::ptr::null_mut();
        };
        m.store
            .with(|s| memory.data_mut(s).map(|d| d.as_mut_ptr() as *mut c_char))
            .unwrap_or(std::ptr::null_mut())
    })
}

#[no_mangle]
pub extern "C" fn wasm_memory_data_size(m: Option<&wasm_memory_t>) -> usize {
    ffi(|| {
        m.and_then(|m| {
            let memory = m.as_memory()?;
            m.store.with(|s| memory.data(s).map(|d| d.len())).ok()
        })
        .unwrap_or(0)
    })
}

#[no_mangle]
pub extern "C" fn wasm_memory_size(m: Option<&wasm_memory_t>) -> wasm_memory_pages_t {
    ffi(|| {
        m.and_then(|m| {
            let memory = m.as_memory()?;
            m.store.with(|s| memory.size(s)).ok()
        })
        .map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX))
    })
}

/// Grows by `delta` pages; false past the maximum.
#[no_mangle]
pub extern "C" fn wasm_memory_grow(m: Option<&wasm_memory_t>, delta: wasm_memory_pages_t) -> bool {
    ffi(|| {
        let Some(m) = m else { return false };
        let Some(memory) = m.as_memory() else { return false };
        matches!(m.store.with(|s| memory.grow(s, u64::from(delta))), Ok(Some(_)))
    })
}
