//! `wasm_exporttype_t`: an export's name and type.

use super::wasm_externtype_t;
use crate::capi::ffi;
use crate::capi::vec::{declare_vec, wasm_name_t, CopyObj, OwnedName};

#[derive(Clone)]
pub struct wasm_exporttype_t {
    pub(crate) name: OwnedName,
    pub(crate) ty: Box<wasm_externtype_t>,
}

impl CopyObj for wasm_exporttype_t {
    fn copy_obj(&self) -> Box<Self> {
        Box::new(self.clone())
    }
}

declare_vec!(
    wasm_exporttype_vec_t,
    Option<Box<wasm_exporttype_t>>,
    wasm_exporttype_vec_new_empty,
    wasm_exporttype_vec_new_uninitialized,
    wasm_exporttype_vec_new,
    wasm_exporttype_vec_copy,
    wasm_exporttype_vec_delete
);

/// Takes the contents of the name (left empty) and the type.
#[no_mangle]
pub extern "C" fn wasm_exporttype_new(
    name: Option<&mut wasm_name_t>,
    ty: Option<Box<wasm_externtype_t>>,
) -> Option<Box<wasm_exporttype_t>> {
    ffi(|| {
        let name = OwnedName(wasm_name_t::from_vec(name?.take()));
        Some(Box::new(wasm_exporttype_t { name, ty: ty? }))
    })
}

#[no_mangle]
pub extern "C" fn wasm_exporttype_delete(t: Option<Box<wasm_exporttype_t>>) {
    ffi(|| drop(t))
}

#[no_mangle]
pub extern "C" fn wasm_exporttype_copy(t: Option<&wasm_exporttype_t>) -> Option<Box<wasm_exporttype_t>> {
    ffi(|| t.map(|t| t.copy_obj()))
}

#[no_mangle]
pub extern "C" fn wasm_exporttype_name(t: Option<&wasm_exporttype_t>) -> Option<&wasm_name_t> {
    ffi(|| t.map(|t| &t.name.0))
}

#[no_mangle]
pub extern "C" fn wasm_exporttype_type(t: Option<&wasm_exporttype_t>) -> Option<&wasm_externtype_t> {
    ffi(|| t.map(|t| &*t.ty))
}
