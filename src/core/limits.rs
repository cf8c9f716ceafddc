//! Engine limits and their defaults.

/// Size of a WebAssembly page in bytes.
pub const PAGE_SIZE: usize = 65536;
/// Largest number of pages a 32-bit memory can have.
pub const MAX_PAGES_32: u64 = 65536;
/// Largest number of elements a table can have.
pub const MAX_TABLE_ELEMS: u64 = 10_000_000;
/// Default limit on nested wasm calls.
pub const DEFAULT_MAX_CALL_DEPTH: u32 = 20_000;
/// Default limit on value-stack cells per execution (8 MiB of cells).
pub const DEFAULT_MAX_STACK_CELLS: usize = 1 << 20;
