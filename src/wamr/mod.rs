//! WAMR's embedding API (`wasm-c-api/include/wasm_export.h`) on top of the
//! Rust engine, with WAMR's multi-module (load-time linking) model.
//!
//! One file per area: [`alloc`] (the runtime's allocator: system, the
//! embedder's functions, or a caller-supplied pool), [`runtime`]
//! (initialisation and global state), [`module`] (loading, the registry and
//! dependency loading through the module reader), [`instance`]
//! (instantiation of a module and its dependency tree, function lookup),
//! [`exec_env`], [`calls`], [`exception`], [`memory`] (app heap and address
//! conversions), [`natives`] (host functions described by `NativeSymbol`),
//! [`threads`], [`application`] (`wasm_application_*`), [`wasi`]
//! (`wasm_runtime_set_wasi_args`) and [`bridge`] (what the `wasm.h` layer
//! uses for WAMR's c-api extensions).
//!
//! Conventions: every `extern "C"` function runs its body under [`guard`],
//! so no panic crosses the boundary; NULL arguments give an error result
//! (NULL, 0 or false), never a crash. The symbols are WAMR's
//! (`wasm_runtime_*`, `wasm_application_*`, a few `wasm_func_*` and
//! `wasm_memory_*` ones) and are distinct from the `wasm.h` symbols of
//! `crate::capi`, so one library serves both headers.

#![allow(non_camel_case_types)]

pub mod alloc;
pub mod application;
pub mod bridge;
pub mod calls;
pub mod exception;
pub mod exec_env;
pub mod instance;
pub mod memory;
pub mod module;
pub mod natives;
pub mod runtime;
pub mod threads;
pub mod wasi;

#[cfg(test)]
mod tests;

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, turning a panic into `fallback`.
pub(crate) fn guard<R>(fallback: R, f: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// Reads a C string argument; `None` for NULL or invalid UTF-8.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn cstr<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null and NUL-terminated per the caller's contract.
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// Writes `msg` into a caller's error buffer (truncated, NUL-terminated).
///
/// # Safety
/// `buf` is NULL or points to `size` writable bytes.
pub(crate) unsafe fn set_error_buf(buf: *mut c_char, size: u32, msg: &str) {
    if buf.is_null() || size == 0 {
        return;
    }
    let n = msg.len().min(size as usize - 1);
    // SAFETY: `n + 1 <= size` bytes are written into the caller's buffer.
    unsafe {
        std::ptr::copy_nonoverlapping(msg.as_ptr(), buf as *mut u8, n);
        *buf.add(n) = 0;
    }
}

/// A raw pointer that may be moved between threads: the objects it points
/// to synchronise their own state.
#[derive(Debug)]
pub(crate) struct SendPtr<T>(pub *mut T);

impl<T> SendPtr<T> {
    /// The pointer (a method, so that closures capture the whole wrapper).
    pub fn get(self) -> *mut T {
        self.0
    }
}

impl<T> Clone for SendPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for SendPtr<T> {}

impl<T> PartialEq for SendPtr<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

// SAFETY: only used for objects whose shared state is behind locks or
// atomics (see the users); the pointer itself is plain data.
unsafe impl<T> Send for SendPtr<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for SendPtr<T> {}
