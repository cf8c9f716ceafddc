//! `wasm_config_t`: engine configuration (the engine's defaults; C code has
//! no setters in the standard API).

use super::ffi;
use crate::runtime::Config;

/// An engine configuration.
pub struct wasm_config_t {
    pub(crate) config: Config,
}

#[no_mangle]
pub extern "C" fn wasm_config_new() -> Option<Box<wasm_config_t>> {
    ffi(|| {
        Some(Box::new(wasm_config_t {
            config: Config::default(),
        }))
    })
}

#[no_mangle]
pub extern "C" fn wasm_config_delete(config: Option<Box<wasm_config_t>>) {
    ffi(|| drop(config))
}
