//! `wasm_trap_t`: traps as reference objects (message, origin, trace).
//!
//! Messages cross the API NUL-terminated: `wasm_trap_new` drops one
//! trailing NUL from the message it is given, and `wasm_trap_message`
//! always returns the text followed by a NUL.

use super::frame::{wasm_frame_t, wasm_frame_vec_t};
use super::refs::{declare_ref, wasm_ref_t, RefKind};
use super::store::{wasm_store_t, StoreInner};
use super::vec::wasm_byte_vec_t;
use super::{ffi, ffi_or};
use crate::core::Trap;
use std::mem::MaybeUninit;

pub type wasm_trap_t = wasm_ref_t;
pub type wasm_message_t = wasm_byte_vec_t;

declare_ref!(
    wasm_trap_delete,
    wasm_trap_copy,
    wasm_trap_same,
    wasm_trap_get_host_info,
    wasm_trap_set_host_info,
    wasm_trap_set_host_info_with_finalizer,
    wasm_trap_as_ref,
    wasm_ref_as_trap,
    wasm_trap_as_ref_const,
    wasm_ref_as_trap_const,
    is_trap
);

impl StoreInner {
    pub(crate) fn trap_ref(&self, trap: Trap) -> Box<wasm_trap_t> {
        self.make_ref(RefKind::Trap(trap))
    }
}

/// Makes a raw trap pointer (for `own wasm_trap_t*` results) from a
/// message, falling back to NULL only if even that fails.
pub(crate) fn trap_ptr(store: &StoreInner, message: impl Into<String>) -> Option<Box<wasm_trap_t>> {
    let message = message.into();
    ffi_or(None, || Some(store.trap_ref(Trap::host(message))))
}

impl wasm_ref_t {
    pub(crate) fn as_trap(&self) -> Option<&Trap> {
        match &self.core.kind {
            RefKind::Trap(t) => Some(t),
            _ => None,
        }
    }
}

#[no_mangle]
pub extern "C" fn wasm_trap_new(
    store: Option<&wasm_store_t>,
    message: Option<&wasm_message_t>,
) -> Option<Box<wasm_trap_t>> {
    ffi(|| {
        let store = store?;
        let text = message.map_or_else(String::new, |m| m.to_string_lossy());
        Some(store.inner.trap_ref(Trap::host(text)))
    })
}

/// Writes the message, NUL-terminated, to `out`.
#[no_mangle]
pub extern "C" fn wasm_trap_message(
    trap: Option<&wasm_trap_t>,
    out: Option<&mut MaybeUninit<wasm_message_t>>,
) {
    ffi(|| {
        let Some(out) = out else { return };
        let mut bytes = trap
            .and_then(|t| t.as_trap())
            .map_or_else(Vec::new, |t| t.message().as_bytes().to_vec());
        bytes.push(0);
        out.write(wasm_byte_vec_t::from_bytes(&bytes));
    })
}

/// The innermost wasm frame, or NULL when there is none.
#[no_mangle]
pub extern "C" fn wasm_trap_origin(trap: Option<&wasm_trap_t>) -> Option<Box<wasm_frame_t>> {
    ffi(|| {
        let trap = trap?;
        let first = trap.as_trap()?.trace().first()?;
        wasm_frame_t::from_engine(&trap.store, first)
    })
}

/// Writes every wasm frame, innermost first, to `out`.
#[no_mangle]
pub extern "C" fn wasm_trap_trace(
    trap: Option<&wasm_trap_t>,
    out: Option<&mut MaybeUninit<wasm_frame_vec_t>>,
) {
    ffi(|| {
        let Some(out) = out else { return };
        let frames = trap.map_or_else(Vec::new, |t| {
            t.as_trap().map_or_else(Vec::new, |tr| {
                tr.trace()
                    .iter()
                    .filter_map(|f| wasm_frame_t::from_engine(&t.store, f))
                    .map(Some)
                    .collect()
            })
        });
        out.write(wasm_frame_vec_t::from_vec(frames));
    })
}
