//! `wasm_val_t`: tagged values (`kind` at offset 0, the payload union at
//! offset 8, 16 bytes in all), value vectors, and conversion between C
//! values and the engine's `Val`, including references: a funcref is a
//! function handle; an externref is any C reference, held by wasm as a
//! payload of the store's externref table.

use super::ffi;
use super::refs::{wasm_ref_t, RefKind};
use super::store::StoreInner;
use super::types::valtype::{
    kind_to_type, type_to_kind, wasm_valkind_t, WASM_EXTERNREF, WASM_FUNCREF, WASM_I32,
};
use super::vec::{declare_vec, VecElem};
use crate::core::{ExternRef, Val, ValType};
use std::mem::MaybeUninit;

/// The payload of a value.
#[repr(C)]
#[derive(Clone, Copy)]
pub union wasm_val_union {
    pub i32: i32,
    pub i64: i64,
    pub f32: f32,
    pub f64: f64,
    pub ref_: *mut wasm_ref_t,
}

/// A tagged value. When the kind is a reference kind, `of.ref_` is NULL or
/// a reference owned by whoever owns the value.
#[repr(C)]
pub struct wasm_val_t {
    pub kind: wasm_valkind_t,
    pub of: wasm_val_union,
}

const _: () = {
    assert!(std::mem::size_of::<wasm_val_t>() == 16);
    assert!(std::mem::align_of::<wasm_val_t>() == 8);
    assert!(std::mem::offset_of!(wasm_val_t, kind) == 0);
    assert!(std::mem::offset_of!(wasm_val_t, of) == 8);
};

fn is_ref_kind(kind: wasm_valkind_t) -> bool {
    kind == WASM_EXTERNREF || kind == WASM_FUNCREF
}

impl wasm_val_t {
    pub(crate) fn i32(v: i32) -> wasm_val_t {
        wasm_val_t {
            kind: WASM_I32,
            of: wasm_val_union { i32: v },
        }
    }

    /// A copy that owns a new reference when the value holds one.
    pub(crate) fn copy_val(&self) -> wasm_val_t {
        if is_ref_kind(self.kind) {
            // SAFETY: for a reference kind the active field is `ref_`.
            let r = unsafe { self.of.ref_ };
            // SAFETY: a non-NULL reference in a value is a live handle made
            // by this library (`Box::into_raw`).
            let copy = unsafe { r.as_ref() }.map_or(std::ptr::null_mut(), |r| Box::into_raw(r.copy_ref()));
            wasm_val_t {
                kind: self.kind,
                of: wasm_val_union { ref_: copy },
            }
        } else {
            wasm_val_t {
                kind: self.kind,
                of: self.of,
            }
        }
    }

    /// Releases the reference the value owns, if any (the value keeps its
    /// kind and a NULL reference).
    pub(crate) fn release_val(&mut self) {
        if is_ref_kind(self.kind) {
            // SAFETY: for a reference kind the active field is `ref_`.
            let r = unsafe { self.of.ref_ };
            self.of.ref_ = std::ptr::null_mut();
            if !r.is_null() {
                // SAFETY: an owned value's reference came from
                // `Box::into_raw` in this library and is released once.
                drop(unsafe { Box::from_raw(r) });
            }
        }
    }

    /// The reference in a value of reference kind (borrowed).
    pub(crate) fn ref_payload(&self) -> Option<&wasm_ref_t> {
        if !is_ref_kind(self.kind) {
            return None;
        }
        // SAFETY: for a reference kind the active field is `ref_`, NULL or
        // a live handle made by this library.
        unsafe { self.of.ref_.as_ref() }
    }

    /// Converts to the engine's value, checking the kind against
    /// `expected` when given. References are recorded in `store`.
    pub(crate) fn to_engine(&self, store: &StoreInner, expected: Option<ValType>) -> Result<Val, String> {
        let ty = kind_to_type(self.kind).ok_or_else(|| format!("invalid value kind {}", self.kind))?;
        if let Some(e) = expected {
            if e != ty {
                return Err(format!("value of type {ty} where {e} is expected"));
            }
        }
        // SAFETY (for each union read below): `kind` names the active
        // field, as the C API requires.
        Ok(match ty {
            ValType::I32 => Val::I32(unsafe { self.of.i32 }),
            ValType::I64 => Val::I64(unsafe { self.of.i64 }),
            ValType::F32 => Val::F32(unsafe { self.of.f32 }.to_bits()),
            ValType::F64 => Val::F64(unsafe { self.of.f64 }.to_bits()),
            ValType::FuncRef => match self.ref_payload() {
                None => Val::FuncRef(None),
                Some(r) => match &r.core.kind {
                    RefKind::Func(f) => Val::FuncRef(Some(*f)),
                    _ => return Err("a funcref value must hold a function".to_string()),
                },
            },
            ValType::ExternRef => match self.ref_payload() {
                None => Val::ExternRef(None),
                Some(r) => {
                    let payload = store.externrefs.borrow_mut().intern(&r.core);
                    Val::ExternRef(ExternRef::from_raw(payload))
                }
            },
        })
    }

    /// A C value for an engine value; references become new handles owned
    /// by the result.
    pub(crate) fn from_engine(store: &StoreInner, v: Val) -> wasm_val_t {
        let of = match v {
            Val::I32(x) => wasm_val_union { i32: x },
            Val::I64(x) => wasm_val_union { i64: x },
            Val::F32(bits) => wasm_val_union {
                f32: f32::from_bits(bits),
            },
            Val::F64(bits) => wasm_val_union {
                f64: f64::from_bits(bits),
            },
            Val::FuncRef(f) => wasm_val_union {
                ref_: f.map_or(std::ptr::null_mut(), |f| {
                    Box::into_raw(store.make_ref(RefKind::Func(f)))
                }),
            },
            Val::ExternRef(e) => {
                let core = e.and_then(|e| store.externrefs.borrow().get(e.raw()));
                wasm_val_union {
                    ref_: core.map_or(std::ptr::null_mut(), |c| Box::into_raw(store.ref_from_core(c))),
                }
            }
        };
        wasm_val_t {
            kind: type_to_kind(v.ty()),
            of,
        }
    }
}

impl VecElem for wasm_val_t {
    fn blank() -> Self {
        wasm_val_t::i32(0)
    }
    fn copy_elem(&self) -> Self {
        self.copy_val()
    }
    fn release(mut self) {
        self.release_val()
    }
}

declare_vec!(
    wasm_val_vec_t,
    wasm_val_t,
    wasm_val_vec_new_empty,
    wasm_val_vec_new_uninitialized,
    wasm_val_vec_new,
    wasm_val_vec_copy,
    wasm_val_vec_delete
);

/// Releases the reference a value owns.
#[no_mangle]
pub extern "C" fn wasm_val_delete(v: Option<&mut wasm_val_t>) {
    ffi(|| {
        if let Some(v) = v {
            v.release_val()
        }
    })
}

/// Writes to `out` a copy of `src` (with a new reference if it holds one).
#[no_mangle]
pub extern "C" fn wasm_val_copy(out: Option<&mut MaybeUninit<wasm_val_t>>, src: Option<&wasm_val_t>) {
    ffi(|| {
        if let (Some(out), Some(src)) = (out, src) {
            out.write(src.copy_val());
        }
    })
}
