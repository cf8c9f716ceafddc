//! `wasm_importtype_t`: an import's module name, name and type.

use super::wasm_externtype_t;
use crate::capi::ffi;
use crate::capi::vec::{declare_vec, wasm_name_t, CopyObj, OwnedName};

#[derive(Clone)]
pub struct wasm_importtype_t {
    pub(crate) module: OwnedName,
    pub(crate) name: OwnedName,
    pub(crate) ty: Box<wasm_externtype_t>,
}

impl CopyObj for wasm_importtype_t {
    fn copy_obj(&self) -> Box<Self> {
        Box::new(self.clone())
    }
}

declare_vec!(
    wasm_importtype_vec_t,
    Option<Box<wasm_importtype_t>>,
    wasm_importtype_vec_new_empty,
    wasm_importtype_vec_new_uninitialized,
    wasm_importtype_vec_new,
    wasm_importtype_vec_copy,
    wasm_importtype_vec_delete
);

/// Takes the contents of both names (left empty) and the type.
#[no_mangle]
pub extern "C" fn wasm_importtype_new(
    module: Option<&mut wasm_name_t>,
    name: Option<&mut wasm_name_t>,
    ty: Option<Box<wasm_externtype_t>>,
) -> Option<Box<wasm_importtype_t>> {
    ffi(|| {
        let module = OwnedName(wasm_name_t::from_vec(module?.take()));
        let name = OwnedName(wasm_name_t::from_vec(name?.take()));
        Some(Box::new(wasm_importtype_t {
            module,
            name,
            ty: ty?,
        }))
    })
}

#[no_mangle]
pub extern "C" fn wasm_importtype_delete(t: Option<Box<wasm_importtype_t>>) {
    ffi(|| drop(t))
}

#[no_mangle]
pub extern "C" fn wasm_importtype_copy(t: Option<&wasm_importtype_t>) -> Option<Box<wasm_importtype_t>> {
    ffi(|| t.map(|t| t.copy_obj()))
}

#[no_mangle]
pub extern "C" fn wasm_importtype_module(t: Option<&wasm_importtype_t>) -> Option<&wasm_name_t> {
    ffi(|| t.map(|t| &t.module.0))
}

#[no_mangle]
pub extern "C" fn wasm_importtype_name(t: Option<&wasm_importtype_t>) -> Option<&wasm_name_t> {
    ffi(|| t.map(|t| &t.name.0))
}

#[no_mangle]
pub extern "C" fn wasm_importtype_type(t: Option<&wasm_importtype_t>) -> Option<&wasm_externtype_t> {
    ffi(|| t.map(|t| &*t.ty))
}
