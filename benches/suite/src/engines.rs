//! The three engines behind one interface: load a module, call `run(n)`.
//!
//! Configurations (the same for every workload):
//! - Weft: `Config::lazy_translation = false`, so that translation happens
//!   in `Module::new`, outside the timing, like the other engines (its
//!   default translates each function on its first call).
//! - wasmi 2.0.0: `Config::default()` with `CompilationMode::Eager`, so that
//!   translation happens when the module is loaded, outside the timing, as
//!   for the other engines (wasmi's own default translates lazily, on the
//!   first call of each function).
//! - wasm3 0.3.1 (wasm3 0.4.7 underneath, built by the `cc` crate with the
//!   release profile's optimisation level): a runtime with a 4 MiB stack.
//!   wasm3 compiles each function on its first call; the harness makes one
//!   untimed warm-up call for every engine before timing, which compiles the
//!   functions it reaches.

use std::time::{Duration, Instant};

/// wasm3's value stack, in bytes (deep recursion needs a large one).
pub const WASM3_STACK_BYTES: u32 = 4 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Weft,
    Wasmi,
    Wasm3,
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Weft, Engine::Wasmi, Engine::Wasm3];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Weft => "weft",
            Engine::Wasmi => "wasmi",
            Engine::Wasm3 => "wasm3",
        }
    }

    /// Loads (decodes, validates, translates, instantiates) a module that
    /// exports `run: (param i32) (result i64)`.
    pub fn load(self, wasm: &[u8]) -> Result<Box<dyn Loaded>, String> {
        match self {
            Engine::Weft => WeftLoaded::new(wasm).map(|l| Box::new(l) as Box<dyn Loaded>),
            Engine::Wasmi => WasmiLoaded::new(wasm).map(|l| Box::new(l) as Box<dyn Loaded>),
            Engine::Wasm3 => Wasm3Loaded::new(wasm).map(|l| Box::new(l) as Box<dyn Loaded>),
        }
    }
}

/// An instantiated workload.
pub trait Loaded {
    /// Calls `run(n)`; returns its result and the time of the call alone.
    fn call_run(&mut self, n: i32) -> Result<(i64, Duration), String>;
}

struct WeftLoaded {
    store: weft::Store,
    run: weft::Func,
}

impl WeftLoaded {
    fn new(wasm: &[u8]) -> Result<WeftLoaded, String> {
        let engine = weft::Engine::new(weft::Config {
            lazy_translation: false,
            ..weft::Config::default()
        });
        let module = weft::Module::new(&engine, wasm).map_err(|e| e.to_string())?;
        let mut store = weft::Store::new(&engine);
        let instance = weft::Instance::new(&mut store, &module, &[]).map_err(|e| e.to_string())?;
        let run = instance.get_func(&store, "run").ok_or("no export `run`")?;
        Ok(WeftLoaded { store, run })
    }
}

impl Loaded for WeftLoaded {
    fn call_run(&mut self, n: i32) -> Result<(i64, Duration), String> {
        let args = [weft::Val::I32(n)];
        let mut out = [weft::Val::I64(0)];
        let start = Instant::now();
        let result = self.run.call(&mut self.store, &args, &mut out);
        let elapsed = start.elapsed();
        result.map_err(|t| t.to_string())?;
        match out[0] {
            weft::Val::I64(v) => Ok((v, elapsed)),
            other => Err(format!("unexpected result {other:?}")),
        }
    }
}

/// wasmi's configuration for every measurement: its defaults, but eager
/// translation (see the module documentation).
pub fn wasmi_config(mode: wasmi::CompilationMode) -> wasmi::Config {
    let mut config = wasmi::Config::default();
    config.compilation_mode(mode);
    config
}

struct WasmiLoaded {
    store: wasmi::Store<()>,
    run: wasmi::TypedFunc<i32, i64>,
}

impl WasmiLoaded {
    fn new(wasm: &[u8]) -> Result<WasmiLoaded, String> {
        let engine = wasmi::Engine::new(&wasmi_config(wasmi::CompilationMode::Eager));
        let module = wasmi::Module::new(&engine, wasm).map_err(|e| e.to_string())?;
        let mut store = wasmi::Store::new(&engine, ());
        let instance = wasmi::Linker::<()>::new(&engine)
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| e.to_string())?;
        let run = instance
            .get_typed_func::<i32, i64>(&store, "run")
            .map_err(|e| e.to_string())?;
        Ok(WasmiLoaded { store, run })
    }
}

impl Loaded for WasmiLoaded {
    fn call_run(&mut self, n: i32) -> Result<(i64, Duration), String> {
        let start = Instant::now();
        let result = self.run.call(&mut self.store, n);
        let elapsed = start.elapsed();
        result.map(|v| (v, elapsed)).map_err(|e| e.to_string())
    }
}

struct Wasm3Loaded {
    runtime: wasm3::Runtime,
}

impl Wasm3Loaded {
    fn new(wasm: &[u8]) -> Result<Wasm3Loaded, String> {
        let env = wasm3::Environment::new().map_err(|e| e.to_string())?;
        let runtime = wasm3::Runtime::new(&env, WASM3_STACK_BYTES).map_err(|e| e.to_string())?;
        runtime
            .parse_and_load_module(wasm.to_vec())
            .map_err(|e| e.to_string())?;
        // Checks the export and its signature now rather than at the first call.
        runtime
            .find_function::<i32, i64>("run")
            .map_err(|e| e.to_string())?;
        Ok(Wasm3Loaded { runtime })
    }
}

impl Loaded for Wasm3Loaded {
    fn call_run(&mut self, n: i32) -> Result<(i64, Duration), String> {
        // The lookup borrows the runtime, so it is done per call, untimed.
        let run = self
            .runtime
            .find_function::<i32, i64>("run")
            .map_err(|e| e.to_string())?;
        let start = Instant::now();
        let result = run.call(n);
        let elapsed = start.elapsed();
        result.map(|v| (v, elapsed)).map_err(|e| e.to_string())
    }
}
