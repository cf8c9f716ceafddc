//! Module generation with wasm-smith: from a seed, a swarm-style
//! configuration restricted to what Weft supports (WebAssembly 2.0 without
//! SIMD, plus extended-const), then a module that exports everything, whose
//! loops and calls are bounded by wasm-smith's termination fuel (a global
//! the harness exports as `__fuel_<N>` and resets before every call).

use super::binary;
use super::exec::FUEL_PREFIX;
use super::rng::Rng;
use arbitrary::Unstructured;
use wasm_smith::{Config, InstructionKind, InstructionKinds, Module};

/// A configuration for `seed`: fixed feature set, varied shapes.
pub fn config(rng: &mut Rng) -> Config {
    let mut c = Config::default();
    // Off: everything outside WebAssembly 2.0 (minus SIMD) + extended-const.
    c.simd_enabled = false;
    c.relaxed_simd_enabled = false;
    c.threads_enabled = false;
    c.shared_everything_threads_enabled = false;
    c.exceptions_enabled = false;
    c.gc_enabled = false;
    c.custom_descriptors_enabled = false;
    c.tail_call_enabled = false;
    c.memory64_enabled = false;
    c.custom_page_sizes_enabled = false;
    c.wide_arithmetic_enabled = false;
    c.compact_imports_enabled = false;
    c.acquire_release_atomics_enabled = false;
    c.multibyte_array_access_enabled = false;
    c.max_memories = 1;
    c.allow_invalid_funcs = false;
    // On, mostly: the WebAssembly 2.0 proposals and extended-const (each
    // occasionally off, to also test their absence).
    c.bulk_memory_enabled = rng.chance(9, 10);
    c.reference_types_enabled = c.bulk_memory_enabled && rng.chance(9, 10);
    c.multi_value_enabled = rng.chance(9, 10);
    c.sign_extension_ops_enabled = rng.chance(9, 10);
    c.saturating_float_to_int_enabled = rng.chance(9, 10);
    c.extended_const_enabled = rng.chance(9, 10);
    c.allow_floats = rng.chance(9, 10);
    c.export_everything = true;
    c.allow_start_export = rng.chance(1, 2);
    c.disallow_traps = rng.chance(1, 5);
    // NaN sign and payload of arithmetic results are non-deterministic in
    // the spec (and do differ between the engines); wasm-smith makes every
    // float result canonical so that bit patterns stored or reinterpreted
    // stay comparable.
    c.canonicalize_nans = true;
    c.generate_custom_sections = rng.chance(1, 10);
    c.min_uleb_size = if rng.chance(1, 10) {
        rng.range(1, 5) as u8
    } else {
        1
    };
    // Shapes: small, so that many modules run per second.
    c.max_types = rng.range(1, 20) as usize;
    c.max_imports = if rng.chance(1, 3) {
        0
    } else {
        rng.range(1, 8) as usize
    };
    c.max_funcs = rng.range(1, 24) as usize;
    c.max_globals = rng.range(0, 12) as usize;
    c.max_tables = if c.reference_types_enabled {
        rng.range(0, 3) as usize
    } else {
        1
    };
    c.max_table_elements = *rng.pick(&[0, 1, 4, 10, 100, 1000]);
    c.table_max_size_required = rng.chance(1, 3);
    c.max_memory32_bytes = *rng.pick(&[0u64, 1, 1, 2, 4, 16]) * 65536;
    c.memory_max_size_required = rng.chance(1, 3);
    c.max_data_segments = rng.range(0, 8) as usize;
    c.max_element_segments = rng.range(0, 8) as usize;
    c.max_elements = rng.range(0, 16) as usize;
    c.max_instructions = rng.range(8, 160) as usize;
    c.max_nesting_depth = rng.range(1, 10) as usize;
    // wasm-smith continues lists on coin flips: without minimums most
    // modules would have one function and nothing else.
    c.min_types = rng.range(1, c.max_types.min(6) as u64) as usize;
    c.min_funcs = rng.range(1, (c.max_funcs as u64).div_ceil(2)) as usize;
    c.min_imports = rng.range(0, c.max_imports.min(4) as u64) as usize;
    c.min_globals = rng.range(0, (c.max_globals / 2) as u64) as usize;
    c.min_memories = rng.range(0, 1) as u32;
    c.min_tables = rng.range(0, c.max_tables.min(2) as u64) as u32;
    c.min_data_segments = rng.range(0, (c.max_data_segments / 2) as u64) as usize;
    c.min_element_segments = rng.range(0, (c.max_element_segments / 2) as u64) as usize;

    // Swarm: leave out whole instruction classes now and then.
    if rng.chance(1, 4) {
        let mut kinds = vec![InstructionKind::Control];
        for k in [
            InstructionKind::Numeric,
            InstructionKind::NumericInt,
            InstructionKind::Reference,
            InstructionKind::Parametric,
            InstructionKind::Variable,
            InstructionKind::Table,
            InstructionKind::Memory,
            InstructionKind::MemoryInt,
        ] {
            if rng.chance(2, 3) {
                kinds.push(k);
            }
        }
        c.allowed_instructions = InstructionKinds::new(&kinds);
    } else {
        c.allowed_instructions = InstructionKinds::new(&[
            InstructionKind::Numeric,
            InstructionKind::Reference,
            InstructionKind::Parametric,
            InstructionKind::Variable,
            InstructionKind::Table,
            InstructionKind::Memory,
            InstructionKind::Control,
        ]);
    }
    c
}

/// The module for `seed`, with its fuel global exported, or why none could
/// be made.
pub fn generate(seed: u64) -> Result<Vec<u8>, String> {
    std::panic::catch_unwind(|| generate_inner(seed)).unwrap_or_else(|p| {
        Err(format!(
            "wasm-smith panicked: {}",
            super::exec::panic_message(&*p)
        ))
    })
}

fn generate_inner(seed: u64) -> Result<Vec<u8>, String> {
    let mut rng = Rng::new(seed);
    let config = config(&mut rng);
    let mut data = vec![0u8; rng.range(256, 12_000) as usize];
    rng.fill(&mut data);
    // Some combinations of minimums cannot be met (e.g. element segments
    // without a table); then retry with only functions and types required.
    let mut module = match Module::new(config.clone(), &mut Unstructured::new(&data)) {
        Ok(m) => m,
        Err(_) => {
            let mut relaxed = config;
            relaxed.min_imports = 0;
            relaxed.min_globals = 0;
            relaxed.min_memories = 0;
            relaxed.min_tables = 0;
            relaxed.min_data_segments = 0;
            relaxed.min_element_segments = 0;
            Module::new(relaxed, &mut Unstructured::new(&data)).map_err(|e| format!("wasm-smith: {e}"))?
        }
    };
    // Now and then enough fuel for recursion to exhaust the call stack
    // (whose depth limit is `host::MAX_CALL_DEPTH` in both engines).
    let fuel = if rng.chance(1, 200) {
        3 * super::host::MAX_CALL_DEPTH
    } else {
        *rng.pick(&[10u32, 50, 100, 200, 300, 500])
    };
    let global = module
        .ensure_termination(fuel)
        .map_err(|e| format!("ensure_termination: {e}"))?;
    let bytes = module.to_bytes();
    binary::add_export(&bytes, &format!("{FUEL_PREFIX}{fuel}"), 3, global)
        .ok_or_else(|| "could not export the fuel global".to_string())
}
