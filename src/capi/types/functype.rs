//! `wasm_functype_t`: function types (parameter and result vectors).

use super::concrete_type;
use super::valtype::{wasm_valtype_t, wasm_valtype_vec_t};
use crate::capi::ffi;
use crate::capi::vec::declare_vec;
use crate::core::FuncType;

/// Parameters and results, each an owned vector of value types.
pub(crate) struct CFuncType {
    pub params: wasm_valtype_vec_t,
    pub results: wasm_valtype_vec_t,
}

impl CFuncType {
    pub(crate) fn from_engine(f: &FuncType) -> CFuncType {
        let conv = |ts: &[crate::core::ValType]| {
            wasm_valtype_vec_t::from_vec(ts.iter().map(|&t| Some(wasm_valtype_t::from_engine(t))).collect())
        };
        CFuncType {
            params: conv(f.params()),
            results: conv(f.results()),
        }
    }

    /// `None` if a vector holds NULL.
    pub(crate) fn to_engine(&self) -> Option<FuncType> {
        let conv = |v: &wasm_valtype_vec_t| -> Option<Vec<crate::core::ValType>> {
            v.as_slice().iter().map(|t| t.as_ref()?.ty()).collect()
        };
        Some(FuncType::new(conv(&self.params)?, conv(&self.results)?))
    }
}

impl Clone for CFuncType {
    fn clone(&self) -> Self {
        CFuncType {
            params: self.params.copy_all(),
            results: self.results.copy_all(),
        }
    }
}

impl Drop for CFuncType {
    fn drop(&mut self) {
        self.params.release_all();
        self.results.release_all();
    }
}

concrete_type!(wasm_functype_t, Func, CFuncType);

declare_vec!(
    wasm_functype_vec_t,
    Option<Box<wasm_functype_t>>,
    wasm_functype_vec_new_empty,
    wasm_functype_vec_new_uninitialized,
    wasm_functype_vec_new,
    wasm_functype_vec_copy,
    wasm_functype_vec_delete
);

/// Takes the contents of both vectors, leaving them empty.
#[no_mangle]
pub extern "C" fn wasm_functype_new(
    params: Option<&mut wasm_valtype_vec_t>,
    results: Option<&mut wasm_valtype_vec_t>,
) -> Option<Box<wasm_functype_t>> {
    ffi(|| {
        let params = params.map_or_else(Vec::new, |v| v.take());
        let results = results.map_or_else(Vec::new, |v| v.take());
        Some(wasm_functype_t::new(CFuncType {
            params: wasm_valtype_vec_t::from_vec(params),
            results: wasm_valtype_vec_t::from_vec(results),
        }))
    })
}

#[no_mangle]
pub extern "C" fn wasm_functype_delete(t: Option<Box<wasm_functype_t>>) {
    ffi(|| drop(t))
}

#[no_mangle]
pub extern "C" fn wasm_functype_copy(t: Option<&wasm_functype_t>) -> Option<Box<wasm_functype_t>> {
    ffi(|| t.map(|t| Box::new(t.clone())))
}

#[no_mangle]
pub extern "C" fn wasm_functype_params(t: Option<&wasm_functype_t>) -> Option<&wasm_valtype_vec_t> {
    ffi(|| t.map(|t| &t.data().params))
}

#[no_mangle]
pub extern "C" fn wasm_functype_results(t: Option<&wasm_functype_t>) -> Option<&wasm_valtype_vec_t> {
    ffi(|| t.map(|t| &t.data().results))
}
