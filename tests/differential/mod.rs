//! Differential fuzzing of Weft against wasmi 2.0 (issue 7), shared by the
//! test entry points (`tests/differential.rs`) and the long campaign
//! (`examples/fuzz.rs`).
//!
//! - `gen`: valid, terminating modules from seeds (wasm-smith).
//! - `exec`: runs a module in both engines and compares everything.
//! - `mutate`: byte-wise mutations of real modules; Weft must only ever
//!   return `Ok` or `Err`, never panic or hang.
//! - `minimise`: shrinks a failing module while it keeps failing the same way.
//! - `corpus`: the regression corpus in `tests/corpus/`.
//! - `driver`: seed loops, counting, the hang watchdog.
#![allow(dead_code)]

pub mod binary;
pub mod corpus;
pub mod driver;
pub mod exec;
pub mod gen;
pub mod host;
pub mod minimise;
pub mod mutate;
pub mod rng;
pub mod side;
pub mod values;
pub mod wasmi_bugs;
pub mod wasmi_side;
pub mod weft_side;
