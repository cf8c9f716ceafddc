//! Clocks: `clock_res_get` and `clock_time_get`, on `clock_getres` and
//! `clock_gettime`.

use super::errno::{Errno, WasiResult};
use super::types::clockid;
use super::{a32, Cx};
use crate::core::Val;

/// The host clock for a WASI clock id, or `Inval`.
pub(crate) fn host_clock(id: u32) -> WasiResult<libc::clockid_t> {
    Ok(match id {
        clockid::REALTIME => libc::CLOCK_REALTIME,
        clockid::MONOTONIC => libc::CLOCK_MONOTONIC,
        clockid::PROCESS_CPUTIME_ID => libc::CLOCK_PROCESS_CPUTIME_ID,
        clockid::THREAD_CPUTIME_ID => libc::CLOCK_THREAD_CPUTIME_ID,
        _ => return Err(Errno::Inval),
    })
}

fn to_nanos(ts: &libc::timespec) -> u64 {
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64)
}

/// The current time of a WASI clock in nanoseconds.
pub(crate) fn now(id: u32) -> WasiResult<u64> {
    let clock = host_clock(id)?;
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-parameter.
    if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return Err(Errno::last());
    }
    Ok(to_nanos(&ts))
}

pub(crate) fn clock_res_get(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let clock = host_clock(a32(a, 0))?;
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-parameter.
    if unsafe { libc::clock_getres(clock, &mut ts) } != 0 {
        return Err(Errno::last());
    }
    cx.mem.write_u64(a32(a, 1), to_nanos(&ts).max(1))
}

pub(crate) fn clock_time_get(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    // The precision argument is a hint; the host clock is used as is.
    let t = now(a32(a, 0))?;
    cx.mem.write_u64(a32(a, 2), t)
}
