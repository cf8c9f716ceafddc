//! The standard WebAssembly C API (`wasm-c-api/include/wasm.h`) on top of
//! the Rust engine, and Weft's additions of `wasm-c-api/include/weft.h`
//! ([`extensions`]).
//!
//! Every function the header declares is defined here with
//! `#[no_mangle] extern "C"` and the same name, one file per family of the
//! header. Conventions:
//!
//! - Ownership is spelled in the signatures: `Box<T>` is an owned object,
//!   `Option<Box<T>>` a nullable owned one, `Option<&T>` a borrowed pointer
//!   that may be NULL (NULL is tolerated everywhere: a function given NULL
//!   where it needs an object does nothing and returns NULL, 0 or false).
//! - No panic crosses the boundary: each body runs under [`ffi`] (or
//!   [`ffi_or`]), which turns a panic into the function's neutral result;
//!   `wasm_func_call` and `wasm_instance_new` turn it into a trap.
//! - Every reference object (`wasm_func_t`, `wasm_instance_t`,
//!   `wasm_trap_t`, ...) is one [`refs::wasm_ref_t`] handle, so the
//!   `*_as_ref`/`ref_as_*` and `*_as_extern`/`extern_as_*` views are the
//!   same pointer, as C expects.

#![allow(non_camel_case_types)]

pub mod config;
pub mod engine;
pub mod extensions;
pub mod externs;
pub mod frame;
pub mod func;
pub mod global;
pub mod instance;
pub mod memory;
pub mod module;
pub mod refs;
pub mod store;
pub mod table;
pub mod trap;
pub mod types;
pub mod val;
pub mod vec;

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `f`, turning a panic into `R::default()` (NULL, 0, false, `()`).
pub(crate) fn ffi<R: Default>(f: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_default()
}

/// Runs `f`, turning a panic into `fallback`.
pub(crate) fn ffi_or<R>(fallback: R, f: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}
