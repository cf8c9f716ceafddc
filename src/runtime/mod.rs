//! Run-time objects: the store and typed handles to what it owns
//! (functions, memories, tables, globals, instances), and instantiation.
//!
//! Handles are `Copy` indices plus the id of their store; using a handle with
//! another store is a usage error that is caught, not undefined behaviour.

pub mod engine;
pub mod func;
pub mod global;
pub mod instance;
pub mod memory;
pub mod store;
pub mod table;

pub use engine::{Config, Engine};
pub use func::{Caller, Func, HostFunc};
pub use global::Global;
pub use instance::{Extern, Instance};
pub use memory::{LinearMemory, Memory, MemoryAllocator};
pub use store::Store;
pub use table::Table;
