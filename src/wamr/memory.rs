//! Linear memory from the host's side: the app heap behind
//! `wasm_runtime_module_malloc`, address checks and conversions, memory
//! handles.
//!
//! The app heap is a range appended to memory 0 at instantiation (see
//! `instance::setup_heap`); its bookkeeping is kept outside linear memory,
//! so wasm code cannot corrupt it. A module that exports `malloc` and
//! `free` is asked to allocate instead. Linear memories never move (the
//! engine reserves the range they may grow into, from `mmap` or from the
//! runtime's pool or allocator), so native addresses stay valid when memory
//! grows.

use super::calls;
use super::instance::{inst_ref, ModuleInst, Shared};
use super::{guard, SendPtr};
use crate::core::limits::PAGE_SIZE;
use crate::core::Val;
use crate::runtime::{Memory, Store};
use std::collections::BTreeMap;
use std::ffi::{c_char, c_void};

const ALIGN: u32 = 8;

/// A first-fit allocator over `[start, start + size)` of linear memory.
pub struct AppHeap {
    free: BTreeMap<u32, u32>,
    used: BTreeMap<u32, u32>,
}

impl AppHeap {
    pub fn new(start: u32, size: u32) -> AppHeap {
        // Offset 0 means failure to C, so never hand it out.
        let (start, size) = if start == 0 {
            (ALIGN, size.saturating_sub(ALIGN))
        } else {
            (start, size)
        };
        let mut free = BTreeMap::new();
        if size > 0 {
            free.insert(start, size);
        }
        AppHeap {
            free,
            used: BTreeMap::new(),
        }
    }

    pub fn alloc(&mut self, n: u64) -> Option<u32> {
        let need = u32::try_from(n.max(1).checked_add(ALIGN as u64 - 1)? & !(ALIGN as u64 - 1)).ok()?;
        let (&off, &size) = self.free.iter().find(|(_, &s)| s >= need)?;
        self.free.remove(&off);
        if size > need {
            self.free.insert(off + need, size - need);
        }
        self.used.insert(off, need);
        Some(off)
    }

    /// Frees the block at `off`; false if there is none.
    pub fn free(&mut self, off: u32) -> bool {
        let Some(mut size) = self.used.remove(&off) else {
            return false;
        };
        let mut start = off;
        if let Some(next) = self.free.remove(&(off + size)) {
            size += next;
        }
        if let Some((&p, &ps)) = self.free.range(..off).next_back() {
            if p + ps == off {
                self.free.remove(&p);
                start = p;
                size += ps;
            }
        }
        self.free.insert(start, size);
        true
    }
}

/// What `wasm_memory_inst_t` points to.
pub struct MemRec {
    shared: SendPtr<Shared>,
    memory: Memory,
}

/// Memory 0 of the handle's node.
fn mem0(h: &ModuleInst, store: &Store) -> Option<Memory> {
    h.node().instance.get()?.memory(store, 0)
}

/// Base address and length of the handle's memory 0.
pub(crate) fn view(h: &ModuleInst) -> Option<(*mut u8, usize)> {
    h.shared()
        .with_store(|store| {
            let m = mem0(h, store)?;
            let d = m.data(store).ok()?;
            Some((d.as_ptr() as *mut u8, d.len()))
        })
        .ok()
        .flatten()
}

pub(crate) fn malloc(h: &ModuleInst, size: u64) -> u64 {
    let shared = h.shared();
    let node = h.node();
    if let Some((m, _)) = node.malloc_free.get() {
        let Ok(n) = i32::try_from(size) else {
            return 0;
        };
        let mut out = [Val::I32(0)];
        if !calls::run(
            shared,
            shared.env_for_natives(h.node),
            *m,
            &[Val::I32(n)],
            &mut out,
        ) {
            return 0;
        }
        return match out[0] {
            Val::I32(v) => v as u32 as u64,
            _ => 0,
        };
    }
    let mut heap = node.heap.lock().unwrap_or_else(|p| p.into_inner());
    heap.as_mut().and_then(|hp| hp.alloc(size)).unwrap_or(0) as u64
}

pub(crate) fn free(h: &ModuleInst, off: u64) {
    if off == 0 {
        return;
    }
    let shared = h.shared();
    let node = h.node();
    if let Some((_, f)) = node.malloc_free.get() {
        calls::run(
            shared,
            shared.env_for_natives(h.node),
            *f,
            &[Val::I32(off as u32 as i32)],
            &mut [],
        );
        return;
    }
    if let (Some(hp), Ok(o)) = (
        node.heap.lock().unwrap_or_else(|p| p.into_inner()).as_mut(),
        u32::try_from(off),
    ) {
        hp.free(o);
    }
}

/// # Safety
/// `inst` is NULL or live; `p_native` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_module_malloc(
    inst: *mut ModuleInst,
    size: u64,
    p_native: *mut *mut c_void,
) -> u64 {
    guard(0, || {
        // SAFETY: per the contract.
        let Some(h) = (unsafe { inst_ref(inst) }) else {
            return 0;
        };
        let off = malloc(h, size);
        if !p_native.is_null() {
            let native = match (off, view(h)) {
                (1.., Some((base, len))) if (off as usize) < len => {
                    // SAFETY: inside the memory's accessible range.
                    unsafe { base.add(off as usize) as *mut c_void }
                }
                _ => std::ptr::null_mut(),
            };
            // SAFETY: writable per the contract.
            unsafe { *p_native = native };
        }
        off
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_module_free(inst: *mut ModuleInst, ptr: u64) {
    guard((), || {
        // SAFETY: per the contract.
        if let Some(h) = unsafe { inst_ref(inst) } {
            free(h, ptr);
        }
    })
}

/// # Safety
/// `inst` is NULL or live; `src` points to `size` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_module_dup_data(
    inst: *mut ModuleInst,
    src: *const c_char,
    size: u64,
) -> u64 {
    guard(0, || {
        // SAFETY: per the contract.
        let Some(h) = (unsafe { inst_ref(inst) }) else {
            return 0;
        };
        if src.is_null() && size > 0 {
            return 0;
        }
        let off = malloc(h, size);
        if off == 0 {
            return 0;
        }
        let copied = h.shared().with_store(|store| {
            let m = mem0(h, store)?;
            let d = m.data_mut(store).ok()?;
            let dst = d.get_mut(off as usize..(off + size) as usize)?;
            if size > 0 {
                // SAFETY: `src` has `size` readable bytes per the contract.
                dst.copy_from_slice(unsafe { std::slice::from_raw_parts(src as *const u8, size as usize) });
            }
            Some(())
        });
        if matches!(copied, Ok(Some(()))) {
            off
        } else {
            free(h, off);
            0
        }
    })
}

fn oob(h: &ModuleInst) -> bool {
    h.shared().set_exception(Some("out of bounds memory access"));
    false
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_validate_app_addr(inst: *mut ModuleInst, off: u64, size: u64) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        let Some(h) = (unsafe { inst_ref(inst) }) else {
            return false;
        };
        match view(h) {
            Some((_, len)) if off.checked_add(size).is_some_and(|end| end <= len as u64) => true,
            _ => oob(h),
        }
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_validate_app_str_addr(inst: *mut ModuleInst, off: u64) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        let Some(h) = (unsafe { inst_ref(inst) }) else {
            return false;
        };
        let ok = h
            .shared()
            .with_store(|store| {
                let m = mem0(h, store)?;
                let d = m.data(store).ok()?;
                d.get(usize::try_from(off).ok()?..)?.contains(&0).then_some(())
            })
            .ok()
            .flatten()
            .is_some();
        ok || oob(h)
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_validate_native_addr(
    inst: *mut ModuleInst,
    p: *mut c_void,
    size: u64,
) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        let Some(h) = (unsafe { inst_ref(inst) }) else {
            return false;
        };
        let ok = match view(h) {
            Some((base, len)) => {
                let (a, b) = (p as usize, base as usize);
                a >= b
                    && (a as u64 - b as u64)
                        .checked_add(size)
                        .is_some_and(|end| end <= len as u64)
            }
            None => false,
        };
        ok || oob(h)
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_addr_app_to_native(inst: *mut ModuleInst, off: u64) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        match unsafe { inst_ref(inst) }.and_then(view) {
            // SAFETY: `off` is inside the accessible range.
            Some((base, len)) if off < len as u64 => unsafe { base.add(off as usize) as *mut c_void },
            _ => std::ptr::null_mut(),
        }
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_addr_native_to_app(inst: *mut ModuleInst, p: *mut c_void) -> u64 {
    guard(0, || {
        // SAFETY: per the contract.
        match unsafe { inst_ref(inst) }.and_then(view) {
            Some((base, len)) if (p as usize) >= base as usize && (p as usize) - (base as usize) < len => {
                (p as usize - base as usize) as u64
            }
            _ => 0,
        }
    })
}

/// # Safety
/// `inst` is NULL or live; the out-pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_app_addr_range(
    inst: *mut ModuleInst,
    off: u64,
    p_start: *mut u64,
    p_end: *mut u64,
) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        match unsafe { inst_ref(inst) }.and_then(view) {
            Some((_, len)) if off < len as u64 => {
                // SAFETY: writable when not NULL.
                unsafe {
                    if !p_start.is_null() {
                        *p_start = 0;
                    }
                    if !p_end.is_null() {
                        *p_end = len as u64;
                    }
                }
                true
            }
            _ => false,
        }
    })
}

/// # Safety
/// `inst` is NULL or live; the out-pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_native_addr_range(
    inst: *mut ModuleInst,
    p: *mut u8,
    p_start: *mut *mut u8,
    p_end: *mut *mut u8,
) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        match unsafe { inst_ref(inst) }.and_then(view) {
            Some((base, len)) if (p as usize) >= base as usize && (p as usize) - (base as usize) < len => {
                // SAFETY: writable when not NULL; the end is one past the memory.
                unsafe {
                    if !p_start.is_null() {
                        *p_start = base;
                    }
                    if !p_end.is_null() {
                        *p_end = base.add(len);
                    }
                }
                true
            }
            _ => false,
        }
    })
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_enlarge_memory(inst: *mut ModuleInst, pages: u64) -> bool {
    guard(false, || {
        // SAFETY: per the contract.
        let Some(h) = (unsafe { inst_ref(inst) }) else {
            return false;
        };
        h.shared()
            .with_store(|store| {
                mem0(h, store)
                    .and_then(|m| m.grow(store, pages).ok().flatten())
                    .is_some()
            })
            .unwrap_or(false)
    })
}

/// The (cached) record for `memory` of the handle's tree.
fn mem_rec(h: &ModuleInst, memory: Memory) -> *mut MemRec {
    let shared = h.shared();
    let mut mems = shared.mems.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, _, r)) = mems.iter().find(|(_, i, _)| *i == memory.index()) {
        return r.as_ptr();
    }
    match super::alloc::RtBox::new(MemRec {
        shared: SendPtr(shared as *const Shared as *mut Shared),
        memory,
    }) {
        Some(r) => {
            let p = r.as_ptr();
            mems.push((0, memory.index(), r));
            p
        }
        None => std::ptr::null_mut(),
    }
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_default_memory(inst: *const ModuleInst) -> *mut MemRec {
    // SAFETY: forwarded contract.
    unsafe { wasm_runtime_get_memory(inst, 0) }
}

/// # Safety
/// `inst` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_memory(inst: *const ModuleInst, index: u32) -> *mut MemRec {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        let Some(h) = (unsafe { inst_ref(inst) }) else {
            return std::ptr::null_mut();
        };
        let m = h
            .shared()
            .with_store(|s| h.node().instance.get().and_then(|i| i.memory(s, index)))
            .ok()
            .flatten();
        m.map(|m| mem_rec(h, m)).unwrap_or(std::ptr::null_mut())
    })
}

/// # Safety
/// `inst` is NULL or live; `name` NULL or a C string.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_lookup_memory(
    inst: *const ModuleInst,
    name: *const c_char,
) -> *mut MemRec {
    guard(std::ptr::null_mut(), || {
        // SAFETY: per the contract.
        let (Some(h), Some(name)) = (unsafe { inst_ref(inst) }, unsafe { super::cstr(name) }) else {
            return std::ptr::null_mut();
        };
        let m = h
            .shared()
            .with_store(|s| match h.node().instance.get()?.export(s, name) {
                Ok(Some(crate::runtime::Extern::Memory(m))) => Some(m),
                _ => None,
            })
            .ok()
            .flatten();
        m.map(|m| mem_rec(h, m)).unwrap_or(std::ptr::null_mut())
    })
}

/// Runs `f` on a memory record's memory.
///
/// # Safety
/// `m` is NULL or a live record.
unsafe fn with_mem<R>(m: *const MemRec, fallback: R, f: impl FnOnce(&mut Store, Memory) -> R) -> R {
    // SAFETY: per the contract; a record's tree outlives it.
    let Some(rec) = (unsafe { m.as_ref() }) else {
        return fallback;
    };
    // SAFETY: as above.
    let shared = unsafe { &*rec.shared.0 };
    let memory = rec.memory;
    shared.with_store(|s| f(s, memory)).unwrap_or(fallback)
}

/// # Safety
/// `m` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_memory_get_cur_page_count(m: *const MemRec) -> u64 {
    // SAFETY: forwarded contract.
    guard(0, || unsafe { with_mem(m, 0, |s, mem| mem.size(s).unwrap_or(0)) })
}

/// # Safety
/// `m` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_memory_get_max_page_count(m: *const MemRec) -> u64 {
    guard(0, || {
        // SAFETY: forwarded contract.
        unsafe {
            with_mem(m, 0, |s, mem| {
                mem.ty(s)
                    .map(|t| t.limits.max.unwrap_or(crate::core::limits::MAX_PAGES_32))
                    .unwrap_or(0)
            })
        }
    })
}

/// # Safety
/// `m` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_memory_get_bytes_per_page(m: *const MemRec) -> u64 {
    if m.is_null() {
        0
    } else {
        PAGE_SIZE as u64
    }
}

/// # Safety
/// `m` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_memory_get_shared(m: *const MemRec) -> bool {
    // SAFETY: forwarded contract.
    guard(false, || unsafe {
        with_mem(m, false, |s, mem| mem.ty(s).map(|t| t.shared).unwrap_or(false))
    })
}

/// # Safety
/// `m` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_memory_get_base_address(m: *const MemRec) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: forwarded contract.
        unsafe {
            with_mem(m, std::ptr::null_mut(), |s, mem| {
                mem.data(s)
                    .map(|d| d.as_ptr() as *mut c_void)
                    .unwrap_or(std::ptr::null_mut())
            })
        }
    })
}

/// # Safety
/// `m` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn wasm_memory_enlarge(m: *mut MemRec, pages: u64) -> bool {
    // SAFETY: forwarded contract.
    guard(false, || unsafe {
        with_mem(m, false, |s, mem| matches!(mem.grow(s, pages), Ok(Some(_))))
    })
}

#[cfg(test)]
mod tests {
    use super::AppHeap;

    #[test]
    fn app_heap_reuses_and_merges() {
        let mut h = AppHeap::new(65536, 1024);
        let a = h.alloc(10).unwrap();
        let b = h.alloc(100).unwrap();
        let c = h.alloc(500).unwrap();
        assert_eq!(a, 65536);
        assert!(b > a && c > b);
        assert!(h.alloc(1024).is_none());
        assert!(h.free(b));
        assert!(!h.free(b));
        assert!(h.free(a));
        assert!(h.free(c));
        assert_eq!(h.alloc(1024), Some(65536));
        let mut z = AppHeap::new(0, 64);
        assert_eq!(z.alloc(1), Some(8));
    }
}
