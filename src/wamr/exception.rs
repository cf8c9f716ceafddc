//! Exceptions: the reason the last call of an instance tree failed, as
//! "Exception: <reason>". One exception per tree (a dependency's failure is
//! its importer's). Each call clears it first. A native function that sets
//! one makes the running call fail with it when the native returns.

use super::instance::inst_ref;
use super::instance::ModuleInst;
use super::{cstr, guard};
use std::ffi::c_char;

/// # Safety
/// `inst` is NULL or live. The text stays valid until the exception changes.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_exception(inst: *mut ModuleInst) -> *const c_char {
    guard(std::ptr::null(), || {
        // SAFETY: per the contract.
        unsafe { inst_ref(inst) }
            .map(|h| h.shared().exception_ptr())
            .unwrap_or(std::ptr::null())
    })
}

/// # Safety
/// `inst` is NULL or live; `msg` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_set_exception(inst: *mut ModuleInst, msg: *const c_char) {
    guard((), || {
        // SAFETY: per the contract.
        if let Some(h) = unsafe { inst_ref(inst) } {
            if msg.is_null() {
                h.shared().set_exception(None);
            } else {
                // SAFETY: a C string per the contract.
                let text = unsafe { cstr(msg) }.unwrap_or("(message not UTF-8)");
                h.shared().set_exception(Some(text));
            }
        }
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_clear_exception(inst: *mut ModuleInst) {
    guard((), || {
        // SAFETY: per the contract.
        if let Some(h) = unsafe { inst_ref(inst) } {
            h.shared().set_exception(None);
        }
    })
}
