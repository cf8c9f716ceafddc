//! Weft: a WebAssembly runtime.
//!
//! The engine (decoding, validation, translation to the interpreter's code,
//! execution) is safe Rust under `core`, `module`, `ir`, `engine` and
//! `runtime`; C interfaces are thin layers on top of it.

pub mod capi;
pub mod core;
pub mod engine;
pub mod ir;
pub mod module;
pub mod runtime;
pub mod wamr;
pub mod wasi;

pub use crate::core::{
    Error, ErrorKind, ExternRef, ExternType, FuncType, GlobalType, Limits, MemoryType, Mutability, RefType,
    TableType, Trap, TrapCode, TrapFrame, Val, ValType,
};
#[cfg(feature = "dispatch-pairs")]
pub use crate::engine::executor::dispatch::pairs as dispatch_pairs;
pub use crate::module::{ExportDesc, ExternKind, ImportDesc, Module};
pub use crate::runtime::{
    Caller, Config, Engine, Extern, Func, Global, HostFunc, Instance, Memory, Store, Table,
};
