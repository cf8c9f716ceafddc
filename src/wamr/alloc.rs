//! The runtime's allocator, chosen at initialisation: the C library
//! (`Alloc_With_System_Allocator`), the embedder's functions
//! (`Alloc_With_Allocator`) or a buffer the embedder hands over
//! (`Alloc_With_Pool`), carved up by the small first-fit allocator below,
//! whose bookkeeping lives inside the buffer too.
//!
//! It serves `wasm_runtime_malloc`/`realloc`/`free`, the objects this
//! layer hands to C (modules, instances, exec envs, function and memory
//! records: see [`RtBox`]) and, through [`RuntimeMemories`] (the engine's
//! `MemoryAllocator` hook), the linear memories of pool and embedder
//! runtimes. The engine's own data (decoded modules, stores) still comes
//! from the system: the engine has no hook for it.

use std::ffi::c_void;
use std::ptr;
use std::sync::{Mutex, MutexGuard};

#[no_mangle]
pub extern "C" fn wasm_runtime_malloc(size: u32) -> *mut c_void {
    super::guard(ptr::null_mut(), || rt_malloc(size as usize))
}

/// # Safety
/// `p` is NULL or came from this allocator and was not freed.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_realloc(p: *mut c_void, size: u32) -> *mut c_void {
    // SAFETY: forwarded contract.
    super::guard(ptr::null_mut(), || unsafe { rt_realloc(p, size as usize) })
}

/// # Safety
/// `p` is NULL or came from this allocator and was not freed.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_free(p: *mut c_void) {
    // SAFETY: forwarded contract.
    super::guard((), || unsafe { rt_free(p) })
}

/// Usage of a pool (`mem_alloc_info_t`).
#[repr(C)]
pub struct mem_alloc_info_t {
    pub total_size: u32,
    pub total_free_size: u32,
    pub highmark_size: u32,
}

/// # Safety
/// `info` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_mem_alloc_info(info: *mut mem_alloc_info_t) -> bool {
    super::guard(false, || {
        if info.is_null() {
            return false;
        }
        let a = lock();
        match &*a {
            Allocator::Pool(p) => {
                // SAFETY: checked non-null; the caller provides the storage.
                unsafe {
                    *info = mem_alloc_info_t {
                        total_size: p.size as u32,
                        total_free_size: (p.size - p.used) as u32,
                        highmark_size: p.highmark as u32,
                    };
                }
                true
            }
            _ => false,
        }
    })
}

type MallocFn = unsafe extern "C" fn(u32) -> *mut c_void;
type ReallocFn = unsafe extern "C" fn(*mut c_void, u32) -> *mut c_void;
type FreeFn = unsafe extern "C" fn(*mut c_void);

pub(crate) enum Allocator {
    System,
    User {
        malloc: MallocFn,
        realloc: Option<ReallocFn>,
        free: FreeFn,
    },
    Pool(Pool),
}

static ALLOCATOR: Mutex<Allocator> = Mutex::new(Allocator::System);

fn lock() -> MutexGuard<'static, Allocator> {
    ALLOCATOR.lock().unwrap_or_else(|p| p.into_inner())
}

/// Installs the allocator for `Alloc_With_Allocator`; false if `malloc` or
/// `free` is NULL.
///
/// # Safety
/// The pointers are NULL or C functions of the documented types.
pub(crate) unsafe fn use_user(malloc: *mut c_void, realloc: *mut c_void, free: *mut c_void) -> bool {
    if malloc.is_null() || free.is_null() {
        return false;
    }
    // SAFETY: non-null function pointers of the types the header documents.
    let a = unsafe {
        Allocator::User {
            malloc: std::mem::transmute::<*mut c_void, MallocFn>(malloc),
            realloc: (!realloc.is_null()).then(|| std::mem::transmute::<*mut c_void, ReallocFn>(realloc)),
            free: std::mem::transmute::<*mut c_void, FreeFn>(free),
        }
    };
    *lock() = a;
    true
}

/// Installs a pool over `[buf, buf + size)`; false if it is too small.
///
/// # Safety
/// The buffer is writable, and left to the runtime until [`use_system`].
pub(crate) unsafe fn use_pool(buf: *mut u8, size: usize) -> bool {
    // SAFETY: forwarded contract.
    match unsafe { Pool::new(buf, size) } {
        Some(p) => {
            *lock() = Allocator::Pool(p);
            true
        }
        None => false,
    }
}

pub(crate) fn use_system() {
    *lock() = Allocator::System;
}

pub(crate) fn rt_malloc(size: usize) -> *mut c_void {
    let mut a = lock();
    match &mut *a {
        // SAFETY: plain C allocation; at least 1 byte so that a non-null
        // result is never ambiguous.
        Allocator::System => unsafe { libc::malloc(size.max(1)) },
        Allocator::User { malloc, .. } => match u32::try_from(size.max(1)) {
            // SAFETY: the embedder's allocator, called as documented.
            Ok(n) => unsafe { malloc(n) },
            Err(_) => ptr::null_mut(),
        },
        Allocator::Pool(p) => p.alloc(size) as *mut c_void,
    }
}

/// # Safety
/// `p` is NULL or a live allocation of this allocator.
pub(crate) unsafe fn rt_realloc(p: *mut c_void, size: usize) -> *mut c_void {
    if p.is_null() {
        return rt_malloc(size);
    }
    let mut a = lock();
    match &mut *a {
        // SAFETY: `p` came from libc::malloc per the contract.
        Allocator::System => unsafe { libc::realloc(p, size.max(1)) },
        Allocator::User { realloc, .. } => match (realloc, u32::try_from(size.max(1))) {
            // SAFETY: the embedder's realloc with its own allocation.
            (Some(r), Ok(n)) => unsafe { r(p, n) },
            _ => ptr::null_mut(),
        },
        // SAFETY: `p` came from this pool per the contract.
        Allocator::Pool(pool) => unsafe { pool.realloc(p as *mut u8, size) as *mut c_void },
    }
}

/// # Safety
/// `p` is NULL or a live allocation of this allocator.
pub(crate) unsafe fn rt_free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    let mut a = lock();
    match &mut *a {
        // SAFETY: per the contract.
        Allocator::System => unsafe { libc::free(p) },
        // SAFETY: per the contract.
        Allocator::User { free, .. } => unsafe { free(p) },
        // SAFETY: per the contract.
        Allocator::Pool(pool) => unsafe { pool.free(p as *mut u8) },
    }
}

/// An owned `T` in memory from the runtime's allocator, like a `Box`.
/// The address is what C sees as the handle.
pub(crate) struct RtBox<T> {
    ptr: *mut T,
}

// SAFETY: RtBox owns its T exactly like Box<T>.
unsafe impl<T: Send> Send for RtBox<T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for RtBox<T> {}

impl<T> RtBox<T> {
    /// Moves `value` into the runtime's memory; `None` when it is exhausted.
    pub fn new(value: T) -> Option<RtBox<T>> {
        assert!(std::mem::align_of::<T>() <= POOL_ALIGN);
        let p = rt_malloc(std::mem::size_of::<T>()) as *mut T;
        if p.is_null() {
            return None;
        }
        // SAFETY: fresh allocation of the right size, 16-byte aligned.
        unsafe { p.write(value) };
        Some(RtBox { ptr: p })
    }

    pub fn as_ptr(&self) -> *mut T {
        self.ptr
    }

    /// Gives up ownership; [`RtBox::from_raw`] takes it back.
    pub fn into_raw(self) -> *mut T {
        let p = self.ptr;
        std::mem::forget(self);
        p
    }

    /// # Safety
    /// `p` came from [`RtBox::into_raw`] and is not owned elsewhere.
    pub unsafe fn from_raw(p: *mut T) -> RtBox<T> {
        RtBox { ptr: p }
    }
}

impl<T> std::ops::Deref for RtBox<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: valid and initialised while the RtBox lives.
        unsafe { &*self.ptr }
    }
}

impl<T> Drop for RtBox<T> {
    fn drop(&mut self) {
        // SAFETY: we own the value and its allocation.
        unsafe {
            ptr::drop_in_place(self.ptr);
            rt_free(self.ptr as *mut c_void);
        }
    }
}

/// Linear memories out of the runtime's allocator (installed in the engine
/// for `Alloc_With_Pool` and `Alloc_With_Allocator`).
///
/// A memory's base never moves, so its reservation bounds its growth, as a
/// WAMR memory is bounded by what its pool can give: from a pool, the
/// declared minimum plus at most half of what the pool would have left
/// (never more than the declared maximum); from the embedder's allocator,
/// room to double (at least one page, at most the maximum). When that much
/// is not available, exactly the minimum.
pub(crate) struct RuntimeMemories;

/// Headroom asked of the embedder's allocator is capped at this.
const USER_MAX_HEADROOM: usize = 64 << 20;
const WASM_PAGE: usize = 65536;

// SAFETY: a reservation is a live allocation of the runtime's allocator,
// owned by the memory until `release`; its first `min_bytes` are zeroed
// before it is handed out and `commit` zeroes every byte it adds, inside
// the allocation (the engine never commits past `reserved`). Pool and
// embedder memory is ordinary read/write memory, and an allocation does
// not move.
unsafe impl crate::runtime::MemoryAllocator for RuntimeMemories {
    fn reserve(&self, min_bytes: usize, max_bytes: usize) -> Option<(std::ptr::NonNull<u8>, usize)> {
        let max_bytes = max_bytes.max(min_bytes);
        let mut a = lock();
        let (want, p) = match &mut *a {
            Allocator::System => {
                // Not installed for the system allocator; fail closed.
                return None;
            }
            Allocator::Pool(pool) => {
                let left = pool.size - pool.used;
                let spare = left.checked_sub(min_bytes + HEADER)?;
                let room = ((spare / 2).min(max_bytes - min_bytes)) & !(WASM_PAGE - 1);
                let want = min_bytes + room;
                let mut p = pool.alloc(want);
                let mut got = want;
                if p.is_null() && room > 0 {
                    p = pool.alloc(min_bytes);
                    got = min_bytes;
                }
                (got, p)
            }
            Allocator::User { malloc, .. } => {
                let malloc = *malloc;
                let limit = (u32::MAX as usize) & !(WASM_PAGE - 1);
                if min_bytes > limit {
                    return None;
                }
                let room = min_bytes
                    .clamp(WASM_PAGE, USER_MAX_HEADROOM)
                    .min(max_bytes - min_bytes)
                    .min(limit - min_bytes);
                drop(a);
                let want = min_bytes + room;
                // SAFETY: the embedder's malloc, called as documented.
                let mut p = unsafe { malloc(want.max(1) as u32) } as *mut u8;
                let mut got = want;
                if p.is_null() && room > 0 {
                    // SAFETY: as above.
                    p = unsafe { malloc(min_bytes.max(1) as u32) } as *mut u8;
                    got = min_bytes;
                }
                let p = std::ptr::NonNull::new(p)?;
                // SAFETY: a fresh allocation of at least `min_bytes`.
                unsafe { ptr::write_bytes(p.as_ptr(), 0, min_bytes) };
                return Some((p, got));
            }
        };
        let p = std::ptr::NonNull::new(p)?;
        // SAFETY: a fresh pool allocation of at least `min_bytes`.
        unsafe { ptr::write_bytes(p.as_ptr(), 0, min_bytes) };
        Some((p, want))
    }

    fn commit(&self, base: std::ptr::NonNull<u8>, old_len: usize, new_len: usize) -> bool {
        if new_len < old_len {
            return false;
        }
        // SAFETY: the engine commits only inside the reservation, which is
        // our live allocation.
        unsafe { ptr::write_bytes(base.as_ptr().add(old_len), 0, new_len - old_len) };
        true
    }

    fn release(&self, base: std::ptr::NonNull<u8>, _reserved: usize) {
        let mut a = lock();
        match &mut *a {
            // SAFETY: a pool ignores what is recognisably not its own block
            // (a memory that outlived its pool, for instance).
            Allocator::Pool(pool) => unsafe { pool.free(base.as_ptr()) },
            Allocator::User { free, .. } => {
                let free = *free;
                drop(a);
                // SAFETY: our allocation from the embedder's malloc.
                unsafe { free(base.as_ptr() as *mut c_void) }
            }
            // The runtime that lent the memory is gone: leak rather than
            // hand the system allocator a pointer it never made.
            Allocator::System => {}
        }
    }
}

const POOL_ALIGN: usize = 16;
/// Block header: the block's size (header included) and, for a free block,
/// the offset of the next free block (for a used one, [`USED`]).
const HEADER: usize = 16;
const NONE: usize = usize::MAX;
const USED: usize = usize::MAX - 1;

/// A first-fit allocator over a caller's buffer. Free blocks form a list in
/// address order, so neighbours coalesce on free.
pub(crate) struct Pool {
    base: *mut u8,
    size: usize,
    free_head: usize,
    used: usize,
    highmark: usize,
}

// SAFETY: the pool's memory is only touched with the allocator lock held.
unsafe impl Send for Pool {}

impl Pool {
    /// # Safety
    /// `[buf, buf + size)` is writable and left to the pool.
    unsafe fn new(buf: *mut u8, size: usize) -> Option<Pool> {
        if buf.is_null() {
            return None;
        }
        let pad = buf.align_offset(POOL_ALIGN);
        let usable = size.checked_sub(pad)? & !(POOL_ALIGN - 1);
        if usable < 2 * HEADER {
            return None;
        }
        // SAFETY: `pad < size`, inside the buffer.
        let base = unsafe { buf.add(pad) };
        let pool = Pool {
            base,
            size: usable,
            free_head: 0,
            used: 0,
            highmark: 0,
        };
        // SAFETY: offset 0 is inside the buffer, which holds at least a header.
        unsafe { pool.set(0, usable, NONE) };
        Some(pool)
    }

    /// # Safety
    /// `off` is a block offset inside the pool.
    unsafe fn get(&self, off: usize) -> (usize, usize) {
        // SAFETY: aligned header inside the buffer per the contract.
        unsafe {
            let h = self.base.add(off) as *const usize;
            (h.read(), h.add(1).read())
        }
    }

    /// # Safety
    /// `off` is a block offset inside the pool.
    unsafe fn set(&self, off: usize, size: usize, next: usize) {
        // SAFETY: aligned header inside the buffer per the contract.
        unsafe {
            let h = self.base.add(off) as *mut usize;
            h.write(size);
            h.add(1).write(next);
        }
    }

    fn alloc(&mut self, n: usize) -> *mut u8 {
        let Some(need) = n
            .checked_add(HEADER + POOL_ALIGN - 1)
            .map(|x| (x & !(POOL_ALIGN - 1)).max(2 * HEADER))
        else {
            return ptr::null_mut();
        };
        let mut prev = NONE;
        let mut cur = self.free_head;
        while cur != NONE {
            // SAFETY: every list entry is a block inside the pool.
            let (size, next) = unsafe { self.get(cur) };
            if size >= need {
                let replacement = if size - need >= 2 * HEADER {
                    let rest = cur + need;
                    // SAFETY: the remainder lies inside the free block.
                    unsafe { self.set(rest, size - need, next) };
                    rest
                } else {
                    next
                };
                let taken = if replacement == next { size } else { need };
                if prev == NONE {
                    self.free_head = replacement;
                } else {
                    // SAFETY: `prev` is a free block inside the pool.
                    let (psize, _) = unsafe { self.get(prev) };
                    // SAFETY: as above.
                    unsafe { self.set(prev, psize, replacement) };
                }
                // SAFETY: `cur` is the block being handed out.
                unsafe { self.set(cur, taken, USED) };
                self.used += taken;
                self.highmark = self.highmark.max(self.used);
                // SAFETY: the payload follows the header inside the block.
                return unsafe { self.base.add(cur + HEADER) };
            }
            prev = cur;
            cur = next;
        }
        ptr::null_mut()
    }

    /// The block offset of payload `p`, if `p` is a live allocation.
    fn block_of(&self, p: *mut u8) -> Option<usize> {
        let a = p as usize;
        let b = self.base as usize;
        if a < b + HEADER || a >= b + self.size || !(a - b).is_multiple_of(POOL_ALIGN) {
            return None;
        }
        let off = a - b - HEADER;
        // SAFETY: `off` is an aligned offset inside the pool.
        let (_, tag) = unsafe { self.get(off) };
        (tag == USED).then_some(off)
    }

    /// # Safety
    /// `p` is a payload from this pool (anything else is ignored when it
    /// is recognisably not one).
    unsafe fn free(&mut self, p: *mut u8) {
        let Some(off) = self.block_of(p) else {
            return;
        };
        // SAFETY: `off` is a used block.
        let (size, _) = unsafe { self.get(off) };
        // SAFETY: untag the block first, so that a second free of `p` is
        // recognised even when the block merges into its predecessor.
        unsafe { self.set(off, size, NONE) };
        self.used -= size;
        // Find the neighbours in the address-ordered free list.
        let mut prev = NONE;
        let mut cur = self.free_head;
        while cur != NONE && cur < off {
            prev = cur;
            // SAFETY: list entries are blocks inside the pool.
            cur = unsafe { self.get(cur) }.1;
        }
        let (mut start, mut total, next) = (off, size, cur);
        let mut next_after = next;
        if next != NONE && off + size == next {
            // SAFETY: `next` is a free block.
            let (nsize, nnext) = unsafe { self.get(next) };
            total += nsize;
            next_after = nnext;
        }
        if prev != NONE {
            // SAFETY: `prev` is a free block.
            let (psize, _) = unsafe { self.get(prev) };
            if prev + psize == off {
                start = prev;
                total += psize;
                // SAFETY: merged block starts at `prev`.
                unsafe { self.set(start, total, next_after) };
                return;
            }
            // SAFETY: as above.
            unsafe { self.set(prev, psize, start) };
        } else {
            self.free_head = start;
        }
        // SAFETY: the freed (possibly merged) block.
        unsafe { self.set(start, total, next_after) };
    }

    /// # Safety
    /// `p` is a payload from this pool.
    unsafe fn realloc(&mut self, p: *mut u8, n: usize) -> *mut u8 {
        let Some(off) = self.block_of(p) else {
            return ptr::null_mut();
        };
        // SAFETY: a used block.
        let (size, _) = unsafe { self.get(off) };
        let old_payload = size - HEADER;
        if n <= old_payload {
            return p;
        }
        let q = self.alloc(n);
        if !q.is_null() {
            // SAFETY: both payloads are inside the pool and distinct.
            unsafe {
                ptr::copy_nonoverlapping(p, q, old_payload);
                self.free(p);
            }
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::Pool;

    #[test]
    fn pool_allocates_frees_and_coalesces() {
        let mut buf = vec![0u8; 4096 + 16];
        // SAFETY: the vector outlives the pool and is not otherwise used.
        let mut p = unsafe { Pool::new(buf.as_mut_ptr(), buf.len()) }.unwrap();
        let total = p.size;
        let a = p.alloc(100);
        let b = p.alloc(200);
        let c = p.alloc(300);
        assert!(!a.is_null() && !b.is_null() && !c.is_null());
        assert!(p.alloc(100_000).is_null());
        // SAFETY: live payloads of this pool.
        unsafe {
            p.free(b);
            p.free(a);
            p.free(c);
        }
        assert_eq!(p.used, 0);
        let whole = p.alloc(total - 16);
        assert!(!whole.is_null(), "free blocks coalesced");
        // SAFETY: live payload.
        let r = unsafe { p.realloc(whole, 8) };
        assert_eq!(r, whole);
        // SAFETY: live payload; a double free is recognised and ignored.
        unsafe {
            p.free(whole);
            p.free(whole);
        }
        assert_eq!(p.used, 0);
    }
}
