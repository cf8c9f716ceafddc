//! `wasm_tagtype_t`: exception tag types, described by a function type
//! (the payload as parameters, no results). Tags are pure type data here:
//! the engine does not run the exception-handling proposal, so no module
//! imports or exports one.

use super::concrete_type;
use super::functype::wasm_functype_t;
use crate::capi::ffi;
use crate::capi::vec::declare_vec;

#[derive(Clone)]
pub(crate) struct CTagType {
    pub functype: Box<wasm_functype_t>,
}

concrete_type!(wasm_tagtype_t, Tag, CTagType);

declare_vec!(
    wasm_tagtype_vec_t,
    Option<Box<wasm_tagtype_t>>,
    wasm_tagtype_vec_new_empty,
    wasm_tagtype_vec_new_uninitialized,
    wasm_tagtype_vec_new,
    wasm_tagtype_vec_copy,
    wasm_tagtype_vec_delete
);

/// Takes `functype`; NULL when it is NULL.
#[no_mangle]
pub extern "C" fn wasm_tagtype_new(functype: Option<Box<wasm_functype_t>>) -> Option<Box<wasm_tagtype_t>> {
    ffi(|| Some(wasm_tagtype_t::new(CTagType { functype: functype? })))
}

#[no_mangle]
pub extern "C" fn wasm_tagtype_delete(t: Option<Box<wasm_tagtype_t>>) {
    ffi(|| drop(t))
}

#[no_mangle]
pub extern "C" fn wasm_tagtype_copy(t: Option<&wasm_tagtype_t>) -> Option<Box<wasm_tagtype_t>> {
    ffi(|| t.map(|t| Box::new(t.clone())))
}

#[no_mangle]
pub extern "C" fn wasm_tagtype_functype(t: Option<&wasm_tagtype_t>) -> Option<&wasm_functype_t> {
    ffi(|| t.map(|t| &*t.data().functype))
}
