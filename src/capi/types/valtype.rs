//! `wasm_valtype_t`: value types, and the mapping between `wasm_valkind_t`
//! (I32 0, I64 1, F32 2, F64 3, EXTERNREF 128, FUNCREF 129) and the
//! engine's `ValType`.

use crate::capi::ffi;
use crate::capi::vec::{declare_vec, CopyObj};
use crate::core::ValType;

pub type wasm_valkind_t = u8;

pub const WASM_I32: u8 = 0;
pub const WASM_I64: u8 = 1;
pub const WASM_F32: u8 = 2;
pub const WASM_F64: u8 = 3;
pub const WASM_EXTERNREF: u8 = 128;
pub const WASM_FUNCREF: u8 = 129;

/// A value type; its kind is always a valid `wasm_valkind_t`.
#[derive(Clone, Debug)]
pub struct wasm_valtype_t {
    pub(crate) kind: wasm_valkind_t,
}

pub(crate) fn kind_to_type(kind: wasm_valkind_t) -> Option<ValType> {
    Some(match kind {
        WASM_I32 => ValType::I32,
        WASM_I64 => ValType::I64,
        WASM_F32 => ValType::F32,
        WASM_F64 => ValType::F64,
        WASM_EXTERNREF => ValType::ExternRef,
        WASM_FUNCREF => ValType::FuncRef,
        _ => return None,
    })
}

pub(crate) fn type_to_kind(t: ValType) -> wasm_valkind_t {
    match t {
        ValType::I32 => WASM_I32,
        ValType::I64 => WASM_I64,
        ValType::F32 => WASM_F32,
        ValType::F64 => WASM_F64,
        ValType::ExternRef => WASM_EXTERNREF,
        ValType::FuncRef => WASM_FUNCREF,
    }
}

impl wasm_valtype_t {
    pub(crate) fn from_engine(t: ValType) -> Box<wasm_valtype_t> {
        Box::new(wasm_valtype_t {
            kind: type_to_kind(t),
        })
    }

    pub(crate) fn ty(&self) -> Option<ValType> {
        kind_to_type(self.kind)
    }
}

impl CopyObj for wasm_valtype_t {
    fn copy_obj(&self) -> Box<Self> {
        Box::new(self.clone())
    }
}

declare_vec!(
    wasm_valtype_vec_t,
    Option<Box<wasm_valtype_t>>,
    wasm_valtype_vec_new_empty,
    wasm_valtype_vec_new_uninitialized,
    wasm_valtype_vec_new,
    wasm_valtype_vec_copy,
    wasm_valtype_vec_delete
);

/// NULL for a kind that is not one of the six value kinds.
#[no_mangle]
pub extern "C" fn wasm_valtype_new(kind: wasm_valkind_t) -> Option<Box<wasm_valtype_t>> {
    ffi(|| kind_to_type(kind).map(|_| Box::new(wasm_valtype_t { kind })))
}

#[no_mangle]
pub extern "C" fn wasm_valtype_delete(t: Option<Box<wasm_valtype_t>>) {
    ffi(|| drop(t))
}

#[no_mangle]
pub extern "C" fn wasm_valtype_copy(t: Option<&wasm_valtype_t>) -> Option<Box<wasm_valtype_t>> {
    ffi(|| t.map(|t| t.copy_obj()))
}

#[no_mangle]
pub extern "C" fn wasm_valtype_kind(t: Option<&wasm_valtype_t>) -> wasm_valkind_t {
    ffi(|| t.map_or(WASM_I32, |t| t.kind))
}
