//! `poll_oneoff`: waiting for clock deadlines and for descriptors to
//! become readable or writable, on `ppoll` and `clock_nanosleep`.

use super::clock;
use super::errno::{Errno, WasiResult};
use super::types::{eventtype, filetype, rights, EVENT_FD_READWRITE_HANGUP, SUBSCRIPTION_CLOCK_ABSTIME};
use super::{a32, Cx};
use crate::core::Val;

const EVENT_SIZE: u32 = 32;

struct Event {
    userdata: u64,
    error: Errno,
    kind: u8,
    nbytes: u64,
    flags: u16,
}

impl Event {
    fn encode(&self) -> [u8; EVENT_SIZE as usize] {
        let mut b = [0u8; EVENT_SIZE as usize];
        b[0..8].copy_from_slice(&self.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&self.error.raw().to_le_bytes());
        b[10] = self.kind;
        b[16..24].copy_from_slice(&self.nbytes.to_le_bytes());
        b[24..26].copy_from_slice(&self.flags.to_le_bytes());
        b
    }
}

/// Bytes readable from `fd` without blocking, as far as the host can say.
fn readable_bytes(fd: libc::c_int, ft: u8) -> u64 {
    if ft == filetype::REGULAR_FILE {
        let Ok(st) = super::fd::fstat(fd) else { return 0 };
        // SAFETY: plain syscall on an open descriptor.
        let pos = unsafe { libc::lseek(fd, 0, libc::SEEK_CUR) };
        return (st.st_size as u64).saturating_sub(pos.max(0) as u64);
    }
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int to `n`.
    if unsafe { libc::ioctl(fd, libc::FIONREAD, &mut n) } == 0 {
        n.max(0) as u64
    } else {
        0
    }
}

pub(crate) fn poll_oneoff(cx: &mut Cx<'_>, a: &[Val]) -> WasiResult<()> {
    let (input, output, nsubs, ret) = (a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3));
    if nsubs == 0 {
        return Err(Errno::Inval);
    }
    // `wasi_unstable`'s clock subscription has an extra 64-bit field first.
    let (sub_size, clock_base) = if cx.unstable { (56u32, 24u32) } else { (48, 16) };
    cx.mem
        .range(input, nsubs.checked_mul(sub_size).ok_or(Errno::Fault)?)?;
    cx.mem
        .range(output, nsubs.checked_mul(EVENT_SIZE).ok_or(Errno::Fault)?)?;
    cx.mem.range(ret, 4)?;

    let start = clock::now(super::types::clockid::MONOTONIC)?;
    let mut events: Vec<Event> = Vec::new();
    // (userdata, nanoseconds from `start`)
    let mut clocks: Vec<(u64, u64)> = Vec::new();
    // (userdata, kind, filetype) parallel to `pollfds`
    let mut fd_subs: Vec<(u64, u8, u8)> = Vec::new();
    let mut pollfds: Vec<libc::pollfd> = Vec::new();
    for i in 0..nsubs {
        let s = input + i * sub_size;
        let userdata = cx.mem.read_u64(s)?;
        let tag = cx.mem.read_u8(s + 8)?;
        match tag {
            eventtype::CLOCK => {
                let id = cx.mem.read_u32(s + clock_base)?;
                let timeout = cx.mem.read_u64(s + clock_base + 8)?;
                let flags = cx.mem.read_u16(s + clock_base + 24)?;
                let rel = if flags & SUBSCRIPTION_CLOCK_ABSTIME != 0 {
                    match clock::now(id) {
                        Ok(now) => timeout.saturating_sub(now),
                        Err(e) => {
                            events.push(Event {
                                userdata,
                                error: e,
                                kind: tag,
                                nbytes: 0,
                                flags: 0,
                            });
                            continue;
                        }
                    }
                } else {
                    if let Err(e) = clock::host_clock(id) {
                        events.push(Event {
                            userdata,
                            error: e,
                            kind: tag,
                            nbytes: 0,
                            flags: 0,
                        });
                        continue;
                    }
                    timeout
                };
                clocks.push((userdata, rel));
            }
            eventtype::FD_READ | eventtype::FD_WRITE => {
                let fd = cx.mem.read_u32(s + 16)?;
                let entry = match cx.wasi.fds.get(&fd) {
                    None => Err(Errno::Badf),
                    Some(e) if e.rights_base & rights::POLL_FD_READWRITE == 0 => Err(Errno::NotCapable),
                    Some(e) => Ok(e),
                };
                match entry {
                    Ok(e) => {
                        fd_subs.push((userdata, tag, e.filetype));
                        pollfds.push(libc::pollfd {
                            fd: e.raw(),
                            events: if tag == eventtype::FD_READ {
                                libc::POLLIN
                            } else {
                                libc::POLLOUT
                            },
                            revents: 0,
                        });
                    }
                    Err(error) => events.push(Event {
                        userdata,
                        error,
                        kind: tag,
                        nbytes: 0,
                        flags: 0,
                    }),
                }
            }
            _ => return Err(Errno::Inval),
        }
    }

    // Errors already found: report them without waiting.
    let wait = if events.is_empty() {
        clocks.iter().map(|c| c.1).min()
    } else {
        Some(0)
    };
    if pollfds.is_empty() {
        if let Some(ns) = wait {
            sleep_until(start.saturating_add(ns))?;
        }
    } else {
        let ts = wait.map(|ns| libc::timespec {
            tv_sec: (ns / 1_000_000_000).min(i64::MAX as u64) as libc::time_t,
            tv_nsec: (ns % 1_000_000_000) as libc::c_long,
        });
        let tsp = ts
            .as_ref()
            .map_or(std::ptr::null(), |t| t as *const libc::timespec);
        loop {
            // SAFETY: `pollfds` is a valid array of its length; `tsp` is null
            // or points to `ts`, alive for the call.
            let n = unsafe {
                libc::ppoll(
                    pollfds.as_mut_ptr(),
                    pollfds.len() as libc::nfds_t,
                    tsp,
                    std::ptr::null(),
                )
            };
            if n >= 0 {
                break;
            }
            let e = Errno::last();
            if e != Errno::Intr {
                return Err(e);
            }
        }
    }
    let elapsed = clock::now(super::types::clockid::MONOTONIC)?.saturating_sub(start);
    for &(userdata, rel) in &clocks {
        if rel <= elapsed {
            events.push(Event {
                userdata,
                error: Errno::Success,
                kind: eventtype::CLOCK,
                nbytes: 0,
                flags: 0,
            });
        }
    }
    for (p, &(userdata, kind, ft)) in pollfds.iter().zip(&fd_subs) {
        if p.revents == 0 {
            continue;
        }
        let error = if p.revents & libc::POLLNVAL != 0 {
            Errno::Badf
        } else if p.revents & libc::POLLERR != 0 && p.revents & (libc::POLLIN | libc::POLLOUT) == 0 {
            Errno::Io
        } else {
            Errno::Success
        };
        let nbytes = if kind == eventtype::FD_READ && error == Errno::Success {
            readable_bytes(p.fd, ft)
        } else {
            0
        };
        events.push(Event {
            userdata,
            error,
            kind,
            nbytes,
            flags: if p.revents & libc::POLLHUP != 0 {
                EVENT_FD_READWRITE_HANGUP
            } else {
                0
            },
        });
    }
    for (i, ev) in events.iter().enumerate() {
        cx.mem.write(output + i as u32 * EVENT_SIZE, &ev.encode())?;
    }
    cx.mem.write_u32(ret, events.len() as u32)
}

/// Sleeps until the monotonic clock reads `deadline` nanoseconds.
fn sleep_until(deadline: u64) -> WasiResult<()> {
    let ts = libc::timespec {
        tv_sec: (deadline / 1_000_000_000).min(i64::MAX as u64) as libc::time_t,
        tv_nsec: (deadline % 1_000_000_000) as libc::c_long,
    };
    loop {
        // SAFETY: `ts` is a valid timespec; no remainder is requested.
        let rc = unsafe {
            libc::clock_nanosleep(
                libc::CLOCK_MONOTONIC,
                libc::TIMER_ABSTIME,
                &ts,
                std::ptr::null_mut(),
            )
        };
        match rc {
            0 => return Ok(()),
            libc::EINTR => continue,
            e => return Err(Errno::from_host(e)),
        }
    }
}
