//! `wasm_globaltype_t`: global types (content type and mutability).

use super::concrete_type;
use super::valtype::wasm_valtype_t;
use crate::capi::ffi;
use crate::capi::vec::declare_vec;
use crate::core::{GlobalType, Mutability};

pub type wasm_mutability_t = u8;
pub const WASM_CONST: u8 = 0;
pub const WASM_VAR: u8 = 1;

#[derive(Clone)]
pub(crate) struct CGlobalType {
    pub content: Box<wasm_valtype_t>,
    pub mutability: wasm_mutability_t,
}

impl CGlobalType {
    pub(crate) fn from_engine(g: &GlobalType) -> CGlobalType {
        CGlobalType {
            content: wasm_valtype_t::from_engine(g.content),
            mutability: match g.mutability {
                Mutability::Const => WASM_CONST,
                Mutability::Var => WASM_VAR,
            },
        }
    }

    pub(crate) fn to_engine(&self) -> Option<GlobalType> {
        let m = match self.mutability {
            WASM_CONST => Mutability::Const,
            WASM_VAR => Mutability::Var,
            _ => return None,
        };
        Some(GlobalType::new(self.content.ty()?, m))
    }
}

concrete_type!(wasm_globaltype_t, Global, CGlobalType);

declare_vec!(
    wasm_globaltype_vec_t,
    Option<Box<wasm_globaltype_t>>,
    wasm_globaltype_vec_new_empty,
    wasm_globaltype_vec_new_uninitialized,
    wasm_globaltype_vec_new,
    wasm_globaltype_vec_copy,
    wasm_globaltype_vec_delete
);

/// Takes `content`; NULL for a NULL content or an unknown mutability.
#[no_mangle]
pub extern "C" fn wasm_globaltype_new(
    content: Option<Box<wasm_valtype_t>>,
    mutability: wasm_mutability_t,
) -> Option<Box<wasm_globaltype_t>> {
    ffi(|| {
        let content = content?;
        if mutability != WASM_CONST && mutability != WASM_VAR {
            return None;
        }
        Some(wasm_globaltype_t::new(CGlobalType { content, mutability }))
    })
}

#[no_mangle]
pub extern "C" fn wasm_globaltype_delete(t: Option<Box<wasm_globaltype_t>>) {
    ffi(|| drop(t))
}

#[no_mangle]
pub extern "C" fn wasm_globaltype_copy(t: Option<&wasm_globaltype_t>) -> Option<Box<wasm_globaltype_t>> {
    ffi(|| t.map(|t| Box::new(t.clone())))
}

#[no_mangle]
pub extern "C" fn wasm_globaltype_content(t: Option<&wasm_globaltype_t>) -> Option<&wasm_valtype_t> {
    ffi(|| t.map(|t| &*t.data().content))
}

#[no_mangle]
pub extern "C" fn wasm_globaltype_mutability(t: Option<&wasm_globaltype_t>) -> wasm_mutability_t {
    ffi(|| t.map_or(WASM_CONST, |t| t.data().mutability))
}
