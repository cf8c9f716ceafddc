//! `wasm_tabletype_t`: table types (element reference type and limits).

use super::concrete_type;
use super::valtype::wasm_valtype_t;
use super::wasm_limits_t;
use crate::capi::ffi;
use crate::capi::vec::declare_vec;
use crate::core::{RefType, TableType, ValType};

#[derive(Clone)]
pub(crate) struct CTableType {
    pub element: Box<wasm_valtype_t>,
    pub limits: wasm_limits_t,
}

impl CTableType {
    pub(crate) fn from_engine(t: &TableType) -> CTableType {
        CTableType {
            element: wasm_valtype_t::from_engine(t.element.into()),
            limits: wasm_limits_t::from_engine(&t.limits),
        }
    }

    /// `None` when the element type is not a reference type.
    pub(crate) fn to_engine(&self) -> Option<TableType> {
        let element = match self.element.ty()? {
            ValType::FuncRef => RefType::FuncRef,
            ValType::ExternRef => RefType::ExternRef,
            _ => return None,
        };
        Some(TableType::new(element, self.limits.min, self.limits.max_opt()))
    }
}

concrete_type!(wasm_tabletype_t, Table, CTableType);

declare_vec!(
    wasm_tabletype_vec_t,
    Option<Box<wasm_tabletype_t>>,
    wasm_tabletype_vec_new_empty,
    wasm_tabletype_vec_new_uninitialized,
    wasm_tabletype_vec_new,
    wasm_tabletype_vec_copy,
    wasm_tabletype_vec_delete
);

/// Takes `element`; NULL when an argument is NULL.
#[no_mangle]
pub extern "C" fn wasm_tabletype_new(
    element: Option<Box<wasm_valtype_t>>,
    limits: Option<&wasm_limits_t>,
) -> Option<Box<wasm_tabletype_t>> {
    ffi(|| {
        let element = element?;
        let limits = *limits?;
        Some(wasm_tabletype_t::new(CTableType { element, limits }))
    })
}

#[no_mangle]
pub extern "C" fn wasm_tabletype_delete(t: Option<Box<wasm_tabletype_t>>) {
    ffi(|| drop(t))
}

#[no_mangle]
pub extern "C" fn wasm_tabletype_copy(t: Option<&wasm_tabletype_t>) -> Option<Box<wasm_tabletype_t>> {
    ffi(|| t.map(|t| Box::new(t.clone())))
}

#[no_mangle]
pub extern "C" fn wasm_tabletype_element(t: Option<&wasm_tabletype_t>) -> Option<&wasm_valtype_t> {
    ffi(|| t.map(|t| &*t.data().element))
}

#[no_mangle]
pub extern "C" fn wasm_tabletype_limits(t: Option<&wasm_tabletype_t>) -> Option<&wasm_limits_t> {
    ffi(|| t.map(|t| &t.data().limits))
}
