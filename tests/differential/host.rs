//! The deterministic environment both engines link against: host functions
//! whose results (or trap) are a fixed function of the import and the
//! arguments, and initial values for imported globals, memories and tables.
//!
//! Host functions also have side effects, again fixed by import and
//! arguments (`Effects`): they write to and grow the first imported memory,
//! set the first imported mutable global, grow the first imported table,
//! and call exported functions back (re-entering the engine, at most
//! `MAX_REENTRY` deep). That checks what the interpreter caches across a
//! host call (memory base and size, globals, tables).
//!
//! Every host call, the outcome of every effect and every re-entrant call's
//! result are folded into a log hash, so that both engines can be checked
//! to have made the same host calls with the same arguments.

use super::rng::mix;
use super::values::{Ty, V};

/// Largest memory, in pages, either engine lets a memory reach (Weft's
/// `Config::max_memory_pages`, wasmi's store limiter).
pub const MAX_MEMORY_PAGES: u64 = 32;
/// Largest number of table elements (Weft's built-in cap, mirrored in
/// wasmi's store limiter).
pub const MAX_TABLE_ELEMS: u64 = 10_000_000;
/// Nesting limit on wasm calls, the same in both engines. Most generated
/// modules get far less termination fuel than this, so neither engine can
/// reach it; one in 200 gets more, and unbounded recursion in it must then
/// exhaust the stack in both (after which the comparison stops, since side
/// effects before exhaustion depend on each engine's exact depth).
pub const MAX_CALL_DEPTH: u32 = 4096;

/// Digest of one host call: import key and canonicalised arguments.
pub fn call_digest(key: u64, args: &[V]) -> u64 {
    let mut h = mix(0x4057, key);
    for a in args {
        // Function references are compared as null / non-null only: the
        // host cannot name the export they point to before binding.
        let d = match a {
            V::FuncRef(Some(_)) => 0xF00D_0001,
            v => v.digest(),
        };
        h = mix(h, d);
    }
    h
}

/// Host-call nesting (host to wasm to host ...) beyond which host
/// functions no longer call back.
pub const MAX_REENTRY: u32 = 2;

/// Side effects of one host call, performed in field order before it
/// returns.
#[derive(Clone, Copy, Debug, Default)]
pub struct Effects {
    /// Store `value` (8 bytes, little-endian) at `offset % (len - 7)` of the
    /// first imported memory (if it has at least 8 bytes).
    pub write: Option<(u64, u64)>,
    /// Grow the first imported memory by this many pages.
    pub grow_memory: Option<u64>,
    /// Set the first imported mutable global to `value_from(type, seed)`.
    pub set_global: Option<u64>,
    /// Grow the first imported table by one null element.
    pub grow_table: bool,
    /// Call exported function number `seed % count` (among the function
    /// exports, in export order) with arguments derived from `seed`.
    pub reenter: Option<u64>,
}

/// The effects of a call of the host function with key `key`.
pub fn effects(key: u64, args: &[V]) -> Effects {
    let h = mix(call_digest(key, args), 0xEFFE);
    Effects {
        write: h.is_multiple_of(5).then(|| (h >> 8, mix(h, 1))),
        grow_memory: (h % 7 == 1).then_some((h >> 20) % 2),
        set_global: (h % 6 == 2).then(|| mix(h, 2)),
        grow_table: h % 9 == 3,
        reenter: (h % 4 == 1).then(|| mix(h, 3)),
    }
}

/// Arguments of a re-entrant call.
pub fn reentry_args(seed: u64, params: &[Ty]) -> Vec<V> {
    params
        .iter()
        .enumerate()
        .map(|(i, &t)| value_from(t, mix(seed, i as u64)))
        .collect()
}

/// Log entry for an effect's outcome (grow results, re-entrant results).
pub fn outcome_digest(what: u64, vals: &[V]) -> u64 {
    vals.iter().fold(mix(0x07C0E, what), |h, v| {
        let d = match v {
            V::FuncRef(Some(_)) => 0xF00D_0001,
            v => v.digest(),
        };
        mix(h, d)
    })
}

/// What the host function with import key `key` does with `args`: `None`
/// means it traps.
pub fn host_call(key: u64, args: &[V], results: &[Ty]) -> Option<Vec<V>> {
    let h = call_digest(key, args);
    // Trap on roughly one call in 29, and always when the first argument is
    // the i32 0xdead (easy to reach on purpose in hand-written cases).
    if h % 29 == 7 || matches!(args.first(), Some(V::I32(0xdead))) {
        return None;
    }
    let mut out = Vec::with_capacity(results.len());
    let mut s = h;
    for &ty in results {
        s = mix(s, 0x5EED);
        out.push(value_from(ty, s));
    }
    Some(out)
}

/// A value of type `ty` derived from `s`, biased towards edge cases.
pub fn value_from(ty: Ty, s: u64) -> V {
    let pick = (s >> 56) % 8;
    match ty {
        Ty::I32 => V::I32(match pick {
            0 => 0,
            1 => -1,
            2 => i32::MIN,
            3 => (s & 0xff) as i32,
            _ => s as i32,
        }),
        Ty::I64 => V::I64(match pick {
            0 => 0,
            1 => -1,
            2 => i64::MIN,
            3 => (s & 0xffff) as i64,
            _ => s as i64,
        }),
        Ty::F32 => V::F32(match pick {
            0 => 0x7fc0_0000,
            1 => 0x8000_0000,
            2 => 0x7f80_0000,
            3 => ((s & 0xffff) as f32).to_bits(),
            _ => s as u32,
        }),
        Ty::F64 => V::F64(match pick {
            0 => 0x7ff8_0000_0000_0000,
            1 => 0x8000_0000_0000_0000,
            2 => 0xfff0_0000_0000_0000,
            3 => ((s & 0xffff) as f64).to_bits(),
            _ => s,
        }),
        Ty::FuncRef => V::FuncRef(None),
        Ty::ExternRef => V::ExternRef(if pick < 2 { None } else { Some(s | 1) }),
    }
}

/// Initial value of the imported global with key `key` (function
/// references are null: the host has none to give).
pub fn global_init(key: u64, ty: Ty) -> V {
    value_from(ty, mix(0x610B, key))
}

/// Initial byte at `offset` of the imported memory with key `key`: a
/// pattern on the first page, zeros after it.
pub fn memory_byte(key: u64, offset: usize) -> u8 {
    if offset < 65536 {
        (mix(key, (offset / 8) as u64) >> ((offset % 8) * 8)) as u8
    } else {
        0
    }
}
