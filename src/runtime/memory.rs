//! Linear memories.
//!
//! On 64-bit hosts a memory reserves its whole maximum size once with `mmap`
//! (inaccessible), and growing makes more of it accessible with `mprotect`,
//! so the base address never moves: the interpreter may cache it. Every
//! access is still bounds-checked against the current length.

use crate::core::limits::{MAX_PAGES_32, PAGE_SIZE};
use crate::core::{Error, MemoryType};
use std::ptr::NonNull;
use std::sync::Arc;

/// A source of address space for linear memories (e.g. an embedder's pool).
/// Without one, memories use anonymous `mmap` reservations.
///
/// # Safety
///
/// `reserve` must return a region of `reserved` bytes that stays valid and
/// unused by anyone else until `release`; after `commit(base, old, new)`
/// returns true, bytes `old..new` of it must be readable, writable and zero.
/// The first `min_bytes` must be readable, writable and zero on return from
/// `reserve`. The base never moves.
pub unsafe trait MemoryAllocator: Send + Sync {
    /// Reserves address space for a memory of at least `min_bytes`, ideally
    /// `max_bytes`; returns the base and the reserved size (which bounds
    /// growth), or `None`.
    fn reserve(&self, min_bytes: usize, max_bytes: usize) -> Option<(NonNull<u8>, usize)>;
    /// Makes `old_len..new_len` accessible and zeroed.
    fn commit(&self, base: NonNull<u8>, old_len: usize, new_len: usize) -> bool;
    /// Returns a reservation made by `reserve`.
    fn release(&self, base: NonNull<u8>, reserved: usize);
}

/// A linear memory owned by a store.
pub struct LinearMemory {
    ty: MemoryType,
    base: *mut u8,
    /// Accessible bytes (current size).
    len: usize,
    /// Reserved bytes (largest size this memory can reach).
    reserved: usize,
    /// Largest page count (declared maximum capped by the engine).
    max_pages: u64,
    /// The embedder's allocator, if the memory came from one.
    allocator: Option<Arc<dyn MemoryAllocator>>,
}

// SAFETY: the mapping is owned exclusively by this value; access is governed
// by Rust's borrow rules on `LinearMemory` like a `Vec<u8>` would be.
unsafe impl Send for LinearMemory {}
// SAFETY: shared references only read through `data()`, as for a `Vec<u8>`.
unsafe impl Sync for LinearMemory {}

impl LinearMemory {
    /// Creates a memory of `ty.limits.min` pages. `cap_pages` bounds the
    /// maximum regardless of the declared one.
    pub fn new(ty: MemoryType, cap_pages: u64) -> Result<LinearMemory, Error> {
        LinearMemory::with_allocator(ty, cap_pages, None)
    }

    /// Like `new`, taking the address space from `allocator` when given.
    pub fn with_allocator(
        ty: MemoryType,
        cap_pages: u64,
        allocator: Option<Arc<dyn MemoryAllocator>>,
    ) -> Result<LinearMemory, Error> {
        let declared_max = ty.limits.max.unwrap_or(MAX_PAGES_32).min(MAX_PAGES_32);
        let mut max_pages = declared_max.min(cap_pages);
        if ty.limits.min > max_pages {
            return Err(Error::resource(format!(
                "memory of {} pages exceeds the limit of {} pages",
                ty.limits.min, max_pages
            )));
        }
        if let Some(alloc) = allocator {
            let min_bytes = ty.limits.min as usize * PAGE_SIZE;
            let max_bytes = max_pages as usize * PAGE_SIZE;
            let Some((base, reserved)) = alloc.reserve(min_bytes, max_bytes) else {
                return Err(Error::resource(
                    "the memory allocator could not provide a linear memory",
                ));
            };
            if reserved < min_bytes {
                alloc.release(base, reserved);
                return Err(Error::resource("the memory allocator reserved too little"));
            }
            max_pages = max_pages.min((reserved / PAGE_SIZE) as u64);
            return Ok(LinearMemory {
                ty,
                base: base.as_ptr(),
                len: min_bytes,
                reserved,
                max_pages,
                allocator: Some(alloc),
            });
        }
        let reserved = (max_pages as usize) * PAGE_SIZE;
        let base = if reserved == 0 {
            std::ptr::NonNull::<u64>::dangling().as_ptr() as *mut u8
        } else {
            // SAFETY: an anonymous private mapping with no address hint; the
            // result is checked before use.
            let p = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    reserved,
                    libc::PROT_NONE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                    -1,
                    0,
                )
            };
            if p == libc::MAP_FAILED {
                return Err(Error::resource(
                    "could not reserve address space for a linear memory",
                ));
            }
            p as *mut u8
        };
        let mut mem = LinearMemory {
            ty,
            base,
            len: 0,
            reserved,
            max_pages,
            allocator: None,
        };
        if ty.limits.min > 0 && mem.grow(ty.limits.min).is_none() {
            return Err(Error::resource(
                "could not commit the initial pages of a linear memory",
            ));
        }
        Ok(mem)
    }

    /// The type with the current size as its minimum.
    pub fn ty(&self) -> MemoryType {
        let mut t = self.ty;
        t.limits.min = self.pages();
        t
    }

    pub fn pages(&self) -> u64 {
        (self.len / PAGE_SIZE) as u64
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn max_pages(&self) -> u64 {
        self.max_pages
    }

    /// Grows by `delta` pages; returns the old page count, or `None` (and
    /// changes nothing) if the result would exceed the maximum.
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        if delta == 0 {
            return Some(old);
        }
        let new_len = new as usize * PAGE_SIZE;
        if let Some(alloc) = &self.allocator {
            let base = NonNull::new(self.base)?;
            if !alloc.commit(base, self.len, new_len) {
                return None;
            }
            self.len = new_len;
            return Some(old);
        }
        // SAFETY: [base, base + new_len) lies inside our reservation
        // (new <= max_pages, reserved = max_pages * PAGE_SIZE).
        let rc = unsafe {
            libc::mprotect(
                self.base as *mut libc::c_void,
                new_len,
                libc::PROT_READ | libc::PROT_WRITE,
            )
        };
        if rc != 0 {
            return None;
        }
        self.len = new_len;
        Some(old)
    }

    pub fn data(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: the first `len` bytes are mapped read/write and owned by self.
        unsafe { std::slice::from_raw_parts(self.base, self.len) }
    }

    pub fn data_mut(&mut self) -> &mut [u8] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: as in `data`, and `&mut self` guarantees exclusivity.
        unsafe { std::slice::from_raw_parts_mut(self.base, self.len) }
    }

    /// Base address, stable for the memory's lifetime (for the interpreter's
    /// cached view; every use is bounds-checked against `len`).
    pub(crate) fn base_ptr(&self) -> *mut u8 {
        self.base
    }
}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        if let Some(alloc) = self.allocator.take() {
            if let Some(base) = NonNull::new(self.base) {
                alloc.release(base, self.reserved);
            }
            return;
        }
        if self.reserved > 0 {
            // SAFETY: unmapping exactly the region mapped in `new`.
            unsafe {
                libc::munmap(self.base as *mut libc::c_void, self.reserved);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grow_keeps_base_and_respects_max() {
        let mut m = LinearMemory::new(MemoryType::new(1, Some(3)), 65536).unwrap();
        let base = m.base_ptr();
        assert_eq!(m.len(), PAGE_SIZE);
        assert_eq!(m.grow(2), Some(1));
        assert_eq!(m.grow(1), None);
        assert_eq!(m.base_ptr(), base);
        m.data_mut()[3 * PAGE_SIZE - 1] = 7;
        assert_eq!(m.data()[3 * PAGE_SIZE - 1], 7);
    }

    /// A fixed buffer handed out once, counting calls.
    struct OneBuffer {
        buf: std::sync::Mutex<Option<Box<[u8]>>>,
        released: std::sync::atomic::AtomicUsize,
    }

    // SAFETY: the buffer is zeroed, exclusively lent out until `release`,
    // and never moves (a boxed slice).
    unsafe impl MemoryAllocator for OneBuffer {
        fn reserve(&self, min_bytes: usize, _max: usize) -> Option<(NonNull<u8>, usize)> {
            let mut b = self.buf.lock().unwrap().take()?;
            if b.len() < min_bytes {
                return None;
            }
            let len = b.len();
            let base = NonNull::new(b.as_mut_ptr())?;
            std::mem::forget(b);
            Some((base, len))
        }
        fn commit(&self, _base: NonNull<u8>, _old: usize, _new: usize) -> bool {
            true
        }
        fn release(&self, base: NonNull<u8>, reserved: usize) {
            // SAFETY: rebuilds the box forgotten in `reserve`.
            let b = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(base.as_ptr(), reserved)) };
            *self.buf.lock().unwrap() = Some(b);
            self.released.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn embedder_allocator_bounds_growth() {
        let alloc = Arc::new(OneBuffer {
            buf: std::sync::Mutex::new(Some(vec![0u8; 2 * PAGE_SIZE].into_boxed_slice())),
            released: Default::default(),
        });
        let dynalloc: Arc<dyn MemoryAllocator> = alloc.clone();
        let mut m =
            LinearMemory::with_allocator(MemoryType::new(1, None), 65536, Some(dynalloc.clone())).unwrap();
        assert_eq!(m.max_pages(), 2);
        assert_eq!(m.grow(1), Some(1));
        assert_eq!(m.grow(1), None);
        m.data_mut()[2 * PAGE_SIZE - 1] = 1;
        // The buffer is in use: a second memory cannot be made.
        assert!(LinearMemory::with_allocator(MemoryType::new(1, None), 65536, Some(dynalloc)).is_err());
        drop(m);
        assert_eq!(alloc.released.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn zero_sized() {
        let mut m = LinearMemory::new(MemoryType::new(0, Some(0)), 65536).unwrap();
        assert!(m.data().is_empty());
        assert_eq!(m.grow(1), None);
        assert_eq!(m.grow(0), Some(0));
    }
}

/// Handle to a linear memory in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory {
    pub(crate) store: u32,
    pub(crate) index: u32,
}

impl Memory {
    /// Creates a stand-alone memory (e.g. to be imported by modules).
    pub fn new(store: &mut crate::runtime::Store, ty: MemoryType) -> Result<Memory, Error> {
        let cap = store.engine.config().max_memory_pages;
        let alloc = store.engine.config().memory_allocator.clone();
        let mem = LinearMemory::with_allocator(ty, cap, alloc)?;
        Ok(store.push_memory(mem))
    }

    fn get<'s>(&self, store: &'s crate::runtime::Store) -> Result<&'s LinearMemory, Error> {
        store.owns(self.store)?;
        Ok(&store.memories[self.index as usize])
    }

    fn get_mut<'s>(&self, store: &'s mut crate::runtime::Store) -> Result<&'s mut LinearMemory, Error> {
        store.owns(self.store)?;
        Ok(&mut store.memories[self.index as usize])
    }

    pub fn ty(&self, store: &crate::runtime::Store) -> Result<MemoryType, Error> {
        Ok(self.get(store)?.ty())
    }

    /// Current size in pages.
    pub fn size(&self, store: &crate::runtime::Store) -> Result<u64, Error> {
        Ok(self.get(store)?.pages())
    }

    /// Grows by `delta` pages; `Ok(None)` when the maximum would be exceeded.
    pub fn grow(&self, store: &mut crate::runtime::Store, delta: u64) -> Result<Option<u64>, Error> {
        Ok(self.get_mut(store)?.grow(delta))
    }

    pub fn data<'s>(&self, store: &'s crate::runtime::Store) -> Result<&'s [u8], Error> {
        Ok(self.get(store)?.data())
    }

    pub fn data_mut<'s>(&self, store: &'s mut crate::runtime::Store) -> Result<&'s mut [u8], Error> {
        Ok(self.get_mut(store)?.data_mut())
    }

    /// Index of this memory in its store (stable for the store's lifetime).
    pub fn index(&self) -> u32 {
        self.index
    }
}

impl crate::runtime::Store {
    pub(crate) fn push_memory(&mut self, mem: LinearMemory) -> Memory {
        self.memories.push(mem);
        Memory {
            store: self.id,
            index: (self.memories.len() - 1) as u32,
        }
    }
}
