//! `wasm_engine_t`: a compilation environment shared by stores and modules.
//! Engines are thread-safe and any number of them may coexist.

use super::config::wasm_config_t;
use super::ffi;
use crate::runtime::{Config, Engine};

/// An engine (cheap to share: the Rust `Engine` is reference-counted).
pub struct wasm_engine_t {
    pub(crate) engine: Engine,
}

#[no_mangle]
pub extern "C" fn wasm_engine_new() -> Option<Box<wasm_engine_t>> {
    ffi(|| {
        Some(Box::new(wasm_engine_t {
            engine: Engine::new(Config::default()),
        }))
    })
}

/// Consumes `config`.
#[no_mangle]
pub extern "C" fn wasm_engine_new_with_config(
    config: Option<Box<wasm_config_t>>,
) -> Option<Box<wasm_engine_t>> {
    ffi(|| {
        let config = config.map(|c| c.config.clone()).unwrap_or_default();
        Some(Box::new(wasm_engine_t {
            engine: Engine::new(config),
        }))
    })
}

#[no_mangle]
pub extern "C" fn wasm_engine_delete(engine: Option<Box<wasm_engine_t>>) {
    ffi(|| drop(engine))
}
