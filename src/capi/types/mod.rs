//! Type descriptions: value, function, global, table, memory, tag and
//! extern types, and import/export types.
//!
//! The five extern kinds share one representation, [`wasm_externtype_t`];
//! `wasm_functype_t` and the others are `#[repr(transparent)]` wrappers of
//! it whose content is of their kind, so `wasm_functype_as_externtype` and
//! `wasm_externtype_as_functype` are the same pointer, as C expects.

pub mod exporttype;
pub mod externtype;
pub mod functype;
pub mod globaltype;
pub mod importtype;
pub mod memorytype;
pub mod tabletype;
pub mod tagtype;
pub mod valtype;

use crate::core::{ExternType, Limits};
use functype::{wasm_functype_t, CFuncType};
use globaltype::CGlobalType;
use memorytype::CMemoryType;
use tabletype::CTableType;
use tagtype::CTagType;

/// `wasm_limits_t`: `{ uint32_t min; uint32_t max; }`, `max` 0xffffffff
/// meaning "no maximum".
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct wasm_limits_t {
    pub min: u32,
    pub max: u32,
}

const _: () = {
    assert!(std::mem::size_of::<wasm_limits_t>() == 8);
    assert!(std::mem::offset_of!(wasm_limits_t, max) == 4);
};

/// `wasm_limits_max_default`.
pub(crate) const LIMITS_MAX_NONE: u32 = u32::MAX;

impl wasm_limits_t {
    pub(crate) fn from_engine(l: &Limits) -> wasm_limits_t {
        wasm_limits_t {
            min: u32::try_from(l.min).unwrap_or(u32::MAX),
            max: l
                .max
                .map_or(LIMITS_MAX_NONE, |m| u32::try_from(m).unwrap_or(LIMITS_MAX_NONE)),
        }
    }

    pub(crate) fn max_opt(&self) -> Option<u32> {
        (self.max != LIMITS_MAX_NONE).then_some(self.max)
    }
}

/// The content of an extern type, by kind.
#[derive(Clone)]
pub(crate) enum CExternType {
    Func(CFuncType),
    Global(CGlobalType),
    Table(CTableType),
    Memory(CMemoryType),
    Tag(CTagType),
}

/// An extern type (also the storage of every concrete type description).
#[derive(Clone)]
pub struct wasm_externtype_t {
    pub(crate) which: CExternType,
}

impl wasm_externtype_t {
    pub(crate) fn from_engine(t: &ExternType) -> wasm_externtype_t {
        let which = match t {
            ExternType::Func(f) => CExternType::Func(CFuncType::from_engine(f)),
            ExternType::Global(g) => CExternType::Global(CGlobalType::from_engine(g)),
            ExternType::Table(t) => CExternType::Table(CTableType::from_engine(t)),
            ExternType::Memory(m) => CExternType::Memory(CMemoryType::from_engine(m)),
        };
        wasm_externtype_t { which }
    }

    pub(crate) fn kind(&self) -> u8 {
        match self.which {
            CExternType::Func(_) => 0,
            CExternType::Global(_) => 1,
            CExternType::Table(_) => 2,
            CExternType::Memory(_) => 3,
            CExternType::Tag(_) => 4,
        }
    }
}

impl super::vec::CopyObj for wasm_externtype_t {
    fn copy_obj(&self) -> Box<Self> {
        Box::new(self.clone())
    }
}

/// Declares a concrete type description: a transparent wrapper of
/// `wasm_externtype_t` whose content is always `CExternType::$variant`,
/// with its accessors and the checked view from an extern type.
macro_rules! concrete_type {
    ($name:ident, $variant:ident, $data:ty) => {
        /// A type description of one kind (see the module documentation).
        #[repr(transparent)]
        #[derive(Clone)]
        pub struct $name {
            pub(crate) ext: $crate::capi::types::wasm_externtype_t,
        }

        #[allow(dead_code)]
        impl $name {
            pub(crate) fn new(data: $data) -> Box<$name> {
                Box::new($name {
                    ext: $crate::capi::types::wasm_externtype_t {
                        which: $crate::capi::types::CExternType::$variant(data),
                    },
                })
            }

            pub(crate) fn data(&self) -> &$data {
                match &self.ext.which {
                    $crate::capi::types::CExternType::$variant(d) => d,
                    _ => unreachable!("type description of the wrong kind"),
                }
            }

            /// The view of `ext` as this kind, if it is of this kind.
            pub(crate) fn from_ext(ext: &$crate::capi::types::wasm_externtype_t) -> Option<&$name> {
                match ext.which {
                    $crate::capi::types::CExternType::$variant(_) => {
                        // SAFETY: `$name` is a `repr(transparent)` wrapper
                        // of `wasm_externtype_t`, and the content is of the
                        // kind the wrapper requires.
                        Some(unsafe {
                            &*(ext as *const $crate::capi::types::wasm_externtype_t as *const $name)
                        })
                    }
                    _ => None,
                }
            }
        }

        impl $crate::capi::vec::CopyObj for $name {
            fn copy_obj(&self) -> Box<Self> {
                Box::new(self.clone())
            }
        }
    };
}

pub(crate) use concrete_type;

/// Makes a function type from the engine's (used by several families).
pub(crate) fn functype_from_engine(f: &crate::core::FuncType) -> Box<wasm_functype_t> {
    wasm_functype_t::new(CFuncType::from_engine(f))
}
