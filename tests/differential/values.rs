//! Engine-neutral values, types, import descriptions and outcomes: both
//! sides of the harness translate their own values into these, so results,
//! traps and states can be compared without either engine's types.

use std::fmt;

/// A value type of WebAssembly 2.0 without SIMD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    I32,
    I64,
    F32,
    F64,
    FuncRef,
    ExternRef,
}

/// Position of a function among the instance's exports when a reference
/// points to a function the instance does not export.
pub const UNKNOWN_FUNC: u32 = u32::MAX;

/// A value. Floats are raw bits; a function reference is the index, in the
/// module's export list, of an export of that function; an external
/// reference is the host's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum V {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    FuncRef(Option<u32>),
    ExternRef(Option<u64>),
}

pub const CANONICAL_NAN_32: u32 = 0x7fc0_0000;
pub const CANONICAL_NAN_64: u64 = 0x7ff8_0000_0000_0000;

impl V {
    pub fn ty(&self) -> Ty {
        match self {
            V::I32(_) => Ty::I32,
            V::I64(_) => Ty::I64,
            V::F32(_) => Ty::F32,
            V::F64(_) => Ty::F64,
            V::FuncRef(_) => Ty::FuncRef,
            V::ExternRef(_) => Ty::ExternRef,
        }
    }

    /// Every NaN becomes the positive canonical NaN: the spec lets NaN sign
    /// and payload of arithmetic results differ between engines.
    pub fn canonical(self) -> V {
        match self {
            V::F32(b) if f32::from_bits(b).is_nan() => V::F32(CANONICAL_NAN_32),
            V::F64(b) if f64::from_bits(b).is_nan() => V::F64(CANONICAL_NAN_64),
            v => v,
        }
    }

    /// A 64-bit image used for hashing (after canonicalisation).
    pub fn digest(self) -> u64 {
        match self.canonical() {
            V::I32(v) => v as u32 as u64,
            V::I64(v) => v as u64,
            V::F32(v) => v as u64 | 1 << 40,
            V::F64(v) => v ^ 0x5555,
            V::FuncRef(None) => 0xF00D_0000,
            V::FuncRef(Some(i)) => 0xF00D_0001_0000_0000 | i as u64,
            V::ExternRef(None) => 0xE0E0_0000,
            V::ExternRef(Some(p)) => p.rotate_left(17) ^ 0xE0E0,
        }
    }

    /// The zero (or null) value of a type.
    pub fn zero(ty: Ty) -> V {
        match ty {
            Ty::I32 => V::I32(0),
            Ty::I64 => V::I64(0),
            Ty::F32 => V::F32(0),
            Ty::F64 => V::F64(0),
            Ty::FuncRef => V::FuncRef(None),
            Ty::ExternRef => V::ExternRef(None),
        }
    }
}

impl fmt::Display for V {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            V::I32(v) => write!(f, "i32:{v}"),
            V::I64(v) => write!(f, "i64:{v}"),
            V::F32(b) => write!(f, "f32:{}(0x{b:08x})", f32::from_bits(*b)),
            V::F64(b) => write!(f, "f64:{}(0x{b:016x})", f64::from_bits(*b)),
            V::FuncRef(None) => write!(f, "funcref:null"),
            V::FuncRef(Some(i)) => write!(f, "funcref:export#{i}"),
            V::ExternRef(None) => write!(f, "externref:null"),
            V::ExternRef(Some(p)) => write!(f, "externref:{p}"),
        }
    }
}

/// Formats a list of values.
pub fn show(vals: &[V]) -> String {
    let parts: Vec<String> = vals.iter().map(|v| v.to_string()).collect();
    format!("[{}]", parts.join(", "))
}

/// The type of an import (or of an export), as one engine sees it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    Func { params: Vec<Ty>, results: Vec<Ty> },
    Table { elem: Ty, min: u64, max: Option<u64> },
    Memory { min: u64, max: Option<u64> },
    Global { ty: Ty, mutable: bool },
}

/// One import: names and type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub shape: Shape,
}

impl Import {
    /// Identity of the import for the host environment: what a host
    /// function computes and what an imported global holds depend on it
    /// (not on the position, which engines may list differently).
    pub fn key(&self) -> u64 {
        let text = format!("{}\u{0}{}\u{0}{:?}", self.module, self.name, self.shape);
        super::rng::hash_bytes(text.as_bytes())
    }
}

/// The kind of an export (its exact type is compared via `Shape` for
/// functions and globals only: table and memory sizes change at run time).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExportKind {
    Func { params: Vec<Ty>, results: Vec<Ty> },
    Table,
    Memory,
    Global { ty: Ty, mutable: bool },
}

/// Why an execution stopped abnormally, in terms both engines share.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallToNull,
    IndirectCallTypeMismatch,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversion,
    StackExhausted,
    /// A host function (ours) trapped.
    Host,
    /// wasmi ran out of its safety-net fuel (Weft has no fuel).
    OutOfFuel,
    /// Anything else (e.g. a link or resource error), with its message.
    Other(String),
}

impl Kind {
    /// A number for the kind (every `Other` alike), for logs.
    pub fn tag(&self) -> u64 {
        match self {
            Kind::Unreachable => 1,
            Kind::MemoryOutOfBounds => 2,
            Kind::TableOutOfBounds => 3,
            Kind::IndirectCallToNull => 4,
            Kind::IndirectCallTypeMismatch => 5,
            Kind::IntegerDivideByZero => 6,
            Kind::IntegerOverflow => 7,
            Kind::InvalidConversion => 8,
            Kind::StackExhausted => 9,
            Kind::Host => 10,
            Kind::OutOfFuel => 11,
            Kind::Other(_) => 12,
        }
    }

    /// Equal for comparison purposes: every non-trap error is alike.
    pub fn same_as(&self, other: &Kind) -> bool {
        match (self, other) {
            (Kind::Other(_), Kind::Other(_)) => true,
            (a, b) => a == b,
        }
    }
}

/// The message of our host functions' traps.
pub const HOST_TRAP: &str = "differential host trap";

/// The result of calling a function.
pub type CallOutcome = Result<Vec<V>, Kind>;

/// Formats a call outcome.
pub fn show_outcome(o: &CallOutcome) -> String {
    match o {
        Ok(v) => format!("ok {}", show(v)),
        Err(k) => format!("trap {k:?}"),
    }
}
