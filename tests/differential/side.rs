//! The interface each engine under comparison implements: compile,
//! describe imports and exports, instantiate against the deterministic host
//! environment, call exports, and digest exported state.

use super::values::{CallOutcome, ExportKind, Import, Kind, V};

pub trait Side: Sized {
    /// Name used in reports.
    const NAME: &'static str;

    /// Decodes, validates and compiles `bytes`.
    fn compile(bytes: &[u8]) -> Result<Self, String>;

    /// The module's imports, in the order `instantiate` takes them.
    fn imports(&self) -> Result<Vec<Import>, String>;

    /// The module's exports, in declaration order.
    fn exports(&self) -> Result<Vec<(String, ExportKind)>, String>;

    /// Builds the host environment for `imports` and instantiates (which may
    /// run a start function). `fuel` bounds execution where the engine can.
    fn instantiate(&mut self, imports: &[Import], fuel: u64) -> Result<(), Kind>;

    /// Fixes the export order that function references are numbered by.
    fn bind(&mut self, names: &[String]);

    /// Calls exported function number `export`.
    fn call(&mut self, export: usize, args: &[V], fuel: u64) -> CallOutcome;

    /// Sets exported mutable global number `export`.
    fn set_global(&mut self, export: usize, value: V) -> Result<(), String>;

    /// Reads exported global number `export`.
    fn get_global(&self, export: usize) -> V;

    /// A digest of the state of exported memory, table or global `export`.
    fn digest(&self, export: usize) -> u64;

    /// Hash of every host call made so far (import index and arguments).
    fn host_log(&self) -> u64;

    /// Whether a host function's call back into wasm exhausted the stack
    /// (hidden from the caller as a host trap).
    fn nested_exhaustion(&self) -> bool;
}
