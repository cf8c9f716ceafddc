//! `wasm_memorytype_t`: memory types (limits in 64 KiB pages).

use super::concrete_type;
use super::wasm_limits_t;
use crate::capi::ffi;
use crate::capi::vec::declare_vec;
use crate::core::MemoryType;

#[derive(Clone)]
pub(crate) struct CMemoryType {
    pub limits: wasm_limits_t,
}

impl CMemoryType {
    pub(crate) fn from_engine(m: &MemoryType) -> CMemoryType {
        CMemoryType {
            limits: wasm_limits_t::from_engine(&m.limits),
        }
    }

    pub(crate) fn to_engine(&self) -> MemoryType {
        MemoryType::new(self.limits.min, self.limits.max_opt())
    }
}

concrete_type!(wasm_memorytype_t, Memory, CMemoryType);

declare_vec!(
    wasm_memorytype_vec_t,
    Option<Box<wasm_memorytype_t>>,
    wasm_memorytype_vec_new_empty,
    wasm_memorytype_vec_new_uninitialized,
    wasm_memorytype_vec_new,
    wasm_memorytype_vec_copy,
    wasm_memorytype_vec_delete
);

#[no_mangle]
pub extern "C" fn wasm_memorytype_new(limits: Option<&wasm_limits_t>) -> Option<Box<wasm_memorytype_t>> {
    ffi(|| Some(wasm_memorytype_t::new(CMemoryType { limits: *limits? })))
}

#[no_mangle]
pub extern "C" fn wasm_memorytype_delete(t: Option<Box<wasm_memorytype_t>>) {
    ffi(|| drop(t))
}

#[no_mangle]
pub extern "C" fn wasm_memorytype_copy(t: Option<&wasm_memorytype_t>) -> Option<Box<wasm_memorytype_t>> {
    ffi(|| t.map(|t| Box::new(t.clone())))
}

#[no_mangle]
pub extern "C" fn wasm_memorytype_limits(t: Option<&wasm_memorytype_t>) -> Option<&wasm_limits_t> {
    ffi(|| t.map(|t| &t.data().limits))
}
