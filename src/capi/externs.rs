//! `wasm_extern_t`: functions, globals, tables and memories seen alike
//! (what instances import and export), with the views to and from each
//! kind (the same handle, not a copy).

use super::ffi;
use super::refs::{declare_ref, wasm_ref_t};
use super::types::externtype::wasm_externkind_t;
use super::types::wasm_externtype_t;
use super::vec::declare_vec;

pub type wasm_extern_t = wasm_ref_t;

declare_ref!(
    wasm_extern_delete,
    wasm_extern_copy,
    wasm_extern_same,
    wasm_extern_get_host_info,
    wasm_extern_set_host_info,
    wasm_extern_set_host_info_with_finalizer,
    wasm_extern_as_ref,
    wasm_ref_as_extern,
    wasm_extern_as_ref_const,
    wasm_ref_as_extern_const,
    is_extern
);

declare_vec!(
    wasm_extern_vec_t,
    Option<Box<wasm_extern_t>>,
    wasm_extern_vec_new_empty,
    wasm_extern_vec_new_uninitialized,
    wasm_extern_vec_new,
    wasm_extern_vec_copy,
    wasm_extern_vec_delete
);

/// The kind (0 function, 1 global, 2 table, 3 memory).
#[no_mangle]
pub extern "C" fn wasm_extern_kind(e: Option<&wasm_extern_t>) -> wasm_externkind_t {
    ffi(|| {
        use crate::runtime::Extern;
        match e.and_then(|e| e.core.kind.as_extern()) {
            Some(Extern::Func(_)) | None => 0,
            Some(Extern::Global(_)) => 1,
            Some(Extern::Table(_)) => 2,
            Some(Extern::Memory(_)) => 3,
        }
    })
}

#[no_mangle]
pub extern "C" fn wasm_extern_type(e: Option<&wasm_extern_t>) -> Option<Box<wasm_externtype_t>> {
    ffi(|| {
        let e = e?;
        let ext = e.core.kind.as_extern()?;
        let ty = e.store.with(|s| ext.ty(s)).ok()?;
        Some(Box::new(wasm_externtype_t::from_engine(&ty)))
    })
}

/// Views from one kind to `wasm_extern_t` (always the same handle) and
/// back (NULL when the extern is of another kind).
macro_rules! extern_views {
    ($up:ident, $up_const:ident, $down:ident, $down_const:ident, $is:ident) => {
        #[no_mangle]
        pub extern "C" fn $up(r: Option<&wasm_ref_t>) -> Option<&wasm_extern_t> {
            r.filter(|r| r.core.kind.$is())
        }

        #[no_mangle]
        pub extern "C" fn $up_const(r: Option<&wasm_ref_t>) -> Option<&wasm_extern_t> {
            r.filter(|r| r.core.kind.$is())
        }

        #[no_mangle]
        pub extern "C" fn $down(e: Option<&wasm_extern_t>) -> Option<&wasm_ref_t> {
            e.filter(|e| e.core.kind.$is())
        }

        #[no_mangle]
        pub extern "C" fn $down_const(e: Option<&wasm_extern_t>) -> Option<&wasm_ref_t> {
            e.filter(|e| e.core.kind.$is())
        }
    };
}

extern_views!(
    wasm_func_as_extern,
    wasm_func_as_extern_const,
    wasm_extern_as_func,
    wasm_extern_as_func_const,
    is_func
);
extern_views!(
    wasm_global_as_extern,
    wasm_global_as_extern_const,
    wasm_extern_as_global,
    wasm_extern_as_global_const,
    is_global
);
extern_views!(
    wasm_table_as_extern,
    wasm_table_as_extern_const,
    wasm_extern_as_table,
    wasm_extern_as_table_const,
    is_table
);
extern_views!(
    wasm_memory_as_extern,
    wasm_memory_as_extern_const,
    wasm_extern_as_memory,
    wasm_extern_as_memory_const,
    is_memory
);
