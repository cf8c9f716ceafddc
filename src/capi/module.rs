//! `wasm_module_t`: compiled modules (reference objects bound to a store),
//! validation, import/export reflection, sharing across stores and threads
//! (`wasm_shared_module_t`), and serialization.
//!
//! Serialized form (all integers little-endian):
//!
//! | bytes | content                                   |
//! |-------|-------------------------------------------|
//! | 8     | magic `\0weftmod`                         |
//! | 4     | format version (1)                        |
//! | 4     | reserved flags (0)                        |
//! | 8     | length of the module's binary             |
//! | 8     | FNV-1a 64-bit checksum of the binary      |
//! | n     | the module's binary                       |
//!
//! Deserializing checks every field and then decodes and validates the
//! binary again, so a truncated or corrupted blob is rejected (NULL).

use super::ffi;
use super::refs::{declare_ref, wasm_ref_t, RefKind};
use super::store::wasm_store_t;
use super::types::exporttype::{wasm_exporttype_t, wasm_exporttype_vec_t};
use super::types::importtype::{wasm_importtype_t, wasm_importtype_vec_t};
use super::types::wasm_externtype_t;
use super::vec::{wasm_byte_vec_t, OwnedName};
use crate::module::Module;
use crate::runtime::Engine;
use std::mem::MaybeUninit;

pub type wasm_module_t = wasm_ref_t;

declare_ref!(
    wasm_module_delete,
    wasm_module_copy,
    wasm_module_same,
    wasm_module_get_host_info,
    wasm_module_set_host_info,
    wasm_module_set_host_info_with_finalizer,
    wasm_module_as_ref,
    wasm_ref_as_module,
    wasm_module_as_ref_const,
    wasm_ref_as_module_const,
    is_module
);

/// A module detached from any store: `Send + Sync`, obtainable in any
/// store of any thread.
pub struct wasm_shared_module_t {
    module: Module,
}

impl wasm_ref_t {
    pub(crate) fn as_module(&self) -> Option<&Module> {
        match &self.core.kind {
            RefKind::Module(m) => Some(m),
            _ => None,
        }
    }
}

/// The module compiled for `engine` (recompiled if it belongs to another).
fn for_engine(module: &Module, engine: &Engine) -> Option<Module> {
    if module.engine().same(engine) {
        Some(module.clone())
    } else {
        Module::from_binary(engine, module.bytes()).ok()
    }
}

#[no_mangle]
pub extern "C" fn wasm_module_new(
    store: Option<&wasm_store_t>,
    binary: Option<&wasm_byte_vec_t>,
) -> Option<Box<wasm_module_t>> {
    ffi(|| {
        let store = store?;
        let module = Module::from_binary(&store.inner.engine, binary?.bytes()).ok()?;
        Some(store.inner.make_ref(RefKind::Module(module)))
    })
}

#[no_mangle]
pub extern "C" fn wasm_module_validate(
    store: Option<&wasm_store_t>,
    binary: Option<&wasm_byte_vec_t>,
) -> bool {
    ffi(|| match (store, binary) {
        (Some(store), Some(binary)) => Module::validate(&store.inner.engine, binary.bytes()).is_ok(),
        _ => false,
    })
}

#[no_mangle]
pub extern "C" fn wasm_module_imports(
    module: Option<&wasm_module_t>,
    out: Option<&mut MaybeUninit<wasm_importtype_vec_t>>,
) {
    ffi(|| {
        let Some(out) = out else { return };
        let items = module.and_then(|m| m.as_module()).map_or_else(Vec::new, |m| {
            m.imports()
                .iter()
                .map(|i| {
                    Some(Box::new(wasm_importtype_t {
                        module: OwnedName::new(&i.module),
                        name: OwnedName::new(&i.name),
                        ty: Box::new(wasm_externtype_t::from_engine(&i.ty)),
                    }))
                })
                .collect()
        });
        out.write(wasm_importtype_vec_t::from_vec(items));
    })
}

#[no_mangle]
pub extern "C" fn wasm_module_exports(
    module: Option<&wasm_module_t>,
    out: Option<&mut MaybeUninit<wasm_exporttype_vec_t>>,
) {
    ffi(|| {
        let Some(out) = out else { return };
        let items = module.and_then(|m| m.as_module()).map_or_else(Vec::new, |m| {
            m.exports()
                .map(|(name, ty)| {
                    Some(Box::new(wasm_exporttype_t {
                        name: OwnedName::new(name),
                        ty: Box::new(wasm_externtype_t::from_engine(&ty)),
                    }))
                })
                .collect()
        });
        out.write(wasm_exporttype_vec_t::from_vec(items));
    })
}

#[no_mangle]
pub extern "C" fn wasm_module_share(module: Option<&wasm_module_t>) -> Option<Box<wasm_shared_module_t>> {
    ffi(|| {
        let module = module?.as_module()?.clone();
        Some(Box::new(wasm_shared_module_t { module }))
    })
}

#[no_mangle]
pub extern "C" fn wasm_module_obtain(
    store: Option<&wasm_store_t>,
    shared: Option<&wasm_shared_module_t>,
) -> Option<Box<wasm_module_t>> {
    ffi(|| {
        let store = store?;
        let module = for_engine(&shared?.module, &store.inner.engine)?;
        Some(store.inner.make_ref(RefKind::Module(module)))
    })
}

#[no_mangle]
pub extern "C" fn wasm_shared_module_delete(shared: Option<Box<wasm_shared_module_t>>) {
    ffi(|| drop(shared))
}

const MAGIC: [u8; 8] = *b"\0weftmod";
const VERSION: u32 = 1;
const HEADER_LEN: usize = 32;

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

pub(crate) fn serialize(wasm: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + wasm.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(wasm.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a64(wasm).to_le_bytes());
    out.extend_from_slice(wasm);
    out
}

/// The module binary inside a serialized blob, if the blob is intact.
pub(crate) fn unwrap_serialized(blob: &[u8]) -> Option<&[u8]> {
    let header = blob.get(..HEADER_LEN)?;
    let u32_at = |i: usize| u32::from_le_bytes(header[i..i + 4].try_into().unwrap_or_default());
    let u64_at = |i: usize| u64::from_le_bytes(header[i..i + 8].try_into().unwrap_or_default());
    if header[..8] != MAGIC || u32_at(8) != VERSION || u32_at(12) != 0 {
        return None;
    }
    let wasm = &blob[HEADER_LEN..];
    if u64_at(16) != wasm.len() as u64 || u64_at(24) != fnv1a64(wasm) {
        return None;
    }
    Some(wasm)
}

#[no_mangle]
pub extern "C" fn wasm_module_serialize(
    module: Option<&wasm_module_t>,
    out: Option<&mut MaybeUninit<wasm_byte_vec_t>>,
) {
    ffi(|| {
        let Some(out) = out else { return };
        let bytes = module
            .and_then(|m| m.as_module())
            .map_or_else(Vec::new, |m| serialize(m.bytes()));
        out.write(wasm_byte_vec_t::from_bytes(&bytes));
    })
}

/// NULL for a blob that is not an intact serialized module.
#[no_mangle]
pub extern "C" fn wasm_module_deserialize(
    store: Option<&wasm_store_t>,
    blob: Option<&wasm_byte_vec_t>,
) -> Option<Box<wasm_module_t>> {
    ffi(|| {
        let store = store?;
        let wasm = unwrap_serialized(blob?.bytes())?;
        let module = Module::from_binary(&store.inner.engine, wasm).ok()?;
        Some(store.inner.make_ref(RefKind::Module(module)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_blobs_are_checked() {
        let wasm = b"\0asm\x01\0\0\0";
        let blob = serialize(wasm);
        assert_eq!(unwrap_serialized(&blob), Some(&wasm[..]));
        assert_eq!(unwrap_serialized(&blob[..blob.len() - 1]), None);
        assert_eq!(unwrap_serialized(&blob[..10]), None);
        for i in 0..blob.len() {
            let mut bad = blob.clone();
            bad[i] ^= 0x40;
            assert_eq!(unwrap_serialized(&bad), None, "flip at {i}");
        }
    }
}
