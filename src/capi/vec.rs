//! Vectors: the `{ size_t size; T* data; }` structures of `wasm.h` and the
//! macro that generates each `wasm_X_vec_t` family (`new_empty`,
//! `new_uninitialized`, `new`, `copy`, `delete`), plus the byte vector and
//! names built on it.
//!
//! A vector's array is a `Box<[T]>` handed to C as a raw pointer (NULL when
//! empty); deleting the vector releases every element and then the array.

use std::ffi::c_char;

/// What a vector needs to know about its elements.
pub(crate) trait VecElem: Sized {
    /// The value of an element of a vector made by `new_uninitialized`.
    fn blank() -> Self;
    /// A copy: a new reference for objects, a plain copy for values.
    fn copy_elem(&self) -> Self;
    /// Releases what the element owns.
    fn release(self);
}

/// Objects owned by pointer (`wasm_X_t*` elements) that can be copied.
pub(crate) trait CopyObj {
    fn copy_obj(&self) -> Box<Self>;
}

impl<T: CopyObj> VecElem for Option<Box<T>> {
    fn blank() -> Self {
        None
    }
    fn copy_elem(&self) -> Self {
        self.as_ref().map(|b| b.copy_obj())
    }
    fn release(self) {
        drop(self)
    }
}

impl VecElem for c_char {
    fn blank() -> Self {
        0
    }
    fn copy_elem(&self) -> Self {
        *self
    }
    fn release(self) {}
}

/// Declares a `#[repr(C)]` vector type and its five C functions.
macro_rules! declare_vec {
    ($vec:ident, $elem:ty, $new_empty:ident, $new_uninit:ident, $new:ident, $copy:ident, $delete:ident) => {
        /// A vector as laid out by `wasm.h`: `{ size_t size; T* data; }`.
        #[repr(C)]
        pub struct $vec {
            pub size: usize,
            pub data: *mut $elem,
        }

        const _: () = {
            assert!(std::mem::size_of::<$vec>() == 2 * std::mem::size_of::<usize>());
            assert!(std::mem::offset_of!($vec, size) == 0);
            assert!(std::mem::offset_of!($vec, data) == std::mem::size_of::<usize>());
        };

        #[allow(dead_code)]
        impl $vec {
            pub(crate) fn empty() -> Self {
                $vec {
                    size: 0,
                    data: std::ptr::null_mut(),
                }
            }

            /// Hands the elements of `v` to a C vector.
            pub(crate) fn from_vec(v: Vec<$elem>) -> Self {
                if v.is_empty() {
                    return Self::empty();
                }
                let b: Box<[$elem]> = v.into_boxed_slice();
                let size = b.len();
                $vec {
                    size,
                    data: Box::into_raw(b) as *mut $elem,
                }
            }

            /// The elements (empty for a NULL array).
            pub(crate) fn as_slice(&self) -> &[$elem] {
                if self.data.is_null() || self.size == 0 {
                    return &[];
                }
                // SAFETY: by the C contract `data` points to `size`
                // initialised elements that outlive the borrow of `self`.
                unsafe { std::slice::from_raw_parts(self.data, self.size) }
            }

            /// The elements, mutably (empty for a NULL array).
            pub(crate) fn as_mut_slice(&mut self) -> &mut [$elem] {
                if self.data.is_null() || self.size == 0 {
                    return &mut [];
                }
                // SAFETY: as in `as_slice`, and `&mut self` makes the access
                // exclusive on the Rust side.
                unsafe { std::slice::from_raw_parts_mut(self.data, self.size) }
            }

            /// Takes the array (allocated by this library) out of the
            /// vector, leaving it empty.
            pub(crate) fn take(&mut self) -> Vec<$elem> {
                let (data, size) = (self.data, self.size);
                *self = Self::empty();
                if data.is_null() || size == 0 {
                    return Vec::new();
                }
                // SAFETY: a non-empty owned vector's array was made by
                // `from_vec` (a `Box<[T]>` of exactly `size` elements).
                let b = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(data, size)) };
                b.into_vec()
            }

            /// Copies every element into a new vector.
            pub(crate) fn copy_all(&self) -> Self {
                use $crate::capi::vec::VecElem;
                Self::from_vec(self.as_slice().iter().map(|e| e.copy_elem()).collect())
            }

            /// Releases the elements and the array.
            pub(crate) fn release_all(&mut self) {
                use $crate::capi::vec::VecElem;
                for e in self.take() {
                    e.release();
                }
            }
        }

        /// Writes an empty vector to `out`.
        #[no_mangle]
        pub extern "C" fn $new_empty(out: Option<&mut std::mem::MaybeUninit<$vec>>) {
            $crate::capi::ffi(|| {
                if let Some(out) = out {
                    out.write($vec::empty());
                }
            })
        }

        /// Writes a vector of `size` blank elements to `out`.
        #[no_mangle]
        pub extern "C" fn $new_uninit(out: Option<&mut std::mem::MaybeUninit<$vec>>, size: usize) {
            use $crate::capi::vec::VecElem;
            $crate::capi::ffi(|| {
                if let Some(out) = out {
                    out.write($vec::from_vec(
                        (0..size).map(|_| <$elem>::blank()).collect(),
                    ));
                }
            })
        }

        /// Writes to `out` a vector that takes over the `size` elements at
        /// `data`.
        ///
        /// # Safety
        /// `data` must point to `size` initialised elements (or be NULL
        /// with `size` 0), whose ownership passes to the new vector.
        #[no_mangle]
        pub unsafe extern "C" fn $new(
            out: Option<&mut std::mem::MaybeUninit<$vec>>,
            size: usize,
            data: *const $elem,
        ) {
            $crate::capi::ffi(|| {
                let Some(out) = out else { return };
                if size == 0 || data.is_null() {
                    out.write($vec::empty());
                    return;
                }
                let mut v = Vec::with_capacity(size);
                for i in 0..size {
                    // SAFETY: the caller guarantees `size` initialised
                    // elements at `data`; moving them out is the ownership
                    // transfer the C API specifies.
                    v.push(unsafe { std::ptr::read(data.add(i)) });
                }
                out.write($vec::from_vec(v));
            })
        }

        /// Writes a copy of `src` (elements copied too) to `out`.
        #[no_mangle]
        pub extern "C" fn $copy(out: Option<&mut std::mem::MaybeUninit<$vec>>, src: Option<&$vec>) {
            $crate::capi::ffi(|| {
                if let Some(out) = out {
                    out.write(src.map_or_else($vec::empty, |s| s.copy_all()));
                }
            })
        }

        /// Releases the elements and the array; the vector is left empty.
        #[no_mangle]
        pub extern "C" fn $delete(v: Option<&mut $vec>) {
            $crate::capi::ffi(|| {
                if let Some(v) = v {
                    v.release_all();
                }
            })
        }
    };
}

pub(crate) use declare_vec;

/// `wasm_byte_t`: a C `char`.
pub type wasm_byte_t = c_char;

declare_vec!(
    wasm_byte_vec_t,
    wasm_byte_t,
    wasm_byte_vec_new_empty,
    wasm_byte_vec_new_uninitialized,
    wasm_byte_vec_new,
    wasm_byte_vec_copy,
    wasm_byte_vec_delete
);

/// `wasm_name_t` and `wasm_message_t` are byte vectors.
pub type wasm_name_t = wasm_byte_vec_t;

impl wasm_byte_vec_t {
    /// A byte vector holding `bytes`.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Self {
        Self::from_vec(bytes.iter().map(|&b| b as c_char).collect())
    }

    /// The bytes of the vector.
    pub(crate) fn bytes(&self) -> &[u8] {
        let s = self.as_slice();
        // SAFETY: `c_char` and `u8` have the same size and alignment, and
        // every bit pattern is valid for both.
        unsafe { std::slice::from_raw_parts(s.as_ptr() as *const u8, s.len()) }
    }

    /// The bytes as text (lossily), with one trailing NUL dropped.
    pub(crate) fn to_string_lossy(&self) -> String {
        let b = self.bytes();
        let b = b.strip_suffix(&[0]).unwrap_or(b);
        String::from_utf8_lossy(b).into_owned()
    }
}

impl Clone for wasm_byte_vec_t {
    fn clone(&self) -> Self {
        self.copy_all()
    }
}

/// An owned byte vector (a name stored inside another object), released
/// when dropped.
pub(crate) struct OwnedName(pub wasm_name_t);

impl OwnedName {
    pub(crate) fn new(s: &str) -> OwnedName {
        OwnedName(wasm_name_t::from_bytes(s.as_bytes()))
    }
}

impl Clone for OwnedName {
    fn clone(&self) -> Self {
        OwnedName(self.0.copy_all())
    }
}

impl Drop for OwnedName {
    fn drop(&mut self) {
        self.0.release_all();
    }
}
