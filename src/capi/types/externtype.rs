//! `wasm_externtype_t`: the common view of function, global, table,
//! memory and tag types, with the (non-copying) views between them.

use super::functype::wasm_functype_t;
use super::globaltype::wasm_globaltype_t;
use super::memorytype::wasm_memorytype_t;
use super::tabletype::wasm_tabletype_t;
use super::tagtype::wasm_tagtype_t;
use super::wasm_externtype_t;
use crate::capi::ffi;
use crate::capi::vec::declare_vec;

pub type wasm_externkind_t = u8;

declare_vec!(
    wasm_externtype_vec_t,
    Option<Box<wasm_externtype_t>>,
    wasm_externtype_vec_new_empty,
    wasm_externtype_vec_new_uninitialized,
    wasm_externtype_vec_new,
    wasm_externtype_vec_copy,
    wasm_externtype_vec_delete
);

#[no_mangle]
pub extern "C" fn wasm_externtype_delete(t: Option<Box<wasm_externtype_t>>) {
    ffi(|| drop(t))
}

#[no_mangle]
pub extern "C" fn wasm_externtype_copy(t: Option<&wasm_externtype_t>) -> Option<Box<wasm_externtype_t>> {
    ffi(|| t.map(|t| Box::new(t.clone())))
}

#[no_mangle]
pub extern "C" fn wasm_externtype_kind(t: Option<&wasm_externtype_t>) -> wasm_externkind_t {
    ffi(|| t.map_or(0, |t| t.kind()))
}

/// The four views between one concrete type and `wasm_externtype_t`.
macro_rules! views {
    ($ty:ident, $up:ident, $up_const:ident, $down:ident, $down_const:ident) => {
        #[no_mangle]
        pub extern "C" fn $up(t: Option<&$ty>) -> Option<&wasm_externtype_t> {
            t.map(|t| &t.ext)
        }

        #[no_mangle]
        pub extern "C" fn $up_const(t: Option<&$ty>) -> Option<&wasm_externtype_t> {
            t.map(|t| &t.ext)
        }

        /// NULL when `t` is of another kind.
        #[no_mangle]
        pub extern "C" fn $down(t: Option<&wasm_externtype_t>) -> Option<&$ty> {
            t.and_then($ty::from_ext)
        }

        /// NULL when `t` is of another kind.
        #[no_mangle]
        pub extern "C" fn $down_const(t: Option<&wasm_externtype_t>) -> Option<&$ty> {
            t.and_then($ty::from_ext)
        }
    };
}

views!(
    wasm_functype_t,
    wasm_functype_as_externtype,
    wasm_functype_as_externtype_const,
    wasm_externtype_as_functype,
    wasm_externtype_as_functype_const
);
views!(
    wasm_globaltype_t,
    wasm_globaltype_as_externtype,
    wasm_globaltype_as_externtype_const,
    wasm_externtype_as_globaltype,
    wasm_externtype_as_globaltype_const
);
views!(
    wasm_tabletype_t,
    wasm_tabletype_as_externtype,
    wasm_tabletype_as_externtype_const,
    wasm_externtype_as_tabletype,
    wasm_externtype_as_tabletype_const
);
views!(
    wasm_memorytype_t,
    wasm_memorytype_as_externtype,
    wasm_memorytype_as_externtype_const,
    wasm_externtype_as_memorytype,
    wasm_externtype_as_memorytype_const
);
views!(
    wasm_tagtype_t,
    wasm_tagtype_as_externtype,
    wasm_tagtype_as_externtype_const,
    wasm_externtype_as_tagtype,
    wasm_externtype_as_tagtype_const
);
