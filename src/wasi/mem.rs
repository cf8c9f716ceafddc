//! Guest memory access for WASI functions.
//!
//! Every pointer and length a guest passes is a 32-bit offset into its
//! linear memory. [`GuestMem`] checks each access against the memory's
//! current size and reports a bad one as `Errno::Fault`, so that a broken or
//! hostile guest gets an error code and the host never reads or writes out
//! of bounds. Values are little-endian and need not be aligned.

use super::errno::{Errno, WasiResult};

/// A bounds-checked view of the calling instance's linear memory.
pub struct GuestMem<'a> {
    data: &'a mut [u8],
}

/// A guest `iovec`/`ciovec`: a range of guest memory, already checked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IoRange {
    pub offset: usize,
    pub len: usize,
}

/// Largest number of buffers passed to one host `readv`/`writev`; a guest
/// asking for more gets a short transfer, which POSIX allows.
pub(crate) const MAX_IOVS: usize = 1024;

impl<'a> GuestMem<'a> {
    /// Wraps a memory's bytes (an empty slice for a module without memory:
    /// every access then fails with `Fault`).
    pub fn new(data: &'a mut [u8]) -> GuestMem<'a> {
        GuestMem { data }
    }

    /// The byte range `[ptr, ptr + len)` as indices, or `Fault`.
    pub fn range(&self, ptr: u32, len: u32) -> WasiResult<std::ops::Range<usize>> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        if end > self.data.len() {
            return Err(Errno::Fault);
        }
        Ok(start..end)
    }

    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(ptr, len)?;
        Ok(&self.data[r])
    }

    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.data[r])
    }

    fn array<const N: usize>(&self, ptr: u32) -> WasiResult<[u8; N]> {
        let s = self.slice(ptr, N as u32)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    pub fn read_u8(&self, ptr: u32) -> WasiResult<u8> {
        Ok(self.array::<1>(ptr)?[0])
    }

    pub fn read_u16(&self, ptr: u32) -> WasiResult<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }

    pub fn read_u32(&self, ptr: u32) -> WasiResult<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }

    pub fn read_u64(&self, ptr: u32) -> WasiResult<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> WasiResult<()> {
        let len = u32::try_from(bytes.len()).map_err(|_| Errno::Fault)?;
        self.slice_mut(ptr, len)?.copy_from_slice(bytes);
        Ok(())
    }

    pub fn write_u8(&mut self, ptr: u32, v: u8) -> WasiResult<()> {
        self.write(ptr, &[v])
    }

    pub fn write_u16(&mut self, ptr: u32, v: u16) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    pub fn write_u32(&mut self, ptr: u32, v: u32) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    pub fn write_u64(&mut self, ptr: u32, v: u64) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Reads a guest string (a path, say) of `len` bytes at `ptr`. WASI
    /// strings are UTF-8: invalid ones give `Ilseq`; embedded NULs, which no
    /// host path can hold, give `Inval`.
    pub fn read_str(&self, ptr: u32, len: u32) -> WasiResult<&str> {
        let bytes = self.slice(ptr, len)?;
        let s = std::str::from_utf8(bytes).map_err(|_| Errno::Ilseq)?;
        if bytes.contains(&0) {
            return Err(Errno::Inval);
        }
        Ok(s)
    }

    /// Reads and checks an array of `count` (c)iovecs (pairs of `u32`
    /// pointer and length) at `ptr`. At most [`MAX_IOVS`] are returned.
    pub(crate) fn iovecs(&self, ptr: u32, count: u32) -> WasiResult<Vec<IoRange>> {
        let bytes = count.checked_mul(8).ok_or(Errno::Fault)?;
        self.range(ptr, bytes)?;
        let mut out = Vec::with_capacity((count as usize).min(MAX_IOVS));
        for i in 0..count.min(MAX_IOVS as u32) {
            let buf = self.read_u32(ptr + 8 * i)?;
            let len = self.read_u32(ptr + 8 * i + 4)?;
            let r = self.range(buf, len)?;
            out.push(IoRange {
                offset: r.start,
                len: r.len(),
            });
        }
        Ok(out)
    }

    /// Host `iovec`s for checked ranges, pointing into this memory. They
    /// stay valid while this view is borrowed mutably.
    pub(crate) fn host_iovecs(&mut self, ranges: &[IoRange]) -> Vec<libc::iovec> {
        let base = self.data.as_mut_ptr();
        ranges
            .iter()
            .map(|r| libc::iovec {
                // SAFETY: `r` was checked by `iovecs` against this memory's
                // length, which cannot shrink, so the offset is in bounds.
                iov_base: unsafe { base.add(r.offset) } as *mut libc::c_void,
                iov_len: r.len,
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked() {
        let mut bytes = vec![0u8; 16];
        let mut m = GuestMem::new(&mut bytes);
        assert!(m.write_u64(8, 1).is_ok());
        assert_eq!(m.write_u64(9, 1), Err(Errno::Fault));
        assert_eq!(m.read_u32(u32::MAX), Err(Errno::Fault));
        assert_eq!(m.slice(16, 0).map(|s| s.len()), Ok(0));
        assert_eq!(m.slice(17, 0).map(|s| s.len()), Err(Errno::Fault));
        assert_eq!(m.iovecs(0, u32::MAX).map(|v| v.len()), Err(Errno::Fault));
        m.write_u32(0, 4).unwrap();
        m.write_u32(4, 100).unwrap();
        assert_eq!(m.iovecs(0, 1).map(|v| v.len()), Err(Errno::Fault));
    }
}
