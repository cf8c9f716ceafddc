//! Value types and values.
//!
//! At run time every value lives in an untyped 64-bit cell; `Val` is the typed
//! view used at the boundary (host calls, globals, the embedder API).
//! Reference encoding in a cell: `0` is null; a funcref is the store's
//! function index plus one; an externref is the embedder's non-zero payload.

use std::fmt;
use std::num::NonZeroU64;

/// A reference type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefType {
    FuncRef,
    ExternRef,
}

/// A value type (SIMD is not supported).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    FuncRef,
    ExternRef,
}

impl ValType {
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef)
    }

    /// The zero value (null for references) of this type.
    pub fn default_val(self) -> Val {
        match self {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
        }
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        match r {
            RefType::FuncRef => ValType::FuncRef,
            RefType::ExternRef => ValType::ExternRef,
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        };
        f.write_str(s)
    }
}

/// An opaque, non-null host reference. The engine never interprets the
/// payload; embedders map it to their own objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExternRef(NonZeroU64);

impl ExternRef {
    /// Builds a reference from a non-zero payload (`None` for zero).
    pub fn from_raw(raw: u64) -> Option<ExternRef> {
        NonZeroU64::new(raw).map(ExternRef)
    }

    pub fn raw(self) -> u64 {
        self.0.get()
    }
}

/// A function reference: the index of a function in its store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FuncRef(pub(crate) u32);

/// A typed value. Floats are kept as raw bits so NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    I32(i32),
    I64(i64),
    /// Raw bits of an f32.
    F32(u32),
    /// Raw bits of an f64.
    F64(u64),
    FuncRef(Option<crate::runtime::Func>),
    ExternRef(Option<ExternRef>),
}

impl Val {
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
        }
    }

    pub fn f32(v: f32) -> Val {
        Val::F32(v.to_bits())
    }

    pub fn f64(v: f64) -> Val {
        Val::F64(v.to_bits())
    }

    /// Encodes into an untyped cell (references are not checked against a
    /// store here; see `Store`).
    pub(crate) fn to_cell(self) -> u64 {
        match self {
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v as u64,
            Val::F64(v) => v,
            Val::FuncRef(None) | Val::ExternRef(None) => 0,
            Val::FuncRef(Some(f)) => f.index as u64 + 1,
            Val::ExternRef(Some(e)) => e.raw(),
        }
    }

    /// Decodes a cell of type `ty` that belongs to the store `store_id`.
    pub(crate) fn from_cell(ty: ValType, cell: u64, store_id: u32) -> Val {
        match ty {
            ValType::I32 => Val::I32(cell as u32 as i32),
            ValType::I64 => Val::I64(cell as i64),
            ValType::F32 => Val::F32(cell as u32),
            ValType::F64 => Val::F64(cell),
            ValType::FuncRef => Val::FuncRef(if cell == 0 {
                None
            } else {
                Some(crate::runtime::Func {
                    store: store_id,
                    index: (cell - 1) as u32,
                })
            }),
            ValType::ExternRef => Val::ExternRef(ExternRef::from_raw(cell)),
        }
    }
}
