//! Engine-wide vocabulary: value types and values, entity types, traps and
//! errors, numeric semantics and limits. Nothing in here knows about C.

pub mod error;
pub mod limits;
pub mod num;
pub mod trap;
pub mod types;
pub mod value;

pub use error::{Error, ErrorKind};
pub use trap::{Trap, TrapCode, TrapFrame};
pub use types::{ExternType, FuncType, GlobalType, Limits, MemoryType, Mutability, TableType};
pub use value::{ExternRef, RefType, Val, ValType};
