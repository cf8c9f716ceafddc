//! Arguments, environment, and process-level calls: `args_*`,
//! `environ_*`, `sched_yield` and `proc_raise`. (`proc_exit` lives in
//! `mod.rs`: it unwinds the guest with an exit trap instead of returning.)

use super::errno::{Errno, WasiResult};
use super::{a32, Cx};
use crate::core::Val;

/// Writes `list` the C way: an array of pointers at `ptrs` into NUL-
/// terminated strings laid out one after another at `buf`.
fn write_list(cx: &mut Cx<'_>, list: &[Vec<u8>], ptrs: u32, buf: u32) -> WasiResult<()> {
    let mut p = buf;
    for (i, s) in list.iter().enumerate() {
        let slot = ptrs.checked_add(4 * i as u32).ok_or(Errno::Fault)?;
        cx.mem.write_u32(slot, p)?;
        cx.mem.write(p, s)?;
        let end = p.checked_add(s.len() as u32).ok_or(Errno::Fault)?;
        cx.mem.write_u8(end, 0)?;
        p = end.checked_add(1).ok_or(Errno::Fault)?;
    }
    Ok(())
}

fn write_sizes(cx: &mut Cx<'_>, list: &[Vec<u8>], count_ptr: u32, size_ptr: u32) -> WasiResult<()> {
    let size: usize = list.iter().map(|s| s.len() + 1).sum();
    let size = u32::try_from(size).map_err(|_| Errno::Overflow)?;
    cx.mem.write_u32(count_ptr, list.len() as u32)?;
    cx.mem.write_u32(size_ptr, size)
}

pub(crate) fn args_get(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let list = std::mem::take(&mut cx.wasi.args);
    let r = write_list(cx, &list, a32(a, 0), a32(a, 1));
    cx.wasi.args = list;
    r
}

pub(crate) fn args_sizes_get(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let list = std::mem::take(&mut cx.wasi.args);
    let r = write_sizes(cx, &list, a32(a, 0), a32(a, 1));
    cx.wasi.args = list;
    r
}

pub(crate) fn environ_get(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let list = std::mem::take(&mut cx.wasi.env);
    let r = write_list(cx, &list, a32(a, 0), a32(a, 1));
    cx.wasi.env = list;
    r
}

pub(crate) fn environ_sizes_get(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let list = std::mem::take(&mut cx.wasi.env);
    let r = write_sizes(cx, &list, a32(a, 0), a32(a, 1));
    cx.wasi.env = list;
    r
}

pub(crate) fn sched_yield(_cx: &mut Cx<'_>, _a: &[Val]) -> WasiResult<()> {
    // SAFETY: no arguments, no memory involved.
    unsafe { libc::sched_yield() };
    Ok(())
}

/// Signals are not part of the sandbox: a guest may not raise one in the
/// host process.
pub(crate) fn proc_raise(_cx: &mut Cx<'_>, _a: &[Val]) -> WasiResult<()> {
    Err(Errno::NoSys)
}
