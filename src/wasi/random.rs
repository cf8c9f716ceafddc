//! `random_get`: bytes from the host's `getrandom(2)`.

use super::errno::{Errno, WasiResult};
use super::{a32, Cx};
use crate::core::Val;

/// Fills `buf` from the kernel's random source.
pub(crate) fn fill(buf: &mut [u8]) -> WasiResult<()> {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: `rest` is a valid writable buffer of `rest.len()` bytes.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr() as *mut libc::c_void, rest.len(), 0) };
        if n < 0 {
            let e = Errno::last();
            if e == Errno::Intr {
                continue;
            }
            return Err(e);
        }
        done += n as usize;
    }
    Ok(())
}

pub(crate) fn random_get(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let buf = cx.mem.slice_mut(a32(a, 0), a32(a, 1))?;
    fill(buf)
}
