//! `wasm_frame_t`: one wasm activation of a trap's backtrace (instance,
//! function index, offsets within the function and the module).

use super::ffi;
use super::refs::{wasm_ref_t, RefKind};
use super::store::StoreInner;
use super::vec::{declare_vec, CopyObj};
use crate::core::TrapFrame;

pub struct wasm_frame_t {
    /// The frame's instance, lent out by `wasm_frame_instance`.
    pub(crate) instance: Box<wasm_ref_t>,
    pub(crate) func_index: u32,
    pub(crate) func_offset: usize,
    pub(crate) module_offset: usize,
}

impl wasm_frame_t {
    /// The frame as C sees it; `None` if its instance is not in `store`
    /// (or the store is in use, which cannot happen for a finished trap).
    pub(crate) fn from_engine(store: &StoreInner, f: &TrapFrame) -> Option<Box<wasm_frame_t>> {
        let instance = store.with(|s| s.instance_at(f.instance))?;
        Some(Box::new(wasm_frame_t {
            instance: store.make_ref(RefKind::Instance(instance)),
            func_index: f.func_index,
            func_offset: f.func_offset,
            module_offset: f.module_offset,
        }))
    }
}

impl CopyObj for wasm_frame_t {
    fn copy_obj(&self) -> Box<Self> {
        Box::new(wasm_frame_t {
            instance: self.instance.copy_ref(),
            func_index: self.func_index,
            func_offset: self.func_offset,
            module_offset: self.module_offset,
        })
    }
}

declare_vec!(
    wasm_frame_vec_t,
    Option<Box<wasm_frame_t>>,
    wasm_frame_vec_new_empty,
    wasm_frame_vec_new_uninitialized,
    wasm_frame_vec_new,
    wasm_frame_vec_copy,
    wasm_frame_vec_delete
);

#[no_mangle]
pub extern "C" fn wasm_frame_delete(f: Option<Box<wasm_frame_t>>) {
    ffi(|| drop(f))
}

#[no_mangle]
pub extern "C" fn wasm_frame_copy(f: Option<&wasm_frame_t>) -> Option<Box<wasm_frame_t>> {
    ffi(|| f.map(|f| f.copy_obj()))
}

/// The frame's instance, borrowed from the frame.
#[no_mangle]
pub extern "C" fn wasm_frame_instance(f: Option<&wasm_frame_t>) -> Option<&wasm_ref_t> {
    ffi(|| f.map(|f| &*f.instance))
}

#[no_mangle]
pub extern "C" fn wasm_frame_func_index(f: Option<&wasm_frame_t>) -> u32 {
    ffi(|| f.map_or(0, |f| f.func_index))
}

#[no_mangle]
pub extern "C" fn wasm_frame_func_offset(f: Option<&wasm_frame_t>) -> usize {
    ffi(|| f.map_or(0, |f| f.func_offset))
}

#[no_mangle]
pub extern "C" fn wasm_frame_module_offset(f: Option<&wasm_frame_t>) -> usize {
    ffi(|| f.map_or(0, |f| f.module_offset))
}
